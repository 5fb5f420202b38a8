package io.streamnet.engine.nn;

import io.streamnet.engine.GradCheck;
import io.streamnet.engine.backend.Activation;
import io.streamnet.engine.cpu.CpuBackend;
import io.streamnet.engine.nn.init.Initializer;
import io.streamnet.engine.nn.layer.Sequential;
import io.streamnet.engine.nn.loss.MeanSquaredErrorLoss;
import io.streamnet.engine.nn.loss.SoftmaxCrossEntropyLoss;
import io.streamnet.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Layer backward passes against finite differences of the whole model's loss. */
class DenseGradientTest {
    private final CpuBackend cpu = CpuBackend.instance();

    @Test
    void mlpWithEveryActivationHasCorrectParameterAndInputGradients() {
        Sequential model = Sequential.builder(cpu, 7, 5)
                .dense(6, Initializer.XAVIER_NORMAL).activation(Activation.TANH)
                .dense(6, Initializer.HE_NORMAL).activation(Activation.LEAKY_RELU)
                .dense(4, Initializer.XAVIER_UNIFORM).activation(Activation.SIGMOID)
                .dense(3, Initializer.XAVIER_UNIFORM)
                .build();
        Random rng = new Random(1);
        Tensor x = GradCheck.random(rng, 1f, 4, 5);
        int[] labels = {0, 2, 1, 2};
        SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss(cpu);

        model.store().zeroGrad();
        loss.forward(model.forward(x, true), labels);
        Tensor gx = model.backward(loss.gradient()).copy();

        for (Parameter p : model.parameters()) {
            GradCheck.assertGradientMatches(p.name(), p.value(), p.grad().copy(),
                    () -> loss.forward(model.forward(x, false), labels), 40);
        }
        GradCheck.assertGradientMatches("input", x, gx, () -> loss.forward(model.forward(x, false), labels), 40);
    }

    @Test
    void regressionHeadWithMseHasCorrectGradients() {
        Sequential model = Sequential.builder(cpu, 3, 4)
                .dense(8, Initializer.HE_UNIFORM).activation(Activation.RELU)
                .dense(2, Initializer.XAVIER_UNIFORM)
                .build();
        Random rng = new Random(2);
        Tensor x = GradCheck.random(rng, 1f, 6, 4);
        Tensor target = GradCheck.random(rng, 1f, 6, 2);
        MeanSquaredErrorLoss mse = new MeanSquaredErrorLoss(cpu);
        model.store().zeroGrad();
        mse.forward(model.forward(x, true), target);
        model.backward(mse.gradient());
        for (Parameter p : model.parameters()) {
            GradCheck.assertGradientMatches(p.name(), p.value(), p.grad().copy(),
                    () -> mse.forward(model.forward(x, false), target), 40);
        }
    }
}
