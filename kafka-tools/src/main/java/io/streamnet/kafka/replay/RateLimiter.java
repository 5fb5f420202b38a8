package io.streamnet.kafka.replay;

/** Paces a loop to {@code perSecond} events per second (0 or less: unpaced), sleeping rather than spinning. */
public final class RateLimiter {
    private final double nanosPerEvent;
    private final long start = System.nanoTime();
    private long count;

    public RateLimiter(double perSecond) {
        this.nanosPerEvent = perSecond > 0 ? 1e9 / perSecond : 0;
    }

    public void acquire() throws InterruptedException {
        count++;
        if (nanosPerEvent == 0) {
            return;
        }
        long due = start + (long) (count * nanosPerEvent);
        long wait = due - System.nanoTime();
        if (wait > 1_000_000) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
