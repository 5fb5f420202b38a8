package io.streamnet.bench.pipeline;

import io.streamnet.cnn.zoo.ModelZoo;
import io.streamnet.engine.backend.Backends;
import io.streamnet.datasets.DatasetLocator;
import io.streamnet.datasets.FashionMnist;
import io.streamnet.datasets.FrameVideo;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.flink.frame.FrameJob;
import io.streamnet.flink.frame.FrameJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.contract.TopicSpec;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.kafka.replay.KeyedEvent;
import io.streamnet.kafka.replay.VideoFrameEvents;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.schemas.Frame;
import io.streamnet.serving.model.ServedFrameModel;
import io.streamnet.serving.wire.Codecs;
import io.streamnet.serving.wire.RecordCodec;
import io.streamnet.serving.wire.WireFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The frame job end to end: a real broker (its own JVM) and the frame job in a local Flink
 * cluster, cameras sending videos of Fashion-MNIST test images. For LeNet-5 and ResNet-mini (each
 * with a GRU-32 smoother, so every frame gets a FRAME and a smoothed prediction) it runs the job
 * with batches of 32 frames and with batch size 1 (per-frame inference). Throughput: frames/s
 * over a backlog (median of three passes, each = frames over the span of their predictions' broker
 * append times); latency: the job live at a fixed frame rate, p50/p99 of each prediction's latency.
 */
public final class FramePipelineBenchmark {
    private static final int CAMERAS = 16;
    private static final int BATCH = 32;

    private final int frames;
    private final int liveRate;
    private final int liveSeconds;
    private final int parallelism = 2;

    public FramePipelineBenchmark(boolean quick) {
        this.frames = quick ? 4_000 : 16_000;
        this.liveRate = 100;
        this.liveSeconds = quick ? 6 : 15;
    }

    record Row(String model, String pipeline, double framesPerSecond, long p50, long p99, long samples) {
    }

    public static void main(String[] args) throws Exception {
        new FramePipelineBenchmark(Arrays.asList(args).contains("--quick")).run();
    }

    public void run() throws Exception {
        FashionMnist test = FashionMnist.loadTest(DatasetLocator.standard());
        List<Row> rows = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(parallelism, (short) 1));
            }
            long t0 = System.nanoTime();
            produce(kafka, PipelineTopics.FRAMES, test, frames, 0);
            System.out.printf("produced %,d frames from %d cameras in %.1f s%n", frames, CAMERAS,
                    (System.nanoTime() - t0) / 1e9);
            int run = 0;
            for (String name : new String[] {"lenet5", "resnet-mini"}) {
                ServedFrameModel model = model(name);
                // One unmeasured pass first: JIT warm-up of this model's code paths.
                System.out.printf("warm-up %s: %,.0f frames/s%n", name, throughput(kafka, config(kafka, BATCH,
                        "frames-warm-" + (++run)), model));
                for (int batch : new int[] {BATCH, 1}) {
                    double[] passes = new double[3];
                    for (int i = 0; i < passes.length; i++) {
                        passes[i] = throughput(kafka, config(kafka, batch, "frames-" + (++run)), model);
                    }
                    Arrays.sort(passes);
                    long[] lat = latency(kafka, test, config(kafka, batch, "frames-live-" + (++run)), model);
                    String pipeline = "batch " + batch;
                    rows.add(new Row(name, pipeline, passes[1], lat[0], lat[1], lat[2]));
                    System.out.printf("%-12s %-9s %,9.0f frames/s (passes %,.0f / %,.0f / %,.0f)   latency p50 %d ms "
                            + "p99 %d ms (%d samples)%n", name, pipeline, passes[1], passes[0], passes[1], passes[2],
                            lat[0], lat[1], lat[2]);
                }
            }
        }
        report(rows);
    }

    /** The zoo CNN (weights as initialized: speed does not depend on them) with a GRU-32 smoother. */
    private static ServedFrameModel model(String name) throws Exception {
        Sequential cnn = ModelZoo.build(name, Backends.get(), 1);
        ServedFrameModel plain = ServedFrameModel.of(Backends.get(), cnn, null, Map.of(), name, 1);
        SequenceModel smoother = new SequenceModel(Backends.get(), ModelConfig.features(CellType.GRU,
                plain.featureSize(), 32, 1, 0f, plain.classes(), Task.CLASSIFICATION, OutputType.MANY_TO_MANY), 2);
        return ServedFrameModel.of(Backends.get(), cnn, smoother, Map.of(), name, 1);
    }

    private FrameJobConfig config(EmbeddedKafka kafka, int batch, String group) throws Exception {
        FrameJobConfig c = FrameJobConfig.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .groupId(group)
                .transactionalIdPrefix(group)
                .parallelism(parallelism)
                .batchSize(batch)
                .batchMillis(batch == 1 ? 0 : 10)
                .followModelUpdates(false)
                .predictionsTopic(group + "-predictions")
                .build();
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(List.of(new TopicSpec(c.kafka().predictionsTopic(), parallelism, (short) 1,
                    PipelineBenchmark.APPEND_TIME)));
        }
        return c;
    }

    /** Frames per second through the whole backlog (two predictions per frame: FRAME and smoothed). */
    private double throughput(EmbeddedKafka kafka, FrameJobConfig c, ServedFrameModel model) throws Exception {
        StreamExecutionEnvironment env = PipelineBenchmark.env();
        FrameJob.build(env, c.toBuilder().bounded(true).fromEarliest(true).build(), model);
        env.execute("bench " + c.kafka().groupId());
        return PipelineBenchmark.outputRate(kafka, c.kafka().predictionsTopic(), 2L * frames) / 2;
    }

    /** Live at {@code liveRate} frames/s: {p50, p99, samples} of the predictions' latency. */
    private long[] latency(EmbeddedKafka kafka, FashionMnist test, FrameJobConfig c, ServedFrameModel model)
            throws Exception {
        String topic = c.kafka().groupId() + "-input";
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            new TopicAdmin(admin).ensure(List.of(new TopicSpec(topic, parallelism, (short) 1, Map.of())));
        }
        StreamExecutionEnvironment env = PipelineBenchmark.env();
        FrameJob.build(env, c.toBuilder().bounded(false).inputTopic(topic).build(), model);
        JobClient job = env.executeAsync("bench live " + c.kafka().groupId());
        Thread.sleep(3000); // let the sources start before the first frame
        int n = liveRate * liveSeconds;
        produce(kafka, topic, test, n, liveRate);
        List<Long> latencies = PipelineBenchmark.readLatencies(kafka, c.kafka().predictionsTopic(), 2 * n,
                java.time.Duration.ofSeconds(60));
        job.cancel().get();
        return PipelineBenchmark.percentiles(latencies, 2 * liveRate); // two predictions per frame
    }

    /** {@code n} frames of the cameras' videos, round robin; paced at {@code rate}/s when rate > 0. */
    private static void produce(EmbeddedKafka kafka, String topic, FashionMnist test, int n, int rate)
            throws InterruptedException {
        RecordCodec<Frame> codec = Codecs.of(Frame.class, WireFormat.AVRO);
        VideoFrameEvents events = new VideoFrameEvents(test, CAMERAS, (n + CAMERAS - 1) / CAMERAS,
                FrameVideo.Spec.standard(), 11, "cam-", System::currentTimeMillis);
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.LINGER_MS_CONFIG, rate > 0 ? "0" : "20");
        long start = System.nanoTime();
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n && events.hasNext(); i++) {
                if (rate > 0) {
                    long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                KeyedEvent<Frame> e = events.next();
                producer.send(new ProducerRecord<>(topic, e.key(), codec.encode(e.value())));
            }
            producer.flush();
        }
    }

    private void report(List<Row> rows) {
        System.out.println();
        System.out.printf("frame pipeline benchmark: %,d frames (28x28) from %d cameras, parallelism %d, FRAME + smoothed "
                + "predictions, exactly-once sinks; latency live at %d frames/s for %d s%n", frames, CAMERAS,
                parallelism, liveRate, liveSeconds);
        System.out.printf("%-12s %-9s %12s %8s %8s %12s%n", "model", "pipeline", "frames/s", "p50 ms", "p99 ms",
                "vs batch 1");
        for (Row r : rows) {
            Row single = rows.stream().filter(x -> x.model().equals(r.model()) && x.pipeline().equals("batch 1"))
                    .findFirst().orElse(r);
            System.out.printf("%-12s %-9s %,12.0f %8d %8d %12.2f%n", r.model(), r.pipeline(), r.framesPerSecond(),
                    r.p50(), r.p99(), r.framesPerSecond() / single.framesPerSecond());
        }
    }
}
