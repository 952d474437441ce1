package dev.autograd.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The kernel facade against naive float64 loops written here, on awkward sizes (0, 1, 7, 17, 63, 65, 257
 * and sizes past the parallel threshold), broadcast operands and reductions over every kind of axis set;
 * and determinism: the same call gives the same bits, and the parallel pairwise sum equals the sequential
 * evaluation of the same tree.
 */
class KernelsTest {

    private static final int[] AWKWARD = {1, 7, 17, 63, 65, 257};

    private static double[] randn(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** The value of a dense array of {@code shape} at the multi-index {@code index} aligned from the right. */
    private static double at(double[] v, int[] shape, int[] index) {
        int flat = 0;
        int lead = index.length - shape.length;
        for (int d = 0; d < shape.length; d++) {
            int i = shape[d] == 1 ? 0 : index[lead + d];
            flat = flat * shape[d] + i;
        }
        return v[flat];
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    @Test
    void broadcastBinaryMatchesNaiveIndexing() {
        Random r = new Random(1);
        int[][][] cases = {
            {{3, 1, 5}, {4, 1}}, {{1}, {7}}, {{17, 1}, {1, 65}}, {{2, 3, 1, 4}, {3, 5, 1}}, {{257}, {257}},
            {{300, 1}, {1, 257}}, {{2, 40000}, {40000}}, {{1, 70000}, {1}}, {{0, 3}, {3}},
        };
        for (int[][] c : cases) {
            int[] as = c[0];
            int[] bs = c[1];
            int rank = Math.max(as.length, bs.length);
            int[] out = new int[rank];
            for (int i = 1; i <= rank; i++) {
                int a = i <= as.length ? as[as.length - i] : 1;
                int b = i <= bs.length ? bs[bs.length - i] : 1;
                out[rank - i] = a == 1 ? b : a;
            }
            double[] a = randn(r, size(as));
            double[] b = randn(r, size(bs));
            for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAX,
                BinaryOp.GT}) {
                double[] result = new double[size(out)];
                Kernels.binary(op, a, Kernels.broadcastStrides(as, out), b, Kernels.broadcastStrides(bs, out), result,
                        out);
                for (int i = 0; i < result.length; i++) {
                    int[] index = unravel(i, out);
                    double expected = PortableDoubleBackend.apply(op, at(a, as, index), at(b, bs, index));
                    assertEquals(expected, result[i], 0, op + " " + Arrays.toString(as) + " with "
                            + Arrays.toString(bs) + " at " + Arrays.toString(index));
                }
            }
        }
    }

    @Test
    void reductionsOverEveryAxisSetMatchNaiveSums() {
        Random r = new Random(2);
        int[][] shapes = {{7}, {17, 65}, {3, 1, 257}, {2, 3, 4, 5}, {257, 63}, {5, 70000}, {70000, 3}, {1}, {0, 4}};
        for (int[] shape : shapes) {
            double[] x = randn(r, size(shape));
            for (int mask = 0; mask < (1 << shape.length); mask++) {
                int[] kept = new int[shape.length];
                for (int d = 0; d < shape.length; d++) {
                    kept[d] = (mask >> d & 1) == 1 ? 1 : shape[d];
                }
                int[] keptStrides = Shape.strides(kept);
                int[] outStrides = new int[shape.length];
                for (int d = 0; d < shape.length; d++) {
                    outStrides[d] = kept[d] == 1 ? 0 : keptStrides[d];
                }
                for (ReduceOp op : ReduceOp.values()) {
                    if (op != ReduceOp.SUM && size(shape) == 0) {
                        continue;
                    }
                    double[] result = (double[]) Kernels.reduce(op, x, shape, outStrides, size(kept));
                    double[] expected = new double[size(kept)];
                    double[] magnitude = new double[size(kept)];
                    Arrays.fill(expected, op == ReduceOp.SUM ? 0 : op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY
                            : Double.POSITIVE_INFINITY);
                    for (int i = 0; i < x.length; i++) {
                        int[] index = unravel(i, shape);
                        int o = 0;
                        for (int d = 0; d < shape.length; d++) {
                            o += index[d] * outStrides[d];
                        }
                        expected[o] = switch (op) {
                            case SUM -> expected[o] + x[i];
                            case MAX -> Math.max(expected[o], x[i]);
                            case MIN -> Math.min(expected[o], x[i]);
                        };
                        magnitude[o] += Math.abs(x[i]);
                    }
                    for (int o = 0; o < expected.length; o++) {
                        double tol = op == ReduceOp.SUM ? 1e-14 * Math.max(1, magnitude[o]) : 0;
                        assertEquals(expected[o], result[o], tol, op + " of " + Arrays.toString(shape) + " keeping "
                                + Arrays.toString(kept) + " at " + o);
                    }
                }
            }
        }
    }

    /**
     * The same sum before and after the JIT compiles the kernels: the Vector API's {@code reduceLanes(ADD)} may
     * add lanes in another order once compiled (JDK 25 does), so the kernels add lanes in a fixed order.
     */
    @Test
    void aSumDoesNotChangeWhenTheJitCompilesItsKernel() {
        Random r = new Random(11);
        double[] x = randn(r, 1000);
        float[] f = new float[x.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) x[i];
        }
        long first = Double.doubleToLongBits(Backends.DOUBLE.sum(x, 0, x.length));
        int firstFloat = Float.floatToIntBits(Backends.FLOAT.sum(f, 0, f.length));
        long firstDot = Double.doubleToLongBits(Backends.DOUBLE.dot(x, 0, x, 0, x.length));
        for (int i = 0; i < 30_000; i++) {
            assertEquals(first, Double.doubleToLongBits(Backends.DOUBLE.sum(x, 0, x.length)), "float64 sum, call " + i);
            assertEquals(firstFloat, Float.floatToIntBits(Backends.FLOAT.sum(f, 0, f.length)), "float32 sum, call " + i);
            assertEquals(firstDot, Double.doubleToLongBits(Backends.DOUBLE.dot(x, 0, x, 0, x.length)), "dot, call " + i);
        }
    }

    @Test
    void aLongSumIsPairwiseAndTheSameWhetherComputedInParallelOrNot() {
        Random r = new Random(3);
        for (int n : new int[] {Kernels.PARALLEL_ELEMENTS, 100_003, 1 << 20}) {
            double[] x = randn(r, n);
            double[] first = (double[]) Kernels.reduce(ReduceOp.SUM, x, new int[] {n}, new int[] {0}, 1);
            double[] again = (double[]) Kernels.reduce(ReduceOp.SUM, x, new int[] {n}, new int[] {0}, 1);
            assertEquals(Double.doubleToLongBits(first[0]), Double.doubleToLongBits(again[0]), "run to run");
            assertEquals(Double.doubleToLongBits(DoubleKernels.sequentialSum(x, 0, n)),
                    Double.doubleToLongBits(first[0]), "the parallel evaluation is the sequential tree");
            // float32: pairwise summation keeps the error near log2(n) ulps of the magnitude, not n ulps.
            float[] f = new float[n];
            double exact = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                f[i] = (float) x[i];
                exact += f[i];
                magnitude += Math.abs(f[i]);
            }
            float[] sum = (float[]) Kernels.reduce(ReduceOp.SUM, f, new int[] {n}, new int[] {0}, 1);
            assertEquals(exact, sum[0], 64 * Math.ulp(1f) * magnitude / Math.sqrt(n) + 1e-3, "float32 sum of " + n);
        }
    }

    @Test
    void fusedUnaryBackwardReadsABroadcastGradientInPlace() {
        Random r = new Random(4);
        int[][][] cases = {{{3, 257}, {1}}, {{3, 257}, {3, 1}}, {{17, 65}, {65}}, {{2, 40000}, {2, 1}}, {{7}, {7}}};
        for (int[][] c : cases) {
            int[] shape = c[0];
            int[] gShape = c[1];
            double[] y = randn(r, size(shape));
            double[] g = randn(r, size(gShape));
            double[] out = (double[]) Kernels.unaryBackward(UnaryOp.TANH, g, gShape, y, shape, 0);
            for (int i = 0; i < out.length; i++) {
                double expected = at(g, gShape, unravel(i, shape)) * (1 - y[i] * y[i]);
                assertEquals(expected, out[i], 1e-15 * Math.max(1, Math.abs(expected)),
                        Arrays.toString(shape) + " g " + Arrays.toString(gShape) + " at " + i);
            }
        }
    }

    @Test
    void productSumFusesTheUnbroadcastingSum() {
        Random r = new Random(5);
        int[][][] cases = {{{4, 1, 3}, {2, 3}, {1, 2, 1}}, {{257}, {3, 257}, {257}}, {{5, 1}, {1, 7}, {1, 7}},
            {{2, 3}, {2, 3}, {1}}};
        for (int[][] c : cases) {
            int[] as = c[0];
            int[] bs = c[1];
            int[] target = c[2];
            int rank = Math.max(as.length, bs.length);
            int[] shape = new int[rank];
            for (int i = 1; i <= rank; i++) {
                shape[rank - i] = Math.max(i <= as.length ? as[as.length - i] : 1, i <= bs.length ? bs[bs.length - i] : 1);
            }
            double[] a = randn(r, size(as));
            double[] b = randn(r, size(bs));
            double[] out = (double[]) Kernels.productSumTo(a, as, b, bs, shape, target);
            double[] expected = new double[size(target)];
            int[] targetStrides = Kernels.broadcastStrides(target, shape);
            for (int i = 0; i < size(shape); i++) {
                int[] index = unravel(i, shape);
                int o = 0;
                for (int d = 0; d < rank; d++) {
                    o += index[d] * targetStrides[d];
                }
                expected[o] += at(a, as, index) * at(b, bs, index);
            }
            assertArrayEquals(expected, out, 1e-12, Arrays.deepToString(c));
        }
    }

    @Test
    void softmaxAlongAnyAxisMatchesTheFormula() {
        Random r = new Random(6);
        int[][] shapes = {{1, 1, 1}, {7, 17, 1}, {3, 65, 2}, {2, 1, 257}, {1, 257, 63}};
        for (int[] s : shapes) {
            int outer = s[0];
            int extent = s[1];
            int inner = s[2];
            double[] x = randn(r, outer * extent * inner);
            x[0] = 800;   // would overflow exp without the shift
            double[] y = (double[]) Kernels.softmax(x, outer, extent, inner, false);
            double[] logY = (double[]) Kernels.softmax(x, outer, extent, inner, true);
            double[] g = randn(r, x.length);
            double[] gx = (double[]) Kernels.softmaxBackward(g, y, outer, extent, inner, false);
            double[] gxLog = (double[]) Kernels.softmaxBackward(g, logY, outer, extent, inner, true);
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t < extent; t++) {
                        m = Math.max(m, x[(o * extent + t) * inner + i]);
                    }
                    double sum = 0;
                    double gy = 0;
                    double gs = 0;
                    for (int t = 0; t < extent; t++) {
                        int k = (o * extent + t) * inner + i;
                        sum += Math.exp(x[k] - m);
                    }
                    for (int t = 0; t < extent; t++) {
                        int k = (o * extent + t) * inner + i;
                        gy += g[k] * Math.exp(x[k] - m) / sum;
                        gs += g[k];
                    }
                    for (int t = 0; t < extent; t++) {
                        int k = (o * extent + t) * inner + i;
                        double p = Math.exp(x[k] - m) / sum;
                        String where = Arrays.toString(s) + " at " + k;
                        assertEquals(p, y[k], 1e-15, where);
                        assertEquals(x[k] - m - Math.log(sum), logY[k], 1e-12 * Math.max(1, Math.abs(logY[k])), where);
                        assertEquals(p * (g[k] - gy), gx[k], 1e-14, where);
                        assertEquals(g[k] - p * gs, gxLog[k], 1e-13, where);
                    }
                }
            }
        }
    }

    @Test
    void maxPoolingBackwardSharesTiesOnEveryPathAndOddSizes() {
        Random r = new Random(8);
        // {size, kernel, stride, padding}: the 2x2 stride-2 path (even and odd sizes) and the general one
        int[][] cases = {{4, 2, 2, 0}, {7, 2, 2, 0}, {17, 2, 2, 0}, {7, 3, 2, 1}, {6, 2, 1, 0}, {5, 3, 3, 1}, {1, 1, 1, 0}};
        for (int[] c : cases) {
            int size = c[0];
            int k = c[1];
            int stride = c[2];
            int pad = c[3];
            int ho = (size + 2 * pad - k) / stride + 1;
            ConvGeometry g = new ConvGeometry(2, 3, size, size, 3, k, k, stride, stride, pad, pad, 1, 1, 1, ho, ho);
            double[] x = new double[2 * 3 * size * size];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(3);   // a coarse grid: many windows hold ties
            }
            double[] y = (double[]) Kernels.maxPool2d(x, g);
            double[] dy = randn(r, y.length);
            double[] dx = (double[]) Kernels.maxPool2dBackward(x, y, dy, g);
            double[] expected = new double[x.length];
            for (int plane = 0; plane < 6; plane++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < ho; j++) {
                        double m = Double.NEGATIVE_INFINITY;
                        List<Integer> at = new ArrayList<>();
                        for (int p = 0; p < k; p++) {
                            for (int q = 0; q < k; q++) {
                                int row = i * stride - pad + p;
                                int col = j * stride - pad + q;
                                if (row >= 0 && row < size && col >= 0 && col < size) {
                                    m = Math.max(m, x[(plane * size + row) * size + col]);
                                }
                            }
                        }
                        for (int p = 0; p < k; p++) {
                            for (int q = 0; q < k; q++) {
                                int row = i * stride - pad + p;
                                int col = j * stride - pad + q;
                                if (row >= 0 && row < size && col >= 0 && col < size
                                        && x[(plane * size + row) * size + col] == m) {
                                    at.add((plane * size + row) * size + col);
                                }
                            }
                        }
                        assertEquals(m, y[(plane * ho + i) * ho + j], 0, "maxPool2d " + Arrays.toString(c));
                        for (int index : at) {
                            expected[index] += dy[(plane * ho + i) * ho + j] / at.size();
                        }
                    }
                }
            }
            assertArrayEquals(expected, dx, 1e-14, "maxPool2d backward " + Arrays.toString(c));
        }
    }

    @Test
    void convolutionAndPoolingMatchNaiveLoopsOnAwkwardGeometries() {
        Random r = new Random(7);
        for (int size : AWKWARD) {
            if (size > 65) {
                continue;
            }
            for (int[] geometry : new int[][] {{1, 0, 1, 1}, {2, 1, 1, 1}, {1, 2, 2, 1}, {3, 1, 1, 2}}) {
                int stride = geometry[0];
                int pad = geometry[1];
                int dil = geometry[2];
                int groups = geometry[3];
                int k = Math.min(3, size + 2 * pad);
                if ((k - 1) * dil + 1 > size + 2 * pad) {
                    continue;
                }
                int n = 2;
                int c = 2 * groups;
                int o = 3 * groups;
                int ho = (size + 2 * pad - (k - 1) * dil - 1) / stride + 1;
                ConvGeometry g = new ConvGeometry(n, c, size, size, o, k, k, stride, stride, pad, pad, dil, dil, groups,
                        ho, ho);
                double[] x = randn(r, n * c * size * size);
                double[] w = randn(r, o * (c / groups) * k * k);
                double[] b = randn(r, o);
                double[] y = (double[]) Kernels.conv2d(x, w, b, g);
                double[] dy = randn(r, y.length);
                double[] dx = new double[x.length];
                double[] dw = new double[w.length];
                double[] db = new double[o];
                Kernels.conv2dBackward(x, w, dy, g, dx, dw, db);
                double[] ex = new double[x.length];
                double[] ew = new double[w.length];
                double[] eb = new double[o];
                for (int s = 0; s < n; s++) {
                    for (int oc = 0; oc < o; oc++) {
                        int gi = oc / (o / groups);
                        for (int i = 0; i < ho; i++) {
                            for (int j = 0; j < ho; j++) {
                                double acc = b[oc];
                                int yi = ((s * o + oc) * ho + i) * ho + j;
                                eb[oc] += dy[yi];
                                for (int cc = 0; cc < c / groups; cc++) {
                                    int ch = gi * (c / groups) + cc;
                                    for (int p = 0; p < k; p++) {
                                        for (int q = 0; q < k; q++) {
                                            int row = i * stride - pad + p * dil;
                                            int col = j * stride - pad + q * dil;
                                            if (row < 0 || row >= size || col < 0 || col >= size) {
                                                continue;
                                            }
                                            int xi = ((s * c + ch) * size + row) * size + col;
                                            int wi = ((oc * (c / groups) + cc) * k + p) * k + q;
                                            acc += w[wi] * x[xi];
                                            ex[xi] += w[wi] * dy[yi];
                                            ew[wi] += x[xi] * dy[yi];
                                        }
                                    }
                                }
                                assertEquals(acc, y[yi], 1e-12, "conv2d " + Arrays.toString(geometry) + " size " + size);
                            }
                        }
                    }
                }
                assertArrayEquals(ex, dx, 1e-12, "conv2d dx " + Arrays.toString(geometry) + " size " + size);
                assertArrayEquals(ew, dw, 1e-11, "conv2d dw " + Arrays.toString(geometry) + " size " + size);
                assertArrayEquals(eb, db, 1e-12, "conv2d db " + Arrays.toString(geometry) + " size " + size);
                if (dil == 1 && groups == 1 && 2 * pad <= k) {
                    ConvGeometry pool = new ConvGeometry(n, c, size, size, c, k, k, stride, stride, pad, pad, 1, 1, 1,
                            ho, ho);
                    double[] pooled = (double[]) Kernels.maxPool2d(x, pool);
                    for (int plane = 0; plane < n * c; plane++) {
                        for (int i = 0; i < ho; i++) {
                            for (int j = 0; j < ho; j++) {
                                double m = Double.NEGATIVE_INFINITY;
                                for (int p = 0; p < k; p++) {
                                    for (int q = 0; q < k; q++) {
                                        int row = i * stride - pad + p;
                                        int col = j * stride - pad + q;
                                        if (row >= 0 && row < size && col >= 0 && col < size) {
                                            m = Math.max(m, x[(plane * size + row) * size + col]);
                                        }
                                    }
                                }
                                assertEquals(m, pooled[(plane * ho + i) * ho + j], 0, "maxPool2d");
                            }
                        }
                    }
                }
            }
        }
    }
}
