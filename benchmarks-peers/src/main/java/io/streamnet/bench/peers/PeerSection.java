package io.streamnet.bench.peers;

import io.streamnet.bench.RnnStepBenchmark;
import io.streamnet.bench.pipeline.PipelineBenchmark;
import io.streamnet.bench.pipeline.PipelineSection;
import io.streamnet.bench.report.Interleaved;
import io.streamnet.bench.report.Section;
import io.streamnet.bench.report.Stats;
import io.streamnet.flink.sequence.SequenceJob;
import io.streamnet.flink.sequence.SequenceJobConfig;
import io.streamnet.contract.PipelineTopics;
import io.streamnet.kafka.admin.TopicAdmin;
import io.streamnet.local.kafka.EmbeddedKafka;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.schemas.Prediction;
import io.streamnet.serving.model.ServedSequenceModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Section 2: the same keyed LSTM-256 inference in the same job shape (Kafka source, decode and
 * validate, keyBy, exactly-once sinks; {@link SequenceJob#buildWith}), scored three ways: ours
 * (batches of 256 keys), DL4J's per-key {@code rnnTimeStep}, and DJL's PyTorch record by record.
 * The pipelines run interleaved over one backlog; ratios are taken within each pass tuple.
 */
public final class PeerSection implements Section {
    /** The goal of the issue that asked for this: ours / DL4J per key, in every pass tuple. */
    static final double GOAL = 20;
    static final int HIDDEN = 256;
    private static final int BUNDLE = 256;
    private static final int PARALLELISM = 2;
    static final String OURS = "streamnet batch " + BUNDLE;
    static final String DL4J = "DL4J rnnTimeStep per key";
    static final String DJL = "DJL PyTorch per record";
    private static final Logger LOG = LoggerFactory.getLogger(PeerSection.class);

    @Override
    public String name() {
        return "peers";
    }

    @Override
    public void run(Context ctx) throws Exception {
        // DL4J serves ~1k events/s: a backlog of a few steps per key keeps a pass under a minute
        int events = ctx.quick() ? 2_000 : 40_000;
        int passes = ctx.quick() ? 1 : 5;
        int features = PipelineBenchmark.FEATURES;
        int classes = PipelineBenchmark.CLASSES;
        ServedSequenceModel ours = PipelineSection.served(CellType.LSTM, HIDDEN);
        Map<String, PipelineBenchmark.JobBuilder> jobs = new LinkedHashMap<>();
        jobs.put(OURS, (env, c) -> SequenceJob.build(env, c, ours));
        List<String> missing = new ArrayList<>();
        peer(jobs, missing, DL4J, Dl4jKeyedLstm::probe, () -> new Dl4jKeyedLstm(features, HIDDEN, classes));
        peer(jobs, missing, DJL, DjlLstm::probe, () -> new DjlKeyedLstm(features, HIDDEN, classes));
        missing.forEach(ctx.log());
        int[] run = {0};
        Interleaved.Samples s;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                new TopicAdmin(admin).ensure(PipelineTopics.all(PARALLELISM, (short) 1));
            }
            PipelineBenchmark.produce(kafka, PipelineTopics.STEP_EVENTS, events, 0, 0);
            List<Interleaved.Contender> contenders = new ArrayList<>();
            for (Map.Entry<String, PipelineBenchmark.JobBuilder> j : jobs.entrySet()) {
                Interleaved.Pass pass = i -> {
                    SequenceJobConfig c = PipelineBenchmark.config("batch " + BUNDLE, "peers-" + (++run[0]), kafka,
                            BUNDLE, PARALLELISM);
                    return PipelineBenchmark.throughput(kafka, c, j.getValue(), events);
                };
                if (!ctx.quick()) {
                    pass.run(-1); // the JIT's and the natives' warm-up is nobody's figure
                }
                contenders.add(new Interleaved.Contender(j.getKey(), pass));
            }
            s = Interleaved.run(contenders, passes, line -> ctx.log().accept("lstm H=" + HIDDEN + " " + line));
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        for (String p : jobs.keySet()) {
            List<Double> r = s.ratios(OURS, p);
            rows.add(List.of(p, ctx.label(String.format(Locale.ROOT, "%,.0f", s.median(p))), Stats.spread(s.of(p), "%,.0f"),
                    p.equals(OURS) ? "1" : String.format(Locale.ROOT, "%.1f (%s)", Stats.median(r), Stats.spread(r, "%.1f"))));
        }
        if (jobs.containsKey(DL4J)) {
            double worst = Stats.min(s.ratios(OURS, DL4J));
            verdicts.add(String.format(Locale.ROOT, "Goal: ours / DL4J per key >= %.0f in every pass tuple: %s (lowest "
                    + "%.1f over %d passes).", GOAL, worst >= GOAL ? "met" : "NOT met", worst, passes));
        }
        rows.forEach(r -> ctx.log().accept(String.join("  ", r)));
        verdicts.forEach(ctx.log());
        List<List<String>> stepRows = jobs.containsKey(DJL) ? steps(ctx) : List.of();
        if (ctx.report() != null) {
            ctx.report().heading(2, "2. Peers in the same job shape")
                    .paragraph(String.format(Locale.ROOT, "LSTM %d->%d + softmax head (%d classes), %,d StepEvents over "
                            + "%,d keys, parallelism %d, one prediction per event, exactly-once sinks. The same Flink "
                            + "job around three scorers: ours (the sequence operator, batches of up to %d keys); DL4J %s "
                            + "(ND4J CPU backend, default threads) the way its API allows, per event `rnnSetPreviousState`, "
                            + "`rnnTimeStep` at batch 1, `rnnGetPreviousState` into Flink keyed state; DJL %s with "
                            + "PyTorch %s (one intra-op thread per subtask), per event PyTorch's fused `torch.lstm` step "
                            + "at batch 1 on the key's state. %d interleaved passes over the same backlog, after one "
                            + "unmeasured pass of each; 'ours / peer' is the ratio within each pass tuple (median, "
                            + "min–max).", features, HIDDEN, classes, events, PipelineBenchmark.KEYS, PARALLELISM, BUNDLE,
                            Dl4jKeyedLstm.version(), DjlLstm.djlVersion(), DjlLstm.torchVersion(), passes))
                    .table(List.of("scorer", "events/s (median)", "spread", "ours / peer"), rows)
                    .paragraph(String.join(" ", verdicts) + (missing.isEmpty() ? "" : " " + String.join(" ", missing)));
            if (!stepRows.isEmpty()) {
                ctx.report().paragraph("The kernel under it: one batched recurrent step (input " + RnnStepBenchmark.INPUT
                        + ", one layer, no grad) of ours against PyTorch " + DjlLstm.torchVersion() + " through DJL's "
                        + "fused cells, in this one JVM, one thread each, the same timing loop around both; after a "
                        + "warm-up, passes interleaved; ratio = DJL's time / ours (above 1: we are faster), median and "
                        + "min–max over the pass pairs.")
                        .table(List.of("cell", "B", "H", "streamnet µs/step", "spread", "DJL PyTorch µs/step", "ratio"),
                                stepRows);
            }
        }
    }

    /** Our recurrent step against DJL's PyTorch, in process; the table's rows. */
    private static List<List<String>> steps(Context ctx) throws Exception {
        List<String> shapes = new ArrayList<>();
        for (String cell : ctx.quick() ? List.of("gru") : List.of("rnn", "lstm", "gru")) {
            for (int b : ctx.quick() ? new int[] {1} : new int[] {1, 256}) {
                shapes.add(cell + "," + b + "," + (ctx.quick() ? 128 : 256));
            }
        }
        Interleaved.Samples s = StepComparison.run(shapes, ctx.quick() ? 1 : 5, ctx.quick() ? 100 : 1_000,
                ctx.quick() ? 100 : 2_000, line -> ctx.log().accept("step " + line));
        List<List<String>> rows = new ArrayList<>();
        for (String shape : shapes) {
            String[] p = shape.split(",");
            List<Double> r = s.ratios("djl step " + shape, "ours step " + shape);
            rows.add(List.of(p[0], p[1], p[2], ctx.label(String.format(Locale.ROOT, "%.1f", s.median("ours step " + shape))),
                    Stats.spread(s.of("ours step " + shape), "%.1f"),
                    String.format(Locale.ROOT, "%.1f", s.median("djl step " + shape)),
                    String.format(Locale.ROOT, "%.2f (%s)", Stats.median(r), Stats.spread(r, "%.2f"))));
        }
        rows.forEach(r -> ctx.log().accept("step " + String.join("  ", r)));
        return rows;
    }

    @FunctionalInterface
    interface Probe {
        void run() throws Exception;
    }

    /** Adds the peer's job when its library loads here; otherwise a line saying why it is missing. */
    private static void peer(Map<String, PipelineBenchmark.JobBuilder> jobs, List<String> missing, String name,
                             Probe probe, java.util.function.Supplier<KeyedProcessFunction<String,
                                     io.streamnet.serving.sequence.SequenceEvent, Prediction>> scorer) {
        try {
            probe.run();
        } catch (Throwable t) { // a native library that does not load is an Error
            LOG.warn("peer {} cannot run here", name, t);
            missing.add("Peer " + name + ": not run, it does not load here (" + t + ").");
            return;
        }
        String uid = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        jobs.put(name, (env, c) -> SequenceJob.buildWith(env, c, keyed -> keyed.process(scorer.get()).name(name)
                .uid(c.uidPrefix() + uid).returns(new AvroTypeInfo<>(Prediction.class))));
    }
}
