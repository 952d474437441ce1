package dev.autograd.nn;

import static dev.autograd.nn.NnTestSupport.assertModuleGradients;
import static dev.autograd.nn.NnTestSupport.randn;

import dev.autograd.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * GradCheck (full Jacobian against central differences, FLOAT64) of every layer with respect to its input
 * and all its parameters, through {@link Module#functionalCall}. Inputs are kept away from the kinks of
 * ReLU-like functions and from ties in max pooling, where a finite difference straddles a kink.
 */
class LayerGradTest {

    private static Tensor awayFromZero(long seed, int... shape) {
        // |x| in [0.2, 1.2]: no element near the kink at 0.
        Tensor u = Tensor.rand(new Random(seed), shape);
        Tensor sign = Tensor.rand(new Random(seed + 1), shape).gt(0.5).mul(2).sub(1);
        return u.add(0.2).mul(sign);
    }

    @Nested
    class LinearLayer {
        @Test
        void batchInput() {
            assertModuleGradients(new Linear(3, 4, true, new Random(1)), randn(2, 5, 3), true);
        }

        @Test
        void singleVectorInput() {
            assertModuleGradients(new Linear(3, 2, true, new Random(3)), randn(4, 3), true);
        }

        @Test
        void withoutBias() {
            assertModuleGradients(new Linear(2, 3, false, new Random(5)), randn(6, 4, 2), true);
        }

        @Test
        void extraLeadingAxes() {
            assertModuleGradients(new Linear(3, 2, true, new Random(7)), randn(8, 2, 2, 3), true);
        }
    }

    @Nested
    class Containers {
        @Test
        void sequential() {
            Random rng = new Random(9);
            Module m = new Sequential(new Linear(3, 4, rng), new Tanh(), new Linear(4, 2, rng));
            assertModuleGradients(m, randn(10, 4, 3), true);
        }

        @Test
        void mlp() {
            MLP m = MLP.builder(2, 5, 3, 1).activation(Sigmoid::new).build(new Random(11));
            assertModuleGradients(m, randn(12, 6, 2), true);
        }

        @Test
        void residual() {
            Random rng = new Random(13);
            Module m = new Residual(new Sequential(new Linear(3, 3, rng), new Tanh()));
            assertModuleGradients(m, randn(14, 4, 3), true);
        }
    }

    @Nested
    class Activations {
        @Test
        void relu() {
            assertModuleGradients(new ReLU(), awayFromZero(15, 3, 4), true);
        }

        @Test
        void tanh() {
            assertModuleGradients(new Tanh(), randn(16, 3, 4), true);
        }

        @Test
        void sigmoid() {
            assertModuleGradients(new Sigmoid(), randn(17, 3, 4), true);
        }

        @Test
        void leakyRelu() {
            assertModuleGradients(new LeakyReLU(0.1), awayFromZero(18, 3, 4), true);
        }

        @Test
        void geluExactAndTanhApproximation() {
            assertModuleGradients(new GELU(), randn(19, 3, 4), true);
            assertModuleGradients(new GELU(true), randn(20, 3, 4), true);
        }

        @Test
        void softmaxOverEachAxis() {
            assertModuleGradients(new Softmax(-1), randn(21, 3, 4), true);
            assertModuleGradients(new Softmax(0), randn(22, 3, 4), true);
        }

        @Test
        void identity() {
            assertModuleGradients(new Identity(), randn(23, 2, 3), true);
        }
    }

    @Nested
    class DropoutLayer {
        @Test
        void withFixedMask() {
            Dropout d = new Dropout(0.4, new Random(24));
            Tensor mask = Tensor.of(new double[] {1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0}, 3, 4);
            d.useFixedMask(mask);
            assertModuleGradients(d, randn(25, 3, 4), true);
        }

        @Test
        void inEvaluationMode() {
            Dropout d = new Dropout(0.5, new Random(26));
            d.eval();
            assertModuleGradients(d, randn(27, 2, 3), true);
        }
    }

    @Nested
    class Normalisation {
        @Test
        void batchNormTrainingOnFeatureVectors() {
            BatchNorm1d bn = new BatchNorm1d(3);
            perturbAffine(bn, 28);
            assertModuleGradients(bn, randn(29, 5, 3), true);
        }

        @Test
        void batchNormTrainingOnSequences() {
            BatchNorm1d bn = new BatchNorm1d(2);
            perturbAffine(bn, 30);
            assertModuleGradients(bn, randn(31, 3, 2, 4), true);
        }

        @Test
        void batchNormEvaluationUsesRunningStatistics() {
            BatchNorm1d bn = new BatchNorm1d(3);
            bn.forward(randn(32, 6, 3));   // move the running statistics away from 0 and 1
            bn.eval();
            perturbAffine(bn, 33);
            assertModuleGradients(bn, randn(34, 4, 3), true);
        }

        @Test
        void layerNormOverLastAxis() {
            LayerNorm ln = new LayerNorm(4);
            perturbAffine(ln, 35);
            assertModuleGradients(ln, randn(36, 3, 4), true);
        }

        @Test
        void layerNormOverTwoAxes() {
            LayerNorm ln = new LayerNorm(2, 3);
            perturbAffine(ln, 37);
            assertModuleGradients(ln, randn(38, 2, 2, 3), true);
        }

        /** gamma = 1 and beta = 0 would hide a wrong gradient that ignores them; move them. */
        private void perturbAffine(Module m, long seed) {
            Random rng = new Random(seed);
            m.parameters().forEach(p -> Init.uniform(p, 0.5, 1.5, rng));
        }
    }

    @Nested
    class EmbeddingLayer {
        @Test
        void weightGradientAccumulatesRepeatedIds() {
            Embedding e = new Embedding(5, 3, new Random(39));
            Tensor ids = Tensor.of(new double[] {1, 3, 1, 0, 4, 1}, 2, 3);
            assertModuleGradients(e, ids, false);
        }
    }

    @Nested
    class Convolution {
        @Test
        void conv2dStrideOneNoPadding() {
            assertModuleGradients(new Conv2d(2, 3, 3, new Random(40)), randn(41, 2, 2, 5, 5), true);
        }

        @Test
        void conv2dStrideTwoPaddingOneNoBias() {
            assertModuleGradients(new Conv2d(1, 2, 3, 2, 1, false, new Random(42)), randn(43, 1, 1, 5, 6), true);
        }

        @Test
        void maxPool() {
            // distinct values (a permutation) so no window has a tie
            double[] v = new double[2 * 2 * 4 * 4];
            int[] perm = new java.util.Random(44).ints(0, 1000).distinct().limit(v.length).toArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = perm[i] / 100.0;
            }
            assertModuleGradients(new MaxPool2d(2), Tensor.of(v, 2, 2, 4, 4), true);
        }

        @Test
        void flatten() {
            assertModuleGradients(new Flatten(), randn(45, 2, 3, 2, 2), true);
        }

        @Test
        void smallCnn() {
            Random rng = new Random(46);
            Module cnn = new Sequential(new Conv2d(1, 2, 3, 1, 1, true, rng), new Tanh(), new Flatten(),
                    new Linear(2 * 4 * 4, 2, rng));
            assertModuleGradients(cnn, randn(47, 2, 1, 4, 4), true);
        }
    }
}
