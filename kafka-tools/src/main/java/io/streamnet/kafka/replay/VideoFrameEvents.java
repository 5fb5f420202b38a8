package io.streamnet.kafka.replay;

import io.streamnet.datasets.FashionMnist;
import io.streamnet.datasets.FrameVideo;
import io.streamnet.datasets.FrameVideo.VideoFrame;
import io.streamnet.schemas.Frame;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;

/**
 * Cameras filming "videos" of real images ({@link FrameVideo}: runs of one Fashion-MNIST class,
 * noisy frames), one video per camera (seeded {@code seed + camera}), sent round-robin, each camera
 * numbering its own frames; every frame carries its true class as the label.
 */
public final class VideoFrameEvents implements Iterator<KeyedEvent<Frame>> {
    private final List<List<VideoFrame>> videos;
    private final int rows;
    private final int cols;
    private final LongSupplier clock;
    private final String prefix;
    private final int framesPerCamera;
    private int next;

    public VideoFrameEvents(FashionMnist data, int cameras, int framesPerCamera, FrameVideo.Spec spec, long seed,
                            String cameraPrefix, LongSupplier clock) {
        if (cameras < 1 || framesPerCamera < 1) {
            throw new IllegalArgumentException("need at least one camera and one frame");
        }
        this.videos = new ArrayList<>(cameras);
        for (int c = 0; c < cameras; c++) {
            videos.add(FrameVideo.of(data, framesPerCamera, spec, seed + c));
        }
        this.rows = data.rows();
        this.cols = data.cols();
        this.framesPerCamera = framesPerCamera;
        this.prefix = cameraPrefix;
        this.clock = clock;
    }

    /** The frames camera {@code c} sends, in order. */
    public List<VideoFrame> video(int c) {
        return videos.get(c);
    }

    @Override
    public boolean hasNext() {
        return next < videos.size() * framesPerCamera;
    }

    @Override
    public KeyedEvent<Frame> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int i = next++;
        int c = i % videos.size();
        int n = i / videos.size();
        VideoFrame f = videos.get(c).get(n);
        String camera = prefix + c;
        return new KeyedEvent<>(camera, Frame.newBuilder().setStreamId(camera).setFrameNo(n)
                .setEventTime(Instant.ofEpochMilli(clock.getAsLong())).setHeight(rows).setWidth(cols).setChannels(1)
                .setPixels(ByteBuffer.wrap(f.pixels())).setLabel(f.label()).build());
    }
}
