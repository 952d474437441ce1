package dev.autograd;

import static dev.autograd.TensorAssertions.assertGrad;
import static dev.autograd.TensorAssertions.assertTensor;
import static dev.autograd.TensorAssertions.assertTensor32;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Hand-computed sum and mean: whole tensor, one axis, several axes, keepDim and negative axes. */
class ReduceOpsTest {

    /** x = [[0, 1, 2], [3, 4, 5]] */
    private static Tensor x23() {
        return leaf(new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
    }

    /** x[i][j][k] = 12 i + 4 j + k, shape [2, 3, 4]. */
    private static Tensor x234() {
        double[] v = new double[24];
        for (int i = 0; i < 24; i++) {
            v[i] = i;
        }
        return leaf(v, 2, 3, 4);
    }

    @Nested
    class Sum {
        @Test
        void whole() {
            Tensor x = x23();
            Tensor s = x.sum();
            assertTensor(s, shape(), 15);
            s.backward();
            assertGrad(x, shape(2, 3), 1, 1, 1, 1, 1, 1);
        }

        @Test
        void axis0() {
            Tensor x = x23();
            Tensor s = x.sum(0, false);
            // column sums [0+3, 1+4, 2+5]
            assertTensor(s, shape(3), 3, 5, 7);
            // upstream [1, 2, 3] is broadcast back over the reduced axis
            s.backward(Tensor.of(new double[] {1, 2, 3}, 3));
            assertGrad(x, shape(2, 3), 1, 2, 3, 1, 2, 3);
        }

        @Test
        void axis1KeepDim() {
            Tensor x = x23();
            Tensor s = x.sum(1, true);
            // row sums [[0+1+2], [3+4+5]]
            assertTensor(s, shape(2, 1), 3, 12);
            s.backward(Tensor.of(new double[] {10, 20}, 2, 1));
            assertGrad(x, shape(2, 3), 10, 10, 10, 20, 20, 20);
        }

        @Test
        void negativeAxis() {
            Tensor x = x23();
            // -1 is the last axis, same as axis 1
            assertTensor(x.sum(-1, false), shape(2), 3, 12);
            assertTensor(x.sum(-2, false), shape(3), 3, 5, 7);
            assertTensor(x.sum(-2, true), shape(1, 3), 3, 5, 7);
        }

        @Test
        void allAxesAsArray() {
            Tensor x = x23();
            assertTensor(x.sum(new int[] {0, 1}, false), shape(), 15);
            Tensor s = x.sum(new int[] {0, 1}, true);
            assertTensor(s, shape(1, 1), 15);
            s.backward(Tensor.of(new double[] {2}, 1, 1));
            assertGrad(x, shape(2, 3), 2, 2, 2, 2, 2, 2);
        }

        @Test
        void twoOfThreeAxesWithNegative() {
            Tensor x = x234();
            // sum over i and k of (12 i + 4 j + k) = 2*4*4j + 4*12 + 2*6 = 32 j + 60
            Tensor s = x.sum(new int[] {0, -1}, false);
            assertTensor(s, shape(3), 60, 92, 124);
            assertTensor(x.sum(new int[] {-1, 0}, true), shape(1, 3, 1), 60, 92, 124);
            s.backward(Tensor.of(new double[] {1, 2, 3}, 3));
            double[] expected = new double[24];
            for (int i = 0; i < 24; i++) {
                expected[i] = (i / 4) % 3 + 1; // upstream[j] with j = (i / 4) % 3
            }
            assertGrad(x, shape(2, 3, 4), expected);
        }

        @Test
        void scalarSum() {
            Tensor x = leaf(new double[] {4.5}, new int[0]);
            Tensor s = x.sum();
            assertTensor(s, shape(), 4.5);
            s.backward();
            assertGrad(x, shape(), 1);
        }

        @Test
        void float32Forward() {
            Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
            assertTensor32(x.sum(), shape(), 15);
            assertTensor32(x.sum(0, false), shape(3), 3, 5, 7);
            assertTensor32(x.sum(-1, true), shape(2, 1), 3, 12);
            assertTensor32(x.sum(new int[] {0, 1}, false), shape(), 15);
        }
    }

    @Nested
    class Mean {
        @Test
        void whole() {
            Tensor x = x23();
            Tensor m = x.mean();
            assertTensor(m, shape(), 2.5);
            m.backward();
            double s = 1.0 / 6;
            assertGrad(x, shape(2, 3), s, s, s, s, s, s);
        }

        @Test
        void axis0() {
            Tensor x = x23();
            Tensor m = x.mean(0, false);
            assertTensor(m, shape(3), 1.5, 2.5, 3.5);
            // upstream / count: [1, 2, 3] / 2
            m.backward(Tensor.of(new double[] {1, 2, 3}, 3));
            assertGrad(x, shape(2, 3), 0.5, 1, 1.5, 0.5, 1, 1.5);
        }

        @Test
        void negativeAxisKeepDim() {
            Tensor x = x23();
            Tensor m = x.mean(-1, true);
            assertTensor(m, shape(2, 1), 1, 4);
            // upstream [[3],[6]] / 3 over each row
            m.backward(Tensor.of(new double[] {3, 6}, 2, 1));
            assertGrad(x, shape(2, 3), 1, 1, 1, 2, 2, 2);
        }

        @Test
        void axes() {
            Tensor x = x234();
            // (32 j + 60) / 8
            Tensor m = x.mean(new int[] {0, -1}, false);
            assertTensor(m, shape(3), 7.5, 11.5, 15.5);
            assertTensor(x.mean(new int[] {2, 0}, true), shape(1, 3, 1), 7.5, 11.5, 15.5);
            m.sum().backward();
            double[] expected = new double[24];
            java.util.Arrays.fill(expected, 1.0 / 8);
            assertGrad(x, shape(2, 3, 4), expected);
        }

        @Test
        void float32Forward() {
            Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
            assertTensor32(x.mean(), shape(), 2.5);
            assertTensor32(x.mean(0, false), shape(3), 1.5, 2.5, 3.5);
            assertTensor32(x.mean(-1, true), shape(2, 1), 1, 4);
            assertTensor32(x.mean(new int[] {0, 1}, true), shape(1, 1), 2.5);
        }
    }
}
