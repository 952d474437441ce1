package dev.autograd.nn;

import static dev.autograd.nn.NnTestSupport.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Forward values of each layer against hand computations, modes, shapes and error messages. */
class LayerTest {

    private static void set(Tensor t, double... values) {
        try (var s = Autograd.noGrad()) {
            t.copyFrom(Tensor.of(values, t.shape()));
        }
    }

    @Nested
    class LinearLayer {
        @Test
        void computesXWTransposePlusB() {
            Linear l = new Linear(2, 2, new Random(1));
            set(l.weight(), 1, 2, 3, 4);
            set(l.bias(), 0.5, -1);
            // [1, 1] W^T = [1 + 2, 3 + 4]
            assertValues(new double[] {3.5, 6}, l.forward(Tensor.of(new double[] {1, 1}, 1, 2)), 0);
            assertArrayEquals(new int[] {2}, l.forward(Tensor.of(new double[] {1, 1}, 2)).shape());
        }

        @Test
        void namesTheShapeItExpects() {
            Linear l = new Linear(3, 2, new Random(1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(4, 2)));
            assertEquals("Linear(in=3, out=2): input shape [4, 2] must end in 3 (the input size)", e.getMessage());
            assertNull(new Linear(3, 2, false, new Random(1)).bias());
        }
    }

    @Nested
    class Activations {
        @Test
        void valuesAtKnownPoints() {
            Tensor x = Tensor.of(new double[] {-2, 0, 1}, 3);
            assertValues(new double[] {0, 0, 1}, new ReLU().forward(x), 0);
            assertValues(new double[] {-0.2, 0, 1}, new LeakyReLU(0.1).forward(x), 1e-15);
            assertValues(new double[] {-0.02, 0, 1}, new LeakyReLU().forward(x), 1e-15);
            assertValues(new double[] {Math.tanh(-2), 0, Math.tanh(1)}, new Tanh().forward(x), 1e-15);
            assertValues(new double[] {1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-1))}, new Sigmoid().forward(x), 1e-15);
            // GELU(1) = Phi(1) = 0.841344746...; GELU(-2) = -2 Phi(-2) = -0.045500264...
            assertValues(new double[] {-0.0455002639, 0, 0.8413447461}, new GELU().forward(x), 1e-9);
            assertSame(x, new Identity().forward(x));
        }

        @Test
        void softmaxRowsSumToOne() {
            Tensor p = new Softmax(1).forward(Tensor.of(new double[] {1, 2, 3, 1000, 1000, 1000}, 2, 3));
            double e = Math.exp(1) + Math.exp(2) + Math.exp(3);
            assertValues(new double[] {Math.exp(1) / e, Math.exp(2) / e, Math.exp(3) / e, 1 / 3.0, 1 / 3.0, 1 / 3.0}, p, 1e-15);
        }
    }

    @Nested
    class DropoutLayer {
        @Test
        void isTheIdentityInEvaluationModeAndForZeroP() {
            Tensor x = Tensor.randn(new Random(2), 4, 4);
            Dropout d = new Dropout(0.5, new Random(3));
            d.eval();
            assertSame(x, d.forward(x));
            assertSame(x, new Dropout(0, new Random(3)).forward(x));
        }

        @Test
        void dropsAboutPAndScalesSurvivorsByOneOverOneMinusP() {
            Tensor x = Tensor.ones(100, 100);
            double[] y = new Dropout(0.3, new Random(4)).forward(x).toDoubleArray();
            int kept = 0;
            for (double v : y) {
                assertTrue(v == 0 || Math.abs(v - 1 / 0.7) < 1e-12, "value " + v);
                kept += v == 0 ? 0 : 1;
            }
            assertEquals(0.7, kept / 10000.0, 0.02);
        }

        @Test
        void aSeedRepeatsTheMasks() {
            Tensor x = Tensor.randn(new Random(5), 6, 6);
            Dropout a = new Dropout(0.5, new Random(6));
            Dropout b = new Dropout(0.5, new Random(6));
            assertArrayEquals(a.forward(x).toDoubleArray(), b.forward(x).toDoubleArray(), 0);
            assertArrayEquals(a.forward(x).toDoubleArray(), b.forward(x).toDoubleArray(), 0);
        }

        @Test
        void fixedMaskAndEdgeCases() {
            Dropout d = new Dropout(0.5, new Random(7)).useFixedMask(Tensor.of(new double[] {1, 0}, 2));
            assertValues(new double[] {6, 0}, d.forward(Tensor.of(new double[] {3, 4}, 2)), 0);
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> d.forward(Tensor.zeros(3))), "Dropout");
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> d.useFixedMask(Tensor.of(new double[] {0.5}, 1))), "Dropout");
            d.clearFixedMask();
            assertValues(new double[] {0, 0}, new Dropout(1, new Random(8)).forward(Tensor.of(new double[] {3, 4}, 2)), 0);
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5, new Random(1))), "Dropout");
        }
    }

    @Nested
    class BatchNorm {
        @Test
        void trainingNormalisesWithBatchStatisticsAndUpdatesRunningOnes() {
            BatchNorm1d bn = new BatchNorm1d(2);
            // channel 0: 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3); channel 1: 0, 0, 4, 4 (mean 2, var 4, 16/3)
            Tensor x = Tensor.of(new double[] {1, 0, 2, 0, 3, 4, 6, 4}, 4, 2);
            Tensor y = bn.forward(x);
            double s0 = Math.sqrt(3.5 + 1e-5);
            double s1 = Math.sqrt(4 + 1e-5);
            assertValues(new double[] {-2 / s0, -2 / s1, -1 / s0, -2 / s1, 0, 2 / s1, 3 / s0, 2 / s1}, y, 1e-12);
            assertValues(new double[] {0.1 * 3, 0.1 * 2}, bn.runningMean(), 1e-15);
            assertValues(new double[] {0.9 + 0.1 * 14 / 3.0, 0.9 + 0.1 * 16 / 3.0}, bn.runningVar(), 1e-15);
        }

        @Test
        void evaluationUsesTheRunningStatistics() {
            BatchNorm1d bn = new BatchNorm1d(1);
            set(bn.runningMean(), 2);
            set(bn.runningVar(), 4);
            set(bn.weight(), 3);
            set(bn.bias(), 1);
            bn.eval();
            Tensor y = bn.forward(Tensor.of(new double[] {2, 6}, 2, 1));
            assertValues(new double[] {1, 3 * 4 / Math.sqrt(4 + 1e-5) + 1}, y, 1e-12);
            assertValues(new double[] {2}, bn.runningMean(), 0);
            assertValues(new double[] {5}, bn.forward(Tensor.of(new double[] {2}, 1, 1)).add(4), 0);
        }

        @Test
        void sequencesAreNormalisedOverBatchAndLength() {
            BatchNorm1d bn = new BatchNorm1d(2, 1e-5, 1.0, false);
            Tensor x = Tensor.randn(new Random(9), 3, 2, 5);
            bn.forward(x);
            // momentum 1: the running mean is the batch mean over axes 0 and 2
            assertValues(x.mean(new int[] {0, 2}, false).toDoubleArray(), bn.runningMean(), 1e-14);
            assertValues(x.var(new int[] {0, 2}, false, 1).toDoubleArray(), bn.runningVar(), 1e-14);
        }

        @Test
        void rejectsBadShapesAndSingleValueBatches() {
            BatchNorm1d bn = new BatchNorm1d(3);
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(4, 2))), "BatchNorm1d");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(1, 3)));
            assertTrue(e.getMessage().contains("more than one value per channel"), e.getMessage());
            bn.eval();
            assertArrayEquals(new int[] {1, 3}, bn.forward(Tensor.zeros(1, 3)).shape());
        }
    }

    @Nested
    class LayerNormLayer {
        @Test
        void eachRowGetsMeanZeroAndVarianceOne() {
            Tensor x = Tensor.of(new double[] {1, 2, 3, 4, -5, 0, 5, 10}, 2, 4);
            Tensor y = new LayerNorm(4).forward(x);
            assertValues(new double[] {0, 0}, y.mean(1, false), 1e-12);
            assertValues(new double[] {1, 1}, y.var(1, false, 0), 1e-4);
            double s = Math.sqrt(1.25 + 1e-5);
            assertValues(new double[] {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s}, y.slice(0, 0, 1, 1).reshape(4), 1e-12);
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> new LayerNorm(3).forward(x)), "LayerNorm");
        }
    }

    @Nested
    class EmbeddingLayer {
        @Test
        void looksUpRows() {
            Embedding e = new Embedding(3, 2, new Random(10));
            set(e.weight(), 0, 1, 10, 11, 20, 21);
            Tensor y = e.forward(Tensor.of(new double[] {2, 0, 2, 1}, 2, 2));
            assertArrayEquals(new int[] {2, 2, 2}, y.shape());
            assertValues(new double[] {20, 21, 0, 1, 20, 21, 10, 11}, y, 0);
            assertValues(new double[] {10, 11}, e.forward(new int[] {1}), 0);
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> e.forward(Tensor.of(new double[] {3}, 1))), "Embedding");
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> e.forward(Tensor.of(new double[] {0.5}, 1))), "Embedding");
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> e.forward(new int[] {-1})), "Embedding");
        }
    }

    @Nested
    class ConvolutionAndPooling {
        @Test
        void conv2dMatchesAHandComputedCrossCorrelation() {
            Conv2d c = new Conv2d(1, 1, 2, new Random(11));
            set(c.weight(), 1, 0, 0, -1);
            set(c.bias(), 0.5);
            // x = [[1 2 3] [4 5 6] [7 8 9]]; out[i][j] = x[i][j] - x[i+1][j+1] + 0.5 = -4 + 0.5
            Tensor y = c.forward(Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3));
            assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
            assertValues(new double[] {-3.5, -3.5, -3.5, -3.5}, y, 1e-15);
        }

        @Test
        void conv2dOutputShapesWithStrideAndPadding() {
            Conv2d c = new Conv2d(3, 8, 3, 2, 1, true, new Random(12));
            assertArrayEquals(new int[] {2, 8, 4, 5}, c.forward(Tensor.zeros(2, 3, 8, 9)).shape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.forward(Tensor.zeros(2, 2, 8, 8)));
            assertTrue(e.getMessage().contains("expected input [N, 3, H, W], got [2, 2, 8, 8]"), e.getMessage());
        }

        @Test
        void maxPoolAndFlatten() {
            Tensor x = Tensor.of(new double[] {1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 1, 1, 9, 0, 1, 2}, 1, 1, 4, 4);
            Tensor pooled = new MaxPool2d(2).forward(x);
            assertValues(new double[] {5, 8, 9, 2}, pooled, 0);
            assertArrayEquals(new int[] {1, 4}, new Flatten().forward(pooled).shape());
            assertArrayEquals(new int[] {2, 12}, new Flatten(1, -1).forward(Tensor.zeros(2, 3, 2, 2)).shape());
        }
    }

    @Nested
    class Containers {
        @Test
        void residualAddsTheInput() {
            Residual r = new Residual(new Sigmoid());
            assertValues(new double[] {0.5, 1 + 1 / (1 + Math.exp(-1))}, r.forward(Tensor.of(new double[] {0, 1}, 2)), 1e-15);
            Residual bad = new Residual(new Linear(2, 3, new Random(13)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bad.forward(Tensor.zeros(1, 2)));
            assertTrue(e.getMessage().contains("maps [1, 2] to [1, 3]"), e.getMessage());
        }

        @Test
        void sequentialAddsAndIndexes() {
            Sequential s = new Sequential(List.of(new ReLU()));
            s.add(new Tanh());
            assertEquals(2, s.size());
            assertTrue(s.get(1) instanceof Tanh);
            Tensor x = Tensor.zeros(2);
            assertSame(x, new Sequential().forward(x));
        }

        @Test
        void mlpBuildsLayersActivationsAndDropout() {
            MLP m = MLP.builder(2, 4, 3).activation(Tanh::new).outputActivation(Sigmoid::new).dropout(0.1)
                    .bias(false).build(new Random(14));
            assertEquals(List.of("Linear", "Tanh", "Dropout", "Linear", "Sigmoid"),
                    m.layers().stream().map(l -> l.getClass().getSimpleName()).toList());
            assertArrayEquals(new int[] {2, 4, 3}, m.sizes());
            assertEquals(List.of("0.weight", "3.weight"), List.copyOf(m.namedParameters().keySet()));
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> MLP.builder(3)), "MLP");
            NnTestSupport.assertMentions(assertThrows(IllegalArgumentException.class, () -> MLP.builder(3, 0, 1)), "MLP");
        }
    }
}
