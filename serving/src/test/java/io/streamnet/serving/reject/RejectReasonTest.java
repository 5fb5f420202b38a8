package io.streamnet.serving.reject;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.CheckpointException;
import org.junit.jupiter.api.Test;

/** One list of reasons: a refused checkpoint's reason names the checkpoint format's own. */
class RejectReasonTest {
    @Test
    void everyCheckpointRefusalHasItsOwnReason() {
        for (CheckpointException.Reason r : CheckpointException.Reason.values()) {
            assertThat(RejectReason.of(r).name()).isEqualTo("CHECKPOINT_" + r.name());
        }
    }
}
