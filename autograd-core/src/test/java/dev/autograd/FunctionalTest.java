package dev.autograd;

import static dev.autograd.TensorAssertions.assertTensor;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;

import org.junit.jupiter.api.Test;

/**
 * {@link Functional}'s transforms against hand-computed values: grad, vjp, jvp (forward mode by the
 * double-vjp method), jacobian, hessian and hvp; that they leave the caller's tensors alone and return
 * plain values; constant functions; and the errors for wrong shapes and non-scalar functions.
 */
@SuppressWarnings("try") // scopes are opened for their effect only
class FunctionalTest {

    /** f(x) = [x0 x1, sin x0, x1^2] for x of shape [2]. */
    private static Tensor vectorFunction(Tensor x) {
        Tensor x0 = x.select(0, 0);
        Tensor x1 = x.select(0, 1);
        return Tensor.stack(java.util.List.of(x0.mul(x1), x0.sin(), x1.mul(x1)), 0);
    }

    private static final double X0 = 0.6;
    private static final double X1 = -1.4;

    /** The Jacobian of {@link #vectorFunction} at (X0, X1), row-major [3, 2]. */
    private static final double[] J = {X1, X0, Math.cos(X0), 0, 0, 2 * X1};

    private static Tensor point() {
        return Tensor.of(new double[] {X0, X1}, 2);
    }

    // ------------------------------------------------------------ grad

    @Test
    void gradOfSumOfCubes() {
        Tensor g = Functional.grad(x -> x.pow(3).sum()).apply(Tensor.of(new double[] {1, 2, 3}, 3));
        assertTensor(g, shape(3), 3, 12, 27);
        assertFalse(g.requiresGrad(), "a plain value");
    }

    @Test
    void gradOfAMatrixFunctionHasTheInputsShape() {
        // f(X) = sum(X * X) / 2 + trace-like term sum(X[:, 0]): grad = X + [1, 0] per row
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor g = Functional.grad(t -> t.mul(t).sum().mul(0.5).add(t.select(1, 0).sum())).apply(x);
        assertTensor(g, shape(3, 2), 2, 2, 4, 4, 6, 6);
    }

    @Test
    void gradIsReusableAndComposes() {
        Function<Tensor, Tensor> df = Functional.grad(t -> t.sin().sum());
        assertTensor(df.apply(Tensor.scalar(0)), shape(), 1);
        assertEquals(Math.cos(2), df.apply(Tensor.scalar(2)).item(), 1e-15);
        // grad of (x -> sum(grad(sin)(x))) would need the inner gradient recorded: hessian does that
        Tensor h = Functional.hessian(t -> t.sin().sum(), Tensor.scalar(2));
        assertEquals(-Math.sin(2), h.item(), 1e-15);
    }

    @Test
    void gradLeavesTheCallersTensorAlone() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor g = Functional.grad(t -> t.mul(t).sum()).apply(x);
        assertTensor(g, shape(2), 2, 4);
        assertNull(x.grad(), "Functional works on a copy: x.grad() untouched");
        assertTrue(x.isLeaf());
    }

    @Test
    void gradInsideNoGradStillWorks() {
        try (var scope = Autograd.noGrad()) {
            Tensor g = Functional.grad(t -> t.exp().sum()).apply(Tensor.of(new double[] {0, 1}, 2));
            assertArrayEquals(new double[] {1, Math.E}, g.toDoubleArray(), 1e-15);
            assertFalse(Autograd.isGradEnabled(), "the transform restored the caller's grad mode");
        }
    }

    @Test
    void gradOfANonScalarFunctionIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.grad(t -> t.mul(2.0)).apply(Tensor.ones(3)));
        assertTrue(e.getMessage().startsWith("Functional.grad:"), e.getMessage());
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("single element"), e.getMessage());
    }

    @Test
    void gradOfASingleElementNonScalarFunction() {
        // shape [1, 1] is a single element: allowed, like PyTorch's backward on one element
        Tensor g = Functional.grad(t -> t.mul(t).sum(0, true)).apply(Tensor.of(new double[] {3}, 1, 1));
        assertTensor(g, shape(1, 1), 6);
    }

    // ------------------------------------------------------------ vjp and jvp

    @Test
    void vjpIsTheTransposedJacobianTimesV() {
        Tensor v = Tensor.of(new double[] {1, -2, 0.5}, 3);
        Tensor r = Functional.vjp(FunctionalTest::vectorFunction, point(), v);
        assertArrayEquals(new double[] {J[0] - 2 * J[2] + 0.5 * J[4], J[1] - 2 * J[3] + 0.5 * J[5]},
                r.toDoubleArray(), 1e-15);
        assertArrayEquals(new int[] {2}, r.shape());
        assertFalse(r.requiresGrad());
    }

    @Test
    void jvpIsTheJacobianTimesU() {
        Tensor u = Tensor.of(new double[] {0.3, 2}, 2);
        Tensor r = Functional.jvp(FunctionalTest::vectorFunction, point(), u);
        assertArrayEquals(new double[] {J[0] * 0.3 + J[1] * 2, J[2] * 0.3 + J[3] * 2, J[4] * 0.3 + J[5] * 2},
                r.toDoubleArray(), 1e-14);
        assertArrayEquals(new int[] {3}, r.shape());
        assertFalse(r.requiresGrad());
    }

    @Test
    void jvpAndVjpOfALinearMap() {
        // f(x) = A x: J = A, so jvp(u) = A u and vjp(v) = A^T v
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Function<Tensor, Tensor> f = x -> a.matmul(x);
        Tensor x = Tensor.of(new double[] {7, 8, 9}, 3);
        assertTensor(Functional.jvp(f, x, Tensor.of(new double[] {1, 0, -1}, 3)), shape(2), -2, -2);
        assertTensor(Functional.vjp(f, x, Tensor.of(new double[] {1, -1}, 2)), shape(3), -3, -3, -3);
    }

    @Test
    void jvpOfTheIdentityIsTheDirection() {
        Tensor u = Tensor.of(new double[] {3, -4}, 2);
        assertTensor(Functional.jvp(t -> t, point(), u), shape(2), 3, -4);
        assertTensor(Functional.vjp(t -> t, point(), u), shape(2), 3, -4);
    }

    @Test
    void jvpOfScalarAndZeroDimensionalFunctions() {
        // f(x) = x^3 on a 0-d tensor: jvp(u) = 3 x^2 u
        Tensor r = Functional.jvp(t -> t.pow(3), Tensor.scalar(2), Tensor.scalar(0.5));
        assertTensor(r, shape(), 6);
        // f: [3] -> [] (a reduction): jvp(u) = <grad, u>
        Tensor s = Functional.jvp(t -> t.mul(t).sum(), Tensor.of(new double[] {1, 2, 3}, 3),
                Tensor.of(new double[] {1, 1, 1}, 3));
        assertTensor(s, shape(), 12);
    }

    @Test
    void jvpOfAFunctionWithAKinkUsesTheBackwardsSubgradient() {
        // relu at 2 and -2: derivative 1 and 0
        Tensor r = Functional.jvp(Tensor::relu, Tensor.of(new double[] {2, -2}, 2), Tensor.of(new double[] {5, 5}, 2));
        assertTensor(r, shape(2), 5, 0);
    }

    @Test
    void constantFunctionsHaveZeroDerivatives() {
        Function<Tensor, Tensor> constant = t -> Tensor.ones(2);
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3);
        assertTensor(Functional.jvp(constant, x, Tensor.ones(3)), shape(2), 0, 0);
        assertTensor(Functional.vjp(constant, x, Tensor.ones(2)), shape(3), 0, 0, 0);
        assertTensor(Functional.jacobian(constant, x), shape(2, 3), 0, 0, 0, 0, 0, 0);
        assertTensor(Functional.grad(t -> Tensor.scalar(5)).apply(x), shape(3), 0, 0, 0);
        assertTensor(Functional.hessian(t -> Tensor.scalar(5), x), shape(3, 3), new double[9]);
        assertTensor(Functional.hvp(t -> Tensor.scalar(5), x, x), shape(3), 0, 0, 0);
        // linear in x: zero Hessian, though the gradient is not zero
        assertTensor(Functional.hessian(t -> t.mul(2.0).sum(), x), shape(3, 3), new double[9]);
        assertTensor(Functional.hvp(t -> t.mul(2.0).sum(), x, x), shape(3), 0, 0, 0);
    }

    @Test
    void jvpWhereTheOutputDoesNotDependOnSomeDirections() {
        // f(x) = x0^2 (x1 unused): J = [2 x0, 0]
        Function<Tensor, Tensor> f = t -> t.select(0, 0).pow(2);
        assertTensor(Functional.jvp(f, point(), Tensor.of(new double[] {0, 1}, 2)), shape(), 0);
        assertTensor(Functional.jvp(f, point(), Tensor.of(new double[] {1, 0}, 2)), shape(), 2 * X0);
    }

    @Test
    void float32Transforms() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        Tensor u = Tensor.of(new float[] {1, 1}, 2);
        Tensor r = Functional.jvp(t -> t.pow(2), x, u);
        assertEquals(DType.FLOAT32, r.dtype());
        assertArrayEquals(new float[] {2, 4}, r.toFloatArray(), 1e-6f);
        Tensor j = Functional.jacobian(t -> t.pow(2), x);
        assertEquals(DType.FLOAT32, j.dtype());
        assertArrayEquals(new float[] {2, 0, 0, 4}, j.toFloatArray(), 1e-6f);
    }

    // ------------------------------------------------------------ jacobian

    @Test
    void jacobianOfAVectorFunction() {
        Tensor j = Functional.jacobian(FunctionalTest::vectorFunction, point());
        assertArrayEquals(new int[] {3, 2}, j.shape());
        assertArrayEquals(J, j.toDoubleArray(), 1e-15);
        assertFalse(j.requiresGrad());
    }

    @Test
    void jacobianShapeIsOutputShapeThenInputShape() {
        // f: [2, 3] -> [3] (column sums of squares): J[j, a, b] = 2 x[a, b] if b == j
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor j = Functional.jacobian(t -> t.mul(t).sum(0, false), x);
        assertArrayEquals(new int[] {3, 2, 3}, j.shape());
        assertEquals(2, j.get(0, 0, 0), 0);
        assertEquals(8, j.get(0, 1, 0), 0);
        assertEquals(0, j.get(0, 1, 1), 0);
        assertEquals(12, j.get(2, 1, 2), 0);
        // scalar -> scalar: a 0-d Jacobian
        assertTensor(Functional.jacobian(t -> t.exp(), Tensor.scalar(0)), shape(), 1);
        // [2] -> []: a gradient-shaped Jacobian
        assertTensor(Functional.jacobian(t -> t.mul(t).sum(), Tensor.of(new double[] {1, 3}, 2)), shape(2), 2, 6);
    }

    @Test
    void jacobianOfSoftmaxIsDiagPMinusPPTransposed() {
        Tensor x = Tensor.of(new double[] {0.1, -0.7, 1.3}, 3);
        Tensor j = Functional.jacobian(t -> t.softmax(0), x);
        double[] p = x.softmax(0).toDoubleArray();
        double[] expected = new double[9];
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                expected[a * 3 + b] = (a == b ? p[a] : 0) - p[a] * p[b];
            }
        }
        assertArrayEquals(expected, j.toDoubleArray(), 1e-15);
    }

    // ------------------------------------------------------------ hessian and hvp

    @Test
    void hessianOfSumOfCubesIsDiagonal() {
        Tensor h = Functional.hessian(t -> t.pow(3).sum(), Tensor.of(new double[] {1, 2, 3}, 3));
        assertTensor(h, shape(3, 3), 6, 0, 0, 0, 12, 0, 0, 0, 18);
        assertFalse(h.requiresGrad());
    }

    @Test
    void hessianOfAQuadraticFormIsASymmetrisedMatrix() {
        // f(x) = x^T A x: H = A + A^T
        Tensor a = Tensor.of(new double[] {1, 2, 0, -1, 3, 4, 5, 0, 2}, 3, 3);
        Tensor x = Tensor.of(new double[] {0.5, -1, 2}, 3);
        Tensor h = Functional.hessian(t -> t.matmul(a.matmul(t)), x);
        assertTensor(h, shape(3, 3), 2, 1, 5, 1, 6, 4, 5, 4, 4);
    }

    @Test
    void hessianOfATwoVariableFunction() {
        // f(x, y) = x^2 y^3 + sin(x y) as a function of t = [x, y]
        double xv = 0.7;
        double yv = -1.2;
        Function<Tensor, Tensor> f = t -> {
            Tensor x = t.select(0, 0);
            Tensor y = t.select(0, 1);
            return x.pow(2).mul(y.pow(3)).add(x.mul(y).sin());
        };
        Tensor h = Functional.hessian(f, Tensor.of(new double[] {xv, yv}, 2));
        double s = Math.sin(xv * yv);
        double c = Math.cos(xv * yv);
        double hxx = 2 * Math.pow(yv, 3) - yv * yv * s;
        double hxy = 6 * xv * yv * yv + c - xv * yv * s;
        double hyy = 6 * xv * xv * yv - xv * xv * s;
        assertArrayEquals(new double[] {hxx, hxy, hxy, hyy}, h.toDoubleArray(), 1e-13);
    }

    @Test
    void hessianOfAMatrixInputHasShapeXThenX() {
        // f(X) = sum(X^2) * sum(X): d2f / dXij dXkl = 2 d_(ij,kl) sum(X) + 2 Xij + 2 Xkl
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor h = Functional.hessian(t -> t.mul(t).sum().mul(t.sum()), x);
        assertArrayEquals(new int[] {2, 2, 2, 2}, h.shape());
        double[] xs = x.toDoubleArray();
        for (int p = 0; p < 4; p++) {
            for (int q = 0; q < 4; q++) {
                double expected = (p == q ? 2 * 10 : 0) + 2 * xs[p] + 2 * xs[q];
                assertEquals(expected, h.get(p / 2, p % 2, q / 2, q % 2), 1e-12, "H at " + p + ", " + q);
            }
        }
    }

    @Test
    void hessianOfLogSumExpIsSoftmaxCovariance() {
        Tensor x = Tensor.of(new double[] {0.2, -1, 0.5}, 3);
        Tensor h = Functional.hessian(Tensor::logSumExp, x);
        assertArrayEquals(Functional.jacobian(t -> t.softmax(0), x).toDoubleArray(), h.toDoubleArray(), 1e-15);
    }

    @Test
    void hvpMatchesTheHessianTimesV() {
        Tensor a = Tensor.of(new double[] {1, 2, 0, -1, 3, 4, 5, 0, 2}, 3, 3);
        Tensor x = Tensor.of(new double[] {0.5, -1, 2}, 3);
        Tensor v = Tensor.of(new double[] {1, 0, -2}, 3);
        Tensor r = Functional.hvp(t -> t.matmul(a.matmul(t)), x, v);
        // (A + A^T) v = [[2, 1, 5], [1, 6, 4], [5, 4, 4]] [1, 0, -2]
        assertTensor(r, shape(3), -8, -7, -3);
        assertFalse(r.requiresGrad());
        // x^3: H = diag(6 x)
        assertTensor(Functional.hvp(t -> t.pow(3).sum(), x, v), shape(3), 3, 0, -24);
    }

    @Test
    void hvpOfAMatrixInput() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor v = Tensor.of(new double[] {1, 0, 0, 1}, 2, 2);
        Tensor r = Functional.hvp(t -> t.mul(t).sum().mul(t.sum()), x, v);
        Tensor h = Functional.hessian(t -> t.mul(t).sum().mul(t.sum()), x).reshape(4, 4);
        assertTensor(r, shape(2, 2), h.matmul(v.reshape(4)).toDoubleArray());
    }

    @Test
    void transformsLeaveTheCallersTensorsAlone() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor v = leaf(new double[] {1, 1}, 2);
        Functional.vjp(t -> t.exp(), x, v);
        Functional.jvp(t -> t.exp(), x, v);
        Functional.jacobian(t -> t.exp(), x);
        Functional.hessian(t -> t.exp().sum(), x);
        Functional.hvp(t -> t.exp().sum(), x, v);
        assertNull(x.grad());
        assertNull(v.grad());
        assertArrayEquals(new double[] {1, 2}, x.toDoubleArray(), 0);
    }

    // ------------------------------------------------------------ errors

    @Test
    void vjpWithAWrongShapedV() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.vjp(FunctionalTest::vectorFunction, point(), Tensor.ones(2)));
        assertTrue(e.getMessage().startsWith("Functional.vjp:"), e.getMessage());
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void jvpWithAWrongShapedDirection() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.jvp(FunctionalTest::vectorFunction, point(), Tensor.ones(3)));
        assertTrue(e.getMessage().startsWith("Functional.jvp:"), e.getMessage());
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void hvpWithAWrongShapedV() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.hvp(t -> t.pow(2).sum(), Tensor.ones(2, 2), Tensor.ones(4)));
        assertTrue(e.getMessage().startsWith("Functional.hvp:"), e.getMessage());
        assertTrue(e.getMessage().contains("[4]") && e.getMessage().contains("[2, 2]"), e.getMessage());
    }

    @Test
    void vectorsOfTheWrongDtype() {
        Tensor x = Tensor.ones(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.jvp(t -> t.exp(), x, Tensor.ones(DType.FLOAT32, 2)));
        assertTrue(e.getMessage().contains("FLOAT32") && e.getMessage().contains("FLOAT64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Functional.vjp(t -> t.exp(), x, Tensor.ones(DType.FLOAT32, 2)));
        assertThrows(IllegalArgumentException.class, () -> Functional.hvp(t -> t.exp().sum(), x, Tensor.ones(DType.FLOAT32, 2)));
    }

    @Test
    void hessianAndHvpOfANonScalarFunction() {
        IllegalArgumentException h = assertThrows(IllegalArgumentException.class,
                () -> Functional.hessian(t -> t.mul(t), Tensor.ones(3)));
        assertTrue(h.getMessage().contains("single element") && h.getMessage().contains("[3]"), h.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Functional.hvp(t -> t.mul(t), Tensor.ones(3), Tensor.ones(3)));
    }
}
