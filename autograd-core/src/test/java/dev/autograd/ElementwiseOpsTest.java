package dev.autograd;

import static dev.autograd.TensorAssertions.assertGrad;
import static dev.autograd.TensorAssertions.assertTensor;
import static dev.autograd.TensorAssertions.assertTensor32;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Hand-computed forward values and gradients of the element-wise ops, in FLOAT64 and FLOAT32. */
class ElementwiseOpsTest {

    @Nested
    class Add {
        @Test
        void forwardAndGradSameShape() {
            Tensor a = leaf(new double[] {1, 2, 3}, 3);
            Tensor b = leaf(new double[] {10, 20, 30}, 3);
            Tensor y = a.add(b);
            assertTensor(y, shape(3), 11, 22, 33);
            y.sum().backward();
            // d(sum(a+b))/da = d/db = 1
            assertGrad(a, shape(3), 1, 1, 1);
            assertGrad(b, shape(3), 1, 1, 1);
        }

        @Test
        void broadcastGradIsSummedBack() {
            Tensor a = leaf(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor b = leaf(new double[] {10, 20, 30}, 3);
            Tensor y = a.add(b);
            assertTensor(y, shape(2, 3), 11, 22, 33, 14, 25, 36);
            // upstream g = [[1,2,3],[4,5,6]]: grad a = g, grad b = column sums of g = [5, 7, 9]
            y.backward(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
            assertGrad(a, shape(2, 3), 1, 2, 3, 4, 5, 6);
            assertGrad(b, shape(3), 5, 7, 9);
        }

        @Test
        void bothSidesBroadcast() {
            Tensor a = leaf(new double[] {1, 2}, 2, 1);
            Tensor b = leaf(new double[] {10, 20, 30}, 1, 3);
            Tensor y = a.add(b);
            // [[1],[2]] + [[10,20,30]] = [[11,21,31],[12,22,32]]
            assertTensor(y, shape(2, 3), 11, 21, 31, 12, 22, 32);
            y.sum().backward();
            // each a[i] is used 3 times, each b[j] twice
            assertGrad(a, shape(2, 1), 3, 3);
            assertGrad(b, shape(1, 3), 2, 2, 2);
        }

        @Test
        void scalarOverload() {
            Tensor a = leaf(new double[] {1, 2}, 2);
            Tensor y = a.add(1.5);
            assertTensor(y, shape(2), 2.5, 3.5);
            y.sum().backward();
            assertGrad(a, shape(2), 1, 1);
        }

        @Test
        void float32Forward() {
            Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor b = Tensor.of(new float[] {0.5f, 0.25f, 0.125f}, 3);
            assertTensor32(a.add(b), shape(2, 3), 1.5, 2.25, 3.125, 4.5, 5.25, 6.125);
            assertTensor32(a.add(1.0), shape(2, 3), 2, 3, 4, 5, 6, 7);
        }
    }

    @Nested
    class Sub {
        @Test
        void forwardAndGradWithBroadcast() {
            Tensor a = leaf(new double[] {5, 6, 7, 8}, 2, 2);
            Tensor b = leaf(new double[] {1, 2}, 2);
            Tensor y = a.sub(b);
            // [[5-1, 6-2], [7-1, 8-2]]
            assertTensor(y, shape(2, 2), 4, 4, 6, 6);
            // upstream g = [[1,2],[3,4]]: grad a = g, grad b = -(column sums) = [-4, -6]
            y.backward(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
            assertGrad(a, shape(2, 2), 1, 2, 3, 4);
            assertGrad(b, shape(2), -4, -6);
        }

        @Test
        void scalarOverload() {
            Tensor a = leaf(new double[] {1, 2}, 2);
            Tensor y = a.sub(0.5);
            assertTensor(y, shape(2), 0.5, 1.5);
            y.sum().backward();
            assertGrad(a, shape(2), 1, 1);
        }

        @Test
        void float32Forward() {
            Tensor a = Tensor.of(new float[] {5, 6, 7, 8}, 2, 2);
            Tensor b = Tensor.of(new float[] {1, 2}, 2);
            assertTensor32(a.sub(b), shape(2, 2), 4, 4, 6, 6);
            assertTensor32(a.sub(0.5), shape(2, 2), 4.5, 5.5, 6.5, 7.5);
        }
    }

    @Nested
    class Mul {
        @Test
        void forwardAndGradSameShape() {
            Tensor a = leaf(new double[] {1, 2, 3}, 3);
            Tensor b = leaf(new double[] {4, 5, 6}, 3);
            Tensor y = a.mul(b);
            assertTensor(y, shape(3), 4, 10, 18);
            y.sum().backward();
            // d(sum(a*b))/da = b, /db = a
            assertGrad(a, shape(3), 4, 5, 6);
            assertGrad(b, shape(3), 1, 2, 3);
        }

        @Test
        void broadcastColumnTimesRow() {
            Tensor a = leaf(new double[] {2, 3}, 2, 1);
            Tensor b = leaf(new double[] {1, 2, 3}, 3);
            Tensor y = a.mul(b);
            // outer product [[2,4,6],[3,6,9]]
            assertTensor(y, shape(2, 3), 2, 4, 6, 3, 6, 9);
            y.sum().backward();
            // grad a[i] = sum_j b[j] = 6; grad b[j] = sum_i a[i] = 5
            assertGrad(a, shape(2, 1), 6, 6);
            assertGrad(b, shape(3), 5, 5, 5);
        }

        @Test
        void scalarOverload() {
            Tensor a = leaf(new double[] {1, -2}, 2);
            Tensor y = a.mul(3.0);
            assertTensor(y, shape(2), 3, -6);
            y.sum().backward();
            assertGrad(a, shape(2), 3, 3);
        }

        @Test
        void float32Forward() {
            Tensor a = Tensor.of(new float[] {2, 3}, 2, 1);
            Tensor b = Tensor.of(new float[] {1, 2, 3}, 3);
            assertTensor32(a.mul(b), shape(2, 3), 2, 4, 6, 3, 6, 9);
            assertTensor32(b.mul(0.5), shape(3), 0.5, 1, 1.5);
        }
    }

    @Nested
    class Div {
        @Test
        void forwardAndGrad() {
            Tensor a = leaf(new double[] {1, 2}, 2);
            Tensor b = leaf(new double[] {4, 8}, 2);
            Tensor y = a.div(b);
            assertTensor(y, shape(2), 0.25, 0.25);
            y.sum().backward();
            // d(a/b)/da = 1/b = [1/4, 1/8]; d(a/b)/db = -a/b^2 = [-1/16, -2/64]
            assertGrad(a, shape(2), 0.25, 0.125);
            assertGrad(b, shape(2), -0.0625, -0.03125);
        }

        @Test
        void broadcastDenominator() {
            Tensor a = leaf(new double[] {1, 2, 3, 4}, 2, 2);
            Tensor b = leaf(new double[] {2}, 1);
            Tensor y = a.div(b);
            assertTensor(y, shape(2, 2), 0.5, 1, 1.5, 2);
            y.sum().backward();
            // grad a = 1/2; grad b = -sum(a)/b^2 = -10/4
            assertGrad(a, shape(2, 2), 0.5, 0.5, 0.5, 0.5);
            assertGrad(b, shape(1), -2.5);
        }

        @Test
        void scalarOverload() {
            Tensor a = leaf(new double[] {1, 2}, 2);
            Tensor y = a.div(4.0);
            assertTensor(y, shape(2), 0.25, 0.5);
            y.sum().backward();
            assertGrad(a, shape(2), 0.25, 0.25);
        }

        @Test
        void float32Forward() {
            Tensor a = Tensor.of(new float[] {1, 2}, 2);
            Tensor b = Tensor.of(new float[] {4, 8}, 2);
            assertTensor32(a.div(b), shape(2), 0.25, 0.25);
            assertTensor32(a.div(2.0), shape(2), 0.5, 1);
        }
    }

    @Nested
    class Neg {
        @Test
        void forwardAndGrad() {
            Tensor x = leaf(new double[] {1, -2}, 2);
            Tensor y = x.neg();
            assertTensor(y, shape(2), -1, 2);
            y.sum().backward();
            assertGrad(x, shape(2), -1, -1);
        }

        @Test
        void float32Forward() {
            assertTensor32(Tensor.of(new float[] {1, -2}, 2).neg(), shape(2), -1, 2);
        }
    }

    @Nested
    class Pow {
        @Test
        void integerExponent() {
            Tensor x = leaf(new double[] {2, -1}, 2);
            Tensor y = x.pow(3);
            // x^3 = [8, -1]; d/dx = 3x^2 = [12, 3]
            assertTensor(y, shape(2), 8, -1);
            y.sum().backward();
            assertGrad(x, shape(2), 12, 3);
        }

        @Test
        void fractionalExponent() {
            Tensor x = leaf(new double[] {4, 9}, 2);
            Tensor y = x.pow(0.5);
            // sqrt = [2, 3]; d/dx = 0.5 x^-0.5 = [1/4, 1/6]
            assertTensor(y, shape(2), 2, 3);
            y.sum().backward();
            assertGrad(x, shape(2), 0.25, 1.0 / 6);
        }

        @Test
        void negativeExponent() {
            Tensor x = leaf(new double[] {2}, 1);
            Tensor y = x.pow(-1);
            // 1/x = 0.5; d/dx = -1/x^2 = -0.25
            assertTensor(y, shape(1), 0.5);
            y.sum().backward();
            assertGrad(x, shape(1), -0.25);
        }

        @Test
        void float32Forward() {
            assertTensor32(Tensor.of(new float[] {2, -1, 4}, 3).pow(2), shape(3), 4, 1, 16);
            assertTensor32(Tensor.of(new float[] {4, 9}, 2).pow(0.5), shape(2), 2, 3);
        }
    }

    @Nested
    class Exp {
        @Test
        void forwardAndGrad() {
            Tensor x = leaf(new double[] {0, Math.log(2)}, 2);
            Tensor y = x.exp();
            // exp = [1, 2]; d/dx exp = exp
            assertTensor(y, shape(2), 1, 2);
            y.sum().backward();
            assertGrad(x, shape(2), 1, 2);
        }

        @Test
        void float32Forward() {
            assertTensor32(Tensor.of(new float[] {0, 1}, 2).exp(), shape(2), 1, Math.E);
        }
    }

    @Nested
    class Log {
        @Test
        void forwardAndGrad() {
            Tensor x = leaf(new double[] {1, Math.E, 4}, 3);
            Tensor y = x.log();
            // log = [0, 1, ln 4]; d/dx = 1/x = [1, 1/e, 1/4]
            assertTensor(y, shape(3), 0, 1, Math.log(4));
            y.sum().backward();
            assertGrad(x, shape(3), 1, 1 / Math.E, 0.25);
        }

        @Test
        void float32Forward() {
            assertTensor32(Tensor.of(new float[] {1, 4}, 2).log(), shape(2), 0, Math.log(4));
        }
    }

    @Nested
    class Sqrt {
        @Test
        void forwardAndGrad() {
            Tensor x = leaf(new double[] {4, 9}, 2);
            Tensor y = x.sqrt();
            // sqrt = [2, 3]; d/dx = 1/(2 sqrt x) = [1/4, 1/6]
            assertTensor(y, shape(2), 2, 3);
            y.sum().backward();
            assertGrad(x, shape(2), 0.25, 1.0 / 6);
        }

        @Test
        void float32Forward() {
            assertTensor32(Tensor.of(new float[] {4, 2}, 2).sqrt(), shape(2), 2, Math.sqrt(2));
        }
    }

    @Nested
    class Abs {
        @Test
        void forwardAndGradWithZeroConvention() {
            Tensor x = leaf(new double[] {-2, 0, 3}, 3);
            Tensor y = x.abs();
            assertTensor(y, shape(3), 2, 0, 3);
            y.sum().backward();
            // sign(x), with abs'(0) = 0 by convention
            assertGrad(x, shape(3), -1, 0, 1);
        }

        @Test
        void float32Forward() {
            assertTensor32(Tensor.of(new float[] {-2, 0, 3}, 3).abs(), shape(3), 2, 0, 3);
        }
    }

    @Nested
    class Tanh {
        @Test
        void forwardAndGrad() {
            Tensor x = leaf(new double[] {0, 0.5}, 2);
            Tensor y = x.tanh();
            // tanh(0) = 0, tanh(0.5) ~ 0.462117; d/dx = 1 - tanh^2 = [1, ~0.786448]
            double t = Math.tanh(0.5);
            assertTensor(y, shape(2), 0, t);
            y.sum().backward();
            assertGrad(x, shape(2), 1, 1 - t * t);
        }

        @Test
        void float32Forward() {
            assertTensor32(Tensor.of(new float[] {0, 0.5f}, 2).tanh(), shape(2), 0, Math.tanh(0.5));
        }
    }

    @Nested
    class Sigmoid {
        @Test
        void forwardAndGrad() {
            Tensor x = leaf(new double[] {0, 2}, 2);
            Tensor y = x.sigmoid();
            // s(0) = 0.5, s(2) = 1/(1+e^-2) ~ 0.880797; d/dx = s(1-s) = [0.25, ~0.104994]
            double s = 1 / (1 + Math.exp(-2));
            assertTensor(y, shape(2), 0.5, s);
            y.sum().backward();
            assertGrad(x, shape(2), 0.25, s * (1 - s));
        }

        @Test
        void largeInputsDoNotOverflow() {
            // a naive 1/(1+exp(-x)) is fine, but exp(x)/(1+exp(x)) gives NaN at x = 1000
            Tensor y = Tensor.of(new double[] {-1000, 1000}, 2).sigmoid();
            assertTensor(y, shape(2), 0, 1);
        }

        @Test
        void float32Forward() {
            assertTensor32(Tensor.of(new float[] {0, 2}, 2).sigmoid(), shape(2), 0.5, 1 / (1 + Math.exp(-2)));
        }
    }

    @Nested
    class Relu {
        @Test
        void forwardAndGradWithZeroConvention() {
            Tensor x = leaf(new double[] {-1, 0, 2}, 3);
            Tensor y = x.relu();
            assertTensor(y, shape(3), 0, 0, 2);
            y.sum().backward();
            // relu'(x) = x > 0, with relu'(0) = 0 by convention
            assertGrad(x, shape(3), 0, 0, 1);
        }

        @Test
        void float32Forward() {
            assertTensor32(Tensor.of(new float[] {-1, 0, 2}, 3).relu(), shape(3), 0, 0, 2);
        }
    }

    @Nested
    class Comparisons {
        private final Tensor x = leaf(new double[] {1, 2, 3}, 3);
        private final Tensor two = Tensor.of(new double[] {2, 2, 2}, 3);

        @Test
        void tensorOperands() {
            assertTensor(x.gt(two), shape(3), 0, 0, 1);
            assertTensor(x.lt(two), shape(3), 1, 0, 0);
            assertTensor(x.ge(two), shape(3), 0, 1, 1);
            assertTensor(x.le(two), shape(3), 1, 1, 0);
            assertTensor(x.eq(two), shape(3), 0, 1, 0);
        }

        @Test
        void scalarOperandsAndBroadcast() {
            assertTensor(x.gt(2.0), shape(3), 0, 0, 1);
            assertTensor(x.lt(2.0), shape(3), 1, 0, 0);
            assertTensor(x.ge(2.0), shape(3), 0, 1, 1);
            assertTensor(x.le(2.0), shape(3), 1, 1, 0);
            assertTensor(x.eq(2.0), shape(3), 0, 1, 0);
            Tensor col = Tensor.of(new double[] {1.5, 2.5}, 2, 1);
            // [[1>1.5, 2>1.5, 3>1.5], [1>2.5, 2>2.5, 3>2.5]]
            assertTensor(x.gt(col), shape(2, 3), 0, 1, 1, 0, 0, 1);
        }

        @Test
        void maskDoesNotRequireGradAndKeepsDtype() {
            Tensor mask = x.gt(1.5);
            assertFalse(mask.requiresGrad());
            assertNull(mask.gradFn());
            assertEquals(DType.FLOAT64, mask.dtype());
            Tensor mask32 = Tensor.of(new float[] {1, 2, 3}, 3).le(2.0);
            assertTensor32(mask32, shape(3), 1, 1, 0);
        }
    }
}
