package io.streamnet.serving.frame;

import io.streamnet.cnn.layer.CnnBuilder;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.model.ServedModel;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small frame models (8x8 grey frames, 5 classes), frames and updates, for the tests of every runtime. */
public final class FrameFixtures {
    public static final int SIDE = 8;
    public static final int CLASSES = 5;
    public static final int FEATURES = 12;

    private FrameFixtures() {
    }

    public static Sequential cnn(long seed) {
        return CnnBuilder.of(CpuBackend.instance(), seed, 1, SIDE, SIDE)
                .conv(4, 3, 1, 1).relu()
                .maxPool(2, 2)
                .flatten()
                .dense(FEATURES, Initializer.HE_NORMAL).relu()
                .dense(CLASSES, Initializer.XAVIER_UNIFORM)
                .build();
    }

    public static SequenceModel smoother(int hidden, long seed) {
        return new SequenceModel(CpuBackend.instance(), ModelConfig.features(CellType.GRU, FEATURES, hidden, 1, 0f,
                CLASSES, Task.CLASSIFICATION, OutputType.MANY_TO_MANY), seed);
    }

    /** Checkpoint bytes of a CNN (and smoother, may be null) named {@code id} v{@code version}. */
    public static byte[] bytes(Sequential cnn, SequenceModel smoother, String id, long version) {
        try {
            return Checkpoints.toBytes(ServedFrameModel.toCheckpoint(cnn, smoother,
                    Map.of(ServedModel.META_ID, id, ServedModel.META_VERSION, Long.toString(version))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static ServedFrameModel model(byte[] bytes) {
        try {
            return ServedFrameModel.load(CpuBackend.instance(), bytes, null, -1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A frame of random pixels (seeded by camera and number), labelled {@code frameNo % CLASSES}. */
    public static FrameEvent frame(String camera, long frameNo) {
        byte[] px = new byte[SIDE * SIDE];
        new Random(camera.hashCode() * 31L + frameNo).nextBytes(px);
        FrameEvent f = FrameEvent.of(camera, frameNo, SIDE, SIDE, 1, px, (int) (frameNo % CLASSES));
        f.eventTime = 1_700_000_000_000L + frameNo;
        return f;
    }

    public static ModelUpdate update(String id, long version, byte[] checkpoint) {
        try {
            return ModelUpdates.toUpdate(id, version, checkpoint, Map.of("accuracy", 0.9));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static float[] floats(List<Float> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }
}
