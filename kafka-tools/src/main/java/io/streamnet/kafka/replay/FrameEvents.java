package io.streamnet.kafka.replay;

import io.streamnet.datasets.FashionMnist;
import io.streamnet.schemas.Frame;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.LongSupplier;

/** Fashion-MNIST images as frames from {@code cameras} cameras, round-robin, each camera numbering its own frames. */
public final class FrameEvents implements Iterator<KeyedEvent<Frame>> {
    private final FashionMnist data;
    private final int cameras;
    private final LongSupplier clock;
    private int next;

    public FrameEvents(FashionMnist data, int cameras, LongSupplier clock) {
        if (cameras < 1) {
            throw new IllegalArgumentException("need at least one camera");
        }
        this.data = data;
        this.cameras = cameras;
        this.clock = clock;
    }

    @Override
    public boolean hasNext() {
        return next < data.count();
    }

    @Override
    public KeyedEvent<Frame> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int i = next++;
        int pixels = data.pixelsPerImage();
        String camera = "cam-" + (i % cameras);
        Frame f = Frame.newBuilder().setStreamId(camera).setFrameNo(i / cameras)
                .setEventTime(Instant.ofEpochMilli(clock.getAsLong())).setHeight(data.rows()).setWidth(data.cols())
                .setChannels(1).setPixels(ByteBuffer.wrap(data.pixels(), i * pixels, pixels).slice())
                .setLabel(data.label(i)).build();
        return new KeyedEvent<>(camera, f);
    }
}
