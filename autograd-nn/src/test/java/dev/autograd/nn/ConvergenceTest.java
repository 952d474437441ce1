package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.data.Batch;
import dev.autograd.nn.data.DataLoader;
import dev.autograd.nn.data.TensorDataset;
import dev.autograd.nn.optim.Adam;
import dev.autograd.nn.optim.CosineAnnealingLR;
import dev.autograd.nn.optim.LinearWarmup;
import dev.autograd.nn.optim.Optimizer;
import dev.autograd.nn.optim.SGD;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** End to end: layers, losses, optimizers, schedules and the data loader learn small tasks in seconds. */
class ConvergenceTest {

    @Test
    void mlpLearnsXor() {
        Tensor x = Tensor.of(new double[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor y = Tensor.of(new double[] {0, 1, 1, 0}, 4, 1);
        MLP net = MLP.builder(2, 8, 1).activation(Tanh::new).build(new Random(0));
        Optimizer opt = new Adam(net.parameters(), 0.05);
        double loss = Double.NaN;
        for (int step = 0; step < 300; step++) {
            opt.zeroGrad();
            Tensor l = Losses.binaryCrossEntropyWithLogits(net.forward(x), y);
            l.backward();
            opt.step();
            loss = l.item();
        }
        assertTrue(loss < 0.05, "final loss " + loss);
        double[] p = net.forward(x).sigmoid().toDoubleArray();
        for (int i = 0; i < 4; i++) {
            assertEquals(y.get(i, 0), Math.rint(p[i]), "sample " + i + ": p = " + p[i]);
        }
    }

    @Test
    void mlpLearnsXorWithSgdMomentumAndMse() {
        Tensor x = Tensor.of(new double[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor y = Tensor.of(new double[] {0, 1, 1, 0}, 4, 1);
        MLP net = MLP.builder(2, 8, 1).activation(Tanh::new).outputActivation(Sigmoid::new).build(new Random(1));
        Optimizer opt = new SGD(net.parameters(), 0.5, 0.9);
        for (int step = 0; step < 400; step++) {
            opt.zeroGrad();
            Losses.mse(net.forward(x), y, Reduction.HALF_SUM).backward();
            opt.step();
        }
        double[] p = net.forward(x).toDoubleArray();
        for (int i = 0; i < 4; i++) {
            assertEquals(y.get(i, 0), Math.rint(p[i]), "sample " + i + ": p = " + p[i]);
        }
    }

    /** 8x8 images holding one horizontal (class 0) or vertical (class 1) bar of ones, plus noise. */
    private static TensorDataset bars(int n, long seed) {
        Random rng = new Random(seed);
        double[] images = new double[n * 64];
        double[] labels = new double[n];
        for (int i = 0; i < n; i++) {
            boolean vertical = rng.nextBoolean();
            int line = rng.nextInt(8);
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < 8; c++) {
                    double on = (vertical ? c : r) == line ? 1 : 0;
                    images[i * 64 + r * 8 + c] = on + 0.2 * rng.nextGaussian();
                }
            }
            labels[i] = vertical ? 1 : 0;
        }
        return new TensorDataset(Tensor.of(images, n, 1, 8, 8), Tensor.of(labels, n));
    }

    @Test
    void smallCnnLearnsHorizontalVersusVerticalBars() {
        Random rng = new Random(2);
        Module cnn = new Sequential(
                new Conv2d(1, 4, 3, 1, 1, true, rng),    // [N, 4, 8, 8]
                new ReLU(),
                new MaxPool2d(2),                         // [N, 4, 4, 4]
                new Flatten(),                            // [N, 64]
                new Linear(64, 2, rng));
        TensorDataset train = bars(128, 3);
        TensorDataset test = bars(64, 4);
        DataLoader loader = DataLoader.builder(train).batchSize(16).shuffle(5).build();
        Optimizer opt = new Adam(cnn.parameters(), 0.02);
        int epochs = 6;
        LinearWarmup schedule = new LinearWarmup(new CosineAnnealingLR(opt, epochs * loader.batchCount() - 4, 1e-3), 4, 0.2);
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (Batch b : loader) {
                opt.zeroGrad();
                Losses.crossEntropy(cnn.forward(b.features()), b.targetsAsInts()).backward();
                GradClip.clipGradNorm(cnn.parameters(), 5);
                opt.step();
                schedule.step();
            }
        }
        cnn.eval();
        int correct = 0;
        try (var s = Autograd.noGrad()) {
            Tensor predicted = cnn.forward(test.features()).argmax(1, false);
            double[] p = predicted.toDoubleArray();
            double[] t = test.targets().toDoubleArray();
            for (int i = 0; i < p.length; i++) {
                correct += p[i] == t[i] ? 1 : 0;
            }
        }
        assertTrue(correct >= 61, "test accuracy " + correct + "/64");
    }
}
