package dev.autograd.examples;

import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Benchmark workload W5: micrograd's demo written with 0-d tensors, op for op as micrograd records it.
 * {@code MLP(2, [16, 16, 1])} (ReLU neurons, a linear output) scores two-moons points; the loss is the mean
 * SVM max-margin loss {@code relu(1 - y * score)} plus {@code 1e-4 * sum(p * p)} over the 337 parameters;
 * a step is the forward over all points and the backward. Each neuron computes
 * {@code b + w1 x1 + ... + wn xn} left to right, as Python's {@code sum(..., b)} does, so that 100 points
 * record 65,077 ops, micrograd's count.
 */
final class MicrogradDemo {

    private static final int[] LAYERS = {2, 16, 16, 1};

    /** The recorded ops of one step over {@code points} points (65,077 for 100). */
    long recordedOps(int points) {
        long perPoint = 0;
        for (int l = 1; l < LAYERS.length; l++) {
            boolean hidden = l < LAYERS.length - 1;
            perPoint += (long) LAYERS[l] * (2L * LAYERS[l - 1] + (hidden ? 1 : 0));
        }
        int parameters = parameterCount();
        // per point: the score, then (-y) * score, 1 + that, relu, and the running sum of the losses; then
        // the mean, the squares of the parameters and their sum, alpha times it and the total.
        return points * (perPoint + 4) + 1 + 2L * parameters + 2;
    }

    private static int parameterCount() {
        int count = 0;
        for (int l = 1; l < LAYERS.length; l++) {
            count += LAYERS[l] * (LAYERS[l - 1] + 1);
        }
        return count;
    }

    /** A step over {@code points} generated two-moons points, with parameters drawn once. */
    Supplier<Object> step(int points) {
        Random random = new Random(1337);
        List<Tensor> parameters = new ArrayList<>();
        Tensor[][][] weights = new Tensor[LAYERS.length][][];
        Tensor[][] biases = new Tensor[LAYERS.length][];
        for (int l = 1; l < LAYERS.length; l++) {
            weights[l] = new Tensor[LAYERS[l]][LAYERS[l - 1]];
            biases[l] = new Tensor[LAYERS[l]];
            for (int j = 0; j < LAYERS[l]; j++) {
                for (int i = 0; i < LAYERS[l - 1]; i++) {
                    weights[l][j][i] = parameter(random.nextDouble() * 2 - 1, parameters);
                }
                biases[l][j] = parameter(0, parameters);
            }
        }
        TwoMoonsCore.Dataset data = TwoMoonsCore.moons(points, 7);
        double[] xy = data.points().toDoubleArray();
        double[] labels = data.labels().toDoubleArray();
        return () -> {
            // Python's sum() starts from 0, and 0 + loss is an op micrograd records.
            Tensor dataLoss = Tensor.scalar(0);
            for (int s = 0; s < points; s++) {
                Tensor[] activations = {Tensor.scalar(xy[2 * s]), Tensor.scalar(xy[2 * s + 1])};
                for (int l = 1; l < LAYERS.length; l++) {
                    boolean hidden = l < LAYERS.length - 1;
                    Tensor[] next = new Tensor[LAYERS[l]];
                    for (int j = 0; j < LAYERS[l]; j++) {
                        Tensor sum = biases[l][j];
                        for (int i = 0; i < LAYERS[l - 1]; i++) {
                            sum = sum.add(weights[l][j][i].mul(activations[i]));
                        }
                        next[j] = hidden ? sum.relu() : sum;
                    }
                    activations = next;
                }
                Tensor loss = activations[0].mul(-labels[s]).add(1).relu();
                dataLoss = dataLoss.add(loss);
            }
            dataLoss = dataLoss.mul(1.0 / points);
            Tensor regularization = Tensor.scalar(0);
            for (Tensor p : parameters) {
                regularization = regularization.add(p.mul(p));
            }
            Tensor total = dataLoss.add(regularization.mul(1e-4));
            for (Tensor p : parameters) {
                p.zeroGrad();
            }
            total.backward();
            return total;
        };
    }

    private static Tensor parameter(double value, List<Tensor> parameters) {
        Tensor p = Tensor.scalar(value).requiresGrad(true);
        parameters.add(p);
        return p;
    }
}
