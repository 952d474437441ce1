package dev.autograd;

import static dev.autograd.OpTestSupport.assertClose;
import static dev.autograd.OpTestSupport.assertGradClose;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;

/**
 * gt, lt, ge, le, eq: 0/1 masks of the operands' dtype, broadcast, with double overloads; a mask never
 * requires grad and has no gradFn even when its inputs require grad, and using a mask in a product passes
 * the gradient through the other factor only.
 */
class ComparisonOpsTest {

    private static final double[] A = {1, 2, 3};
    private static final double[] B = {2, 2, 2};

    @Test
    void tensorComparisons() {
        // [1, 2, 3] vs [2, 2, 2]
        Tensor a = leaf(A, 3);
        Tensor b = leaf(B, 3);
        assertClose(a.gt(b), shape(3), 0, 0, 0, 1);
        assertClose(a.lt(b), shape(3), 0, 1, 0, 0);
        assertClose(a.ge(b), shape(3), 0, 0, 1, 1);
        assertClose(a.le(b), shape(3), 0, 1, 1, 0);
        assertClose(a.eq(b), shape(3), 0, 0, 1, 0);
    }

    @Test
    void doubleComparisons() {
        Tensor a = leaf(A, 3);
        assertClose(a.gt(2), shape(3), 0, 0, 0, 1);
        assertClose(a.lt(2), shape(3), 0, 1, 0, 0);
        assertClose(a.ge(2), shape(3), 0, 0, 1, 1);
        assertClose(a.le(2), shape(3), 0, 1, 1, 0);
        assertClose(a.eq(2), shape(3), 0, 0, 1, 0);
    }

    @Test
    void comparisonsBroadcast() {
        // [[1], [3]] (2x1) > [0, 2, 4] (3) -> [[1, 0, 0], [1, 1, 0]]
        Tensor a = Tensor.of(new double[] {1, 3}, 2, 1);
        Tensor b = Tensor.of(new double[] {0, 2, 4}, 3);
        assertClose(a.gt(b), shape(2, 3), 0, 1, 0, 0, 1, 1, 0);
        assertClose(a.eq(b.sub(1)), shape(2, 3), 0, 0, 1, 0, 0, 0, 1);
    }

    @Test
    void masksCarryNoGradient() {
        Tensor a = leaf(A, 3);
        Tensor b = leaf(B, 3);
        List<BiFunction<Tensor, Tensor, Tensor>> ops = List.of(Tensor::gt, Tensor::lt, Tensor::ge, Tensor::le,
                Tensor::eq);
        for (BiFunction<Tensor, Tensor, Tensor> op : ops) {
            Tensor mask = op.apply(a, b);
            assertFalse(mask.requiresGrad(), "a comparison mask must not require grad");
            assertNull(mask.gradFn(), "a comparison mask must not be recorded");
        }
        assertFalse(a.gt(0).requiresGrad());
        assertFalse(a.eq(2).requiresGrad());
    }

    @Test
    void maskInAProductPassesTheGradientThroughTheOtherFactor() {
        // y = x * (x > 0): [-1, 2, 3] -> [0, 2, 3]; dy/dx = the mask = [0, 1, 1] (the mask itself is a constant)
        Tensor x = leaf(new double[] {-1, 2, 3}, 3);
        Tensor y = x.mul(x.gt(0));
        assertClose(y, shape(3), 0, 0, 2, 3);
        y.sum().backward();
        assertGradClose(x, shape(3), 0, 0, 1, 1);
    }

    @Test
    void masksKeepTheDtype() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor mask = a.ge(2);
        assertEquals(DType.FLOAT32, mask.dtype());
        assertClose(mask, shape(3), 0, 0, 1, 1);
        assertEquals(DType.FLOAT64, leaf(A, 3).lt(Tensor.scalar(2)).dtype());
    }

    @Test
    void nanComparesFalse() {
        // IEEE: every ordered comparison with NaN is false, and NaN == NaN is false
        Tensor a = Tensor.of(new double[] {Double.NaN}, 1);
        assertClose(a.gt(0), shape(1), 0, 0);
        assertClose(a.lt(0), shape(1), 0, 0);
        assertClose(a.ge(0), shape(1), 0, 0);
        assertClose(a.le(0), shape(1), 0, 0);
        assertClose(a.eq(a), shape(1), 0, 0);
    }
}
