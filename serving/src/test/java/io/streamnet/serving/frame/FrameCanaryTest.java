package io.streamnet.serving.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.cnn.layer.CnnBuilder;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.serving.model.ModelSlot;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.PoisonModels;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.reject.RejectReason;
import org.junit.jupiter.api.Test;

/** A frame model runs synthetic frames of its shape before it may serve. */
class FrameCanaryTest {
    @Test
    void aCnnWhoseForwardThrowsIsRefusedAndTheOldOneKeepsServing() {
        ModelSlot<ServedFrameModel> slot = new ModelSlot<>(new FrameModelKind(), ModelUpdates.DEFAULT_MAX_BYTES);
        slot.open(FrameFixtures.model(FrameFixtures.bytes(FrameFixtures.cnn(1), null, "cams", 1)));
        Sequential throwing = CnnBuilder.of(CpuBackend.instance(), 2, 1, FrameFixtures.SIDE, FrameFixtures.SIDE)
                .flatten()
                .add(PoisonModels.explodingLayer())
                .dense(FrameFixtures.CLASSES, Initializer.XAVIER_UNIFORM)
                .build();

        var offer = slot.offer(FrameFixtures.update("cams", 2, FrameFixtures.bytes(throwing, null, "cams", 2)));

        assertThat(offer).isInstanceOfSatisfying(ModelSlot.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(RejectReason.CANARY_FAILED));
        assertThat(slot.current().version()).isEqualTo(1);
    }

    @Test
    void aHealthyCnnWithItsSmootherPassesTheCanary() {
        ServedFrameModel m = FrameFixtures.model(FrameFixtures.bytes(FrameFixtures.cnn(3), FrameFixtures.smoother(6, 3),
                "cams", 2));
        assertThat(new FrameModelKind().canary(m)).isNull();
    }
}
