package io.streamnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.cli.dashboard.DashboardCommand;
import io.streamnet.contract.ClientProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Secrets given as {@code @FILE} (the Kafka client's credentials, the dashboard's token) are read
 * from the file, so they are never in the arguments that {@code ps} shows; a file that cannot be
 * read is an error naming the file and never what it holds.
 */
class SecretArgumentsTest {
    static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"alice\" password=\"p4ss word#1\";";

    @TempDir
    Path dir;

    /** The dashboard command as `streamnet dashboard ARGS` parses it. */
    static DashboardCommand dashboard(String... args) {
        CommandLine cli = StreamnetCommand.commandLine();
        String[] all = new String[args.length + 1];
        all[0] = "dashboard";
        System.arraycopy(args, 0, all, 1, args.length);
        return (DashboardCommand) cli.parseArgs(all).subcommand().commandSpec().userObject();
    }

    static ClientProperties kafka(DashboardCommand c) throws Exception {
        var field = DashboardCommand.class.getDeclaredField("kafka");
        field.setAccessible(true);
        return ((io.streamnet.kafka.client.KafkaClientOptions) field.get(c)).settings();
    }

    @Test
    void aKafkaSettingsValueIsReadFromTheFileAfterItsAt() throws Exception {
        Path jaas = Files.writeString(dir.resolve("jaas.txt"), JAAS + "\n");

        ClientProperties p = kafka(dashboard("--kafka-property", "sasl.jaas.config=@" + jaas,
                "--kafka-property", "security.protocol=SASL_SSL"));

        assertThat(p.asMap()).containsEntry("sasl.jaas.config", JAAS).containsEntry("security.protocol", "SASL_SSL");
        assertThat(p.toString()).doesNotContain("p4ss");
    }

    @Test
    void aWholeKafkaSettingIsReadFromTheFileItNamesSpacesQuotesAndAll() throws Exception {
        Path setting = Files.writeString(dir.resolve("setting.txt"), "sasl.jaas.config=" + JAAS + "\n");

        ClientProperties p = kafka(dashboard("--kafka-property", "@" + setting));

        assertThat(p.asMap()).containsExactly(java.util.Map.entry("sasl.jaas.config", JAAS));
    }

    @Test
    void aSettingFileThatIsNotKeyValueIsRefusedWithoutShowingItsContent() throws Exception {
        Path setting = Files.writeString(dir.resolve("setting.txt"), "p4ssword\n");

        assertThatThrownBy(() -> kafka(dashboard("--kafka-property", "@" + setting)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(setting.toString())
                .hasMessageNotContaining("p4ssword");
    }

    @Test
    void theDashboardTokenIsReadFromTheFileAfterItsAt() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret#token\r\n");

        assertThat(dashboard("--token", "@" + token).token()).isEqualTo("s3cret#token");
        assertThat(dashboard("--token", "@@literal").token()).isEqualTo("@literal");
        assertThat(dashboard("--token", "plain").token()).isEqualTo("plain");
    }

    @Test
    void aTokenFileThatIsMissingOrEmptyIsAnErrorNotTheToken() throws Exception {
        Path missing = dir.resolve("missing");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");

        assertThatThrownBy(() -> dashboard("--token", "@" + missing).token())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> dashboard("--token", "@" + empty).token())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> dashboard("--token", "").token())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        CliRun r = CliRun.of("dashboard", "--token", "@" + missing, "--bootstrap", "127.0.0.1:1");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(missing.toString());
    }

    @Test
    void theJobEntryPointReadsKafkaSettingsFromFilesToo() throws Exception {
        Path jaas = Files.writeString(dir.resolve("jaas.txt"), JAAS);
        var job = (io.streamnet.cli.jobs.ApplicationJob) io.streamnet.cli.jobs.ApplicationJob.command()
                .parseArgs("sequence", "--kafka-property", "sasl.jaas.config=@" + jaas).commandSpec().userObject();
        var options = io.streamnet.cli.jobs.ApplicationJob.class.getDeclaredField("options");
        options.setAccessible(true);
        var jobOptions = (io.streamnet.cli.jobs.JobOptions) options.get(job);

        assertThat(jobOptions.kafka.settings().asMap()).containsEntry("sasl.jaas.config", JAAS);
    }
}
