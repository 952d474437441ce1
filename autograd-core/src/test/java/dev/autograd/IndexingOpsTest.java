package dev.autograd;

import static dev.autograd.OpTestSupport.assertClose;
import static dev.autograd.OpTestSupport.assertGradClose;
import static dev.autograd.OpTestSupport.backward;
import static dev.autograd.OpTestSupport.backwardOnes;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Hand-computed values and gradients of slice (negative bounds, steps), select, indexSelect (repeats
 * accumulate), the embedding lookup {@code weight.indexSelect(0, ids)}, gather and scatterAdd.
 */
class IndexingOpsTest {

    private static Tensor range(int n, int... shape) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return leaf(v, shape);
    }

    @Test
    void sliceWithStepPutsTheGradientBack() {
        // [0..5][1:5:2] = [1, 3]; upstream [10, 20] -> [0, 10, 0, 20, 0, 0]
        Tensor x = range(6, 6);
        Tensor y = x.slice(0, 1, 5, 2);
        assertClose(y, shape(2), 0, 1, 3);
        backward(y, 10, 20);
        assertGradClose(x, shape(6), 0, 0, 10, 0, 20, 0, 0);
    }

    @Test
    void sliceBoundsAndSteps() {
        Tensor x = range(6, 6).detach();
        // negative start and end count from the end: [-3:-1] = [3, 4]
        assertClose(x.slice(0, -3, -1, 1), shape(2), 0, 3, 4);
        // a step larger than the range: [0:6:4] = [0, 4]
        assertClose(x.slice(0, 0, 6, 4), shape(2), 0, 0, 4);
        // an empty range [2:2] has extent 0
        assertArrayEquals(shape(0), x.slice(0, 2, 2, 1).shape());
        // along axis 1 (= -1) of [[0, 1, 2], [3, 4, 5]]: [:, 1:3] = [[1, 2], [4, 5]]
        Tensor m = range(6, 2, 3);
        Tensor s = m.slice(-1, 1, 3, 1);
        assertClose(s, shape(2, 2), 0, 1, 2, 4, 5);
        backwardOnes(s);
        assertGradClose(m, shape(2, 3), 0, 0, 1, 1, 0, 1, 1);
    }

    @Test
    void selectDropsTheAxis() {
        // [[0, 1, 2], [3, 4, 5]] select(1, -1) = column 2 = [2, 5]; gradient [[0, 0, 1], [0, 0, 1]]
        Tensor x = range(6, 2, 3);
        Tensor y = x.select(1, -1);
        assertClose(y, shape(2), 0, 2, 5);
        backwardOnes(y);
        assertGradClose(x, shape(2, 3), 0, 0, 0, 1, 0, 0, 1);
        // select(0, 1) = row 1
        assertClose(range(6, 2, 3).select(0, 1), shape(3), 0, 3, 4, 5);
    }

    @Test
    void indexSelectWithRepeatsAccumulates() {
        // rows {2, 0, 2} of [[0, 1], [2, 3], [4, 5]] -> [[4, 5], [0, 1], [4, 5]]
        // ones upstream: row 0 used once, row 1 never, row 2 twice -> [[1, 1], [0, 0], [2, 2]]
        Tensor x = range(6, 3, 2);
        Tensor y = x.indexSelect(0, new int[] {2, 0, 2});
        assertClose(y, shape(3, 2), 0, 4, 5, 0, 1, 4, 5);
        backwardOnes(y);
        assertGradClose(x, shape(3, 2), 0, 1, 1, 0, 0, 2, 2);
        // along axis 1: columns {1, 1} of [[0, 1], [2, 3], [4, 5]] -> [[1, 1], [3, 3], [5, 5]]
        assertClose(range(6, 3, 2).indexSelect(1, new int[] {1, 1}), shape(3, 2), 0, 1, 1, 3, 3, 5, 5);
    }

    @Test
    void embeddingLookupThroughIndexSelect() {
        // weight [4, 3] = 0..11, ids {1, 3, 1}: rows [3, 4, 5], [9, 10, 11], [3, 4, 5]
        // loss = sum(out * upstream) with upstream rows [1, 1, 1], [2, 2, 2], [3, 3, 3]
        // -> d weight row 1 = 1 + 3 = 4 each, row 3 = 2 each, rows 0 and 2 = 0
        Tensor weight = range(12, 4, 3);
        Tensor out = weight.indexSelect(0, new int[] {1, 3, 1});
        assertClose(out, shape(3, 3), 0, 3, 4, 5, 9, 10, 11, 3, 4, 5);
        backward(out, 1, 1, 1, 2, 2, 2, 3, 3, 3);
        assertGradClose(weight, shape(4, 3), 0, 0, 0, 0, 4, 4, 4, 0, 0, 0, 2, 2, 2);
    }

    @Test
    void gatherPicksPerPositionAndScattersTheGradient() {
        // x [[1, 2], [3, 4]], gather(1, [[0, 0], [1, 0]]) = [[x00, x00], [x11, x10]] = [[1, 1], [4, 3]]
        // ones upstream: x00 read twice, x01 never, x10 and x11 once -> [[2, 0], [1, 1]]
        Tensor x = leaf(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor index = Tensor.of(new double[] {0, 0, 1, 0}, 2, 2);
        Tensor y = x.gather(1, index);
        assertClose(y, shape(2, 2), 0, 1, 1, 4, 3);
        backwardOnes(y);
        assertGradClose(x, shape(2, 2), 0, 2, 0, 1, 1);
    }

    @Test
    void gatherAlongAxisZeroWithASmallerIndex() {
        // x 3x3 = 0..8, index [[2], [0]] (2x1) along axis 0: out[i][0] = x[index[i][0]][0] = [[6], [0]]
        Tensor x = range(9, 3, 3);
        Tensor y = x.gather(0, Tensor.of(new double[] {2, 0}, 2, 1));
        assertClose(y, shape(2, 1), 0, 6, 0);
        backward(y, 5, 7);
        assertGradClose(x, shape(3, 3), 0, 7, 0, 0, 0, 0, 0, 5, 0, 0);
        // cross-entropy style: pick one column per row with a [N, 1] index
        Tensor logits = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertClose(logits.gather(1, Tensor.of(new double[] {2, 0}, 2, 1)), shape(2, 1), 0, 3, 4);
    }

    @Test
    void scatterAddAccumulatesRepeatedIndices() {
        // x = zeros [2, 3]; along axis 0, index [[0, 1, 0], [1, 1, 0]], src [[1, 2, 3], [4, 5, 6]]:
        // out[index[i][j]][j] += src[i][j]: out[0][0] += 1, out[1][1] += 2, out[0][2] += 3,
        //                                   out[1][0] += 4, out[1][1] += 5, out[0][2] += 6
        // -> [[1, 0, 9], [4, 7, 0]]
        Tensor x = Tensor.zeros(2, 3).requiresGrad(true);
        Tensor index = Tensor.of(new double[] {0, 1, 0, 1, 1, 0}, 2, 3);
        Tensor src = leaf(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor y = x.scatterAdd(0, index, src);
        assertClose(y, shape(2, 3), 0, 1, 0, 9, 4, 7, 0);
        // upstream G = [[1, 2, 3], [4, 5, 6]]: dx = G; dsrc[i][j] = G[index[i][j]][j]
        // = [[G00, G11, G02], [G10, G11, G02]] = [[1, 5, 3], [4, 5, 3]]
        backward(y, 1, 2, 3, 4, 5, 6);
        assertGradClose(x, shape(2, 3), 0, 1, 2, 3, 4, 5, 6);
        assertGradClose(src, shape(2, 3), 0, 1, 5, 3, 4, 5, 3);
    }

    @Test
    void scatterAddAlongTheLastAxisKeepsTheBaseValues() {
        // x = [10, 20, 30], index [2, 2, 0], src [1, 2, 3]: [10 + 3, 20, 30 + 1 + 2] = [13, 20, 33]
        Tensor x = Tensor.of(new double[] {10, 20, 30}, 3);
        Tensor y = x.scatterAdd(-1, Tensor.of(new double[] {2, 2, 0}, 3), Tensor.of(new double[] {1, 2, 3}, 3));
        assertClose(y, shape(3), 0, 13, 20, 33);
    }

    @Test
    void indexingOpsOnFloat32() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor y = x.indexSelect(0, new int[] {1, 1}).slice(1, 0, 2, 1).gather(1, Tensor.of(new float[] {1, 0, 0, 0}, 2, 2));
        // rows {1, 1} -> [[3, 4], [3, 4]] -> gather columns [[1, 0], [0, 0]] -> [[4, 3], [3, 3]]
        assertEquals(DType.FLOAT32, y.dtype());
        assertClose(y, shape(2, 2), 0, 4, 3, 3, 3);
        backwardOnes(y);
        // x10 read 3 times, x11 once
        assertClose(x.grad(), shape(2, 2), 0, 0, 0, 3, 1);
    }
}
