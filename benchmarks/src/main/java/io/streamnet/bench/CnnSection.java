package io.streamnet.bench;

import io.streamnet.bench.report.Interleaved;
import io.streamnet.bench.report.Section;
import io.streamnet.bench.report.Stats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Section 4: LeNet-5 and ResNet-mini inference (frames/s at batch 1, 32, 256) and the training
 * step (Adam, batch 64) against PyTorch CPU, one thread each, our pass and PyTorch's interleaved.
 */
final class CnnSection implements Section {
    @Override
    public String name() {
        return "cnn";
    }

    @Override
    public void run(Context ctx) throws Exception {
        int reps = ctx.quick() ? 3 : 11;
        int passes = ctx.quick() ? 1 : 5;
        double warm = ctx.quick() ? 0.1 : 2.0;
        CnnReport.warmUp(ctx.quick() ? 0.5 : 4.0);
        Interleaved.Samples s = Interleaved.runGroups(List.of(
                new Interleaved.Group("streamnet", i -> CnnReport.ours(reps, warm)),
                new Interleaved.Group("pytorch", i -> CnnReport.torch(reps, warm))), passes, ctx.log());
        List<List<String>> rows = new ArrayList<>();
        boolean peer = false;
        for (String key : List.of("lenet5,infer,1", "lenet5,infer,32", "lenet5,infer,256", "lenet5,train,64",
                "resnet-mini,infer,1", "resnet-mini,infer,32", "resnet-mini,infer,256", "resnet-mini,train,64")) {
            String[] k = key.split(",");
            boolean train = k[1].equals("train");
            List<Double> ours = s.of("streamnet " + key);
            String measure = train ? "train step (batch 64), ms" : "inference batch " + k[2] + ", frames/s";
            String fmt = train ? "%.1f" : "%,.0f";
            double scale = train ? 1e3 : 1;
            String torchMedian = "-";
            String ratio = "-";
            if (s.has("pytorch " + key)) {
                peer = true;
                List<Double> torch = s.of("pytorch " + key);
                torchMedian = String.format(Locale.ROOT, fmt, Stats.median(torch) * scale);
                // above 1 = we are faster: frames/s ours / theirs, step time theirs / ours
                List<Double> r = train ? s.ratios("pytorch " + key, "streamnet " + key) : s.ratios("streamnet " + key,
                        "pytorch " + key);
                ratio = String.format(Locale.ROOT, "%.2f (%s)", Stats.median(r), Stats.spread(r, "%.2f"));
            }
            List<Double> scaled = ours.stream().map(v -> v * scale).toList();
            rows.add(List.of(k[0], measure, ctx.label(String.format(Locale.ROOT, fmt, Stats.median(scaled))),
                    Stats.spread(scaled, fmt), torchMedian, ratio));
        }
        rows.forEach(r -> ctx.log().accept(String.join("  ", r)));
        String peerLine = peer ? "PyTorch: /usr/bin/python3's torch (" + PeerVersions.torch() + "), one thread."
                : "PyTorch not found (/usr/bin/python3 has no torch): no peer columns.";
        ctx.log().accept(peerLine);
        if (ctx.report() != null) {
            ctx.report().heading(2, "4. CNN: LeNet-5 and ResNet-mini against PyTorch CPU")
                    .paragraph(String.format(Locale.ROOT, "28x28x1 frames, one thread each, eval mode for inference. %d "
                            + "interleaved passes (ours, then PyTorch's), each figure a median of %d calls. Ratio above 1: "
                            + "we are faster (frames/s ours / PyTorch's; step time PyTorch's / ours), median and min–max "
                            + "over the pass pairs. %s", passes, reps, peerLine))
                    .table(List.of("model", "measure", "streamnet (median)", "spread", "PyTorch (median)", "ratio"), rows);
        }
    }
}
