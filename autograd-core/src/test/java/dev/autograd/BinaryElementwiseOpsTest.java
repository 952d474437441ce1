package dev.autograd;

import static dev.autograd.OpTestSupport.assertClose;
import static dev.autograd.OpTestSupport.assertGradClose;
import static dev.autograd.OpTestSupport.backwardOnes;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * Hand-computed forward values and gradients of maximum, minimum (tensor and double operands, ties give
 * g/2 to each side), pow with a tensor exponent (exponent gradient 0 where the base is 0) and
 * {@code Tensor.where} (the mask gets no gradient), with broadcasting.
 */
class BinaryElementwiseOpsTest {

    private static final double TOL = 1e-12;

    @Test
    void maximumPicksTheLargerAndSplitsTies() {
        // max([1, 5, 3], [4, 2, 3]) = [4, 5, 3]; da = [0, 1, 1/2], db = [1, 0, 1/2] (tie at index 2)
        Tensor a = leaf(new double[] {1, 5, 3}, 3);
        Tensor b = leaf(new double[] {4, 2, 3}, 3);
        Tensor y = a.maximum(b);
        assertClose(y, shape(3), 0, 4, 5, 3);
        backwardOnes(y);
        assertGradClose(a, shape(3), 0, 0, 1, 0.5);
        assertGradClose(b, shape(3), 0, 1, 0, 0.5);
    }

    @Test
    void minimumPicksTheSmallerAndSplitsTies() {
        // min([1, 5, 3], [4, 2, 3]) = [1, 2, 3]; da = [1, 0, 1/2], db = [0, 1, 1/2]
        Tensor a = leaf(new double[] {1, 5, 3}, 3);
        Tensor b = leaf(new double[] {4, 2, 3}, 3);
        Tensor y = a.minimum(b);
        assertClose(y, shape(3), 0, 1, 2, 3);
        backwardOnes(y);
        assertGradClose(a, shape(3), 0, 1, 0, 0.5);
        assertGradClose(b, shape(3), 0, 0, 1, 0.5);
    }

    @Test
    void maximumBroadcastSumsTheGradientOfTheSmallOperand() {
        // a = [[1, 4], [3, 0]], b = [3, 2] broadcast over rows:
        // max = [[3 (b), 4 (a)], [3 (tie), 2 (b)]]
        // da = [[0, 1], [1/2, 0]]; db = column sums of its shares = [1 + 1/2, 0 + 1] = [1.5, 1]
        Tensor a = leaf(new double[] {1, 4, 3, 0}, 2, 2);
        Tensor b = leaf(new double[] {3, 2}, 2);
        Tensor y = a.maximum(b);
        assertClose(y, shape(2, 2), 0, 3, 4, 3, 2);
        backwardOnes(y);
        assertGradClose(a, shape(2, 2), 0, 0, 1, 0.5, 0);
        assertGradClose(b, shape(2), 0, 1.5, 1);
    }

    @Test
    void maximumAndMinimumWithADouble() {
        // max([-1, 0, 2], 0) = [0, 0, 2], d = [0, 1/2 (tie), 1]; min([-1, 0, 2], 0) = [-1, 0, 0], d = [1, 1/2, 0]
        Tensor x = leaf(new double[] {-1, 0, 2}, 3);
        Tensor y = x.maximum(0);
        assertClose(y, shape(3), 0, 0, 0, 2);
        backwardOnes(y);
        assertGradClose(x, shape(3), 0, 0, 0.5, 1);

        Tensor z = leaf(new double[] {-1, 0, 2}, 3);
        Tensor w = z.minimum(0);
        assertClose(w, shape(3), 0, -1, 0, 0);
        backwardOnes(w);
        assertGradClose(z, shape(3), 0, 1, 0.5, 0);
    }

    @Test
    void powTensorForwardAndBothGradients() {
        // a = [2, 3, 0], b = [3, 0.5, 2]: a^b = [8, sqrt 3, 0]
        // da = b a^(b-1) = [3 * 4, 0.5 / sqrt 3, 2 * 0] = [12, 0.2886751345948129, 0]
        // db = a^b ln a = [8 ln 2, sqrt 3 ln 3, 0 (base 0: taken as 0, not NaN)]
        Tensor a = leaf(new double[] {2, 3, 0}, 3);
        Tensor b = leaf(new double[] {3, 0.5, 2}, 3);
        Tensor y = a.pow(b);
        assertClose(y, shape(3), TOL, 8, Math.sqrt(3), 0);
        backwardOnes(y);
        assertGradClose(a, shape(3), TOL, 12, 0.5 / Math.sqrt(3), 0);
        assertGradClose(b, shape(3), TOL, 8 * Math.log(2), Math.sqrt(3) * Math.log(3), 0);
    }

    @Test
    void powTensorWithBroadcastExponent() {
        // a = [2, 4], b = 0.5 (0-d): a^b = [sqrt 2, 2]
        // da = 0.5 a^-0.5 = [0.5 / sqrt 2, 0.25]; db = sum(a^b ln a) = sqrt 2 ln 2 + 2 ln 4
        Tensor a = leaf(new double[] {2, 4}, 2);
        Tensor b = Tensor.scalar(0.5).requiresGrad(true);
        Tensor y = a.pow(b);
        assertClose(y, shape(2), TOL, Math.sqrt(2), 2);
        backwardOnes(y);
        assertGradClose(a, shape(2), TOL, 0.5 / Math.sqrt(2), 0.25);
        assertGradClose(b, shape(), TOL, Math.sqrt(2) * Math.log(2) + 2 * Math.log(4));
    }

    @Test
    void whereChoosesAndRoutesTheGradient() {
        // mask [1, 0, 1]: y = [a0, b1, a2] = [1, 20, 3]; da = [1, 0, 1], db = [0, 1, 0]
        Tensor mask = Tensor.of(new double[] {1, 0, 1}, 3);
        Tensor a = leaf(new double[] {1, 2, 3}, 3);
        Tensor b = leaf(new double[] {10, 20, 30}, 3);
        Tensor y = Tensor.where(mask, a, b);
        assertClose(y, shape(3), 0, 1, 20, 3);
        backwardOnes(y);
        assertGradClose(a, shape(3), 0, 1, 0, 1);
        assertGradClose(b, shape(3), 0, 0, 1, 0);
    }

    @Test
    void whereBroadcastsAllThree() {
        // mask [[1], [0]] (2x1), a = [1, 2, 3] (3), b = 7 (0-d) -> [[1, 2, 3], [7, 7, 7]]
        // da = row 0 of ones = [1, 1, 1]; db = sum of row 1 = 3
        Tensor mask = Tensor.of(new double[] {1, 0}, 2, 1);
        Tensor a = leaf(new double[] {1, 2, 3}, 3);
        Tensor b = Tensor.scalar(7).requiresGrad(true);
        Tensor y = Tensor.where(mask, a, b);
        assertClose(y, shape(2, 3), 0, 1, 2, 3, 7, 7, 7);
        backwardOnes(y);
        assertGradClose(a, shape(3), 0, 1, 1, 1);
        assertGradClose(b, shape(), 0, 3);
    }

    @Test
    void whereTreatsAnyNonZeroAsTrueAndGivesTheMaskNoGradient() {
        // mask [2, -1, 0]: non-zero counts as true -> [a0, a1, b2]
        Tensor mask = leaf(new double[] {2, -1, 0}, 3);
        Tensor a = leaf(new double[] {1, 2, 3}, 3);
        Tensor b = leaf(new double[] {10, 20, 30}, 3);
        Tensor y = Tensor.where(mask, a, b);
        assertClose(y, shape(3), 0, 1, 2, 30);
        y.sum().backward();
        assertGradClose(a, shape(3), 0, 1, 1, 0);
        assertGradClose(b, shape(3), 0, 0, 0, 1);
        assertNull(mask.grad(), "the mask of where gets no gradient");
    }

    @Test
    void powTensorZeroToTheZeroHasZeroBaseGradient() {
        // 0^0 = 1 (Math.pow); d/da a^b at b = 0 is 0 for every a (a^0 is constant); d/db = 0 (base 0)
        Tensor a = leaf(new double[] {0, 2}, 2);
        Tensor b = leaf(new double[] {0, 0}, 2);
        Tensor y = a.pow(b);
        assertClose(y, shape(2), 0, 1, 1);
        backwardOnes(y);
        assertGradClose(a, shape(2), 0, 0, 0);
        assertGradClose(b, shape(2), TOL, 0, Math.log(2));
    }
}
