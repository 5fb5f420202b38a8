package io.streamnet.bench;

import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.tensor.Tensor;
import io.streamnet.rnn.cell.CellType;
import io.streamnet.rnn.model.ModelConfig;
import io.streamnet.rnn.model.OutputType;
import io.streamnet.rnn.model.SequenceModel;
import io.streamnet.rnn.model.Task;
import io.streamnet.rnn.state.StateBatch;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One batched recurrent step of B keys through one cell of H units over 64 input features (the
 * streaming step API: {@link SequenceModel#stepBatch}, without the output head's share measured
 * separately). Gather/scatter of per-key state is not included: that is the stream operator's cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RnnStepBenchmark {
    public static final int INPUT = 64;

    @Param({"rnn", "lstm", "gru"})
    public String cell;

    @Param({"1", "64", "256", "1024"})
    public int batch;

    @Param({"128", "256", "512"})
    public int hidden;

    private SequenceModel model;
    private StateBatch states;
    private Tensor input;

    @Setup
    public void setup() {
        model = new SequenceModel(CpuBackend.instance(), ModelConfig.features(CellType.parse(cell), INPUT, hidden, 1, 0f,
                2, Task.REGRESSION, OutputType.MANY_TO_ONE), 1);
        states = model.newStateBatch(batch);
        input = Tensor.zeros(batch, INPUT);
        Random rng = new Random(1);
        for (int i = 0; i < input.size(); i++) {
            input.put(i, rng.nextFloat() - 0.5f);
        }
    }

    @Benchmark
    public StateBatch step() {
        model.stepBatch(states, batch, null, input);
        return states;
    }

    /** Multiply-adds of the cell's gemms, times two: the usual GFLOP count of a step. */
    static double flops(String cell, int batch, int hidden) {
        int gates = CellType.parse(cell).gates();
        return 2.0 * batch * (INPUT + hidden) * gates * hidden;
    }
}
