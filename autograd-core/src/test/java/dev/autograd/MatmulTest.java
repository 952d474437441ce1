package dev.autograd;

import static dev.autograd.TensorAssertions.assertGrad;
import static dev.autograd.TensorAssertions.assertTensor;
import static dev.autograd.TensorAssertions.assertTensor32;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;

import org.junit.jupiter.api.Test;

/** Hand-computed matmul in every NumPy case: 1-D.1-D, 2-D, 1-D@2-D, 2-D@1-D and batched broadcast. */
class MatmulTest {

    @Test
    void vectorDotVector() {
        Tensor a = leaf(new double[] {1, 2, 3}, 3);
        Tensor b = leaf(new double[] {4, 5, 6}, 3);
        Tensor y = a.matmul(b);
        // 4 + 10 + 18, a 0-d result
        assertTensor(y, shape(), 32);
        y.backward();
        assertGrad(a, shape(3), 4, 5, 6);
        assertGrad(b, shape(3), 1, 2, 3);
        // 1-d operands may be lifted by recorded reshapes, but a matmul node must be in the graph
        assertTrue(graphContains(y.gradFn(), "matmul"), () -> "no matmul node behind " + y);
    }

    @Test
    void matrixTimesMatrix() {
        Tensor a = leaf(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor b = leaf(new double[] {5, 6, 7, 8}, 2, 2);
        Tensor y = a.matmul(b);
        // [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]]
        assertTensor(y, shape(2, 2), 19, 22, 43, 50);
        assertEquals("matmul", y.gradFn().name());
        y.sum().backward();
        // grad a = ones @ b^T: row sums of b = [11, 15] in every row
        assertGrad(a, shape(2, 2), 11, 15, 11, 15);
        // grad b = a^T @ ones: column sums of a = [4, 6] down the rows
        assertGrad(b, shape(2, 2), 4, 4, 6, 6);
    }

    @Test
    void linearIsXTimesWTransposedPlusBias() {
        Tensor x = leaf(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor w = leaf(new double[] {1, 0, 0, 1, 1, 1}, 3, 2);
        Tensor b = leaf(new double[] {1, 2, 3}, 3);
        Tensor y = x.linear(w, b);
        // x W^T = [[1, 2, 3], [3, 4, 7]], plus b in every row
        assertTensor(y, shape(2, 3), 2, 4, 6, 4, 6, 10);
        assertEquals("linear", y.gradFn().name());
        y.sum().backward();
        // dx = ones @ W: the column sums of W = [2, 2] in every row
        assertGrad(x, shape(2, 2), 2, 2, 2, 2);
        // dW = ones^T @ x: the column sums of x = [4, 6] in every row
        assertGrad(w, shape(3, 2), 4, 6, 4, 6, 4, 6);
        // db = the column sums of ones: one per row
        assertGrad(b, shape(3), 2, 2, 2);
    }

    @Test
    void linearOfAVectorWithoutBiasAndWithUpstream() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor w = leaf(new double[] {1, 0, 0, 1, 1, 1}, 3, 2);
        Tensor y = x.linear(w, null);
        assertTensor(y, shape(3), 1, 2, 3);
        y.backward(Tensor.of(new double[] {10, 100, 1000}, 3));
        // dx = g W = [10 + 1000, 100 + 1000]; dW = g^T x: row i is g[i] * x
        assertGrad(x, shape(2), 1010, 1100);
        assertGrad(w, shape(3, 2), 10, 20, 100, 200, 1000, 2000);
    }

    @Test
    void rectangularWithUpstream() {
        Tensor a = leaf(new double[] {1, 2, 3}, 1, 3);
        Tensor b = leaf(new double[] {1, 0, 0, 1, 1, 1}, 3, 2);
        Tensor y = a.matmul(b);
        // [1*1+2*0+3*1, 1*0+2*1+3*1]
        assertTensor(y, shape(1, 2), 4, 5);
        y.backward(Tensor.of(new double[] {10, 100}, 1, 2));
        // grad a = g @ b^T = [10*1+100*0, 10*0+100*1, 10+100]
        assertGrad(a, shape(1, 3), 10, 100, 110);
        // grad b = a^T @ g = [[10,100],[20,200],[30,300]]
        assertGrad(b, shape(3, 2), 10, 100, 20, 200, 30, 300);
    }

    @Test
    void vectorTimesMatrix() {
        Tensor v = leaf(new double[] {1, 2}, 2);
        Tensor b = leaf(new double[] {5, 6, 7, 8}, 2, 2);
        Tensor y = v.matmul(b);
        // [1*5+2*7, 1*6+2*8], the prepended 1 is removed
        assertTensor(y, shape(2), 19, 22);
        y.sum().backward();
        // grad v = b @ ones = row sums [11, 15]; grad b = outer(v, ones)
        assertGrad(v, shape(2), 11, 15);
        assertGrad(b, shape(2, 2), 1, 1, 2, 2);
    }

    @Test
    void matrixTimesVector() {
        Tensor a = leaf(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor w = leaf(new double[] {5, 6}, 2);
        Tensor y = a.matmul(w);
        // [1*5+2*6, 3*5+4*6], the appended 1 is removed
        assertTensor(y, shape(2), 17, 39);
        y.sum().backward();
        // grad a = outer(ones, w); grad w = a^T @ ones = column sums [4, 6]
        assertGrad(a, shape(2, 2), 5, 6, 5, 6);
        assertGrad(w, shape(2), 4, 6);
    }

    @Test
    void smallBatchBroadcastsTheMatrix() {
        Tensor a = leaf(new double[] {1, 2, 3, 4}, 2, 1, 2);
        Tensor b = leaf(new double[] {5, 6}, 2, 1);
        Tensor y = a.matmul(b);
        // batch 0: [1,2].[5,6] = 17; batch 1: [3,4].[5,6] = 39
        assertTensor(y, shape(2, 1, 1), 17, 39);
        y.sum().backward();
        // b is shared by both batches: its grad sums a^T over the batch = [1+3, 2+4]
        assertGrad(b, shape(2, 1), 4, 6);
        assertGrad(a, shape(2, 1, 2), 5, 6, 5, 6);
    }

    @Test
    void batchedWithBroadcastBatchDims() {
        // [2,1,3,4] @ [5,4,2] -> [2,5,3,2]; compared with a plain loop
        double[] av = new double[2 * 3 * 4];
        double[] bv = new double[5 * 4 * 2];
        for (int i = 0; i < av.length; i++) {
            av[i] = (i % 7) - 3;
        }
        for (int i = 0; i < bv.length; i++) {
            bv[i] = (i % 5) * 0.5 - 1;
        }
        Tensor a = leaf(av, 2, 1, 3, 4);
        Tensor b = leaf(bv, 5, 4, 2);
        Tensor y = a.matmul(b);

        double[] expected = new double[2 * 5 * 3 * 2];
        double[] gradA = new double[av.length];
        double[] gradB = new double[bv.length];
        for (int p = 0; p < 2; p++) {
            for (int q = 0; q < 5; q++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 2; j++) {
                        double s = 0;
                        for (int k = 0; k < 4; k++) {
                            double aik = av[p * 12 + i * 4 + k];
                            double bkj = bv[q * 8 + k * 2 + j];
                            s += aik * bkj;
                            // d(sum y)/d a[p,0,i,k] += b[q,k,j]; d/d b[q,k,j] += a[p,0,i,k]
                            gradA[p * 12 + i * 4 + k] += bkj;
                            gradB[q * 8 + k * 2 + j] += aik;
                        }
                        expected[((p * 5 + q) * 3 + i) * 2 + j] = s;
                    }
                }
            }
        }
        assertTensor(y, shape(2, 5, 3, 2), expected);
        y.sum().backward();
        assertGrad(a, shape(2, 1, 3, 4), gradA);
        assertGrad(b, shape(5, 4, 2), gradB);
    }

    @Test
    void float32Forward() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new float[] {5, 6, 7, 8}, 2, 2);
        Tensor v = Tensor.of(new float[] {1, 2}, 2);
        assertTensor32(a.matmul(b), shape(2, 2), 19, 22, 43, 50);
        assertTensor32(v.matmul(v), shape(), 5);
        assertTensor32(v.matmul(b), shape(2), 19, 22);
        assertTensor32(a.matmul(v), shape(2), 5, 11);
        Tensor batch = Tensor.of(new float[] {1, 2, 3, 4}, 2, 1, 2);
        assertTensor32(batch.matmul(Tensor.of(new float[] {5, 6}, 2, 1)), shape(2, 1, 1), 17, 39);
    }

    /** Whether a node of that name is reachable from fn through nextFunctions. */
    private static boolean graphContains(GradFn fn, String name) {
        Deque<GradFn> todo = new ArrayDeque<>();
        todo.push(fn);
        while (!todo.isEmpty()) {
            GradFn f = todo.pop();
            if (name.equals(f.name())) {
                return true;
            }
            for (GradFn next : f.nextFunctions()) {
                if (next != null) {
                    todo.push(next);
                }
            }
        }
        return false;
    }
}
