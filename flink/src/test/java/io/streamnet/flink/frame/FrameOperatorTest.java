package io.streamnet.flink.frame;

import static io.streamnet.flink.frame.FrameHarness.harness;
import static io.streamnet.serving.frame.FrameFixtures.bytes;
import static io.streamnet.serving.frame.FrameFixtures.cnn;
import static io.streamnet.serving.frame.FrameFixtures.floats;
import static io.streamnet.serving.frame.FrameFixtures.frame;
import static io.streamnet.serving.frame.FrameFixtures.model;
import static io.streamnet.serving.frame.FrameFixtures.smoother;
import static io.streamnet.serving.frame.FrameFixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.state.RnnState;
import io.streamnet.schemas.Prediction;
import io.streamnet.schemas.PredictionKind;
import io.streamnet.serving.frame.FrameClassifier;
import io.streamnet.serving.frame.FrameEvent;
import io.streamnet.serving.model.ServedFrameModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/**
 * The CNN frame operator in Flink's keyed two-input harness: batches give the answers of one frame
 * at a time, batches flush on size, time and barriers, each camera's smoother state follows only
 * its own frames and survives a restore, bad frames and bad models are dead-lettered, and models
 * swap between batches.
 */
class FrameOperatorTest {
    private static final byte[] V1 = bytes(cnn(1), smoother(6, 2), "frames", 1);
    private static final ServedFrameModel MODEL = model(V1);
    private static final List<String> CAMERAS = List.of("cam-a", "cam-b", "cam-c");

    /** Frames of three cameras, interleaved as they would arrive. */
    private static List<FrameEvent> frames(int perCamera) {
        List<FrameEvent> out = new ArrayList<>();
        for (int i = 0; i < perCamera; i++) {
            for (String c : CAMERAS) {
                out.add(frame(c, i));
            }
        }
        return out;
    }

    /** What the model says for one frame alone: class probabilities and features. */
    private static float[][] alone(ServedFrameModel m, FrameEvent f) {
        FrameClassifier c = new FrameClassifier(m, CpuBackend.instance(), 1);
        c.load(0, f.pixels);
        c.run(1);
        return new float[][] {c.probabilities().row(0).toArray(), c.features().row(0).toArray()};
    }

    /** Each camera's smoothed outputs, stepping its frames one by one from a fresh state. */
    private static Map<String, List<float[]>> smoothedAlone(ServedFrameModel m, List<FrameEvent> frames) {
        SequenceModel rnn = m.smoother();
        Map<String, RnnState> states = new HashMap<>();
        Map<String, List<float[]>> out = new HashMap<>();
        for (FrameEvent f : frames) {
            RnnState s = states.computeIfAbsent(f.camera, k -> rnn.initialState());
            SequenceModel.StepResult r = rnn.step(s, alone(m, f)[1]);
            states.put(f.camera, r.state());
            out.computeIfAbsent(f.camera, k -> new ArrayList<>()).add(r.output());
        }
        return out;
    }

    private static Map<String, List<float[]>> byCamera(List<Prediction> ps) {
        Map<String, List<float[]>> m = new HashMap<>();
        ps.forEach(p -> m.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).add(floats(p.getProbabilities())));
        return m;
    }

    private static void assertClose(Map<String, List<float[]>> got, Map<String, List<float[]>> want) {
        assertThat(got.keySet()).isEqualTo(want.keySet());
        want.forEach((cam, list) -> {
            assertThat(got.get(cam)).as("outputs of %s", cam).hasSameSizeAs(list);
            for (int i = 0; i < list.size(); i++) {
                float[] g = got.get(cam).get(i);
                for (int k = 0; k < g.length; k++) {
                    assertThat(g[k]).as("%s frame %d class %d", cam, i, k).isCloseTo(list.get(i)[k], within(1e-5f));
                }
            }
        });
    }

    @Test
    void aBatchOfFramesGetsTheProbabilitiesOfEachFrameClassifiedAlone() throws Exception {
        List<FrameEvent> in = frames(5);
        try (var h = harness(V1, "frames", 1, FrameOperatorConfig.of(64, 10_000, false))) {
            h.open();
            for (FrameEvent f : in) {
                h.frame(f);
            }
            assertThat(h.predictions()).as("nothing before the batch is full or due").isEmpty();
            h.op().flush();
            List<Prediction> out = h.predictions(PredictionKind.FRAME);
            assertThat(out).hasSize(in.size());
            for (int i = 0; i < in.size(); i++) {
                Prediction p = out.get(i);
                assertThat(p.getKey()).isEqualTo(in.get(i).camera);
                assertThat(p.getStep()).isEqualTo(in.get(i).frameNo);
                assertThat(p.getModelVersion()).isEqualTo(1);
                assertThat(p.getTrueLabel()).isEqualTo(in.get(i).label);
                float[] want = alone(MODEL, in.get(i))[0];
                float[] got = floats(p.getProbabilities());
                for (int k = 0; k < want.length; k++) {
                    assertThat(got[k]).isCloseTo(want[k], within(1e-5f));
                }
                assertThat(p.getLabel()).isEqualTo(io.streamnet.serving.output.Predictions.argmax(want));
            }
            assertThat(h.predictions(PredictionKind.MANY_TO_MANY)).as("smoothing is off").isEmpty();
        }
    }

    @Test
    void aFullBatchIsClassifiedAtOnce() throws Exception {
        try (var h = harness(V1, "frames", 1, FrameOperatorConfig.of(4, 10_000, false))) {
            h.open();
            List<FrameEvent> in = frames(2);
            for (int i = 0; i < 3; i++) {
                h.frame(in.get(i));
            }
            assertThat(h.predictions()).isEmpty();
            h.frame(in.get(3));
            assertThat(h.predictions()).hasSize(4);
        }
    }

    @Test
    void aBatchIsClassifiedWhenItsTimeIsUp() throws Exception {
        try (var h = harness(V1, "frames", 1, FrameOperatorConfig.of(64, 50, false))) {
            h.open();
            h.setProcessingTime(1_000);
            h.frame(frame("cam-a", 0));
            h.frame(frame("cam-b", 0));
            h.setProcessingTime(1_049);
            assertThat(h.predictions()).isEmpty();
            h.setProcessingTime(1_050);
            assertThat(h.predictions()).hasSize(2);
        }
    }

    @Test
    void eachCamerasSmootherFollowsOnlyItsOwnFramesInOrder() throws Exception {
        List<FrameEvent> in = frames(7);
        try (var h = harness(V1, "frames", 1, FrameOperatorConfig.of(8, 10_000, true))) {
            h.open();
            for (FrameEvent f : in) {
                h.frame(f);
            }
            h.op().flush();
            assertThat(h.predictions(PredictionKind.FRAME)).hasSize(in.size());
            List<Prediction> smoothed = h.predictions(PredictionKind.MANY_TO_MANY);
            assertThat(smoothed).hasSize(in.size());
            for (String c : CAMERAS) {
                assertThat(smoothed.stream().filter(p -> p.getKey().equals(c)).map(Prediction::getStep).toList())
                        .as("frame order of %s", c).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            }
            assertClose(byCamera(smoothed), smoothedAlone(MODEL, in));
        }
    }

    @Test
    void aSnapshotClassifiesTheBufferedFramesAndARestoreContinuesEachCamerasSmoother() throws Exception {
        List<FrameEvent> in = frames(6);
        int half = in.size() / 2 + 1; // not a multiple of the batch size: frames are buffered at the snapshot
        OperatorSubtaskState snapshot;
        List<Prediction> before;
        try (var h = harness(V1, "frames", 1, FrameOperatorConfig.of(4, 10_000, true))) {
            h.open();
            for (int i = 0; i < half; i++) {
                h.frame(in.get(i));
            }
            h.prepareSnapshotPreBarrier(1); // what the task does before the barrier goes downstream
            snapshot = h.snapshot(1, 1);
            before = new ArrayList<>(h.predictions(PredictionKind.MANY_TO_MANY));
            assertThat(before).as("the snapshot flushed the buffer").hasSize(half);
        }
        try (var h = harness(bytes(cnn(9), smoother(6, 9), "frames", 1), "frames", 1,
                FrameOperatorConfig.of(4, 10_000, true))) {
            h.initializeState(snapshot);
            h.open();
            assertThat(h.op().serving().checkpoint()).as("the restored operator serves what it served").isEqualTo(V1);
            for (int i = half; i < in.size(); i++) {
                h.frame(in.get(i));
            }
            h.op().flush();
            List<Prediction> all = new ArrayList<>(before);
            all.addAll(h.predictions(PredictionKind.MANY_TO_MANY));
            assertClose(byCamera(all), smoothedAlone(MODEL, in));
        }
    }

    @Test
    void aFrameOfAnotherShapeIsDeadLetteredAndTheOthersAreClassified() throws Exception {
        try (var h = harness(V1, "frames", 1, FrameOperatorConfig.of(64, 10_000, true))) {
            h.open();
            h.frame(frame("cam-a", 0));
            FrameEvent wide = FrameEvent.of("cam-b", 3, 8, 9, 1, new byte[72], 1);
            wide.sourceTopic = "frames";
            wide.sourceOffset = 42;
            h.frame(wide);
            FrameEvent rgb = FrameEvent.of("cam-b", 4, 8, 8, 3, new byte[192], 1);
            h.frame(rgb);
            h.frame(frame("cam-c", 0));
            h.op().flush();
            assertThat(h.predictions(PredictionKind.FRAME)).extracting(Prediction::getKey)
                    .containsExactly("cam-a", "cam-c");
            assertThat(h.deadLetters()).hasSize(2).allSatisfy(d -> {
                assertThat(d.getReason()).isEqualTo("WRONG_SHAPE");
                assertThat(d.getDetail()).contains("reads 8x8x1");
            });
            assertThat(h.deadLetters().get(0).getOffset()).isEqualTo(42);
            assertThat(new String(h.deadLetters().get(0).getRaw().array())).as("the frame as JSON")
                    .contains("\"streamId\":\"cam-b\"");
        }
    }

    @Test
    void aNewModelServesFromTheNextBatchAndBufferedFramesUseTheOldOne() throws Exception {
        byte[] v2 = bytes(cnn(5), smoother(6, 6), "frames", 2);
        try (var h = harness(V1, "frames", 1, FrameOperatorConfig.of(64, 10_000, true))) {
            h.open();
            h.frame(frame("cam-a", 0));
            h.update(update("frames", 2, v2));
            h.frame(frame("cam-a", 1));
            h.op().flush();
            List<Prediction> out = h.predictions(PredictionKind.FRAME);
            assertThat(out).extracting(Prediction::getModelVersion).containsExactly(1L, 2L);
            float[] want = alone(model(v2), frame("cam-a", 1))[0];
            assertThat(floats(out.get(1).getProbabilities())[0]).isCloseTo(want[0], within(1e-5f));
            assertThat(h.op().serving().version()).isEqualTo(2);
        }
    }

    @Test
    void anUpdateWithABadChecksumIsDeadLetteredAndTheOldModelKeepsServing() throws Exception {
        var bad = update("frames", 2, bytes(cnn(5), smoother(6, 6), "frames", 2));
        bad.setChecksum("00" + bad.getChecksum().toString().substring(2));
        try (var h = harness(V1, "frames", 1, FrameOperatorConfig.of(64, 10_000, true))) {
            h.open();
            h.update(bad);
            h.frame(frame("cam-a", 0));
            h.op().flush();
            assertThat(h.deadLetters()).extracting(d -> d.getReason().toString()).containsExactly("CHECKSUM");
            assertThat(h.predictions(PredictionKind.FRAME)).extracting(Prediction::getModelVersion).containsExactly(1L);
        }
    }

    @Test
    void updatesForOtherModelsAndOlderVersionsAreIgnored() throws Exception {
        try (var h = harness(bytes(cnn(1), smoother(6, 2), "frames", 3), "frames", 3,
                FrameOperatorConfig.of(64, 10_000, true))) {
            h.open();
            h.update(update("other", 9, bytes(cnn(5), null, "other", 9)));
            h.update(update("frames", 2, bytes(cnn(5), null, "frames", 2)));
            assertThat(h.op().serving().version()).isEqualTo(3);
            assertThat(h.deadLetters()).isEmpty();
        }
    }

    @Test
    void aSmootherOfAnotherStateShapeStartsEveryCameraAfresh() throws Exception {
        byte[] v2 = bytes(cnn(1), smoother(10, 3), "frames", 2);
        try (var h = harness(V1, "frames", 1, FrameOperatorConfig.of(64, 10_000, true))) {
            h.open();
            h.frame(frame("cam-a", 0));
            h.frame(frame("cam-b", 0));
            h.update(update("frames", 2, v2));
            h.frame(frame("cam-a", 1));
            h.op().flush();
            Prediction last = h.predictions(PredictionKind.MANY_TO_MANY).get(2);
            float[] want = smoothedAlone(model(v2), List.of(frame("cam-a", 1))).get("cam-a").get(0);
            assertThat(floats(last.getProbabilities())[0]).as("cam-a restarted under v2")
                    .isCloseTo(want[0], within(1e-5f));
        }
    }

    @Test
    void aPlainCnnModelEmitsFramePredictionsOnly() throws Exception {
        try (var h = harness(bytes(cnn(1), null, "frames", 1), "frames", 1, FrameOperatorConfig.of(64, 10_000, true))) {
            h.open();
            h.frame(frame("cam-a", 0));
            h.op().flush();
            assertThat(h.predictions()).extracting(Prediction::getKind).containsExactly(PredictionKind.FRAME);
        }
    }
}
