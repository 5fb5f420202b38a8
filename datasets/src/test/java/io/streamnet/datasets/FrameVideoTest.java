package io.streamnet.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamnet.datasets.FrameVideo.VideoFrame;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Videos of dataset images: runs of one class within the spec's lengths, the image of that class, bounded noise. */
class FrameVideoTest {
    @TempDir
    Path tmp;

    private FashionMnist data() throws Exception {
        Path dir = IdxTestFiles.writeFashionMnistDir(tmp.resolve("fm"), 50);
        return FashionMnist.read(dir.resolve(FashionMnistSplit.TEST.images().fileName()),
                dir.resolve(FashionMnistSplit.TEST.labels().fileName()), FashionMnist.ALL);
    }

    @Test
    void framesComeInRunsOfOneClassWithinTheSpecsLengthsAndShowImagesOfThatClass() throws Exception {
        FashionMnist d = data();
        List<VideoFrame> v = FrameVideo.of(d, 400, new FrameVideo.Spec(3, 6, 0f), 1);
        assertThat(v).hasSize(400);
        int start = 0;
        for (int i = 1; i <= v.size(); i++) {
            if (i == v.size() || v.get(i).run() != v.get(i - 1).run()) {
                int len = i - start;
                if (i < v.size()) {
                    assertThat(len).as("run at %d", start).isBetween(3, 6);
                    assertThat(v.get(i).label()).as("the class changes between runs").isNotEqualTo(v.get(start).label());
                }
                for (int k = start; k < i; k++) {
                    assertThat(v.get(k).label()).isEqualTo(v.get(start).label());
                }
                start = i;
            }
        }
        for (VideoFrame f : v) {
            assertThat(d.label(f.image())).isEqualTo(f.label());
            byte[] clean = new byte[d.pixelsPerImage()];
            System.arraycopy(d.pixels(), f.image() * clean.length, clean, 0, clean.length);
            assertThat(f.pixels()).as("no noise: the image itself").containsExactly(clean);
        }
    }

    @Test
    void noiseChangesPixelsAndTheSameSeedGivesTheSameVideo() throws Exception {
        FashionMnist d = data();
        List<VideoFrame> a = FrameVideo.of(d, 50, FrameVideo.Spec.standard(), 7);
        List<VideoFrame> b = FrameVideo.of(d, 50, FrameVideo.Spec.standard(), 7);
        int changed = 0;
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).pixels()).containsExactly(b.get(i).pixels());
            byte[] px = a.get(i).pixels();
            int base = a.get(i).image() * d.pixelsPerImage();
            for (int p = 0; p < px.length; p++) {
                changed += px[p] != d.pixels()[base + p] ? 1 : 0;
            }
        }
        assertThat(changed).as("pixels changed by noise 0.3").isGreaterThan(a.size() * d.pixelsPerImage() / 2);
    }

    @Test
    void aSpecOutsideItsBoundsIsRefused() {
        assertThatThrownBy(() -> new FrameVideo.Spec(0, 4, 0.1f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrameVideo.Spec(5, 4, 0.1f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrameVideo.Spec(1, 4, 1.5f)).isInstanceOf(IllegalArgumentException.class);
    }
}
