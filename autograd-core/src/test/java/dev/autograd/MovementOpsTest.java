package dev.autograd;

import static dev.autograd.TensorAssertions.assertGrad;
import static dev.autograd.TensorAssertions.assertTensor;
import static dev.autograd.TensorAssertions.assertTensor32;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Hand-computed reshape, transpose, permute and expand, with the gradients flowing back. */
class MovementOpsTest {

    /** [[1, 2, 3], [4, 5, 6]] */
    private static Tensor x23() {
        return leaf(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    }

    /** x[i][j][k] = 100 i + 10 j + k, shape [2, 3, 4]: every element names its own index. */
    private static Tensor x234() {
        double[] v = new double[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    v[i * 12 + j * 4 + k] = 100 * i + 10 * j + k;
                }
            }
        }
        return leaf(v, 2, 3, 4);
    }

    @Nested
    class Reshape {
        @Test
        void keepsRowMajorOrder() {
            Tensor x = x23();
            assertTensor(x.reshape(3, 2), shape(3, 2), 1, 2, 3, 4, 5, 6);
            assertTensor(x.reshape(6), shape(6), 1, 2, 3, 4, 5, 6);
            assertTensor(x.reshape(1, 6, 1), shape(1, 6, 1), 1, 2, 3, 4, 5, 6);
        }

        @Test
        void inferredDimension() {
            Tensor x = x23();
            assertTensor(x.reshape(-1), shape(6), 1, 2, 3, 4, 5, 6);
            assertTensor(x.reshape(3, -1), shape(3, 2), 1, 2, 3, 4, 5, 6);
            assertTensor(x.reshape(-1, 1, 2), shape(3, 1, 2), 1, 2, 3, 4, 5, 6);
        }

        @Test
        void toAndFromScalar() {
            Tensor s = leaf(new double[] {7}, 1, 1);
            assertTensor(s.reshape(), shape(), 7);
            assertTensor(Tensor.scalar(7).reshape(1), shape(1), 7);
        }

        @Test
        void gradIsReshapedBack() {
            Tensor x = x23();
            Tensor y = x.reshape(3, 2);
            // upstream in the [3,2] layout flows back in the same row-major order
            y.backward(Tensor.of(new double[] {10, 20, 30, 40, 50, 60}, 3, 2));
            assertGrad(x, shape(2, 3), 10, 20, 30, 40, 50, 60);
            assertEquals("reshape", y.gradFn().name());
        }

        @Test
        void float32Forward() {
            Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            assertTensor32(x.reshape(3, -1), shape(3, 2), 1, 2, 3, 4, 5, 6);
        }
    }

    @Nested
    class Transpose {
        @Test
        void matrixTranspose() {
            Tensor x = x23();
            Tensor y = x.t();
            // [[1,4],[2,5],[3,6]]
            assertTensor(y, shape(3, 2), 1, 4, 2, 5, 3, 6);
            y.backward(Tensor.of(new double[] {10, 40, 20, 50, 30, 60}, 3, 2));
            // the grad is the upstream transposed back
            assertGrad(x, shape(2, 3), 10, 20, 30, 40, 50, 60);
        }

        @Test
        void twoAxesOfThree() {
            Tensor x = x234();
            Tensor y = x.transpose(0, 2);
            assertArrayEquals(shape(4, 3, 2), y.shape());
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < 4; k++) {
                        assertEquals(100 * i + 10 * j + k, y.get(k, j, i), 0.0);
                    }
                }
            }
            // weighting each output by its own value: d/dx sum(y * y.detach()) = x
            y.mul(y.detach()).sum().backward();
            assertGrad(x, shape(2, 3, 4), x.toDoubleArray());
        }

        @Test
        void transposeThenMatmulUsesLogicalLayout() {
            // a transposed view must be read in its logical order by later ops
            Tensor x = x23();
            Tensor g = x.t().matmul(x);
            // x^T x = [[17,22,27],[22,29,36],[27,36,45]]
            assertTensor(g, shape(3, 3), 17, 22, 27, 22, 29, 36, 27, 36, 45);
            assertTensor(x.t().reshape(6), shape(6), 1, 4, 2, 5, 3, 6);
        }

        @Test
        void float32Forward() {
            Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            assertTensor32(x.t(), shape(3, 2), 1, 4, 2, 5, 3, 6);
            assertTensor32(x.transpose(1, 0), shape(3, 2), 1, 4, 2, 5, 3, 6);
        }
    }

    @Nested
    class Permute {
        @Test
        void movesAxes() {
            Tensor x = x234();
            Tensor y = x.permute(2, 0, 1);
            // y[k][i][j] = x[i][j][k]
            assertArrayEquals(shape(4, 2, 3), y.shape());
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < 4; k++) {
                        assertEquals(100 * i + 10 * j + k, y.get(k, i, j), 0.0);
                    }
                }
            }
        }

        @Test
        void gradIsInversePermutation() {
            Tensor x = x234();
            Tensor y = x.permute(2, 0, 1);
            // upstream g[k][i][j] = 1000 k + 100 i + 10 j, so grad x[i][j][k] must be g[k][i][j]
            double[] g = new double[24];
            double[] expected = new double[24];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < 4; k++) {
                        double v = 1000 * k + 100 * i + 10 * j;
                        g[k * 6 + i * 3 + j] = v;
                        expected[i * 12 + j * 4 + k] = v;
                    }
                }
            }
            y.backward(Tensor.of(g, 4, 2, 3));
            assertGrad(x, shape(2, 3, 4), expected);
        }

        @Test
        void matrixPermuteIsTranspose() {
            assertTensor(x23().permute(1, 0), shape(3, 2), 1, 4, 2, 5, 3, 6);
        }

        @Test
        void float32Forward() {
            Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
            assertTensor32(x.permute(2, 0, 1), shape(3, 1, 2), 1, 4, 2, 5, 3, 6);
        }
    }

    @Nested
    class Expand {
        @Test
        void rowToMatrixGradIsColumnSums() {
            Tensor x = leaf(new double[] {1, 2, 3}, 3);
            Tensor y = x.expand(2, 3);
            assertTensor(y, shape(2, 3), 1, 2, 3, 1, 2, 3);
            y.backward(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
            // the copies' gradients are summed: [1+4, 2+5, 3+6]
            assertGrad(x, shape(3), 5, 7, 9);
        }

        @Test
        void columnOfOnes() {
            Tensor x = leaf(new double[] {1, 2}, 2, 1);
            Tensor y = x.expand(2, 3);
            assertTensor(y, shape(2, 3), 1, 1, 1, 2, 2, 2);
            y.backward(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
            // row sums [1+2+3, 4+5+6]
            assertGrad(x, shape(2, 1), 6, 15);
        }

        @Test
        void newLeadingDimsAndScalar() {
            Tensor x = leaf(new double[] {1, 2}, 1, 2);
            Tensor y = x.expand(3, 2, 2);
            assertTensor(y, shape(3, 2, 2), 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2);
            y.sum().backward();
            // each element is copied 3 * 2 = 6 times
            assertGrad(x, shape(1, 2), 6, 6);
            assertTensor(Tensor.scalar(5).expand(2, 2), shape(2, 2), 5, 5, 5, 5);
        }

        @Test
        void float32Forward() {
            Tensor x = Tensor.of(new float[] {1, 2}, 2, 1);
            assertTensor32(x.expand(2, 3), shape(2, 3), 1, 1, 1, 2, 2, 2);
        }
    }
}
