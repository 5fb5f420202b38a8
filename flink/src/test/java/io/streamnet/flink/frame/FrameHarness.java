package io.streamnet.flink.frame;

import io.streamnet.flink.operator.DeadLetterOutput;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.frame.FrameEvent;
import io.streamnet.serving.model.ModelUpdates;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/** The frame operator in Flink's keyed two-input harness, with its inputs spelled out. */
final class FrameHarness {
    private FrameHarness() {
    }

    static Harness harness(byte[] checkpoint, String id, long version, FrameOperatorConfig config)
            throws Exception {
        return new Harness(new FrameOperator(checkpoint, id, version, config));
    }

    /** The keyed two-input harness with the operator's inputs spelled out. */
    public static final class Harness
            extends KeyedTwoInputStreamOperatorTestHarness<String, FrameEvent, RawRecord, Prediction> {
        private final FrameOperator op;

        Harness(FrameOperator op) throws Exception {
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
            var q = getSideOutput(DeadLetterOutput.TAG);
            if (q != null) {
                q.forEach(r -> out.add(r.getValue()));
            }
            return out;
        }

        public FrameOperator op() {
            return op;
        }
    }

}
