package dev.autograd.nn.optim;

import dev.autograd.nn.NnTestSupport;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.autograd.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each schedule's learning rates over steps against its closed-form formula. */
class LRSchedulerTest {

    private static Optimizer sgd(double lr) {
        return new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), lr);
    }

    /** Steps the schedule {@code n} times, checking the optimizer's rate against {@code expected(t)} at each. */
    private static void assertRates(LRScheduler s, int n, java.util.function.IntToDoubleFunction expected) {
        Optimizer opt = s.optimizer();
        for (int t = 0; t <= n; t++) {
            if (t > 0) {
                s.step();
            }
            assertEquals(t, s.stepCount());
            assertEquals(expected.applyAsDouble(t), opt.learningRate(), 1e-15, "step " + t);
            assertEquals(opt.learningRate(), s.lastLearningRate(), 0.0);
        }
    }

    @Test
    void stepDecay() {
        StepLR s = new StepLR(sgd(0.1), 3, 0.5);
        assertRates(s, 10, t -> 0.1 * Math.pow(0.5, t / 3));
        // written out: 0.1 for steps 0-2, 0.05 for 3-5, 0.025 for 6-8
        assertEquals(0.05, s.learningRateAt(5), 1e-15);
        assertEquals(0.025, s.learningRateAt(6), 1e-15);
    }

    @Test
    void exponentialDecay() {
        ExponentialLR s = new ExponentialLR(sgd(0.2), 0.9);
        assertRates(s, 10, t -> 0.2 * Math.pow(0.9, t));
        assertEquals(0.2 * 0.81, s.learningRateAt(2), 1e-15);
    }

    @Test
    void cosineAnnealingHoldsItsMinimumAfterTMax() {
        CosineAnnealingLR s = new CosineAnnealingLR(sgd(0.1), 8, 0.01);
        assertRates(s, 12, t -> 0.01 + 0.09 * (1 + Math.cos(Math.PI * Math.min(t, 8) / 8)) / 2);
        assertEquals(0.1, s.learningRateAt(0), 1e-15);
        assertEquals(0.055, s.learningRateAt(4), 1e-15);      // halfway: the mean of base and etaMin
        assertEquals(0.01, s.learningRateAt(8), 1e-15);
        assertEquals(0.01, s.learningRateAt(100), 1e-15);
    }

    @Test
    void linearWarmupThenCosine() {
        Optimizer opt = sgd(0.1);
        LinearWarmup s = new LinearWarmup(new CosineAnnealingLR(opt, 10, 0), 4, 0.25);
        assertEquals(0.025, opt.learningRate(), 1e-15, "creating the warm-up sets its first rate");
        assertRates(s, 16, t -> t < 4 ? 0.1 * (0.25 + 0.75 * t / 4.0)
                : 0.1 * (1 + Math.cos(Math.PI * Math.min(t - 4, 10) / 10)) / 2);
        // written out: 0.025, 0.04375, 0.0625, 0.08125, then the cosine from 0.1
        assertEquals(0.04375, s.learningRateAt(1), 1e-15);
        assertEquals(0.1, s.learningRateAt(4), 1e-15);
    }

    @Test
    void linearWarmupToAConstant() {
        LinearWarmup s = new LinearWarmup(sgd(1.0), 5, 0);
        assertRates(s, 8, t -> Math.min(t, 5) / 5.0);
    }

    @Test
    void worksWithAnyOptimizer() {
        Tensor p = Tensor.zeros(1).requiresGrad(true);
        for (Optimizer opt : List.of(new Adam(List.of(p), 0.1), new AdamW(List.of(p), 0.1), new RMSprop(List.of(p), 0.1),
                new Adagrad(List.of(p), 0.1), new SGD(List.of(p), 0.1))) {
            ExponentialLR s = new ExponentialLR(opt, 0.5);
            s.step();
            assertEquals(0.05, opt.learningRate(), 1e-15, opt.toString());
        }
    }

    @Test
    void setStepCountResumes() {
        StepLR s = new StepLR(sgd(1), 2, 0.1);
        s.setStepCount(5);
        assertEquals(0.01, s.optimizer().learningRate(), 1e-15);
        s.step();
        assertEquals(0.001, s.optimizer().learningRate(), 1e-15);
        assertEquals(1, s.baseLearningRate());
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> s.setStepCount(-1)), "StepLR");
    }

    @Test
    void rejectsBadSettings() {
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new StepLR(sgd(1), 0, 0.5)), "StepLR");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new ExponentialLR(sgd(1), -1)), "ExponentialLR");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(sgd(1), 0, 0)), "CosineAnnealingLR");
        NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(sgd(1), 3, 2)), "LinearWarmup");
    }
}
