package dev.autograd.internal.kernel;

import java.util.Arrays;

/**
 * The float64 loops in plain Java 17: simple counted loops over arrays that C2's auto-vectoriser turns
 * into SIMD code where it can (arithmetic, comparisons, min/max), {@link Math}'s intrinsics for exp, log, sin, cos,
 * sqrt and pow (each within 1 ulp), and {@link DoubleScalarMath} for the other transcendental functions and
 * derivatives (expm1, log1p, tanh, sigmoid, softplus, erf, both GELUs), whose {@code Math} versions (where there
 * are any) are not intrinsics on JDK 17 but calls into native code. Every function is a static method called
 * from its own loop, which C2 inlines. The build generates {@code PortableFloatBackend} from this file: float32
 * results of {@code Math} functions are rounded from double, so within 1 ulp of the float32 function; the float32
 * {@code FloatScalarMath} works in float32 within the bounds it states.
 *
 * <p>The functions from {@link DoubleScalarMath} give the same bits as the SIMD backend's vector math, so for
 * those ops (forward and fused backward) the two backends agree exactly.
 *
 * <p>Keep it generation-safe: no floating-point literals with a decimal point, and cast every
 * {@code Math} result with {@code (double)}.
 */
public final class PortableDoubleBackend implements DoubleBackend {

    /** The one instance. */
    public static final PortableDoubleBackend INSTANCE = new PortableDoubleBackend();

    /** Rows of a GEMM tile: four row updates share each load of B. */
    private static final int GEMM_MR = 4;
    /**
     * Columns of a GEMM tile: long rows, so that most of each column loop runs in the vector main loop C2
     * makes of it rather than in its scalar pre- and post-loops (128 columns ran a quarter slower).
     */
    private static final int ROW_WIDTH = 256;
    /** Where the row kernel's buffer holds its copy of a B row, after the four tile rows. */
    private static final int B_ROW = GEMM_MR * ROW_WIDTH;
    /** Each thread's buffer for the row kernel: four tile rows and a B row. */
    private static final ThreadLocal<double[]> ROW_BUFFER =
            ThreadLocal.withInitial(() -> new double[B_ROW + ROW_WIDTH]);

    private PortableDoubleBackend() {
    }

    @Override
    public String name() {
        return "portable";
    }

    @Override
    public void unary(UnaryOp op, double[] x, int xOff, double[] out, int outOff, int n, double p) {
        int d = outOff - xOff;
        int end = xOff + n;
        switch (op) {
            case NEG -> { for (int i = xOff; i < end; i++) out[i + d] = -x[i]; }
            case EXP -> { for (int i = xOff; i < end; i++) out[i + d] = (double) Math.exp(x[i]); }
            case LOG -> { for (int i = xOff; i < end; i++) out[i + d] = (double) Math.log(x[i]); }
            case SQRT -> { for (int i = xOff; i < end; i++) out[i + d] = (double) Math.sqrt(x[i]); }
            case ABS -> { for (int i = xOff; i < end; i++) out[i + d] = Math.abs(x[i]); }
            case SIGN -> { for (int i = xOff; i < end; i++) out[i + d] = Math.signum(x[i]); }
            case TANH -> tanhLoop(x, xOff, out, d, end);
            case SIGMOID -> sigmoidLoop(x, xOff, out, d, end);
            case RELU -> { for (int i = xOff; i < end; i++) out[i + d] = x[i] > 0 || x[i] != x[i] ? x[i] : 0; }
            case POW -> { for (int i = xOff; i < end; i++) out[i + d] = (double) Math.pow(x[i], p); }
            case SIN -> { for (int i = xOff; i < end; i++) out[i + d] = (double) Math.sin(x[i]); }
            case COS -> { for (int i = xOff; i < end; i++) out[i + d] = (double) Math.cos(x[i]); }
            case LOG1P -> log1pLoop(x, xOff, out, d, end);
            case EXPM1 -> expm1Loop(x, xOff, out, d, end);
            case RECIPROCAL -> { for (int i = xOff; i < end; i++) out[i + d] = 1 / x[i]; }
            case SQUARE -> { for (int i = xOff; i < end; i++) out[i + d] = x[i] * x[i]; }
            case ERF -> erfLoop(x, xOff, out, d, end);
            case SOFTPLUS -> softplusLoop(x, xOff, out, d, end);
            case LEAKY_RELU -> { for (int i = xOff; i < end; i++) out[i + d] = x[i] > 0 ? x[i] : x[i] * p; }
            case GELU -> geluLoop(x, xOff, out, d, end);
            case GELU_TANH -> geluTanhLoop(x, xOff, out, d, end);
            default -> throw new AssertionError(op);
        }
    }

    // One method per function that is too large to inline at a cold call site: each loop is profiled and
    // compiled on its own, so its call is inlined once the loop is hot, whenever that happens. In unary's switch
    // the call would be inlined only if it was already hot when unary was compiled; an op first used after that
    // would pay a call per element for good.

    private static void tanhLoop(double[] x, int xOff, double[] out, int d, int end) {
        for (int i = xOff; i < end; i++) {
            out[i + d] = DoubleScalarMath.tanh(x[i]);
        }
    }

    private static void sigmoidLoop(double[] x, int xOff, double[] out, int d, int end) {
        for (int i = xOff; i < end; i++) {
            out[i + d] = DoubleScalarMath.sigmoid(x[i]);
        }
    }

    private static void log1pLoop(double[] x, int xOff, double[] out, int d, int end) {
        for (int i = xOff; i < end; i++) {
            out[i + d] = DoubleScalarMath.log1p(x[i]);
        }
    }

    private static void expm1Loop(double[] x, int xOff, double[] out, int d, int end) {
        for (int i = xOff; i < end; i++) {
            out[i + d] = DoubleScalarMath.expm1(x[i]);
        }
    }

    private static void erfLoop(double[] x, int xOff, double[] out, int d, int end) {
        for (int i = xOff; i < end; i++) {
            out[i + d] = DoubleScalarMath.erf(x[i]);
        }
    }

    private static void softplusLoop(double[] x, int xOff, double[] out, int d, int end) {
        for (int i = xOff; i < end; i++) {
            out[i + d] = DoubleScalarMath.softplus(x[i]);
        }
    }

    private static void geluLoop(double[] x, int xOff, double[] out, int d, int end) {
        for (int i = xOff; i < end; i++) {
            out[i + d] = DoubleScalarMath.gelu(x[i]);
        }
    }

    private static void geluTanhLoop(double[] x, int xOff, double[] out, int d, int end) {
        for (int i = xOff; i < end; i++) {
            out[i + d] = DoubleScalarMath.geluTanh(x[i]);
        }
    }

    @Override
    public void binary(BinaryOp op, double[] a, int ia, int sa, double[] b, int ib, int sb, double[] out, int o,
                       int n) {
        if (n <= 0) {
            return;
        }
        if (sa == 1 && sb == 1) {
            binaryContiguous(op, a, ia, b, ib, out, o, n);
        } else if (sa == 0 && sb == 1) {
            binaryScalarLeft(op, a[ia], b, ib, out, o, n);
        } else if (sa == 1 && sb == 0) {
            binaryScalarRight(op, a, ia, b[ib], out, o, n);
        } else {
            double v = apply(op, a[ia], b[ib]);
            for (int j = 0; j < n; j++) {
                out[o + j] = v;
            }
        }
    }

    // Three loop shapes without a stride multiply in the index, so that C2 vectorises each of them.
    private static void binaryContiguous(BinaryOp op, double[] a, int ia, double[] b, int ib, double[] out, int o,
                                         int n) {
        switch (op) {
            case ADD -> { for (int j = 0; j < n; j++) out[o + j] = a[ia + j] + b[ib + j]; }
            case SUB -> { for (int j = 0; j < n; j++) out[o + j] = a[ia + j] - b[ib + j]; }
            case MUL -> { for (int j = 0; j < n; j++) out[o + j] = a[ia + j] * b[ib + j]; }
            case DIV -> { for (int j = 0; j < n; j++) out[o + j] = a[ia + j] / b[ib + j]; }
            default -> { for (int j = 0; j < n; j++) out[o + j] = apply(op, a[ia + j], b[ib + j]); }
        }
    }

    private static void binaryScalarLeft(BinaryOp op, double a, double[] b, int ib, double[] out, int o, int n) {
        switch (op) {
            case ADD -> { for (int j = 0; j < n; j++) out[o + j] = a + b[ib + j]; }
            case SUB -> { for (int j = 0; j < n; j++) out[o + j] = a - b[ib + j]; }
            case MUL -> { for (int j = 0; j < n; j++) out[o + j] = a * b[ib + j]; }
            case DIV -> { for (int j = 0; j < n; j++) out[o + j] = a / b[ib + j]; }
            default -> { for (int j = 0; j < n; j++) out[o + j] = apply(op, a, b[ib + j]); }
        }
    }

    private static void binaryScalarRight(BinaryOp op, double[] a, int ia, double b, double[] out, int o, int n) {
        switch (op) {
            case ADD -> { for (int j = 0; j < n; j++) out[o + j] = a[ia + j] + b; }
            case SUB -> { for (int j = 0; j < n; j++) out[o + j] = a[ia + j] - b; }
            case MUL -> { for (int j = 0; j < n; j++) out[o + j] = a[ia + j] * b; }
            case DIV -> { for (int j = 0; j < n; j++) out[o + j] = a[ia + j] / b; }
            default -> { for (int j = 0; j < n; j++) out[o + j] = apply(op, a[ia + j], b); }
        }
    }

    /** One element of a binary op; the reference the vector loops are tested against. */
    public static double apply(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> (double) Math.pow(a, b);
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case GT -> a > b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case EQ -> a == b ? 1 : 0;
        };
    }

    @Override
    public void unaryBackward(UnaryOp op, double[] g, int ig, int sg, double[] saved, int is, double[] out, int o,
                              int n, double p, boolean accumulate) {
        switch (op) {
            case ERF -> erfBackward(g, ig, sg, saved, is, out, o, n, accumulate);
            case SOFTPLUS -> softplusBackward(g, ig, sg, saved, is, out, o, n, accumulate);
            case GELU -> geluBackward(g, ig, sg, saved, is, out, o, n, accumulate);
            case GELU_TANH -> geluTanhBackward(g, ig, sg, saved, is, out, o, n, accumulate);
            // The common activations in loops of their own: derivative() holds every case, and once compiled
            // on its own it is too large to inline into a loop, which then makes a call per element (measured:
            // a tanh backward ran 15 times slower after other ops had compiled it that way).
            case TANH -> {
                for (int j = 0; j < n; j++) {
                    double s = saved[is + j];
                    double v = g[ig + j * sg] * (1 - s * s);
                    out[o + j] = accumulate ? out[o + j] + v : v;
                }
            }
            case SIGMOID -> {
                for (int j = 0; j < n; j++) {
                    double s = saved[is + j];
                    double v = g[ig + j * sg] * (s * (1 - s));
                    out[o + j] = accumulate ? out[o + j] + v : v;
                }
            }
            case RELU -> {
                for (int j = 0; j < n; j++) {
                    double v = g[ig + j * sg] * (saved[is + j] > 0 ? 1 : 0);
                    out[o + j] = accumulate ? out[o + j] + v : v;
                }
            }
            case EXP -> {
                for (int j = 0; j < n; j++) {
                    double v = g[ig + j * sg] * saved[is + j];
                    out[o + j] = accumulate ? out[o + j] + v : v;
                }
            }
            default -> {
                for (int j = 0; j < n; j++) {
                    double v = g[ig + j * sg] * derivative(op, saved[is + j], p);
                    out[o + j] = accumulate ? out[o + j] + v : v;
                }
            }
        }
    }

    // The derivatives from DoubleScalarMath in loops of their own, for the reason given at the forward loops.

    private static void erfBackward(double[] g, int ig, int sg, double[] saved, int is, double[] out, int o, int n,
                                    boolean accumulate) {
        for (int j = 0; j < n; j++) {
            double v = g[ig + j * sg] * DoubleScalarMath.erfDerivative(saved[is + j]);
            out[o + j] = accumulate ? out[o + j] + v : v;
        }
    }

    private static void softplusBackward(double[] g, int ig, int sg, double[] saved, int is, double[] out, int o,
                                         int n, boolean accumulate) {
        for (int j = 0; j < n; j++) {
            double v = g[ig + j * sg] * DoubleScalarMath.sigmoid(saved[is + j]);
            out[o + j] = accumulate ? out[o + j] + v : v;
        }
    }

    private static void geluBackward(double[] g, int ig, int sg, double[] saved, int is, double[] out, int o, int n,
                                     boolean accumulate) {
        for (int j = 0; j < n; j++) {
            double v = g[ig + j * sg] * DoubleScalarMath.geluDerivative(saved[is + j]);
            out[o + j] = accumulate ? out[o + j] + v : v;
        }
    }

    private static void geluTanhBackward(double[] g, int ig, int sg, double[] saved, int is, double[] out, int o,
                                         int n, boolean accumulate) {
        for (int j = 0; j < n; j++) {
            double v = g[ig + j * sg] * DoubleScalarMath.geluTanhDerivative(saved[is + j]);
            out[o + j] = accumulate ? out[o + j] + v : v;
        }
    }

    /** f'(x) or f'(y), from what {@link UnaryOp#derivativeFromOutput()} says the kernel is given. */
    static double derivative(UnaryOp op, double s, double p) {
        return switch (op) {
            case NEG -> -1;
            case EXP -> s;
            case LOG -> 1 / s;
            case SQRT -> 1 / (s + s);
            case ABS, SIGN -> op == UnaryOp.ABS ? Math.signum(s) : 0;
            case TANH -> 1 - s * s;
            case SIGMOID -> s * (1 - s);
            case RELU -> s > 0 ? 1 : 0;
            case POW -> p == 0 ? 0 : (double) (p * Math.pow(s, p - 1));
            case SIN -> (double) Math.cos(s);
            case COS -> (double) -Math.sin(s);
            case LOG1P -> 1 / (1 + s);
            case EXPM1 -> s + 1;
            case RECIPROCAL -> -s * s;
            case SQUARE -> s + s;
            case ERF -> DoubleScalarMath.erfDerivative(s);
            case SOFTPLUS -> DoubleScalarMath.sigmoid(s);
            case LEAKY_RELU -> s > 0 ? 1 : p;
            case GELU -> DoubleScalarMath.geluDerivative(s);
            case GELU_TANH -> DoubleScalarMath.geluTanhDerivative(s);
        };
    }

    @Override
    public double sum(double[] x, int off, int n) {
        // Four interleaved partial sums: C2 keeps them in registers and the adds overlap in the pipeline.
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += x[off + j];
            s1 += x[off + j + 1];
            s2 += x[off + j + 2];
            s3 += x[off + j + 3];
        }
        for (; j < n; j++) {
            s0 += x[off + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public double extreme(double[] x, int off, int n, boolean max) {
        double acc = x[off];
        if (max) {
            for (int j = 1; j < n; j++) {
                acc = Math.max(acc, x[off + j]);
            }
        } else {
            for (int j = 1; j < n; j++) {
                acc = Math.min(acc, x[off + j]);
            }
        }
        return acc;
    }

    @Override
    public double dot(double[] a, int ia, double[] b, int ib, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += a[ia + j] * b[ib + j];
            s1 += a[ia + j + 1] * b[ib + j + 1];
            s2 += a[ia + j + 2] * b[ib + j + 2];
            s3 += a[ia + j + 3] * b[ib + j + 3];
        }
        for (; j < n; j++) {
            s0 += a[ia + j] * b[ib + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        for (int j = 0; j < n; j++) {
            y[yOff + j] += alpha * x[xOff + j];
        }
    }

    @Override
    public double expShiftSum(double[] x, int xOff, double shift, double[] out, int o, int n) {
        double s = 0;
        for (int j = 0; j < n; j++) {
            double e = (double) Math.exp(x[xOff + j] - shift);
            out[o + j] = e;
            s += e;
        }
        return s;
    }

    @Override
    public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        // Four interleaved partial sums, as in sum(): independent add chains that overlap in the pipeline.
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += x[xOff + j] * y[yOff + j];
            s1 += x[xOff + j + 1] * y[yOff + j + 1];
            s2 += x[xOff + j + 2] * y[yOff + j + 2];
            s3 += x[xOff + j + 3] * y[yOff + j + 3];
        }
        for (; j < n; j++) {
            s0 += x[xOff + j] * y[yOff + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public int gemmMr() {
        return GEMM_MR;
    }

    @Override
    public int gemmNr() {
        return ROW_WIDTH;
    }

    /** Yes: the loops run over the tile's valid rows and columns only. */
    @Override
    public boolean gemmPartialTiles() {
        return true;
    }

    /**
     * Four rows of C and a copy of B's row {@code p}, all in one buffer of the thread's at constant
     * distances, updated by one loop over the columns per step {@code p}: C2 turns that loop into vector
     * code (16 float32 or 8 float64 lanes with AVX-512), because every access in it is the same buffer at
     * a known distance. The same loop over C's rows in place, or over four separate row arrays, stays
     * scalar: C2 cannot prove that arrays which might be the same one do not overlap. A 4 x 4 block of
     * scalar accumulators, the other candidate, peaks near the two multiplies and two adds per cycle scalar
     * code can issue; this kernel runs two to four times faster (measured on Zen 5, JDK 17 and 25, with
     * packed panels in cache: 34 against 15 GFLOP/s on float32, 50 against 15 on float64, one core). Rows
     * and columns past {@code rows, cols} are left out, so edge tiles cost no padding. Products and sums are
     * separate operations (Java never fuses them).
     */
    @Override
    public void gemmKernel(int kc, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int ldc,
                           int rows, int cols, boolean accumulate) {
        double[] t = ROW_BUFFER.get();
        for (int i = 0; i < rows; i++) {
            if (accumulate) {
                System.arraycopy(c, cOff + i * ldc, t, i * ROW_WIDTH, cols);
            } else {
                Arrays.fill(t, i * ROW_WIDTH, i * ROW_WIDTH + cols, 0);
            }
        }
        for (int p = 0; p < kc; p++) {
            System.arraycopy(b, bOff + p * ROW_WIDTH, t, B_ROW, cols);
            int ap = aOff + p * GEMM_MR;
            double a0 = a[ap];
            double a1 = a[ap + 1];
            double a2 = a[ap + 2];
            double a3 = a[ap + 3];
            for (int j = 0; j < cols; j++) {
                double bj = t[B_ROW + j];
                t[j] += a0 * bj;
                t[ROW_WIDTH + j] += a1 * bj;
                t[2 * ROW_WIDTH + j] += a2 * bj;
                t[3 * ROW_WIDTH + j] += a3 * bj;
            }
        }
        for (int i = 0; i < rows; i++) {
            System.arraycopy(t, i * ROW_WIDTH, c, cOff + i * ldc, cols);
        }
    }
}
