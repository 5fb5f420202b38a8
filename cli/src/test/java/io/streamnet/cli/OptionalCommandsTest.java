package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code bench} and {@code streams} live in modules the cli does not depend on (benchmarks,
 * kafka-streams), which are not on this test's classpath: the commands are still listed, and each
 * says how to get it and exits 2, whatever its arguments.
 */
class OptionalCommandsTest {
    @Test
    void aCommandWhoseModuleIsNotOnTheClasspathSaysHowToGetItAndExits2() {
        CliRun bench = CliRun.of("bench", "--quick", "--sections", "kernels");
        CliRun streams = CliRun.of("streams", "--model", "m.bin", "--bootstrap", "127.0.0.1:1");

        assertThat(bench.exit()).isEqualTo(2);
        assertThat(bench.err())
                .contains("streamnet bench: the module benchmarks is not on this classpath", "./streamnet bench");
        assertThat(streams.exit()).isEqualTo(2);
        assertThat(streams.err())
                .contains("streamnet streams: the module kafka-streams is not on this classpath", "./streamnet streams");
    }

    @Test
    void theirHelpAndTheCommandListNameThemAndTheirModules() {
        assertThat(CliRun.ok("bench", "--help")).contains("performance comparisons", "module benchmarks");
        assertThat(CliRun.ok("--help")).contains("bench", "streams");
    }

    @Test
    void neitherCommandsClassIsOnTheCliClasspath() {
        assertThat(OptionalCommands.load("io.streamnet.bench.BenchCommand")).isNull();
        assertThat(OptionalCommands.load("io.streamnet.kafka.streams.StreamsCommand")).isNull();
    }
}
