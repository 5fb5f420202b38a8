package io.streamnet.flink.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamnet.engine.checkpoint.Checkpoints;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.flink.operator.DeadLetterOutput;
import io.streamnet.flink.source.RawRecord;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.RnnCheckpoints;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.text.Vocabulary;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.ModelUpdate;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.model.ServedSequenceModel;
import io.streamnet.serving.sequence.SequenceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/** Models, checkpoints, updates and a harness for the RNN operator's tests. */
final class OperatorFixtures {
    /** 19 characters plus the OOV id: 20 tokens. */
    static final Vocabulary VOCABULARY = Vocabulary.chars("abcdefghijklmnopqrs");

    private OperatorFixtures() {
    }

    static SequenceModel tokenModel(int hidden, long seed) {
        return new SequenceModel(CpuBackend.instance(),
                ModelConfig.tokens(CellType.LSTM, 20, 8, hidden, 1, 0f, 3, OutputType.MANY_TO_MANY), seed);
    }

    static byte[] bytes(SequenceModel m, String id, long version) {
        try {
            return Checkpoints.toBytes(RnnCheckpoints.toCheckpoint(m, m.config().tokenInput() ? VOCABULARY : null,
                    Map.of(ServedSequenceModel.META_ID, id, ServedSequenceModel.META_VERSION, Long.toString(version))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ModelUpdate update(String id, long version, byte[] checkpoint) {
        try {
            return ModelUpdates.toUpdate(id, version, checkpoint, Map.of("accuracy", 0.8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static RawRecord record(ModelUpdate u, long offset) {
        return new RawRecord("model-updates", 0, offset, 0, null, ModelUpdates.codec(Integer.MAX_VALUE).encode(u));
    }

    static Harness harness(byte[] checkpoint, String id, long version, SequenceOperatorConfig config) throws Exception {
        return new Harness(new SequenceOperator(checkpoint, id, version, config));
    }

    /** The keyed two-input harness with the operator's inputs spelled out. */
    static final class Harness extends KeyedTwoInputStreamOperatorTestHarness<String, SequenceEvent, RawRecord, Prediction> {
        private final SequenceOperator op;

        Harness(SequenceOperator op) throws Exception {
            super(op, e -> e.key, null, Types.STRING);
            this.op = op;
        }

        void event(SequenceEvent e) {
            try {
                processElement1(new StreamRecord<>(e, e.eventTime));
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }

        void update(ModelUpdate u) throws Exception {
            processElement2(new StreamRecord<>(record(u, 0)));
        }

        void updateBytes(byte[] raw) throws Exception {
            processElement2(new StreamRecord<>(new RawRecord("model-updates", 0, 7, 0, null, raw)));
        }

        List<Prediction> predictions() {
            return extractOutputValues();
        }

        List<DeadLetter> deadLetters() {
            List<DeadLetter> out = new ArrayList<>();
            var q = getSideOutput(DeadLetterOutput.TAG);
            if (q != null) {
                q.forEach(r -> out.add(r.getValue()));
            }
            return out;
        }

        /** Runs what is buffered. */
        void flush() throws Exception {
            op().flush();
        }

        /** How many keys hold state {@code name} (the RNN state is {@link SequenceOperator#STATE}). */
        long keysWith(String name) throws Exception {
            try (var keys = op().getKeyedStateBackend().getKeys(name, org.apache.flink.runtime.state.VoidNamespace.INSTANCE)) {
                return keys.count();
            }
        }

        SequenceOperator op() {
            return op;
        }
    }

    static float[] floats(List<Float> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }

    static Map<String, List<float[]>> byKey(List<Prediction> outputs) {
        Map<String, List<float[]>> m = new HashMap<>();
        outputs.forEach(o -> m.computeIfAbsent(o.getKey().toString(), k -> new ArrayList<>())
                .add(floats(o.getProbabilities())));
        return m;
    }

    static void assertSameOutputs(Map<String, List<float[]>> got, Map<String, List<float[]>> want) {
        assertThat(got.keySet()).isEqualTo(want.keySet());
        want.forEach((k, list) -> {
            assertThat(got.get(k)).as("outputs of key %s", k).hasSameSizeAs(list);
            for (int i = 0; i < list.size(); i++) {
                assertThat(got.get(k).get(i)).as("key %s step %d", k, i).containsExactly(list.get(i));
            }
        });
    }
}
