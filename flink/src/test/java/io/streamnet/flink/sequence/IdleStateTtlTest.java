package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.rnn.model.OutputType;
import io.streamnet.serving.model.PoisonModels;
import io.streamnet.serving.sequence.OutputMode;
import io.streamnet.serving.sequence.SequenceEvent;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Idle keys' state is freed on the heap backend, not only hidden: 100k keys go idle past the TTL,
 * and the sweep drops the entries they held while later keys keep theirs.
 */
class IdleStateTtlTest {
    static final int IDLE_KEYS = 100_000;
    static final int LATER_RECORDS = 20_000;

    @Test
    void theStateOf100kIdleKeysIsFreedAndLiveKeysKeepTheirs() throws Exception {
        byte[] model = OperatorFixtures.bytes(PoisonModels.healthy(OutputType.MANY_TO_MANY), "m", 1);
        SequenceOperatorConfig config = SequenceOperatorConfig.of(64, 60_000, OutputMode.MANY_TO_MANY)
                .withStateTtl(Duration.ofMinutes(1));
        try (var h = OperatorFixtures.harness(model, "m", 1, config)) {
            h.setStateTtlProcessingTime(0);
            h.setProcessingTime(0);
            h.open();
            for (int k = 0; k < IDLE_KEYS; k++) {
                h.event(SequenceEvent.features("idle-" + k, 0, new float[] {0.1f}, false));
            }
            h.flush();
            long before = h.keysWith(SequenceOperator.STATE);

            h.setStateTtlProcessingTime(Duration.ofSeconds(50).toMillis());
            for (int k = 0; k < LATER_RECORDS; k++) {
                h.event(SequenceEvent.features("live-" + k, 0, new float[] {0.1f}, false));
            }
            h.flush();
            long t0 = System.nanoTime();
            h.setStateTtlProcessingTime(Duration.ofSeconds(90).toMillis()); // idle keys 90 s old, live ones 40 s
            h.setProcessingTime(Duration.ofSeconds(90).toMillis());         // the sweeps (every 30 s) run
            long sweepMs = (System.nanoTime() - t0) / 1_000_000;
            long after = h.keysWith(SequenceOperator.STATE);
            long seqAfter = h.keysWith(SequenceOperator.LAST_SEQ);

            System.out.printf("state entries: %d keys written; %d idle past the TTL, %d live -> %d rnn-state,"
                    + " %d last-seq entries after the sweeps (%d ms)%n", before, IDLE_KEYS, LATER_RECORDS, after,
                    seqAfter, sweepMs);
            assertThat(before).isEqualTo(IDLE_KEYS);
            assertThat(after).isEqualTo(LATER_RECORDS);
            assertThat(seqAfter).isEqualTo(LATER_RECORDS);
            h.predictions().clear();
        }
    }
}
