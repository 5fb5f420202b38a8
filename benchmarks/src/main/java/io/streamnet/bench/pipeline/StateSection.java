package io.streamnet.bench.pipeline;

import io.streamnet.bench.report.Section;
import io.streamnet.flink.job.StateBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Section 6: keyed state at scale, from {@link StateScaleBenchmark}: the sequence job holding one
 * GRU state per key on a standalone cluster (separate JobManager and TaskManager JVMs), RocksDB
 * with incremental checkpoints and heap state; checkpoint size and duration, the next checkpoint
 * after 10% of the keys moved, and a TaskManager killed to the job running again restored.
 */
public final class StateSection implements Section {
    @Override
    public String name() {
        return "state";
    }

    @Override
    public void run(Context ctx) throws Exception {
        int keys = ctx.quick() ? 5_000 : 1_000_000;
        // quick mode checks the harness on one backend: each needs its own cluster (most of a minute)
        List<StateBackend> backends = ctx.quick() ? List.of(StateBackend.ROCKSDB)
                : List.of(StateBackend.values());
        List<Map<String, String>> rows = StateScaleBenchmark.measure(keys, backends, ctx.log());
        List<String> headers = new ArrayList<>();
        StateScaleBenchmark.COLUMNS.forEach(c -> headers.add(c[1]));
        List<List<String>> table = new ArrayList<>();
        for (Map<String, String> r : rows) {
            List<String> row = new ArrayList<>();
            for (String[] c : StateScaleBenchmark.COLUMNS) {
                row.add(c[0].equals("rate") ? ctx.label(r.get(c[0])) : r.get(c[0]));
            }
            table.add(row);
            ctx.log().accept(String.join("  ", row));
        }
        if (ctx.report() != null) {
            ctx.report().heading(2, "6. State at scale")
                    .paragraph(String.format(Locale.ROOT, "%,d keys, one GRU H=16 state each (the first event of every "
                            + "key, no end of sequence), the sequence job on a standalone cluster (a JobManager and one "
                            + "TaskManager of 2 slots, separate JVMs), parallelism 2. Per backend: the backlog's rate, a "
                            + "FULL checkpoint, then 10%% of the keys stepped again and a checkpoint of the configured "
                            + "kind (RocksDB: incremental, only new SST files uploaded), then the TaskManager killed with "
                            + "SIGKILL: seconds until the job runs again on a new one with its state restored. One run "
                            + "each (not interleaved: each needs its own cluster).", keys))
                    .table(headers, table);
        }
    }
}
