package dev.autograd.nn.tune;

import static dev.autograd.nn.tune.SearchSpaceTest.refused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Tensor;
import dev.autograd.nn.Linear;
import dev.autograd.nn.Losses;
import dev.autograd.nn.MLP;
import dev.autograd.nn.data.Batch;
import dev.autograd.nn.data.DataLoader;
import dev.autograd.nn.data.TensorDataset;
import dev.autograd.nn.optim.Adam;
import dev.autograd.nn.optim.Optimizer;
import dev.autograd.nn.optim.SGD;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The learning-rate range test: the rate schedule, smoothing, stopping, suggestion and restoring. */
class LrRangeTestTest {

    @Test
    void learningRatesAreExactlyGeometric() {
        LrRangeTest test = new LrRangeTest(1e-3, 10, 5);
        double[] expected = {1e-3, 1e-2, 1e-1, 1, 10};
        for (int i = 0; i < 5; i++) {
            assertEquals(expected[i], test.learningRate(i), 2e-16 * expected[i], "step " + i);
        }
        assertEquals(1e-3, test.learningRate(0), 0.0, "the first rate exactly");
        assertEquals(10, test.learningRate(4), 0.0, "the last rate exactly");
        LrRangeTest fine = new LrRangeTest(1e-6, 1, 61);
        for (int i = 0; i + 1 < 61; i++) {
            assertEquals(Math.pow(1e6, 1.0 / 60), fine.learningRate(i + 1) / fine.learningRate(i), 1e-13, "ratio at " + i);
        }
        refused(() -> test.learningRate(5), "LrRangeTest.learningRate: step 5 is outside [0, 5)");
        refused(() -> test.learningRate(-1), "step -1 is outside");
    }

    /** A "model" whose loss at step i is a given number, whatever its parameter does. */
    private static LrRangeTest.Result scripted(LrRangeTest test, double... losses) {
        Linear model = new Linear(1, 1, new Random(0));
        Optimizer opt = new SGD(model.parameters(), 0.1);
        int[] step = {0};
        Tensor w = model.parameters().get(0);
        Iterable<Integer> batches = List.of(0);
        return test.run(model, opt, batches, b -> w.sum().mul(0).add(losses[step[0]++]));
    }

    /** Smoothing with beta 0.5 on losses 4, 2, 1: averages 2, 2, 1.5, bias-corrected by 0.5, 0.75, 0.875. */
    @Test
    void smoothedLossIsTheBiasCorrectedMovingAverage() {
        LrRangeTest.Result r = scripted(new LrRangeTest(0.01, 1, 3).withSmoothing(0.5), 4, 2, 1);
        assertArrayEquals(new double[] {4, 2, 1}, r.losses());
        assertArrayEquals(new double[] {4, 2 / 0.75, 1.5 / 0.875}, r.smoothedLosses(), 1e-15);
        assertArrayEquals(new double[] {0.01, 0.1, 1}, r.lrs(), 1e-16);
        assertFalse(r.diverged());
    }

    @Test
    void stopsWhenTheLossExceedsTheFactorTimesTheBest() {
        LrRangeTest test = new LrRangeTest(0.01, 1, 10).withSmoothing(0).withDivergence(4);
        LrRangeTest.Result r = scripted(test, 1, 0.5, 1.9, 2.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1);
        // 1.9 <= 4 * 0.5, 2.1 > 2: recorded, then stop.
        assertEquals(4, r.points().size());
        assertTrue(r.diverged());
        assertEquals(2.1, r.points().get(3).loss());
        LrRangeTest.Result nan = scripted(test, 1, Double.NaN, 1);
        assertEquals(2, nan.points().size());
        assertTrue(nan.diverged());
    }

    /**
     * Without smoothing, losses 5, 4, 2, 1.5, 1.4, 3 on equally log-spaced rates (spacing h): the minimum is at
     * step 4; slopes up to it, times h: -1, -1.5, -1.25, -0.3, -0.1 (one-sided at both ends): steepest at step 1.
     */
    @Test
    void findsTheSteepestDescentBeforeTheMinimumAndSuggestsTheMinimumOverTen() {
        LrRangeTest test = new LrRangeTest(1e-4, 1e1, 6).withSmoothing(0);
        LrRangeTest.Result r = scripted(test, 5, 4, 2, 1.5, 1.4, 3);
        assertEquals(test.learningRate(1), r.steepestLr());
        assertEquals(test.learningRate(4), r.minimumLr());
        assertEquals(test.learningRate(4) / 10, r.suggestedLr(), "the minimum's rate / 10");
        // Minimum at step 1: no slope to read.
        LrRangeTest.Result early = scripted(test, 5, 1, 3, 3, 3, 3);
        assertTrue(Double.isNaN(early.steepestLr()));
        assertEquals(test.learningRate(1) / 10, early.suggestedLr());
    }

    @Test
    void restoresParametersAndOptimizerStateBitExactly() {
        Random random = new Random(3);
        MLP model = MLP.builder(4, 8, 2).build(random);
        Adam adam = new Adam(model.parameters(), 3e-3);
        Tensor x = Tensor.randn(random, 64, 4);
        Tensor y = Tensor.randn(random, 64, 2);
        DataLoader loader = DataLoader.builder(new TensorDataset(x, y)).batchSize(16).shuffle(5).build();
        for (Batch b : loader) {
            adam.zeroGrad();
            Losses.mse(model.forward(b.features()), b.targets()).backward();
            adam.step();
        }
        Map<String, double[]> params = values(model.stateDict());
        Map<String, double[]> state = values(adam.state());
        int epoch = loader.epoch();

        LrRangeTest.Result r = new LrRangeTest(1e-5, 10, 30)
                .run(model, adam, loader, b -> Losses.mse(model.forward(b.features()), b.targets()));
        assertTrue(r.points().size() > 8, "ran over several epochs of 4 batches");
        assertNotEquals(r.points().get(0).loss(), r.points().get(5).loss(), "it trained");

        assertEquals(params.keySet(), values(model.stateDict()).keySet());
        values(model.stateDict()).forEach((k, v) -> assertArrayEquals(params.get(k), v, 0.0, k));
        Map<String, double[]> after = values(adam.state());
        assertEquals(state.keySet(), after.keySet());
        after.forEach((k, v) -> assertArrayEquals(state.get(k), v, 0.0, k));
        assertEquals(3e-3, adam.learningRate());
        assertEquals(epoch, loader.epoch(), "the loader's epoch counter is put back");
        model.parameters().forEach(p -> assertNull(p.grad()));
    }

    @Test
    void restoresEvenWhenTheLossThrows() {
        Linear model = new Linear(2, 1, new Random(1));
        Optimizer opt = new SGD(model.parameters(), 0.5);
        double[] before = model.parameters().get(0).toDoubleArray();
        Tensor x = Tensor.ones(3, 2);
        int[] calls = {0};
        assertThrows(IllegalStateException.class, () -> new LrRangeTest(0.1, 1, 10).run(model, opt, List.of(x), b -> {
            if (calls[0]++ == 3) {
                throw new IllegalStateException("loss failed");
            }
            return model.forward(b).pow(2).sum();
        }));
        assertArrayEquals(before, model.parameters().get(0).toDoubleArray(), 0.0);
        assertEquals(0.5, opt.learningRate());
        assertEquals(4, calls[0], "the failure came at the fourth step");
    }

    /** A loss that goes below 0 (a log-likelihood, say) is no reason to stop: 4 times a negative best is lower still. */
    @Test
    void negativeLossesDoNotCountAsDivergence() {
        LrRangeTest.Result r = scripted(new LrRangeTest(0.01, 1, 4).withSmoothing(0), -1, -2, -3, -4);
        assertEquals(4, r.points().size());
        assertFalse(r.diverged());
    }

    @Test
    void badSettingsAndInputsAreRefused() {
        refused(() -> new LrRangeTest(1, 1, 10), "LrRangeTest: need 0 < minLr < maxLr, both finite, got minLr 1.0 and maxLr 1.0");
        refused(() -> new LrRangeTest(0, 1, 10), "got minLr 0.0 and maxLr 1.0");
        refused(() -> new LrRangeTest(-1, 1, 10), "got minLr -1.0");
        refused(() -> new LrRangeTest(1e-3, Double.POSITIVE_INFINITY, 10), "maxLr Infinity");
        refused(() -> new LrRangeTest(1e-3, 1, 1), "LrRangeTest: need at least 2 steps, got 1");
        refused(() -> new LrRangeTest(1e-3, 1, Integer.MIN_VALUE), "got -2147483648");
        refused(() -> new LrRangeTest(1e-3, 1, 10).withSmoothing(1), "LrRangeTest.withSmoothing: beta must be in [0, 1), got 1.0");
        refused(() -> new LrRangeTest(1e-3, 1, 10).withDivergence(1), "LrRangeTest.withDivergence: the factor must be finite and > 1, got 1.0");
        Linear model = new Linear(2, 1, new Random(1));
        Optimizer opt = new SGD(model.parameters(), 0.5);
        refused(() -> new LrRangeTest(1e-3, 1, 10).run(model, opt, List.<Tensor>of(), b -> b.sum()),
                "LrRangeTest.run: the data hold no batch");
        refused(() -> new LrRangeTest(1e-3, 1, 10).run(model, opt, List.of(Tensor.ones(3, 2)), model::forward),
                "LrRangeTest.run: the loss must be a scalar, got shape [3, 1]");
    }

    private static Map<String, double[]> values(Map<String, Tensor> tensors) {
        Map<String, double[]> out = new java.util.LinkedHashMap<>();
        tensors.forEach((k, t) -> out.put(k, t.toDoubleArray()));
        return out;
    }
}
