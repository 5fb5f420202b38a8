package io.streamnet.dashboard.aggregate;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frames page's figures: for each of the most recently active cameras (at most
 * {@link #CAMERAS}) its newest frames' pixels and its newest per-frame and smoothed predictions;
 * over the last {@link #WINDOW} labelled frames, a confusion matrix of the per-frame labels and
 * the accuracy of both.
 */
public final class FrameBoard {
    public static final int CAMERAS = 16;
    public static final int FRAMES_HELD = 16;
    public static final int WINDOW = 1000;
    public static final int MAX_CLASSES = 64;
    /** Frames larger than this keep no pixels (the page shows their labels only). */
    public static final int MAX_PIXEL_BYTES = 64 * 1024;

    /** A frame as drawn. */
    public record Image(long frameNo, int height, int width, int channels, byte[] pixels) {
    }

    /** A prediction as shown: its label, confidence (the label's probability) and the true label. */
    public record Label(long frameNo, int label, double confidence, Integer trueLabel, String modelId, long modelVersion) {
    }

    private static final class Camera {
        final Image[] frames = new Image[FRAMES_HELD];
        long framesSeen;
        Label perFrame;
        Label smoothed;
    }

    private final LinkedHashMap<String, Camera> cameras = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Camera> eldest) {
            return size() > CAMERAS;
        }
    };
    private final Rolling perFrameRight = new Rolling(WINDOW);
    private final Rolling smoothedRight = new Rolling(WINDOW);
    private final int[] truths = new int[WINDOW];
    private final int[] guesses = new int[WINDOW];
    private long confusions;
    private final long[][] confusion = new long[MAX_CLASSES][MAX_CLASSES];
    private int classes;
    private volatile List<String> classNames = List.of();

    private Camera camera(String id) {
        Camera c = cameras.remove(id);
        if (c == null) {
            c = new Camera();
        }
        cameras.put(id, c);
        return c;
    }

    public synchronized void frame(String camera, long frameNo, int height, int width, int channels, byte[] pixels) {
        Camera c = camera(camera);
        Image img = pixels.length <= MAX_PIXEL_BYTES && (long) height * width * channels == pixels.length
                ? new Image(frameNo, height, width, channels, pixels) : null;
        c.frames[(int) (c.framesSeen++ % FRAMES_HELD)] = img;
    }

    /** A per-frame classification (kind FRAME). */
    public synchronized void perFrame(String camera, Label l, int classesOut) {
        camera(camera).perFrame = l;
        classes = Math.max(classes, Math.min(MAX_CLASSES, classesOut));
        if (l.trueLabel() != null) {
            perFrameRight.add(l.trueLabel() == l.label());
            int t = l.trueLabel();
            int g = l.label();
            int slot = (int) (confusions % WINDOW);
            if (confusions >= WINDOW) {
                count(truths[slot], guesses[slot], -1);
            }
            truths[slot] = t;
            guesses[slot] = g;
            confusions++;
            count(t, g, 1);
        }
    }

    /** A smoothed classification (the camera's smoother over its frames so far). */
    public synchronized void smoothed(String camera, Label l) {
        camera(camera).smoothed = l;
        if (l.trueLabel() != null) {
            smoothedRight.add(l.trueLabel() == l.label());
        }
    }

    private void count(int truth, int guess, int delta) {
        if (truth >= 0 && truth < MAX_CLASSES && guess >= 0 && guess < MAX_CLASSES) {
            confusion[truth][guess] += delta;
            classes = Math.max(classes, Math.max(truth, guess) + 1);
        }
    }

    /** The frame models' class names, shown beside the labels (none: labels only). */
    public void classNames(List<String> names) {
        classNames = List.copyOf(names);
    }

    /** Cameras held now. */
    public synchronized int cameras() {
        return cameras.size();
    }

    public synchronized double perFrameAccuracy() {
        return perFrameRight.mean();
    }

    public synchronized double smoothedAccuracy() {
        return smoothedRight.mean();
    }

    /** Rows are true labels, columns predicted ones, over the window. */
    public synchronized long[][] confusion() {
        long[][] out = new long[classes][];
        for (int i = 0; i < classes; i++) {
            out[i] = java.util.Arrays.copyOf(confusion[i], classes);
        }
        return out;
    }

    public synchronized Map<String, Object> snapshot() {
        Map<String, Object> s = new LinkedHashMap<>();
        List<Map<String, Object>> cams = new ArrayList<>();
        List<String> ids = new ArrayList<>(cameras.keySet());
        java.util.Collections.sort(ids);
        for (String id : ids) {
            Camera c = cameras.get(id);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("camera", id);
            m.put("frames", c.framesSeen);
            Image img = imageFor(c);
            if (img != null) {
                m.put("image", Map.of("frameNo", img.frameNo(), "height", img.height(), "width", img.width(),
                        "channels", img.channels(), "pixels", Base64.getEncoder().encodeToString(img.pixels())));
            }
            m.put("perFrame", c.perFrame);
            m.put("smoothed", c.smoothed);
            cams.add(m);
        }
        s.put("cameras", cams);
        double a = perFrameRight.mean();
        double b = smoothedRight.mean();
        s.put("perFrameAccuracy", Double.isNaN(a) ? null : a);
        s.put("smoothedAccuracy", Double.isNaN(b) ? null : b);
        s.put("labelled", perFrameRight.size());
        s.put("confusion", confusion());
        s.put("classNames", classNames);
        return s;
    }

    /** The frame the newest per-frame prediction is about, if held; else the newest frame. */
    private static Image imageFor(Camera c) {
        Image newest = null;
        for (Image i : c.frames) {
            if (i == null) {
                continue;
            }
            if (c.perFrame != null && i.frameNo() == c.perFrame.frameNo()) {
                return i;
            }
            if (newest == null || i.frameNo() > newest.frameNo()) {
                newest = i;
            }
        }
        return newest;
    }

    /** The share of true in the last {@code n} outcomes. */
    private static final class Rolling {
        private final boolean[] ring;
        private long added;
        private long trues;

        Rolling(int n) {
            ring = new boolean[n];
        }

        void add(boolean v) {
            int i = (int) (added % ring.length);
            if (added >= ring.length && ring[i]) {
                trues--;
            }
            ring[i] = v;
            trues += v ? 1 : 0;
            added++;
        }

        int size() {
            return (int) Math.min(added, ring.length);
        }

        double mean() {
            return size() == 0 ? Double.NaN : (double) trues / size();
        }
    }
}
