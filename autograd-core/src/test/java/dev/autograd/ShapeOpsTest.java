package dev.autograd;

import static dev.autograd.OpTestSupport.assertClose;
import static dev.autograd.OpTestSupport.assertGradClose;
import static dev.autograd.OpTestSupport.backward;
import static dev.autograd.OpTestSupport.backwardOnes;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Hand-computed shapes, values and gradients of flatten, squeeze, unsqueeze, expand, concat, stack, split,
 * chunk, pad (PyTorch's F.pad convention: pairs from the last axis) and the dtype conversion {@code to}.
 */
class ShapeOpsTest {

    private static Tensor range(int n, int... shape) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i + 1;
        }
        return leaf(v, shape);
    }

    @Test
    void flattenAllAndARange() {
        // [2, 3] -> [6], same row-major values; upstream [1..6] comes back as [[1, 2, 3], [4, 5, 6]]
        Tensor x = range(6, 2, 3);
        Tensor y = x.flatten();
        assertClose(y, shape(6), 0, 1, 2, 3, 4, 5, 6);
        backward(y, 1, 2, 3, 4, 5, 6);
        assertGradClose(x, shape(2, 3), 0, 1, 2, 3, 4, 5, 6);
        // [2, 3, 4]: axes 1..2 -> [2, 12]; axes 0..-2 -> [6, 4]; one axis -> unchanged
        Tensor z = Tensor.zeros(2, 3, 4);
        assertArrayEquals(shape(2, 12), z.flatten(1, 2).shape());
        assertArrayEquals(shape(6, 4), z.flatten(0, -2).shape());
        assertArrayEquals(shape(2, 3, 4), z.flatten(-1, -1).shape());
        assertArrayEquals(shape(24), z.flatten(0, 2).shape());
    }

    @Test
    void squeezeAndUnsqueeze() {
        // [2, 1, 3].squeeze(1) -> [2, 3]; gradient comes back as [2, 1, 3]
        Tensor x = range(6, 2, 1, 3);
        Tensor y = x.squeeze(1);
        assertClose(y, shape(2, 3), 0, 1, 2, 3, 4, 5, 6);
        backward(y, 6, 5, 4, 3, 2, 1);
        assertGradClose(x, shape(2, 1, 3), 0, 6, 5, 4, 3, 2, 1);
        assertArrayEquals(shape(2, 3), Tensor.zeros(2, 3, 1).squeeze(-1).shape());
        // squeeze() removes every 1: [1, 2, 1, 3, 1] -> [2, 3]; [1, 1] -> [] (0-d)
        assertArrayEquals(shape(2, 3), Tensor.zeros(1, 2, 1, 3, 1).squeeze().shape());
        assertArrayEquals(shape(), Tensor.zeros(1, 1).squeeze().shape());
        // unsqueeze: [2, 3] at 0 -> [1, 2, 3], at 2 -> [2, 3, 1], at -1 -> [2, 3, 1], at -3 -> [1, 2, 3]
        Tensor u = range(6, 2, 3);
        assertArrayEquals(shape(1, 2, 3), u.unsqueeze(0).shape());
        assertArrayEquals(shape(2, 3, 1), u.unsqueeze(2).shape());
        assertArrayEquals(shape(2, 3, 1), u.unsqueeze(-1).shape());
        assertArrayEquals(shape(1, 2, 3), u.unsqueeze(-3).shape());
        assertArrayEquals(shape(2, 1, 3), u.unsqueeze(1).shape());
        Tensor v = u.unsqueeze(1);
        backwardOnes(v);
        assertGradClose(u, shape(2, 3), 0, 1, 1, 1, 1, 1, 1);
        // a 0-d tensor unsqueezes to [1]
        assertArrayEquals(shape(1), Tensor.scalar(3).unsqueeze(0).shape());
    }

    @Test
    void expandRepeatsAndSumsTheGradientBack() {
        // [[a], [b]] = [[1], [2]] expanded to [2, 3]: [[1, 1, 1], [2, 2, 2]]
        // upstream [[1, 2, 3], [4, 5, 6]] -> grad [1 + 2 + 3, 4 + 5 + 6] = [6, 15]
        Tensor x = leaf(new double[] {1, 2}, 2, 1);
        Tensor y = x.expand(2, 3);
        assertClose(y, shape(2, 3), 0, 1, 1, 1, 2, 2, 2);
        backward(y, 1, 2, 3, 4, 5, 6);
        assertGradClose(x, shape(2, 1), 0, 6, 15);
        // a new leading axis: [3] -> [2, 3], gradient of ones = 2 per element
        Tensor z = leaf(new double[] {1, 2, 3}, 3);
        Tensor w = z.expand(2, 3);
        assertClose(w, shape(2, 3), 0, 1, 2, 3, 1, 2, 3);
        backwardOnes(w);
        assertGradClose(z, shape(3), 0, 2, 2, 2);
        // a 0-d tensor to [2, 2]: gradient 4
        Tensor s = Tensor.scalar(5).requiresGrad(true);
        Tensor e = s.expand(2, 2);
        assertClose(e, shape(2, 2), 0, 5, 5, 5, 5);
        backwardOnes(e);
        assertGradClose(s, shape(), 0, 4);
    }

    @Test
    void concatJoinsAndSplitsTheGradient() {
        // a [[1, 2], [3, 4]] and b [[5], [6]] along axis 1 -> [[1, 2, 5], [3, 4, 6]]
        // upstream [[1, 2, 3], [4, 5, 6]] -> da [[1, 2], [4, 5]], db [[3], [6]]
        Tensor a = leaf(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor b = leaf(new double[] {5, 6}, 2, 1);
        Tensor y = Tensor.concat(List.of(a, b), 1);
        assertClose(y, shape(2, 3), 0, 1, 2, 5, 3, 4, 6);
        backward(y, 1, 2, 3, 4, 5, 6);
        assertGradClose(a, shape(2, 2), 0, 1, 2, 4, 5);
        assertGradClose(b, shape(2, 1), 0, 3, 6);
        // axis 0 (and -2): [[1, 2], [3, 4]] + [[7, 8]] -> 3 rows
        Tensor c = Tensor.of(new double[] {7, 8}, 1, 2);
        assertClose(Tensor.concat(List.of(a.detach(), c), -2), shape(3, 2), 0, 1, 2, 3, 4, 7, 8);
        // the same tensor twice: its gradient is the sum of both parts
        Tensor t = leaf(new double[] {1, 2}, 2);
        Tensor tt = Tensor.concat(List.of(t, t), 0);
        backward(tt, 1, 2, 10, 20);
        assertGradClose(t, shape(2), 0, 11, 22);
    }

    @Test
    void stackAddsAnAxis() {
        // a [1, 2], b [3, 4]: axis 0 -> [[1, 2], [3, 4]]; axis 1 (= -1) -> [[1, 3], [2, 4]]
        Tensor a = leaf(new double[] {1, 2}, 2);
        Tensor b = leaf(new double[] {3, 4}, 2);
        assertClose(Tensor.stack(List.of(a, b), 0), shape(2, 2), 0, 1, 2, 3, 4);
        assertClose(Tensor.stack(List.of(a, b), -1), shape(2, 2), 0, 1, 3, 2, 4);
        // upstream [[10, 20], [30, 40]] on the axis-1 stack: a gets column 0 = [10, 30], b column 1 = [20, 40]
        Tensor y = Tensor.stack(List.of(a, b), 1);
        backward(y, 10, 20, 30, 40);
        assertGradClose(a, shape(2), 0, 10, 30);
        assertGradClose(b, shape(2), 0, 20, 40);
        // 0-d tensors stack into a vector
        assertClose(Tensor.stack(List.of(Tensor.scalar(1), Tensor.scalar(2)), 0), shape(2), 0, 1, 2);
    }

    @Test
    void splitBySizeAndBySizes() {
        // [1..5].split(2) -> [1, 2], [3, 4], [5] (the last one smaller)
        Tensor x = range(5, 5);
        List<Tensor> parts = x.split(2, 0);
        assertEquals(3, parts.size());
        assertClose(parts.get(0), shape(2), 0, 1, 2);
        assertClose(parts.get(1), shape(2), 0, 3, 4);
        assertClose(parts.get(2), shape(1), 0, 5);
        // loss = sum(p0) + 2 sum(p2) -> gradient [1, 1, 0, 0, 2] (p1 unused gets zeros)
        parts.get(0).sum().add(parts.get(2).sum().mul(2)).backward();
        assertGradClose(x, shape(5), 0, 1, 1, 0, 0, 2);
        // explicit sizes with an empty piece, along axis 1 of [2, 3]
        List<Tensor> pieces = range(6, 2, 3).split(new int[] {1, 0, 2}, 1);
        assertEquals(3, pieces.size());
        assertClose(pieces.get(0), shape(2, 1), 0, 1, 4);
        assertArrayEquals(shape(2, 0), pieces.get(1).shape());
        assertClose(pieces.get(2), shape(2, 2), 0, 2, 3, 5, 6);
    }

    @Test
    void chunkLikeTorch() {
        // 5 elements in 3 chunks: each ceil(5/3) = 2 -> sizes [2, 2, 1]
        List<Tensor> c = range(5, 5).chunk(3, 0);
        assertEquals(3, c.size());
        assertArrayEquals(shape(1), c.get(2).shape());
        // 6 elements in 4 chunks: ceil(6/4) = 2 -> only 3 chunks [2, 2, 2] (torch.chunk's rule)
        List<Tensor> d = range(6, 6).chunk(4, 0);
        assertEquals(3, d.size());
        // along a negative axis, with gradient: [2, 4].chunk(2, -1) -> two [2, 2]; loss = sum(c1)
        Tensor x = range(8, 2, 4);
        List<Tensor> e = x.chunk(2, -1);
        assertClose(e.get(1), shape(2, 2), 0, 3, 4, 7, 8);
        e.get(1).sum().backward();
        assertGradClose(x, shape(2, 4), 0, 0, 0, 1, 1, 0, 0, 1, 1);
    }

    @Test
    void padFollowsTorchFunctionalPad() {
        // [[1, 2], [3, 4]] pads {1, 0} value 9: last axis 1 before, 0 after -> [[9, 1, 2], [9, 3, 4]]
        Tensor x = range(4, 2, 2);
        assertClose(x.pad(new int[] {1, 0}, 9), shape(2, 3), 0, 9, 1, 2, 9, 3, 4);
        // pads {0, 1, 1, 0}: last axis (0 before, 1 after), first axis (1 before, 0 after), value 0
        // -> [[0, 0, 0], [1, 2, 0], [3, 4, 0]]
        Tensor y = x.pad(new int[] {0, 1, 1, 0}, 0);
        assertClose(y, shape(3, 3), 0, 0, 0, 0, 1, 2, 0, 3, 4, 0);
        // upstream 1..9 -> the interior (rows 1..2, columns 0..1): [[4, 5], [7, 8]]
        backward(y, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertGradClose(x, shape(2, 2), 0, 4, 5, 7, 8);
        // zero pads change nothing
        assertClose(range(4, 2, 2).pad(new int[] {0, 0, 0, 0}, 5), shape(2, 2), 0, 1, 2, 3, 4);
    }

    @Test
    void toConvertsAndTheGradientComesBackInTheInputDtype() {
        // FLOAT64 [0.5, 2] -> FLOAT32, times 3, summed: gradient 3 each, in FLOAT64
        Tensor x = leaf(new double[] {0.5, 2}, 2);
        Tensor y = x.to(DType.FLOAT32);
        assertEquals(DType.FLOAT32, y.dtype());
        assertClose(y, shape(2), 0, 0.5, 2);
        y.mul(3).sum().backward();
        assertEquals(DType.FLOAT64, x.grad().dtype());
        assertGradClose(x, shape(2), 0, 3, 3);
    }
}
