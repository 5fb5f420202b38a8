package io.streamnet.dashboard;

import io.streamnet.dashboard.aggregate.DashboardState;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.contract.ClientProperties;
import io.streamnet.schemas.Frame;
import io.streamnet.schemas.DeadLetter;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ModelUpdates;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads predictions, dead letters and model updates (read_committed by default, with the user's
 * client settings) into a {@link DashboardState}, on its own thread; the frames topic too (its
 * pixels are what the frames page draws), and the other input topics only counted (events in).
 * A record that does not decode is counted and skipped: nothing on a topic stops the dashboard.
 * Should the thread die all the same (an {@link OutOfMemoryError}, a client failure), a dashboard
 * that stopped updating must not look alive: the error is logged and the process exits with
 * {@link #FEED_DIED} (through the exit handler given, {@link System#exit} unless told otherwise).
 */
public final class DashboardFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardFeed.class);
    /** The exit status when the feed thread dies. */
    public static final int FEED_DIED = 1;

    /** Where and how to read. */
    public record Settings(String bootstrap, ClientProperties client, WireFormat format, String predictions,
                           String deadLetters, String modelUpdates, String frames, List<String> countedInputs,
                           boolean readCommitted, boolean fromStart) {
        /** The pipeline's topics. */
        public static Settings pipeline(String bootstrap, ClientProperties client, WireFormat format,
                                        boolean readCommitted, boolean fromStart) {
            return new Settings(bootstrap, client, format, PipelineTopics.PREDICTIONS, PipelineTopics.DEAD_LETTERS,
                    PipelineTopics.MODEL_UPDATES, PipelineTopics.FRAMES,
                    List.of(PipelineTopics.TEXT_EVENTS, PipelineTopics.STEP_EVENTS, PipelineTopics.TRAINING_EVENTS),
                    readCommitted, fromStart);
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final DashboardState state;
    private final Settings settings;
    private final RecordCodec<Prediction> predictions;
    private final RecordCodec<DeadLetter> deadLetters;
    private final RecordCodec<Frame> frames;
    private final IntConsumer exit;
    private volatile long undecodable;
    private volatile boolean closed;

    public DashboardFeed(Settings s, DashboardState state) {
        this(s, state, System::exit);
    }

    /** @param exit called with {@link #FEED_DIED} if the feed thread dies before {@link #close()} */
    public DashboardFeed(Settings s, DashboardState state, IntConsumer exit) {
        this.exit = exit;
        this.settings = s;
        this.state = state;
        this.predictions = Codecs.of(Prediction.class, s.format());
        this.deadLetters = Codecs.of(DeadLetter.class, s.format());
        this.frames = Codecs.of(Frame.class, s.format());
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "streamnet-dashboard-" + System.nanoTime());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, s.fromStart() ? "earliest" : "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, s.readCommitted() ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(ModelUpdates.DEFAULT_MAX_BYTES));
        this.consumer = new KafkaConsumer<>(s.client().over(p), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "dashboard-feed");
        thread.setDaemon(true);
    }

    public DashboardFeed start() {
        List<String> topics = new java.util.ArrayList<>(List.of(settings.predictions(), settings.deadLetters(),
                settings.modelUpdates(), settings.frames()));
        topics.addAll(settings.countedInputs());
        consumer.subscribe(topics);
        thread.start();
        return this;
    }

    /** Records that did not decode (skipped). */
    public long undecodable() {
        return undecodable;
    }

    private void run() {
        Throwable death = null;
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (settings.countedInputs().contains(r.topic())) {
                        state.eventsIn(System.currentTimeMillis(), 1);
                    } else {
                        apply(r);
                    }
                }
            }
        } catch (WakeupException e) {
            death = closed ? null : e;
        } catch (Throwable t) { // an Error too: nothing else would ever report it
            death = t;
        } finally {
            try {
                consumer.close();
            } catch (Throwable t) {
                LOG.debug("closing the dashboard's consumer: {}", t.toString());
            }
        }
        if (death != null && !closed) {
            try {
                LOG.error("the dashboard's feed died; its pages would no longer change, so the dashboard exits", death);
            } finally {
                exit.accept(FEED_DIED);
            }
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        try {
            if (r.topic().equals(settings.predictions())) {
                state.prediction(predictions.decode(r.value()), System.currentTimeMillis());
            } else if (r.topic().equals(settings.frames())) {
                state.frame(frames.decode(r.value()), System.currentTimeMillis());
            } else if (r.topic().equals(settings.deadLetters())) {
                state.deadLetter(deadLetters.decode(r.value()));
            } else {
                state.modelUpdate(ModelUpdates.decode(r.value(), ModelUpdates.DEFAULT_MAX_BYTES));
            }
        } catch (Exception e) {
            undecodable++;
            LOG.debug("skipping {}@{}:{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        thread.join(5_000);
    }
}
