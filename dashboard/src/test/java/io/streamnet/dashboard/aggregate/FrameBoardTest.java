package io.streamnet.dashboard.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrameBoardTest {
    static FrameBoard.Label label(long frame, int label, Integer truth) {
        return new FrameBoard.Label(frame, label, 0.9, truth, "frames", 1);
    }

    @Test
    void theConfusionMatrixAndAccuraciesCoverTheLastWindowOfLabelledFrames() {
        FrameBoard b = new FrameBoard();
        for (int i = 0; i < FrameBoard.WINDOW; i++) {
            b.perFrame("cam", label(i, 1, 0), 3); // all wrong: true 0, read as 1
        }
        for (int i = 0; i < FrameBoard.WINDOW / 2; i++) {
            b.perFrame("cam", label(i, 2, 2), 3); // right, pushing out half the wrong ones
        }
        long[][] m = b.confusion();
        assertThat(m[0][1]).isEqualTo(FrameBoard.WINDOW / 2);
        assertThat(m[2][2]).isEqualTo(FrameBoard.WINDOW / 2);
        assertThat(b.perFrameAccuracy()).isEqualTo(0.5);
    }

    @Test
    void aCameraShowsTheFrameItsNewestPredictionIsAbout() {
        FrameBoard b = new FrameBoard();
        b.frame("cam", 1, 1, 2, 1, new byte[] {1, 1});
        b.frame("cam", 2, 1, 2, 1, new byte[] {2, 2});
        b.perFrame("cam", label(1, 0, null), 10);
        var cam = (java.util.Map<?, ?>) ((java.util.List<?>) b.snapshot().get("cameras")).get(0);
        assertThat(((java.util.Map<?, ?>) cam.get("image")).get("frameNo")).isEqualTo(1L);
    }

    @Test
    void aFrameWhosePixelsDoNotMatchItsShapeKeepsNoImage() {
        FrameBoard b = new FrameBoard();
        b.frame("cam", 1, 28, 28, 1, new byte[10]);
        var cam = (java.util.Map<?, ?>) ((java.util.List<?>) b.snapshot().get("cameras")).get(0);
        assertThat(cam.get("image")).isNull();
    }
}
