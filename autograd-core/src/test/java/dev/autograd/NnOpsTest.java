package dev.autograd;

import static dev.autograd.OpTestSupport.assertClose;
import static dev.autograd.OpTestSupport.assertFinite;
import static dev.autograd.OpTestSupport.assertGradClose;
import static dev.autograd.OpTestSupport.backward;
import static dev.autograd.OpTestSupport.backwardOnes;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * softmax/logSoftmax (values, gradients, stability for logits near 1000, any axis), conv2d (hand-computed
 * cases and a naive seven-loop reference over many stride/padding/dilation/groups settings), and
 * max/avg pooling by hand (max padding counts as -infinity, ties share the gradient; avg padding counts as
 * zeros in the mean).
 */
class NnOpsTest {

    private static final double TOL = 1e-12;

    // ------------------------------------------------------------ softmax

    @Test
    void softmaxValuesAndGradient() {
        // s = e^x / sum e^x for [1, 2, 3]: sum = e + e^2 + e^3
        double z = Math.E + Math.exp(2) + Math.exp(3);
        double s0 = Math.E / z;
        double s1 = Math.exp(2) / z;
        double s2 = Math.exp(3) / z;
        Tensor x = leaf(new double[] {1, 2, 3}, 3);
        Tensor y = x.softmax(0);
        assertClose(y, shape(3), TOL, s0, s1, s2);
        assertEquals(0.6652409557748219, s2, 1e-15);
        // upstream [1, 0, 0]: d = s (g - sum(g s)) = s * ([1, 0, 0] - s0) = [s0 (1 - s0), -s0 s1, -s0 s2]
        backward(y, 1, 0, 0);
        assertGradClose(x, shape(3), TOL, s0 * (1 - s0), -s0 * s1, -s0 * s2);
    }

    @Test
    void softmaxIsStableForLogitsNear1000() {
        // [1000, 1000, 999]: e^1000 overflows, the max shift gives [1, 1, e^-1] / (2 + e^-1)
        Tensor x = leaf(new double[] {1000, 1000, 999}, 3);
        Tensor y = x.softmax(-1);
        assertFinite(y);
        double z = 2 + Math.exp(-1);
        assertClose(y, shape(3), TOL, 1 / z, 1 / z, Math.exp(-1) / z);
        assertEquals(1, y.sum().item(), 1e-15);
        y.select(0, 0).backward();
        assertFinite(x.grad());
        // a large spread: [1000, -1000] -> [1, 0] exactly, no NaN
        assertClose(Tensor.of(new double[] {1000, -1000}, 2).softmax(0), shape(2), 0, 1, 0);
    }

    @Test
    void softmaxAlongEachAxisSumsToOne() {
        // [[1, 2], [3, 5]] along axis 0: columns [1, 3] -> [1/(1+e^2), e^2/(1+e^2)], [2, 5] -> [1/(1+e^3), e^3/(1+e^3)]
        Tensor x = Tensor.of(new double[] {1, 2, 3, 5}, 2, 2);
        Tensor s0 = x.softmax(0);
        double a = 1 / (1 + Math.exp(2));
        double b = 1 / (1 + Math.exp(3));
        assertClose(s0, shape(2, 2), TOL, a, b, 1 - a, 1 - b);
        assertClose(s0.sum(0, false), shape(2), TOL, 1, 1);
        // along axis 1: rows [1, 2] and [3, 5] -> [1/(1+e), e/(1+e)] and [1/(1+e^2), e^2/(1+e^2)]
        Tensor s1 = x.softmax(1);
        double c = 1 / (1 + Math.exp(1));
        assertClose(s1, shape(2, 2), TOL, c, 1 - c, a, 1 - a);
        assertClose(s1.sum(1, false), shape(2), TOL, 1, 1);
    }

    @Test
    void logSoftmaxValuesGradientAndStability() {
        // logSoftmax [1, 2, 3] = x - log(e + e^2 + e^3)
        double lse = Math.log(Math.E + Math.exp(2) + Math.exp(3));
        Tensor x = leaf(new double[] {1, 2, 3}, 3);
        Tensor y = x.logSoftmax(0);
        assertClose(y, shape(3), TOL, 1 - lse, 2 - lse, 3 - lse);
        // upstream [1, 0, 0]: d = g - softmax * sum(g) = [1 - s0, -s1, -s2]
        backward(y, 1, 0, 0);
        double[] s = {Math.exp(1 - lse), Math.exp(2 - lse), Math.exp(3 - lse)};
        assertGradClose(x, shape(3), TOL, 1 - s[0], -s[1], -s[2]);
        // [1000, 0]: [-log(1 + e^-1000), -1000 - log(1 + e^-1000)] = [0, -1000], finite where log(softmax) is -inf
        Tensor big = leaf(new double[] {1000, 0}, 2);
        Tensor l = big.logSoftmax(0);
        assertFinite(l);
        assertClose(l, shape(2), TOL, 0, -1000);
        backwardOnes(l);
        // gradient of sum(logSoftmax) = 1 - 2 softmax = [1 - 2, 1 - 0] = [-1, 1]
        assertGradClose(big, shape(2), TOL, -1, 1);
    }

    // ------------------------------------------------------------ conv2d by hand

    @Test
    void conv2dByHand() {
        // x 3x3 = 1..9, w 2x2 = [[1, 0], [0, -1]], bias 0.5:
        // out[i][j] = x[i][j] - x[i+1][j+1] + 0.5 = -4 + 0.5 = -3.5 everywhere (2x2)
        Tensor x = leaf(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = leaf(new double[] {1, 0, 0, -1}, 1, 1, 2, 2);
        Tensor b = leaf(new double[] {0.5}, 1);
        Tensor y = x.conv2d(w, b);
        assertClose(y, shape(1, 1, 2, 2), TOL, -3.5, -3.5, -3.5, -3.5);
        backwardOnes(y);
        // dw[p][q] = sum over the 4 windows of x[i+p][j+q]:
        //   w00: 1+2+4+5 = 12, w01: 2+3+5+6 = 16, w10: 4+5+7+8 = 24, w11: 5+6+8+9 = 28
        assertGradClose(w, shape(1, 1, 2, 2), TOL, 12, 16, 24, 28);
        // db = number of outputs = 4
        assertGradClose(b, shape(1), TOL, 4);
        // dx[a][b] = sum of w[a-i][b-j] over windows (i, j) covering (a, b):
        //   x00: w00 = 1; x01: w00 + w01 = 1; x02: w01 = 0; x10: w00 + w10 = 1; x11: all four = 0;
        //   x12: w01 + w11 = -1; x20: w10 = 0; x21: w10 + w11 = -1; x22: w11 = -1
        assertGradClose(x, shape(1, 1, 3, 3), TOL, 1, 1, 0, 1, 0, -1, 0, -1, -1);
    }

    @Test
    void conv2dStridePaddingDilationGroupsByHand() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor ones = Tensor.ones(1, 1, 2, 2);
        // stride 2, padding 1, 2x2 ones: padded 5x5, Ho = (3 + 2 - 2)/2 + 1 = 2; windows see
        //   (0,0): x00 = 1; (0,1): x01 + x02 = 5; (1,0): x10 + x20 = 11; (1,1): x11 + x12 + x21 + x22 = 28
        assertClose(x.conv2d(ones, null, 2, 1), shape(1, 1, 2, 2), TOL, 1, 5, 11, 28);
        // dilation 2: the taps of a 2x2 kernel are the corners: 1 + 3 + 7 + 9 = 20
        assertClose(x.conv2d(ones, null, new int[] {1, 1}, new int[] {0, 0}, new int[] {2, 2}, 1),
                shape(1, 1, 1, 1), TOL, 20);
        // different strides per axis, {2, 1}, no padding: rows 0 only (Ho = 1), columns 0..1 (Wo = 2)
        //   (0,0): 1+2+4+5 = 12; (0,1): 2+3+5+6 = 16
        assertClose(x.conv2d(ones, null, new int[] {2, 1}, new int[] {0, 0}, new int[] {1, 1}, 1),
                shape(1, 1, 1, 2), TOL, 12, 16);
        // groups 2: channels [3, 5] (1x1 images), weights [2, 10] of shape [2, 1, 1, 1] -> [6, 50]
        Tensor c = Tensor.of(new double[] {3, 5}, 1, 2, 1, 1);
        Tensor wg = Tensor.of(new double[] {2, 10}, 2, 1, 1, 1);
        assertClose(c.conv2d(wg, null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2),
                shape(1, 2, 1, 1), TOL, 6, 50);
        // groups 1 with the same channels: weight [1, 2, 1, 1] = [2, 10] -> 2*3 + 10*5 = 56
        assertClose(c.conv2d(Tensor.of(new double[] {2, 10}, 1, 2, 1, 1), null), shape(1, 1, 1, 1), TOL, 56);
    }

    @Test
    void conv2dMatchesANaiveLoopReference() {
        // {N, C, H, W, O, kH, kW, sH, sW, pH, pW, dH, dW, groups}
        int[][] configs = {
            {1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1},
            {2, 3, 6, 5, 4, 3, 2, 1, 1, 1, 0, 1, 1, 1},
            {2, 2, 6, 6, 2, 2, 2, 2, 2, 1, 1, 1, 1, 2},
            {1, 3, 7, 6, 3, 3, 3, 2, 1, 1, 1, 2, 1, 3},
            {2, 4, 5, 7, 6, 2, 3, 1, 2, 0, 1, 2, 2, 2},
            {1, 2, 4, 4, 3, 1, 1, 2, 2, 1, 1, 1, 1, 1},
            {1, 1, 3, 3, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1},
        };
        Random r = new Random(7);
        for (int[] c : configs) {
            int[] xs = {c[0], c[1], c[2], c[3]};
            int[] ws = {c[4], c[1] / c[13], c[5], c[6]};
            int[] stride = {c[7], c[8]};
            int[] padding = {c[9], c[10]};
            int[] dilation = {c[11], c[12]};
            Tensor x = Tensor.randn(r, xs);
            Tensor w = Tensor.randn(r, ws);
            Tensor b = Tensor.randn(r, c[4]);
            double[] expected = OpTestSupport.naiveConv2d(x.toDoubleArray(), xs, w.toDoubleArray(), ws,
                    b.toDoubleArray(), stride, padding, dilation, c[13]);
            int[] outShape = OpTestSupport.convOutShape(xs, ws, stride, padding, dilation);
            Tensor y = x.conv2d(w, b, stride, padding, dilation, c[13]);
            assertArrayEquals(outShape, y.shape(), () -> "shape for config " + java.util.Arrays.toString(c));
            assertArrayEquals(expected, y.toDoubleArray(), 1e-10, () -> "values for config " + java.util.Arrays.toString(c));
            // no bias
            double[] noBias = OpTestSupport.naiveConv2d(x.toDoubleArray(), xs, w.toDoubleArray(), ws, null, stride,
                    padding, dilation, c[13]);
            assertArrayEquals(noBias, x.conv2d(w, null, stride, padding, dilation, c[13]).toDoubleArray(), 1e-10);
            // FLOAT32 agrees with the reference to float precision
            Tensor y32 = x.to(DType.FLOAT32).conv2d(w.to(DType.FLOAT32), b.to(DType.FLOAT32), stride, padding,
                    dilation, c[13]);
            assertEquals(DType.FLOAT32, y32.dtype());
            assertArrayEquals(expected, y32.toDoubleArray(), 1e-4);
        }
    }

    // ------------------------------------------------------------ pooling by hand

    @Test
    void maxPool2dByHand() {
        // 4x4 = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]], 2x2 windows:
        // maxima [[6, 8], [14, 16]], gradient one-hot at those positions
        double[] v = new double[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i + 1;
        }
        Tensor x = leaf(v, 1, 1, 4, 4);
        Tensor y = x.maxPool2d(2);
        assertClose(y, shape(1, 1, 2, 2), 0, 6, 8, 14, 16);
        backward(y, 1, 2, 3, 4);
        assertGradClose(x, shape(1, 1, 4, 4), 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4);
    }

    @Test
    void maxPool2dTiesShareTheGradient() {
        // one 2x2 window [[7, 1], [7, 7]]: max 7, three ties -> 1/3 each
        Tensor x = leaf(new double[] {7, 1, 7, 7}, 1, 1, 2, 2);
        Tensor y = x.maxPool2d(2);
        assertClose(y, shape(1, 1, 1, 1), 0, 7);
        backwardOnes(y);
        assertGradClose(x, shape(1, 1, 2, 2), TOL, 1.0 / 3, 0, 1.0 / 3, 1.0 / 3);
    }

    @Test
    void maxPool2dPaddingCountsAsMinusInfinity() {
        // [[-1, -2], [-3, -4]], kernel 2, stride 2, padding 1: each window holds one element and three pads;
        // with -infinity padding the result is the input itself (zero padding would give 0s)
        Tensor x = leaf(new double[] {-1, -2, -3, -4}, 1, 1, 2, 2);
        Tensor y = x.maxPool2d(new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1});
        assertClose(y, shape(1, 1, 2, 2), 0, -1, -2, -3, -4);
        backwardOnes(y);
        assertGradClose(x, shape(1, 1, 2, 2), 0, 1, 1, 1, 1);
    }

    @Test
    void maxPool2dOverlappingWindowsAccumulate() {
        // [[1, 5, 2], [0, 3, 4]], kernel 2x2 stride 1: windows at columns 0..1 and 1..2 both pick 5
        // -> [5, 5], gradient 2 at the 5
        Tensor x = leaf(new double[] {1, 5, 2, 0, 3, 4}, 1, 1, 2, 3);
        Tensor y = x.maxPool2d(new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0});
        assertClose(y, shape(1, 1, 1, 2), 0, 5, 5);
        backwardOnes(y);
        assertGradClose(x, shape(1, 1, 2, 3), 0, 0, 2, 0, 0, 0, 0);
    }

    @Test
    void avgPool2dByHand() {
        // 4x4 of 1..16, 2x2 windows: (1+2+5+6)/4 = 3.5, (3+4+7+8)/4 = 5.5, (9+10+13+14)/4 = 11.5, 13.5
        // gradient 1/4 everywhere
        double[] v = new double[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i + 1;
        }
        Tensor x = leaf(v, 1, 1, 4, 4);
        Tensor y = x.avgPool2d(2);
        assertClose(y, shape(1, 1, 2, 2), TOL, 3.5, 5.5, 11.5, 13.5);
        backwardOnes(y);
        double[] quarter = new double[16];
        java.util.Arrays.fill(quarter, 0.25);
        assertGradClose(x, shape(1, 1, 4, 4), TOL, quarter);
    }

    @Test
    void avgPool2dCountsZeroPaddingInTheMean() {
        // [[1, 2], [3, 4]], kernel 2, stride 2, padding 1: each window = one element + three zeros -> x / 4
        // -> [[0.25, 0.5], [0.75, 1]]; gradient 1/4 each
        Tensor x = leaf(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor y = x.avgPool2d(new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1});
        assertClose(y, shape(1, 1, 2, 2), TOL, 0.25, 0.5, 0.75, 1);
        backwardOnes(y);
        assertGradClose(x, shape(1, 1, 2, 2), TOL, 0.25, 0.25, 0.25, 0.25);
    }

    @Test
    void avgPool2dOverlappingWindowsWithRectangularKernel() {
        // [[1, 2, 3], [4, 5, 6]], kernel {2, 2}, stride {1, 1}: windows cols 0..1 and 1..2:
        // (1+2+4+5)/4 = 3, (2+3+5+6)/4 = 4; gradient: middle column in both windows -> 1/2, sides 1/4
        Tensor x = leaf(new double[] {1, 2, 3, 4, 5, 6}, 1, 1, 2, 3);
        Tensor y = x.avgPool2d(new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0});
        assertClose(y, shape(1, 1, 1, 2), TOL, 3, 4);
        backwardOnes(y);
        assertGradClose(x, shape(1, 1, 2, 3), TOL, 0.25, 0.5, 0.25, 0.25, 0.5, 0.25);
        // {1, 3} kernel, stride {1, 3}: one window per row: [2, 5]
        assertClose(x.detach().avgPool2d(new int[] {1, 3}, new int[] {1, 3}, new int[] {0, 0}), shape(1, 1, 2, 1),
                TOL, 2, 5);
    }

    @Test
    void poolingPerChannelAndBatch() {
        // N = 2, C = 2, 2x2 images: each (n, c) pooled on its own
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 8, 7, 6, 5, -1, -2, -3, -4, 0, 0, 0, 9}, 2, 2, 2, 2);
        assertClose(x.maxPool2d(2), shape(2, 2, 1, 1), 0, 4, 8, -1, 9);
        assertClose(x.avgPool2d(2), shape(2, 2, 1, 1), TOL, 2.5, 6.5, -2.5, 2.25);
    }
}
