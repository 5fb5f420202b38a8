package io.streamnet.flink.cnn;

import io.streamnet.cnn.layer.CnnBuilder;
import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.flink.frame.FrameEvent;
import io.streamnet.flink.model.FrameModel;
import io.streamnet.flink.model.ModelUpdates;
import io.streamnet.flink.model.ServingModel;
import io.streamnet.flink.sequence.DeadLetters;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/** Small frame models (8x8 grey frames, 5 classes), frames, updates and a harness for the CNN operator's tests. */
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
            return Checkpoints.toBytes(FrameModel.toCheckpoint(cnn, smoother,
                    Map.of(ServingModel.META_ID, id, ServingModel.META_VERSION, Long.toString(version))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static FrameModel model(byte[] bytes) {
        try {
            return FrameModel.load(CpuBackend.instance(), bytes, null, -1);
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

    public static Harness harness(byte[] checkpoint, String id, long version, FrameOperatorConfig config)
            throws Exception {
        return new Harness(new CnnFrameOperator(checkpoint, id, version, config));
    }

    /** The keyed two-input harness with the operator's inputs spelled out. */
    public static final class Harness
            extends KeyedTwoInputStreamOperatorTestHarness<String, FrameEvent, RawRecord, Prediction> {
        private final CnnFrameOperator op;

        Harness(CnnFrameOperator op) throws Exception {
            super(op, e -> e.camera, null, Types.STRING);
            this.op = op;
        }

        public void frame(FrameEvent f) throws Exception {
            processElement1(new StreamRecord<>(f, f.eventTime));
        }

        public void update(ModelUpdate u) throws Exception {
            processElement2(new StreamRecord<>(new RawRecord("model-updates", 0, 0, 0, null,
                    ModelUpdates.codec(Integer.MAX_VALUE).encode(u))));
        }

        public List<Prediction> predictions() {
            return extractOutputValues();
        }

        public List<Prediction> predictions(PredictionKind kind) {
            return predictions().stream().filter(p -> p.getKind() == kind).toList();
        }

        public List<DeadLetter> deadLetters() {
            List<DeadLetter> out = new ArrayList<>();
            var q = getSideOutput(DeadLetters.TAG);
            if (q != null) {
                q.forEach(r -> out.add(r.getValue()));
            }
            return out;
        }

        public CnnFrameOperator op() {
            return op;
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
