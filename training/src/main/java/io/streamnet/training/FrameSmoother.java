package io.streamnet.training;

import io.streamnet.engine.backend.Backend;
import io.streamnet.engine.checkpoint.CheckpointException;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.serving.frame.FrameClassifier;
import io.streamnet.datasets.FrameVideo;
import io.streamnet.datasets.FrameVideo.VideoFrame;
import io.streamnet.engine.nn.optim.Adam;
import io.streamnet.engine.nn.optim.LearningRateSchedule;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.state.StateBatch;
import io.streamnet.rnn.train.SequenceBatch;
import io.streamnet.rnn.train.SequenceTrainer;
import io.streamnet.serving.model.ServedFrameModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The CNN -> RNN temporal smoother of the frame job, trained and measured outside Flink (plain
 * rnn-core and cnn-core code: no Flink types). A frozen CNN turns every frame of a video into its
 * feature vector (the classifier layer's input); a GRU reads them frame by frame and labels each
 * frame (many-to-many), trained with full BPTT on videos made of TRAINING images
 * ({@link FrameVideo}). {@link #evaluate} scores the CNN alone and the smoother on videos of
 * images it never saw, stepping exactly as the Flink operator does.
 */
public final class FrameSmoother {
    private FrameSmoother() {
    }

    /** Training settings; {@link #standard()} is what {@code streamnet train frames} uses. */
    public record Settings(int videos, int videoLength, int hidden, int epochs, int batch, float lr,
                           FrameVideo.Spec video, long seed) {
        public Settings {
            if (videos < 1 || videoLength < 2 || hidden < 1 || epochs < 1 || batch < 1 || !(lr > 0f)) {
                throw new IllegalArgumentException("bad smoother settings: " + videos + " videos of " + videoLength
                        + ", hidden " + hidden + ", " + epochs + " epochs, batch " + batch + ", lr " + lr);
            }
        }

        public static Settings standard() {
            return new Settings(256, 64, 32, 12, 16, 0.01f, FrameVideo.Spec.standard(), 7);
        }
    }

    /** Accuracy of the CNN alone (per frame) and of the smoother, on the same frames. */
    public record Report(int frames, double perFrameAccuracy, double smoothedAccuracy) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d frames: per-frame accuracy %.4f, smoothed %.4f", frames,
                    perFrameAccuracy, smoothedAccuracy);
        }
    }

    /** Trains a GRU smoother for {@code cnn}'s features on videos of {@code train}'s images. */
    public static SequenceModel train(ServedFrameModel cnn, FashionMnist train, Settings s, Backend backend) {
        List<float[][]> seqs = new ArrayList<>(s.videos());
        List<int[]> labels = new ArrayList<>(s.videos());
        FrameClassifier classifier = new FrameClassifier(cnn, backend, s.videoLength());
        for (int v = 0; v < s.videos(); v++) {
            List<VideoFrame> video = FrameVideo.of(train, s.videoLength(), s.video(), s.seed() * 1_000_003L + v);
            seqs.add(features(classifier, video, null));
            labels.add(video.stream().mapToInt(VideoFrame::label).toArray());
        }
        ModelConfig config = ModelConfig.features(CellType.GRU, cnn.featureSize(), s.hidden(), 1, 0f, cnn.classes(),
                Task.CLASSIFICATION, OutputType.MANY_TO_MANY);
        SequenceModel model = new SequenceModel(backend, config, s.seed());
        int batches = (s.videos() + s.batch() - 1) / s.batch();
        Adam adam = new Adam(backend, LearningRateSchedule.cosine(s.lr(), (long) s.epochs() * batches, s.lr() / 20f));
        SequenceTrainer trainer = new SequenceTrainer(model, adam, 5f, s.seed());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < s.videos(); i++) {
            order.add(i);
        }
        Random rnd = new Random(s.seed());
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            Collections.shuffle(order, rnd);
            for (int b = 0; b < s.videos(); b += s.batch()) {
                List<float[][]> x = new ArrayList<>();
                List<int[]> y = new ArrayList<>();
                for (int i = b; i < Math.min(s.videos(), b + s.batch()); i++) {
                    x.add(seqs.get(order.get(i)));
                    y.add(labels.get(order.get(i)));
                }
                trainer.trainBatch(SequenceBatch.featureSteps(x, y));
            }
        }
        return model;
    }

    /**
     * Per-frame and smoothed accuracy of {@code model} (which must have a smoother) over
     * {@code videos}, each stepped from a fresh state as one camera.
     */
    public static Report evaluate(ServedFrameModel model, List<List<VideoFrame>> videos, Backend backend) {
        if (!model.hasSmoother()) {
            throw new IllegalArgumentException("model " + model + " has no smoother");
        }
        int longest = videos.stream().mapToInt(List::size).max().orElse(0);
        FrameClassifier classifier = new FrameClassifier(model, backend, Math.max(1, longest));
        SequenceModel rnn = model.smoother();
        int frames = 0;
        int cnnRight = 0;
        int smoothRight = 0;
        for (List<VideoFrame> video : videos) {
            int[] cnnLabels = new int[video.size()];
            float[][] feats = features(classifier, video, cnnLabels);
            StateBatch state = rnn.newStateBatch(1);
            state.load(0, rnn.initialState());
            for (int t = 0; t < video.size(); t++) {
                rnn.stepBatch(state, 1, null, Tensor.wrap(feats[t], 1, feats[t].length));
                int truth = video.get(t).label();
                frames++;
                cnnRight += cnnLabels[t] == truth ? 1 : 0;
                smoothRight += argmax(state.output(0)) == truth ? 1 : 0;
            }
        }
        return new Report(frames, frames == 0 ? 0 : (double) cnnRight / frames,
                frames == 0 ? 0 : (double) smoothRight / frames);
    }

    /** Videos of {@code data}'s images, one per camera, as the frame job's replayer makes them. */
    public static List<List<VideoFrame>> videos(FashionMnist data, int cameras, int framesPerCamera,
                                                FrameVideo.Spec spec, long seed) {
        List<List<VideoFrame>> out = new ArrayList<>(cameras);
        for (int c = 0; c < cameras; c++) {
            out.add(FrameVideo.of(data, framesPerCamera, spec, seed + c));
        }
        return out;
    }

    /** A frame model of {@code cnn} with a smoother trained for it. */
    public static ServedFrameModel withSmoother(ServedFrameModel cnn, SequenceModel smoother, java.util.Map<String, String> metadata,
                                          Backend backend) throws CheckpointException {
        return ServedFrameModel.of(backend, cnn.cnn(), smoother, metadata, cnn.modelId(), cnn.version());
    }

    /** CNN features of every frame, in chunks of the classifier's capacity; the CNN's labels into {@code labels} if given. */
    private static float[][] features(FrameClassifier classifier, List<VideoFrame> video, int[] labels) {
        float[][] out = new float[video.size()][];
        for (int from = 0; from < video.size(); from += classifier.capacity()) {
            int rows = Math.min(classifier.capacity(), video.size() - from);
            for (int i = 0; i < rows; i++) {
                classifier.load(i, video.get(from + i).pixels());
            }
            classifier.run(rows);
            for (int i = 0; i < rows; i++) {
                out[from + i] = classifier.features().row(i).toArray();
                if (labels != null) {
                    labels[from + i] = argmax(classifier.probabilities().row(i));
                }
            }
        }
        return out;
    }

    private static int argmax(Tensor row) {
        int best = 0;
        for (int i = 1; i < row.size(); i++) {
            if (row.at(i) > row.at(best)) {
                best = i;
            }
        }
        return best;
    }
}
