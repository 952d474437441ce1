package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Arrays;
import java.util.Random;

/**
 * Helpers for the issue-3 op tests: tolerance-aware assertions, a naive conv2d reference and seeded value
 * generators whose values are exact in float32 (multiples of a power of two), so that a FLOAT64 tensor and
 * its FLOAT32 copy hold the same numbers.
 */
final class OpTestSupport {

    private OpTestSupport() {
    }

    // ------------------------------------------------------------ assertions

    /** Asserts shape and values to an absolute tolerance {@code tol}. */
    static void assertClose(Tensor actual, int[] shape, double tol, double... expected) {
        assertNotNull(actual, "tensor is null");
        assertArrayEquals(shape, actual.shape(), () -> "shape of " + actual);
        assertArrayEquals(expected, actual.toDoubleArray(), tol, () -> "values of " + actual);
    }

    /** Asserts the accumulated gradient of a leaf (shape and values to {@code tol}). */
    static void assertGradClose(Tensor leaf, int[] shape, double tol, double... expected) {
        assertNotNull(leaf.grad(), () -> "grad is null for " + leaf);
        assertClose(leaf.grad(), shape, tol, expected);
    }

    /** Asserts that every value is finite (no NaN, no infinity). */
    static void assertFinite(Tensor t) {
        for (double v : t.toDoubleArray()) {
            if (!Double.isFinite(v)) {
                throw new AssertionError("non-finite value " + v + " in " + t);
            }
        }
    }

    /** Backpropagates {@code upstream} (FLOAT64 values of out's shape) through {@code out}. */
    static void backward(Tensor out, double... upstream) {
        out.backward(Tensor.of(upstream, out.shape()).to(out.dtype()));
    }

    /** Backpropagates an all-ones upstream gradient through {@code out}. */
    static void backwardOnes(Tensor out) {
        out.backward(Tensor.onesLike(out));
    }

    static void assertNoGrad(Tensor t) {
        assertEquals(false, t.requiresGrad(), () -> "should not require grad: " + t);
    }

    // ------------------------------------------------------------ naive conv2d reference

    /**
     * The textbook seven-loop cross-correlation, PyTorch's definition, on row-major arrays: {@code x} of
     * shape {@code [n, c, h, w]}, {@code wt} of {@code [o, c / groups, kh, kw]}, bias of {@code [o]} or null.
     */
    static double[] naiveConv2d(double[] x, int[] xs, double[] wt, int[] ws, double[] bias, int[] stride,
                                int[] padding, int[] dilation, int groups) {
        int n = xs[0];
        int c = xs[1];
        int h = xs[2];
        int w = xs[3];
        int o = ws[0];
        int cpg = ws[1];
        int kh = ws[2];
        int kw = ws[3];
        int ho = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) / stride[0] + 1;
        int wo = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) / stride[1] + 1;
        int opg = o / groups;
        double[] out = new double[n * o * ho * wo];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / opg;
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double s = bias == null ? 0 : bias[oc];
                        for (int ci = 0; ci < cpg; ci++) {
                            int ic = g * cpg + ci;
                            for (int p = 0; p < kh; p++) {
                                for (int q = 0; q < kw; q++) {
                                    int y = i * stride[0] - padding[0] + p * dilation[0];
                                    int z = j * stride[1] - padding[1] + q * dilation[1];
                                    if (y < 0 || y >= h || z < 0 || z >= w) {
                                        continue;
                                    }
                                    s += wt[((oc * cpg + ci) * kh + p) * kw + q] * x[((b * c + ic) * h + y) * w + z];
                                }
                            }
                        }
                        out[((b * o + oc) * ho + i) * wo + j] = s;
                    }
                }
            }
        }
        return out;
    }

    /** The output shape of {@link #naiveConv2d}. */
    static int[] convOutShape(int[] xs, int[] ws, int[] stride, int[] padding, int[] dilation) {
        int ho = (xs[2] + 2 * padding[0] - dilation[0] * (ws[2] - 1) - 1) / stride[0] + 1;
        int wo = (xs[3] + 2 * padding[1] - dilation[1] * (ws[3] - 1) - 1) / stride[1] + 1;
        return new int[] {xs[0], ws[0], ho, wo};
    }

    // ------------------------------------------------------------ seeded values, exact in float32

    /** Values {@code k / 64} in {@code [lo, hi]}: exact in float32, so FLOAT64 and FLOAT32 copies agree. */
    static double[] grid(Random r, int n, double lo, double hi) {
        double[] v = new double[n];
        int kLo = (int) Math.ceil(lo * 64);
        int kHi = (int) Math.floor(hi * 64);
        for (int i = 0; i < n; i++) {
            v[i] = (kLo + r.nextInt(kHi - kLo + 1)) / 64.0;
        }
        return v;
    }

    /** Values {@code k / 8} in [-3, 3] (|x| >= 0.125 when {@code awayFromZero}), exact in float32. */
    static double[] coarseGrid(Random r, int n, boolean awayFromZero) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            int k;
            do {
                k = r.nextInt(49) - 24;
            } while (awayFromZero && k == 0);
            v[i] = k / 8.0;
        }
        return v;
    }

    /** Values {@code k / 8 + 1/16}: never within 1/16 of a {@link #coarseGrid} value (no ties, no kinks). */
    static double[] offsetGrid(Random r, int n) {
        double[] v = coarseGrid(r, n, false);
        for (int i = 0; i < n; i++) {
            v[i] += 1 / 16.0;
        }
        return v;
    }

    /** {@code n} pairwise distinct values {@code k / 32} in a shuffled order, spacing 1/32, exact in float32. */
    static double[] distinct(Random r, int n) {
        int span = Math.max(n, 192);
        int[] ks = new int[span];
        for (int i = 0; i < span; i++) {
            ks[i] = i - span / 2;
        }
        for (int i = span - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = ks[i];
            ks[i] = ks[j];
            ks[j] = t;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = ks[i] / 32.0;
        }
        return v;
    }

    /** A random shape of rank {@code minRank..maxRank}, dims 1..{@code maxDim}. */
    static int[] shape(Random r, int minRank, int maxRank, int maxDim) {
        int[] s = new int[minRank + r.nextInt(maxRank - minRank + 1)];
        for (int i = 0; i < s.length; i++) {
            s[i] = 1 + r.nextInt(maxDim);
        }
        return s;
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    static String str(int[] a) {
        return Arrays.toString(a);
    }
}
