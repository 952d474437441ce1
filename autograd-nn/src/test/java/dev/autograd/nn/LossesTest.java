package dev.autograd.nn;

import static dev.autograd.nn.NnTestSupport.assertScalar;
import static dev.autograd.nn.NnTestSupport.assertValues;
import static dev.autograd.nn.NnTestSupport.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.DType;
import dev.autograd.GradCheck;
import dev.autograd.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each loss: values computed by hand, a GradCheck in FLOAT64, stability at extreme inputs, and errors. */
class LossesTest {

    private static final Tensor P = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
    private static final Tensor Y = Tensor.of(new double[] {1.5, 0, 3, 7}, 2, 2);

    @Nested
    class Values {
        @Test
        void mseWithEachReduction() {
            // squared errors 0.25, 4, 0, 9
            assertScalar(13.25 / 4, Losses.mse(P, Y), 1e-15);
            assertScalar(13.25, Losses.mse(P, Y, Reduction.SUM), 1e-15);
            assertScalar(6.625, Losses.mse(P, Y, Reduction.HALF_SUM), 1e-15);
            assertValues(new double[] {0.25, 4, 0, 9}, Losses.mse(P, Y, Reduction.NONE), 1e-15);
        }

        @Test
        void halfSumOfSquaresHasTheGradientYhatMinusY() {
            Tensor p = P.detach().requiresGrad(true);
            Losses.mse(p, Y, Reduction.HALF_SUM).backward();
            assertValues(new double[] {-0.5, 2, 0, -3}, p.grad(), 1e-15);
        }

        @Test
        void l1AndHuber() {
            assertScalar((0.5 + 2 + 0 + 3) / 4, Losses.l1(P, Y), 1e-15);
            // delta 1: |d| = 0.5 -> 0.125; 2 -> 1.5; 0 -> 0; 3 -> 2.5
            assertScalar((0.125 + 1.5 + 0 + 2.5) / 4, Losses.huber(P, Y, 1), 1e-15);
            assertScalar(0.125 + 1.5 + 2.5, Losses.huber(P, Y, 1, Reduction.SUM), 1e-15);
        }

        @Test
        void crossEntropyIsTheMeanNegativeLogSoftmaxOfTheTarget() {
            Tensor logits = Tensor.of(new double[] {1, 2, 3, 0, 0, 0}, 2, 3);
            double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
            double expected = ((lse - 3) + Math.log(3)) / 2;
            assertScalar(expected, Losses.crossEntropy(logits, new int[] {2, 0}), 1e-14);
            assertValues(new double[] {lse - 3, Math.log(3)},
                    Losses.crossEntropy(logits, new int[] {2, 0}, 0, Reduction.NONE), 1e-14);
            assertScalar(expected, Losses.nll(logits.logSoftmax(1), new int[] {2, 0}), 1e-14);
        }

        @Test
        void labelSmoothingMixesInTheUniformDistribution() {
            Tensor logits = Tensor.of(new double[] {1, 2, 3}, 1, 3);
            double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
            double[] logp = {1 - lse, 2 - lse, 3 - lse};
            double s = 0.3;
            // target distribution: (1 - s) onehot(0) + s / 3
            double expected = -((1 - s + s / 3) * logp[0] + (s / 3) * logp[1] + (s / 3) * logp[2]);
            assertScalar(expected, Losses.crossEntropy(logits, new int[] {0}, s), 1e-14);
        }

        @Test
        void crossEntropyIsStableForHugeLogits() {
            Tensor logits = Tensor.of(new double[] {1000, 0, -1000, 1000}, 2, 2);
            assertScalar((0 + 2000) / 2.0, Losses.crossEntropy(logits, new int[] {0, 0}), 1e-9);
            Tensor l = logits.detach().requiresGrad(true);
            Losses.crossEntropy(l, new int[] {0, 0}).backward();
            // (softmax - onehot) / N
            assertValues(new double[] {0, 0, -0.5, 0.5}, l.grad(), 1e-12);
        }

        @Test
        void binaryCrossEntropyRefusesValuesOutsideTheUnitInterval() {
            Tensor ok = Tensor.of(new double[] {0.2, 0.7}, 2);
            IllegalArgumentException probs = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class,
                    () -> Losses.binaryCrossEntropy(Tensor.of(new double[] {0.5, 2}, 2), ok));
            org.junit.jupiter.api.Assertions.assertTrue(probs.getMessage().startsWith(
                    "binaryCrossEntropy: probabilities must lie in [0, 1], but element 1"), probs.getMessage());
            IllegalArgumentException targets = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class,
                    () -> Losses.binaryCrossEntropy(ok, Tensor.of(new double[] {1, 5}, 2)));
            org.junit.jupiter.api.Assertions.assertTrue(targets.getMessage().contains("targets must lie in [0, 1]"),
                    targets.getMessage());
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Losses.binaryCrossEntropy(Tensor.of(new double[] {Double.NaN, 0.5}, 2), ok));
            IllegalArgumentException logits = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class,
                    () -> Losses.binaryCrossEntropyWithLogits(Tensor.of(new double[] {3, -2}, 2),
                            Tensor.of(new double[] {-1, 0}, 2)));
            org.junit.jupiter.api.Assertions.assertTrue(logits.getMessage().startsWith(
                    "binaryCrossEntropyWithLogits: targets must lie in [0, 1], but element 0"), logits.getMessage());
        }

        @Test
        void binaryCrossEntropyOfProbabilitiesAndLogitsAgree() {
            Tensor x = Tensor.of(new double[] {-2, 0.5, 3}, 3);
            Tensor y = Tensor.of(new double[] {0, 1, 1}, 3);
            double expected = 0;
            for (int i = 0; i < 3; i++) {
                double p = 1 / (1 + Math.exp(-x.get(i)));
                expected -= (y.get(i) * Math.log(p) + (1 - y.get(i)) * Math.log(1 - p)) / 3;
            }
            assertScalar(expected, Losses.binaryCrossEntropy(x.sigmoid(), y), 1e-14);
            assertScalar(expected, Losses.binaryCrossEntropyWithLogits(x, y), 1e-14);
        }

        @Test
        void binaryCrossEntropyWithLogitsIsStableAndExactAtZero() {
            Tensor x = Tensor.of(new double[] {800, -800, 0}, 3).requiresGrad(true);
            Tensor y = Tensor.of(new double[] {0, 1, 1}, 3);
            Tensor loss = Losses.binaryCrossEntropyWithLogits(x, y, Reduction.SUM);
            assertScalar(1600 + Math.log(2), loss, 1e-9);
            loss.backward();
            // sigmoid(x) - y, including x = 0 where max(x, 0) and |x| have kinks
            assertValues(new double[] {1, -1, -0.5}, x.grad(), 1e-15);
        }

        @Test
        void binaryCrossEntropyClampsSaturatedProbabilities() {
            Tensor p = Tensor.of(new double[] {0, 1}, 2);
            Tensor y = Tensor.of(new double[] {1, 0}, 2);
            double loss = Losses.binaryCrossEntropy(p, y, Reduction.SUM).item();
            double eps = Losses.BCE_EPSILON_FLOAT64;
            // 1 - (1 - eps) is eps up to the rounding of 1 - eps in double
            assertEquals(-Math.log(eps) - Math.log(1 - (1 - eps)), loss, 1e-9);
            assertEquals(55.26, loss, 0.01);
            double loss32 = Losses.binaryCrossEntropy(p.to(DType.FLOAT32), y.to(DType.FLOAT32)).item();
            assertTrue(Double.isFinite(loss32), "float32: " + loss32);
        }

        @Test
        void l2PenaltyIsHalfLambdaTimesTheSquaredNorm() {
            Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {3}, 1).requiresGrad(true);
            Tensor penalty = Losses.l2Penalty(List.of(a, b), 0.1);
            assertScalar(0.05 * 14, penalty, 1e-15);
            penalty.backward();
            assertValues(new double[] {0.1, 0.2}, a.grad(), 1e-15);
            assertScalar(0, Losses.l2Penalty(List.of(), 1), 0);
        }
    }

    @Nested
    class Gradients {
        private final Tensor pred = randn(1, 3, 4).requiresGrad(true);
        private final Tensor target = randn(2, 3, 4).requiresGrad(true);

        @Test
        void mseAllReductions() {
            for (Reduction r : Reduction.values()) {
                GradCheck.assertGradientsMatch(in -> Losses.mse(in[0], in[1], r), pred, target);
            }
        }

        @Test
        void l1() {
            GradCheck.assertGradientsMatch(in -> Losses.l1(in[0], in[1]), pred, target);
        }

        @Test
        void huberInBothRegimes() {
            // delta 0.7 puts some |d| below and some above the threshold
            GradCheck.assertGradientsMatch(in -> Losses.huber(in[0], in[1], 0.7), pred, target);
        }

        @Test
        void crossEntropyWithAndWithoutSmoothing() {
            Tensor logits = randn(3, 4, 5).requiresGrad(true);
            int[] t = {4, 0, 2, 2};
            GradCheck.assertGradientsMatch(in -> Losses.crossEntropy(in[0], t), logits);
            GradCheck.assertGradientsMatch(in -> Losses.crossEntropy(in[0], t, 0.2), logits);
            GradCheck.assertGradientsMatch(in -> Losses.crossEntropy(in[0], t, 0.1, Reduction.NONE), logits);
        }

        @Test
        void nll() {
            Tensor logp = randn(4, 3, 4).logSoftmax(1).detach().requiresGrad(true);
            GradCheck.assertGradientsMatch(in -> Losses.nll(in[0], new int[] {1, 3, 0}), logp);
        }

        @Test
        void binaryCrossEntropyOfProbabilities() {
            Tensor probs = Tensor.rand(new Random(5), 3, 4).mul(0.8).add(0.1).requiresGrad(true);
            Tensor labels = Tensor.rand(new Random(6), 3, 4).requiresGrad(true);
            GradCheck.assertGradientsMatch(in -> Losses.binaryCrossEntropy(in[0], in[1]), probs, labels);
        }

        @Test
        void binaryCrossEntropyWithLogits() {
            Tensor logits = randn(7, 3, 4).mul(3).detach().requiresGrad(true);
            Tensor labels = Tensor.rand(new Random(8), 3, 4).requiresGrad(true);
            GradCheck.assertGradientsMatch(in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1]), logits, labels);
        }

        @Test
        void l2Penalty() {
            GradCheck.assertGradientsMatch(in -> Losses.l2Penalty(List.of(in[0], in[1]), 0.3), pred, target);
        }
    }

    @Nested
    class Errors {
        @Test
        void shapesMustMatchExactly() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Losses.mse(Tensor.zeros(4), Tensor.zeros(4, 1)));
            assertTrue(e.getMessage().startsWith("mse: predictions [4] and targets [4, 1] must have the same shape"),
                    e.getMessage());
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Losses.binaryCrossEntropyWithLogits(Tensor.zeros(2), Tensor.zeros(DType.FLOAT32, 2))), "binaryCrossEntropyWithLogits");
        }

        @Test
        void classificationTargetsAreChecked() {
            Tensor logits = Tensor.zeros(2, 3);
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[] {0})), "crossEntropy");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Losses.crossEntropy(logits, new int[] {0, 3}));
            assertEquals("crossEntropy: target 3 at position 1 is not a class index in [0, 3)", e.getMessage());
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> Losses.nll(Tensor.zeros(3), new int[] {0, 0, 0})), "nll");
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[] {0, 1}, 1.5)), "crossEntropy");
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> Losses.huber(logits, logits, 0)), "huber");
        }

        @Test
        void float32LossesWork() {
            Tensor logits = Tensor.randn(new Random(9), DType.FLOAT32, 3, 4);
            assertEquals(DType.FLOAT32, Losses.crossEntropy(logits, new int[] {0, 1, 2}).dtype());
        }
    }
}
