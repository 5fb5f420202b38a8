package io.streamnet.engine.checkpoint;

import static io.streamnet.engine.checkpoint.CheckpointFixtures.rejected;
import static io.streamnet.engine.checkpoint.CheckpointFixtures.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.streamnet.engine.checkpoint.CheckpointException.Reason;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointShapeValidationTest {

    @Test
    void expectTensorReturnsTheTensorWhenShapeMatches() throws Exception {
        Checkpoint c = Checkpoints.fromBytes(Checkpoints.toBytes(small()));

        assertThat(c.expectTensor("w", 2, 3).shape()).containsExactly(2, 3);
    }

    @Test
    void expectTensorRejectsWrongShapeNamingBothShapes() {
        rejected(() -> small().expectTensor("w", 3, 2), Reason.SHAPE_MISMATCH, "'w'", "has shape [2, 3]",
                "[3, 2] was expected");
    }

    @Test
    void expectTensorRejectsMissingTensor() {
        rejected(() -> small().expectTensor("u", 4), Reason.SHAPE_MISMATCH, "no tensor 'u'", "[w, b]");
    }

    @Test
    void requireShapesAcceptsExactlyTheExpectedTensors() {
        assertThatCode(() -> small().requireShapes(Map.of("w", new int[] {2, 3}, "b", new int[] {2})))
                .doesNotThrowAnyException();
    }

    @Test
    void requireShapesListsMismatchedMissingAndUnexpectedTensors() {
        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put("w", new int[] {2, 4});
        expected.put("u", new int[] {4, 2});

        rejected(() -> small().requireShapes(expected), Reason.SHAPE_MISMATCH,
                "tensor 'w' has shape [2, 3] but [2, 4] was expected", "tensor 'u' [4, 2] is missing",
                "unexpected tensor 'b' [2]");
    }
}
