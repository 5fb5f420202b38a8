package io.streamnet.flink.operator;

import io.streamnet.serving.batch.MicroBatcher;
import java.util.List;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

/**
 * Buffers an operator's records and runs them in batches: when the buffer is full, when its time is
 * up (a processing-time timer armed by the first record), and whenever the operator {@link #flush}es.
 *
 * @param <IN> the buffered records
 */
public final class MicroBatchTrigger<IN> {
    /** Runs a batch of records, oldest first. */
    public interface Run<IN> {
        void run(List<IN> batch) throws Exception;
    }

    private final MicroBatcher<IN> batcher;
    private final ProcessingTimeService time;
    private final Run<IN> run;

    public MicroBatchTrigger(int size, long millis, ProcessingTimeService time, Run<IN> run) {
        this.batcher = new MicroBatcher<>(size, millis);
        this.time = time;
        this.run = run;
    }

    public void add(IN record) throws Exception {
        switch (batcher.add(record)) {
            case RUN -> flush();
            case ARM_TIMER -> time.registerTimer(time.getCurrentProcessingTime() + batcher.millis(), t -> flush());
            case WAIT -> {
            }
        }
    }

    /** Runs whatever is buffered. */
    public void flush() throws Exception {
        if (!batcher.isEmpty()) {
            run.run(batcher.take());
        }
    }
}
