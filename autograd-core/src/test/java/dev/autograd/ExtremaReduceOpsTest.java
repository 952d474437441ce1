package dev.autograd;

import static dev.autograd.OpTestSupport.assertClose;
import static dev.autograd.OpTestSupport.assertFinite;
import static dev.autograd.OpTestSupport.assertGradClose;
import static dev.autograd.OpTestSupport.backwardOnes;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/**
 * Hand-computed values and gradients of max, min (ties share the gradient evenly: g/k each), logSumExp
 * (stable near 1000), var and std (corrections 0 and 1) over the whole tensor, one axis and several axes,
 * and argmax/argmin (first index on ties, the input's dtype, no gradient).
 */
class ExtremaReduceOpsTest {

    private static final double TOL = 1e-12;

    /** [[1, 5, 2], [4, 0, 3]]. */
    private static Tensor m() {
        return leaf(new double[] {1, 5, 2, 4, 0, 3}, 2, 3);
    }

    // ------------------------------------------------------------ max / min

    @Test
    void maxAndMinOfAll() {
        // max = 5 at (0, 1), min = 0 at (1, 1): one-hot gradients
        Tensor x = m();
        Tensor y = x.max();
        assertClose(y, shape(), 0, 5);
        y.backward();
        assertGradClose(x, shape(2, 3), 0, 0, 1, 0, 0, 0, 0);

        Tensor z = m();
        Tensor w = z.min();
        assertClose(w, shape(), 0, 0);
        w.backward();
        assertGradClose(z, shape(2, 3), 0, 0, 0, 0, 0, 1, 0);
    }

    @Test
    void maxAlongAnAxis() {
        // rows: max [5, 4] at columns 1 and 0; upstream [10, 20] -> [[0, 10, 0], [20, 0, 0]]
        Tensor x = m();
        Tensor y = x.max(1, false);
        assertClose(y, shape(2), 0, 5, 4);
        y.backward(Tensor.of(new double[] {10, 20}, 2));
        assertGradClose(x, shape(2, 3), 0, 0, 10, 0, 20, 0, 0);
        // keepDim and a negative axis
        assertClose(m().max(-1, true), shape(2, 1), 0, 5, 4);
        // columns: max [4, 5, 3]
        assertClose(m().max(0, false), shape(3), 0, 4, 5, 3);
    }

    @Test
    void minAlongAnAxis() {
        // columns: min [1, 0, 2] at rows 0, 1, 0 -> gradient [[1, 0, 1], [0, 1, 0]]
        Tensor x = m();
        Tensor y = x.min(0, false);
        assertClose(y, shape(3), 0, 1, 0, 2);
        backwardOnes(y);
        assertGradClose(x, shape(2, 3), 0, 1, 0, 1, 0, 1, 0);
        assertClose(m().min(1, true), shape(2, 1), 0, 1, 0);
    }

    @Test
    void maxAndMinOverSeveralAxes() {
        // x[2, 2, 2] = 0..7 with x[0,1,1] = 9: max over axes {0, 2} for each middle index j:
        // j = 0: {0, 1, 4, 5} -> 5 at (1,0,1); j = 1: {2, 9, 6, 7} -> 9 at (0,1,1)
        Tensor x = leaf(new double[] {0, 1, 2, 9, 4, 5, 6, 7}, 2, 2, 2);
        Tensor y = x.max(new int[] {0, -1}, false);
        assertClose(y, shape(2), 0, 5, 9);
        backwardOnes(y);
        assertGradClose(x, shape(2, 2, 2), 0, 0, 0, 0, 1, 0, 1, 0, 0);
        // keepDim keeps both reduced axes as 1
        assertClose(m().max(new int[] {0, 1}, true), shape(1, 1), 0, 5);
        // min over {0, 2}: j = 0: min {0, 1, 4, 5} = 0; j = 1: min {2, 9, 6, 7} = 2
        assertClose(x.detach().min(new int[] {2, 0}, true), shape(1, 2, 1), 0, 0, 2);
    }

    @Test
    void maxTiesShareTheGradientEvenly() {
        // [3, 1, 3, 3]: three elements tie for the max 3 -> each receives 1/3
        Tensor x = leaf(new double[] {3, 1, 3, 3}, 4);
        Tensor y = x.max();
        assertClose(y, shape(), 0, 3);
        y.backward();
        assertGradClose(x, shape(4), TOL, 1.0 / 3, 0, 1.0 / 3, 1.0 / 3);
    }

    @Test
    void minTiesAlongAnAxisShareTheGradientEvenly() {
        // [[2, 2], [1, 5]] min along axis 1 = [2, 1]; row 0 ties -> [1/2, 1/2]; upstream [4, 6]
        // -> [[2, 2], [6, 0]]
        Tensor x = leaf(new double[] {2, 2, 1, 5}, 2, 2);
        Tensor y = x.min(1, false);
        assertClose(y, shape(2), 0, 2, 1);
        y.backward(Tensor.of(new double[] {4, 6}, 2));
        assertGradClose(x, shape(2, 2), 0, 2, 2, 6, 0);
    }

    @Test
    void maxOfFloat32() {
        Tensor x = Tensor.of(new float[] {1, 7, 7}, 3).requiresGrad(true);
        Tensor y = x.max();
        assertEquals(DType.FLOAT32, y.dtype());
        y.backward();
        assertClose(x.grad(), shape(3), 1e-7, 0, 0.5, 0.5);
    }

    // ------------------------------------------------------------ logSumExp

    @Test
    void logSumExpOfAll() {
        // log(e^0 + e^(ln 3)) = log 4; gradient = softmax = [1/4, 3/4]
        Tensor x = leaf(new double[] {0, Math.log(3)}, 2);
        Tensor y = x.logSumExp();
        assertClose(y, shape(), TOL, Math.log(4));
        y.backward();
        assertGradClose(x, shape(2), TOL, 0.25, 0.75);
    }

    @Test
    void logSumExpIsStableNear1000() {
        // [[0, 0], [1000, 1000 + ln 3]] along axis 1: [ln 2, 1000 + ln 4]; e^1000 would overflow
        // gradient: softmax of each row: [[1/2, 1/2], [1/4, 3/4]]
        Tensor x = leaf(new double[] {0, 0, 1000, 1000 + Math.log(3)}, 2, 2);
        Tensor y = x.logSumExp(1, false);
        assertFinite(y);
        assertClose(y, shape(2), 1e-9, Math.log(2), 1000 + Math.log(4));
        backwardOnes(y);
        assertGradClose(x, shape(2, 2), 1e-9, 0.5, 0.5, 0.25, 0.75);
        assertClose(x.detach().logSumExp(-1, true), shape(2, 1), 1e-9, Math.log(2), 1000 + Math.log(4));
    }

    @Test
    void logSumExpOverSeveralAxes() {
        // all four of [[1, 1], [1, 1]]: log(4 e) = 1 + ln 4; gradient 1/4 each
        Tensor x = leaf(new double[] {1, 1, 1, 1}, 2, 2);
        Tensor y = x.logSumExp(new int[] {0, 1}, true);
        assertClose(y, shape(1, 1), TOL, 1 + Math.log(4));
        backwardOnes(y);
        assertGradClose(x, shape(2, 2), TOL, 0.25, 0.25, 0.25, 0.25);
    }

    @Test
    void logSumExpOfAllMinusInfinityIsMinusInfinityNotNaN() {
        // log(0 + 0) = -infinity, and the max-shift must not create -inf - (-inf) = NaN
        Tensor x = Tensor.of(new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, 2);
        assertEquals(Double.NEGATIVE_INFINITY, x.logSumExp().item());
    }

    // ------------------------------------------------------------ var / std

    @Test
    void varOfAllUnbiasedAndPopulation() {
        // [1, 2, 3, 4]: mean 2.5, squared deviations [2.25, 0.25, 0.25, 2.25], sum 5
        // unbiased 5/3, gradient 2 (x - 2.5) / 3 = [-1, -1/3, 1/3, 1]
        Tensor x = leaf(new double[] {1, 2, 3, 4}, 4);
        Tensor y = x.var();
        assertClose(y, shape(), TOL, 5.0 / 3);
        y.backward();
        assertGradClose(x, shape(4), TOL, -1, -1.0 / 3, 1.0 / 3, 1);
        // population 5/4 along axis 0, gradient 2 (x - 2.5) / 4 = [-0.75, -0.25, 0.25, 0.75]
        Tensor z = leaf(new double[] {1, 2, 3, 4}, 4);
        Tensor v = z.var(0, false, 0);
        assertClose(v, shape(), TOL, 1.25);
        v.backward();
        assertGradClose(z, shape(4), TOL, -0.75, -0.25, 0.25, 0.75);
    }

    @Test
    void varAlongAnAxisWithCorrections() {
        // [[1, 3], [2, 6]]: rows, population: row 0 mean 2 -> (1 + 1)/2 = 1; row 1 mean 4 -> (4 + 4)/2 = 4
        // gradient 2 (x - mean) / 2 = x - mean: [[-1, 1], [-2, 2]]
        Tensor x = leaf(new double[] {1, 3, 2, 6}, 2, 2);
        Tensor y = x.var(1, false, 0);
        assertClose(y, shape(2), TOL, 1, 4);
        backwardOnes(y);
        assertGradClose(x, shape(2, 2), TOL, -1, 1, -2, 2);
        // columns, unbiased, keepDim: [1, 2] -> 0.5/1; [3, 6] -> 4.5/1
        assertClose(x.detach().var(0, true, 1), shape(1, 2), TOL, 0.5, 4.5);
        // var(axis, keepDim) defaults to correction 1
        assertClose(x.detach().var(0, false), shape(2), TOL, 0.5, 4.5);
    }

    @Test
    void varOverSeveralAxes() {
        // all of [[1, 3], [2, 6]]: mean 3, deviations^2 [4, 0, 1, 9] = 14; unbiased 14/3
        // gradient 2 (x - 3) / 3 = [-4/3, 0, -2/3, 2]
        Tensor x = leaf(new double[] {1, 3, 2, 6}, 2, 2);
        Tensor y = x.var(new int[] {0, 1}, false, 1);
        assertClose(y, shape(), TOL, 14.0 / 3);
        y.backward();
        assertGradClose(x, shape(2, 2), TOL, -4.0 / 3, 0, -2.0 / 3, 2);
    }

    @Test
    void stdIsTheSquareRootOfVar() {
        // [1, 2, 3, 4]: std = sqrt(5/3); d std = d var / (2 std) = [-1, -1/3, 1/3, 1] / (2 sqrt(5/3))
        double s = Math.sqrt(5.0 / 3);
        Tensor x = leaf(new double[] {1, 2, 3, 4}, 4);
        Tensor y = x.std();
        assertClose(y, shape(), TOL, s);
        y.backward();
        assertGradClose(x, shape(4), TOL, -1 / (2 * s), -1 / (6 * s), 1 / (6 * s), 1 / (2 * s));
        // [[1, 3], [2, 6]]: rows population std = [1, 2]; unbiased column std = [sqrt 0.5, sqrt 4.5]
        Tensor m = Tensor.of(new double[] {1, 3, 2, 6}, 2, 2);
        assertClose(m.std(1, false, 0), shape(2), TOL, 1, 2);
        assertClose(m.std(0, true), shape(1, 2), TOL, Math.sqrt(0.5), Math.sqrt(4.5));
        assertClose(m.std(new int[] {0, 1}, false, 0), shape(), TOL, Math.sqrt(14.0 / 4));
    }

    // ------------------------------------------------------------ argmax / argmin

    @Test
    void argmaxAndArgminTakeTheFirstOnTies() {
        // [[1, 5, 5], [7, 0, 7]]: rows argmax [1, 0] (first of the tied 5s, first of the tied 7s), argmin [0, 1]
        Tensor x = leaf(new double[] {1, 5, 5, 7, 0, 7}, 2, 3);
        assertClose(x.argmax(1, false), shape(2), 0, 1, 0);
        assertClose(x.argmin(1, false), shape(2), 0, 0, 1);
        assertClose(x.argmax(-1, true), shape(2, 1), 0, 1, 0);
        // columns: argmax [1, 0, 1], argmin [0, 1, 0]
        assertClose(x.argmax(0, false), shape(3), 0, 1, 0, 1);
        assertClose(x.argmin(0, false), shape(3), 0, 0, 1, 0);
        // whole tensor: flat row-major index of the first 7 is 3, of the 0 is 4
        assertClose(x.argmax(), shape(), 0, 3);
        assertClose(x.argmin(), shape(), 0, 4);
    }

    @Test
    void argmaxOverSeveralAxesCountsRowMajorOverThoseAxes() {
        // x[i, j, k] = 4i + 2j + k: for each j the max over (i, k) is at i = 1, k = 1 -> index 1 * 2 + 1 = 3
        Tensor x = Tensor.arange(8).reshape(2, 2, 2);
        assertClose(x.argmax(new int[] {0, 2}, false), shape(2), 0, 3, 3);
        assertClose(x.argmin(new int[] {0, 2}, true), shape(1, 2, 1), 0, 0, 0);
    }

    @Test
    void argIndicesHaveTheInputDtypeAndNoGradient() {
        Tensor x = Tensor.of(new float[] {3, 9, 1}, 3).requiresGrad(true);
        Tensor i = x.argmax();
        assertEquals(DType.FLOAT32, i.dtype());
        assertEquals(1, i.item());
        assertFalse(i.requiresGrad(), "argmax carries no gradient");
        assertFalse(x.argmin(0, false).requiresGrad(), "argmin carries no gradient");
        assertEquals(2, x.argmin(0, false).item());
    }
}
