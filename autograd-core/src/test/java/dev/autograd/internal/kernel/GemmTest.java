package dev.autograd.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * GEMM ({@link DoubleGemm} and its generated twin {@code FloatGemm}) against a naive float64 reference, on
 * both dtypes and every backend available (portable always, SIMD when the Vector API is readable): awkward
 * sizes on both the small path and the packed one, the four transpose combinations, alpha and beta,
 * offsets and odd leading dimensions, NaN garbage under {@code beta = 0}, batches with broadcast and
 * overlapping offsets; and determinism (the same call twice, one thread against the pool).
 *
 * <p>The default run takes a few seconds; {@code -Dautograd.longTests=true} (set by the properties-long
 * profile) sweeps every size combination including 257 with every alpha and beta.
 */
class GemmTest {

    private static final boolean LONG = Boolean.getBoolean("autograd.longTests");
    private static final int[] SIZES = LONG ? new int[] {0, 1, 7, 17, 63, 65, 257} : new int[] {0, 1, 7, 17, 63, 65};
    /** Sizes with 257 that the default run checks, one dimension large at a time and all three once. */
    private static final int[][] LARGE = {{257, 65, 63}, {65, 257, 17}, {17, 63, 257}, {257, 257, 257}};
    /** {alpha, beta} pairs: plain product, accumulate, scale only, and general factors. */
    private static final double[][] FACTORS = {{1, 0}, {1, 1}, {0, 1}, {-1.5, 0.5}, {0.75, 0}, {2, -1}};
    /** What the padding of C holds, to see that GEMM leaves it alone. */
    private static final double SENTINEL = 12345;

    /** The entry points of one dtype, so that each test is written once for both. */
    private enum Dtype {
        F64(Math.ulp(1.0)),
        F32(Math.ulp(1.0f));

        final double eps;

        Dtype(double eps) {
            this.eps = eps;
        }

        Object array(double[] values) {
            return this == F64 ? values.clone() : Kernels.toFloats(values);
        }

        /** A value this dtype holds exactly, so that the reference sees the same inputs. */
        double exact(double v) {
            return this == F64 ? v : (float) v;
        }

        /** The portable backend, then the SIMD one when the Vector API is readable. */
        List<Object> backends() {
            List<Object> list = new ArrayList<>();
            list.add(this == F64 ? PortableDoubleBackend.INSTANCE : PortableFloatBackend.INSTANCE);
            Backends.simdBackends().ifPresent(simd -> list.add(simd[this == F64 ? 0 : 1]));
            return list;
        }

        String name(Object backend) {
            return this + " " + (this == F64 ? ((DoubleBackend) backend).name() : ((FloatBackend) backend).name());
        }

        void gemm(Object backend, boolean parallel, Problem p, Object a, Object b, Object c) {
            if (this == F64) {
                DoubleGemm.gemm((DoubleBackend) backend, parallel, p.transA, p.transB, p.m, p.n, p.k, p.alpha,
                        (double[]) a, p.aOff, p.lda, (double[]) b, p.bOff, p.ldb, p.beta, (double[]) c, p.cOff, p.ldc);
            } else {
                FloatGemm.gemm((FloatBackend) backend, parallel, p.transA, p.transB, p.m, p.n, p.k, (float) p.alpha,
                        (float[]) a, p.aOff, p.lda, (float[]) b, p.bOff, p.ldb, (float) p.beta, (float[]) c, p.cOff,
                        p.ldc);
            }
        }

        void gemmBatched(Object backend, boolean parallel, Problem p, Object a, int[] aOffsets, Object b,
                         int[] bOffsets, Object c, int[] cOffsets) {
            if (this == F64) {
                DoubleGemm.gemmBatched((DoubleBackend) backend, parallel, p.transA, p.transB, p.m, p.n, p.k, p.alpha,
                        (double[]) a, aOffsets, p.lda, (double[]) b, bOffsets, p.ldb, p.beta, (double[]) c, cOffsets,
                        p.ldc);
            } else {
                FloatGemm.gemmBatched((FloatBackend) backend, parallel, p.transA, p.transB, p.m, p.n, p.k,
                        (float) p.alpha, (float[]) a, aOffsets, p.lda, (float[]) b, bOffsets, p.ldb, (float) p.beta,
                        (float[]) c, cOffsets, p.ldc);
            }
        }
    }

    /** The shape and layout of one call; the stored operands are {@code rowsA x colsA} and so on. */
    private record Problem(boolean transA, boolean transB, int m, int n, int k, double alpha, double beta, int aOff,
                           int lda, int bOff, int ldb, int cOff, int ldc) {

        int rowsA() {
            return transA ? k : m;
        }

        int colsA() {
            return transA ? m : k;
        }

        int rowsB() {
            return transB ? n : k;
        }

        int colsB() {
            return transB ? k : n;
        }

        /** Dense layout at offset 0. */
        static Problem dense(boolean transA, boolean transB, int m, int n, int k, double alpha, double beta) {
            return new Problem(transA, transB, m, n, k, alpha, beta, 0, transA ? m : k, 0, transB ? k : n, 0, n);
        }

        /** Random offsets, and leading dimensions up to 3 past the width (odd strides included). */
        static Problem padded(Random r, boolean transA, boolean transB, int m, int n, int k, double alpha,
                              double beta) {
            return new Problem(transA, transB, m, n, k, alpha, beta, r.nextInt(6), (transA ? m : k) + r.nextInt(4),
                    r.nextInt(6), (transB ? k : n) + r.nextInt(4), r.nextInt(6), n + r.nextInt(4));
        }

        double a(double[] a, int i, int p) {
            return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        }

        double b(double[] b, int p, int j) {
            return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
        }

        @Override
        public String toString() {
            return (transA ? "T" : "N") + (transB ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k + " alpha="
                    + alpha + " beta=" + beta + " offsets " + aOff + "/" + bOff + "/" + cOff + " ld " + lda + "/"
                    + ldb + "/" + ldc;
        }
    }

    /**
     * A stored matrix of {@code rows x cols} at {@code off} with leading dimension {@code ld}: the matrix
     * holds random values of the dtype, everything else {@code fill}.
     */
    private static double[] stored(Random r, Dtype dtype, int off, int rows, int cols, int ld, double fill) {
        double[] x = new double[off + rows * ld + 3];
        Arrays.fill(x, fill);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                x[off + i * ld + j] = dtype.exact(r.nextGaussian());
            }
        }
        return x;
    }

    /** Whether {@code index} of C's array is an element of the matrix C. */
    private static boolean inC(Problem p, int index) {
        if (p.m == 0 || p.n == 0) {
            return false;
        }
        int rel = index - p.cOff;
        return rel >= 0 && rel / p.ldc < p.m && rel % p.ldc < p.n;
    }

    /**
     * Runs one problem on one backend and checks it against the float64 reference. The padding of A and B
     * is NaN (a read of it would show); the padding of C holds {@link #SENTINEL} and must stay; with
     * {@code beta == 0} the matrix C starts as NaN and must be overwritten.
     */
    private static void check(Random r, Dtype dtype, Object backend, boolean parallel, Problem p) {
        double[] a = stored(r, dtype, p.aOff, p.rowsA(), p.colsA(), p.lda, Double.NaN);
        double[] b = stored(r, dtype, p.bOff, p.rowsB(), p.colsB(), p.ldb, Double.NaN);
        double[] c0 = stored(r, dtype, p.cOff, p.m, p.n, p.ldc, SENTINEL);
        if (p.beta == 0) {
            for (int i = 0; i < c0.length; i++) {
                if (inC(p, i)) {
                    c0[i] = Double.NaN;
                }
            }
        }
        Object c = dtype.array(c0);
        dtype.gemm(backend, parallel, p, dtype.array(a), dtype.array(b), c);
        double[] got = Kernels.toDoubles(c);
        for (int i = 0; i < c0.length; i++) {
            if (!inC(p, i)) {
                assertEquals(c0[i], got[i], () -> dtype.name(backend) + " " + p + ": wrote outside C");
            }
        }
        for (int i = 0; i < p.m; i++) {
            for (int j = 0; j < p.n; j++) {
                double sum = 0;
                double magnitude = 0;
                for (int q = 0; q < p.k; q++) {
                    double product = p.a(a, i, q) * p.b(b, q, j);
                    sum += product;
                    magnitude += Math.abs(product);
                }
                int at = p.cOff + i * p.ldc + j;
                double old = p.beta == 0 ? 0 : c0[at];
                double expected = p.alpha == 0 ? p.beta * old : p.alpha * sum + p.beta * old;
                double tolerance = (p.k + 4) * dtype.eps * (Math.abs(p.alpha) * magnitude + Math.abs(p.beta * old))
                        + Double.MIN_NORMAL;
                double actual = got[at];
                if (!(Math.abs(actual - expected) <= tolerance)) {
                    fail(dtype.name(backend) + (parallel ? "" : " one thread") + " " + p + ": C(" + i + ", " + j
                            + ") = " + actual + ", expected " + expected + " within " + tolerance);
                }
            }
        }
    }

    @Test
    void matchesTheReferenceOnAwkwardSizesLayoutsAndFactors() {
        Random r = new Random(1);
        for (Dtype dtype : Dtype.values()) {
            for (Object backend : dtype.backends()) {
                int variant = 0;
                for (int m : SIZES) {
                    for (int n : SIZES) {
                        for (int k : SIZES) {
                            for (int t = 0; t < 4; t++) {
                                if (LONG) {
                                    for (double[] f : FACTORS) {
                                        check(r, dtype, backend, true, Problem.padded(r, t >= 2, t % 2 == 1, m, n, k,
                                                f[0], f[1]));
                                    }
                                } else {
                                    double[] f = FACTORS[variant++ % FACTORS.length];
                                    check(r, dtype, backend, true, Problem.padded(r, t >= 2, t % 2 == 1, m, n, k, f[0],
                                            f[1]));
                                }
                            }
                        }
                    }
                }
                if (!LONG) {
                    for (int[] s : LARGE) {
                        for (int t = 0; t < 4; t++) {
                            double[] f = FACTORS[variant++ % FACTORS.length];
                            check(r, dtype, backend, true, Problem.padded(r, t >= 2, t % 2 == 1, s[0], s[1], s[2], f[0],
                                    f[1]));
                        }
                    }
                }
            }
        }
    }

    /** The engine's shapes: an MLP layer forward and both backward products, and a narrow output layer. */
    @Test
    void matchesTheReferenceOnTheEnginesShapes() {
        Random r = new Random(2);
        for (Dtype dtype : Dtype.values()) {
            for (Object backend : dtype.backends()) {
                // y = x W^T, dW = g^T x, dx = g W for x [128, 784], W [256, 784]; and the 10-wide output layer
                check(r, dtype, backend, true, Problem.dense(false, true, 128, 256, 784, 1, 0));
                check(r, dtype, backend, true, Problem.dense(true, false, 256, 784, 128, 1, 1));
                check(r, dtype, backend, true, Problem.dense(false, false, 128, 784, 256, 1, 0));
                check(r, dtype, backend, true, Problem.dense(false, true, 128, 10, 128, 1, 0));
                check(r, dtype, backend, true, Problem.dense(true, false, 10, 128, 128, 1, 1));
                check(r, dtype, backend, true, Problem.dense(false, false, 128, 128, 10, 1, 0));
            }
        }
    }

    @Test
    void betaZeroOverwritesNaNAndAlphaZeroReadsNeitherOperand() {
        for (Dtype dtype : Dtype.values()) {
            for (Object backend : dtype.backends()) {
                for (int size : new int[] {3, 40, 100}) {
                    int count = size * size;
                    double[] ones = new double[count];
                    Arrays.fill(ones, 1);
                    double[] nan = new double[count];
                    Arrays.fill(nan, Double.NaN);
                    Object c = dtype.array(nan);
                    dtype.gemm(backend, true, Problem.dense(false, false, size, size, size, 1, 0), dtype.array(ones),
                            dtype.array(ones), c);
                    double[] expected = new double[count];
                    Arrays.fill(expected, size);
                    assertArrayEquals(expected, Kernels.toDoubles(c), dtype.name(backend) + " size " + size);

                    double[] twos = new double[count];
                    Arrays.fill(twos, 2);
                    Object scaled = dtype.array(ones);
                    dtype.gemm(backend, true, Problem.dense(false, false, size, size, size, 0, 2), dtype.array(nan),
                            dtype.array(nan), scaled);
                    assertArrayEquals(twos, Kernels.toDoubles(scaled), dtype.name(backend) + " alpha 0, size " + size);
                    Object zeroed = dtype.array(nan);
                    dtype.gemm(backend, true, Problem.dense(false, false, size, size, 0, 1, 0), dtype.array(nan),
                            dtype.array(nan), zeroed);
                    assertArrayEquals(new double[count], Kernels.toDoubles(zeroed), dtype.name(backend) + " k = 0");
                }
            }
        }
    }

    @Test
    void simdAgreesWithPortable() {
        Random r = new Random(3);
        for (Dtype dtype : Dtype.values()) {
            List<Object> backends = dtype.backends();
            if (backends.size() < 2) {
                continue;
            }
            for (int[] s : new int[][] {{5, 6, 7}, {65, 63, 17}, {200, 150, 300}, {9, 500, 130}}) {
                for (int t = 0; t < 4; t++) {
                    Problem p = Problem.padded(r, t >= 2, t % 2 == 1, s[0], s[1], s[2], -1.5, 0.5);
                    double[] a = stored(r, dtype, p.aOff, p.rowsA(), p.colsA(), p.lda, 0);
                    double[] b = stored(r, dtype, p.bOff, p.rowsB(), p.colsB(), p.ldb, 0);
                    double[] c0 = stored(r, dtype, p.cOff, p.m, p.n, p.ldc, 0);
                    Object portable = dtype.array(c0);
                    Object simd = dtype.array(c0);
                    dtype.gemm(backends.get(0), true, p, dtype.array(a), dtype.array(b), portable);
                    dtype.gemm(backends.get(1), true, p, dtype.array(a), dtype.array(b), simd);
                    double[] x = Kernels.toDoubles(portable);
                    double[] y = Kernels.toDoubles(simd);
                    double tolerance = (p.k + 4) * dtype.eps * 4 * Math.sqrt(p.k + 1);
                    for (int i = 0; i < x.length; i++) {
                        double diff = Math.abs(x[i] - y[i]);
                        int at = i;
                        assertTrue(diff <= tolerance * Math.max(1, Math.abs(x[i])),
                                () -> dtype + " " + p + ": element " + at + " portable " + x[at] + " simd " + y[at]);
                    }
                }
            }
        }
    }

    /**
     * K is never split, so a result does not depend on the thread count: the same call twice, and the call
     * on the calling thread alone, give the same bits as the call on the pool. The sizes split the rows
     * (tall), the columns (a few rows, many columns) and both.
     */
    @Test
    void bitIdenticalRunToRunAndWhateverTheThreadCount() {
        Random r = new Random(4);
        for (Dtype dtype : Dtype.values()) {
            for (Object backend : dtype.backends()) {
                for (int[] s : new int[][] {{160, 120, 200}, {9, 700, 300}, {40, 90, 1000}}) {
                    for (int t = 0; t < 4; t++) {
                        Problem p = Problem.padded(r, t >= 2, t % 2 == 1, s[0], s[1], s[2], 1, 1);
                        Object a = dtype.array(stored(r, dtype, p.aOff, p.rowsA(), p.colsA(), p.lda, 0));
                        Object b = dtype.array(stored(r, dtype, p.bOff, p.rowsB(), p.colsB(), p.ldb, 0));
                        double[] c0 = stored(r, dtype, p.cOff, p.m, p.n, p.ldc, 0);
                        Object pooled = dtype.array(c0);
                        Object again = dtype.array(c0);
                        Object alone = dtype.array(c0);
                        dtype.gemm(backend, true, p, a, b, pooled);
                        dtype.gemm(backend, true, p, a, b, again);
                        dtype.gemm(backend, false, p, a, b, alone);
                        String what = dtype.name(backend) + " " + p;
                        assertArrayEquals(Kernels.toDoubles(pooled), Kernels.toDoubles(again), what + ": run to run");
                        assertArrayEquals(Kernels.toDoubles(pooled), Kernels.toDoubles(alone), what + ": one thread");
                    }
                }
            }
        }
    }

    /**
     * A batch with a broadcast operand (offsets repeat), on each transpose combination, against the
     * reference entry by entry; then the same batch on the calling thread alone, bit for bit.
     */
    @Test
    void batchedWithBroadcastOffsets() {
        Random r = new Random(5);
        int batches = 6;
        for (Dtype dtype : Dtype.values()) {
            for (Object backend : dtype.backends()) {
                for (int[] s : new int[][] {{7, 5, 3}, {32, 196, 144}, {65, 17, 63}}) {
                    for (int t = 0; t < 4; t++) {
                        Problem p = Problem.dense(t >= 2, t % 2 == 1, s[0], s[1], s[2], 1, t == 3 ? 1 : 0);
                        int aSize = p.rowsA() * p.lda;
                        int cSize = p.m * p.ldc;
                        // A alternates between two matrices; B is one matrix for every entry.
                        double[] a = stored(r, dtype, 0, 2 * p.rowsA(), p.colsA(), p.lda, 0);
                        double[] b = stored(r, dtype, 0, p.rowsB(), p.colsB(), p.ldb, 0);
                        double[] c0 = stored(r, dtype, 0, batches * p.m, p.n, p.ldc, 0);
                        int[] aOffsets = new int[batches];
                        int[] bOffsets = new int[batches];
                        int[] cOffsets = new int[batches];
                        for (int e = 0; e < batches; e++) {
                            aOffsets[e] = (e % 2) * aSize;
                            cOffsets[e] = e * cSize;
                        }
                        Object c = dtype.array(c0);
                        Object alone = dtype.array(c0);
                        dtype.gemmBatched(backend, true, p, dtype.array(a), aOffsets, dtype.array(b), bOffsets, c,
                                cOffsets);
                        dtype.gemmBatched(backend, false, p, dtype.array(a), aOffsets, dtype.array(b), bOffsets, alone,
                                cOffsets);
                        assertArrayEquals(Kernels.toDoubles(c), Kernels.toDoubles(alone),
                                dtype.name(backend) + " " + p + ": batch-parallel against one thread");
                        for (int e = 0; e < batches; e++) {
                            Problem entry = new Problem(p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.beta,
                                    aOffsets[e], p.lda, bOffsets[e], p.ldb, cOffsets[e], p.ldc);
                            double[] expected = c0.clone();
                            referenceInto(entry, a, b, expected);
                            assertClose(dtype, entry, Arrays.copyOfRange(expected, cOffsets[e], cOffsets[e] + cSize),
                                    Arrays.copyOfRange(Kernels.toDoubles(c), cOffsets[e], cOffsets[e] + cSize),
                                    dtype.name(backend) + " entry " + e + " of " + p);
                        }
                    }
                }
            }
        }
    }

    /**
     * Entries that all write the same C with {@code beta = 1} (a gradient summed over a broadcast batch
     * axis) run one after the other: C gains the sum of the products, with the same bits on one thread.
     */
    @Test
    void batchedOverlappingOutputsAccumulate() {
        Random r = new Random(6);
        int batches = 5;
        for (Dtype dtype : Dtype.values()) {
            for (Object backend : dtype.backends()) {
                Problem p = Problem.dense(true, false, 24, 40, 30, 1, 1);
                double[] a = stored(r, dtype, 0, batches * p.rowsA(), p.colsA(), p.lda, 0);
                double[] b = stored(r, dtype, 0, batches * p.rowsB(), p.colsB(), p.ldb, 0);
                double[] c0 = stored(r, dtype, 0, p.m, p.n, p.ldc, 0);
                int[] aOffsets = new int[batches];
                int[] bOffsets = new int[batches];
                int[] cOffsets = new int[batches];
                double[] expected = c0.clone();
                for (int e = 0; e < batches; e++) {
                    aOffsets[e] = e * p.rowsA() * p.lda;
                    bOffsets[e] = e * p.rowsB() * p.ldb;
                    referenceInto(new Problem(p.transA, p.transB, p.m, p.n, p.k, 1, 1, aOffsets[e], p.lda, bOffsets[e],
                            p.ldb, 0, p.ldc), a, b, expected);
                }
                Object c = dtype.array(c0);
                Object alone = dtype.array(c0);
                dtype.gemmBatched(backend, true, p, dtype.array(a), aOffsets, dtype.array(b), bOffsets, c, cOffsets);
                dtype.gemmBatched(backend, false, p, dtype.array(a), aOffsets, dtype.array(b), bOffsets, alone,
                        cOffsets);
                assertArrayEquals(Kernels.toDoubles(c), Kernels.toDoubles(alone), dtype.name(backend));
                Problem summed = new Problem(p.transA, p.transB, p.m, p.n, batches * p.k, 1, 1, 0, p.lda, 0, p.ldb, 0,
                        p.ldc);
                assertClose(dtype, summed, expected, Kernels.toDoubles(c), dtype.name(backend) + " summed batch");
            }
        }
    }

    /** The ops layer's entry: dense batches, new output, broadcast offsets. */
    @Test
    void kernelsMatmulKeepsItsContract() {
        Random r = new Random(7);
        for (Dtype dtype : Dtype.values()) {
            int m = 33;
            int k = 20;
            int n = 70;
            double[] a = stored(r, dtype, 0, 2 * m, k, k, 0);
            double[] b = stored(r, dtype, 0, k, n, n, 0);
            int[] aOffsets = {0, m * k, 0};
            int[] bOffsets = {0, 0, 0};
            Object c = Kernels.matmul(dtype.array(a), aOffsets, dtype.array(b), bOffsets, m, k, n);
            assertEquals(3 * m * n, Kernels.length(c));
            for (int e = 0; e < 3; e++) {
                Problem entry = new Problem(false, false, m, n, k, 1, 0, aOffsets[e], k, 0, n, 0, n);
                double[] expected = new double[m * n];
                referenceInto(entry, a, b, expected);
                assertClose(dtype, entry, expected,
                        Arrays.copyOfRange(Kernels.toDoubles(c), e * m * n, (e + 1) * m * n), dtype + " entry " + e);
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        double[] x = new double[12];
        assertThrows(IllegalArgumentException.class,
                () -> Kernels.gemm(false, false, -1, 2, 2, 1, x, 0, 2, x, 0, 2, 0, x, 0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Kernels.gemm(false, false, 2, 2, 3, 1, x, 0, 2, x, 0, 2, 0, x, 0, 2));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Kernels.gemm(false, false, 4, 4, 4, 1, x, 0, 4, x, 0, 4, 0, x, 0, 4));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Kernels.gemm(true, false, 2, 2, 2, 1, x, 11, 2, x, 0, 2, 0, x, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Kernels.gemmBatched(false, false, 2, 2, 2, 1, x,
                new int[] {0}, 2, x, new int[] {0, 4}, 2, 0, x, new int[] {0}, 2));
    }

    /** {@code c += alpha * op(A) op(B) + (beta - 1) * c} over C's elements, in float64, naively. */
    private static void referenceInto(Problem p, double[] a, double[] b, double[] c) {
        for (int i = 0; i < p.m; i++) {
            for (int j = 0; j < p.n; j++) {
                double sum = 0;
                for (int q = 0; q < p.k; q++) {
                    sum += p.a(a, i, q) * p.b(b, q, j);
                }
                int at = p.cOff + i * p.ldc + j;
                c[at] = p.alpha * sum + (p.beta == 0 ? 0 : p.beta * c[at]);
            }
        }
    }

    /** Element-wise closeness with a tolerance scaled by the depth, the dtype and the values' size. */
    private static void assertClose(Dtype dtype, Problem p, double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double tolerance = (p.k + 4) * dtype.eps * Math.sqrt(p.k + 1) * 8;
        for (int i = 0; i < expected.length; i++) {
            int at = i;
            assertTrue(Math.abs(expected[i] - actual[i]) <= tolerance * Math.max(1, Math.abs(expected[i])),
                    () -> what + ": element " + at + " is " + actual[at] + ", expected " + expected[at]);
        }
    }

    @Test
    void blockCountsDoNotOverflowNearTheIntLimit() {
        // (x + y - 1) / y wraps around for x near Integer.MAX_VALUE; the block loops count blocks instead.
        int k = Integer.MAX_VALUE - 8;
        org.junit.jupiter.api.Assertions.assertEquals(5592406, DoubleGemm.ceilDiv(k, 384));
        org.junit.jupiter.api.Assertions.assertEquals(Integer.MAX_VALUE, DoubleGemm.ceilDiv(Integer.MAX_VALUE, 1));
        org.junit.jupiter.api.Assertions.assertEquals(0, DoubleGemm.ceilDiv(0, 7));
    }
}
