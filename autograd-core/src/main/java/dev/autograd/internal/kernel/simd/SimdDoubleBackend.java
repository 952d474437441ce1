package dev.autograd.internal.kernel.simd;

import dev.autograd.internal.kernel.BinaryOp;
import dev.autograd.internal.kernel.DoubleBackend;
import dev.autograd.internal.kernel.DoubleScalarMath;
import dev.autograd.internal.kernel.PortableDoubleBackend;
import dev.autograd.internal.kernel.UnaryOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float64 loops on the JDK's Vector API, at the machine's preferred vector width. Loaded only by
 * {@code Backends} after it has checked that {@code jdk.incubator.vector} is readable; the build generates
 * {@code SimdFloatBackend} from this file.
 *
 * <p>Vectors live only in local variables of a loop body: none is stored in a field or an array, so C2
 * keeps them in registers (an escaping vector is boxed on the heap, and the loop runs ten times slower).
 *
 * <p>The transcendental functions, and every derivative of the fused backward except POW's, run as the
 * pipelines of {@link DoubleVectorMath}, block by block through per-thread scratch arrays (see there why), within
 * the ulp bounds stated there. Ranges shorter than {@link #scalarBelow} elements (10 or 6 by the function's cost,
 * where the pipelines' fixed cost dominates: micrograd-style graphs of scalars, small softmax rows) run the same
 * algorithms as {@link DoubleScalarMath}'s scalar code instead, which gives the same bits. So does the portable backend for
 * every function except exp, log, sin and cos, which it takes from {@code Math} (within 1 ulp, so the two backends
 * differ there by at most the vector bound plus 1 ulp). Arithmetic, the arithmetic derivatives included, is
 * bit-identical to the portable loops. The last partial vector of a range is zero-padded and goes through the same
 * vector code, so an element's result never depends on its position in the array or on the length of the range.
 */
public final class SimdDoubleBackend implements DoubleBackend {

    /** The one instance. */
    public static final SimdDoubleBackend INSTANCE = new SimdDoubleBackend();

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * The shuffles of {@link #sumLanes}: lane {@code i} takes lane {@code i + w}, for {@code w = L/2, L/4, ..., 1}.
     */
    private static final VectorShuffle<Double>[] FOLDS = folds();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Double>[] folds() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Double>[] folds = new VectorShuffle[steps];
        for (int k = 0, w = L / 2; k < steps; k++, w /= 2) {
            folds[k] = VectorShuffle.iota(S, w, 1, true);
        }
        return folds;
    }
    private static final PortableDoubleBackend SCALAR = PortableDoubleBackend.INSTANCE;
    private static final int BLOCK = DoubleVectorMath.BLOCK;
    /** Shorter ranges of the cheaper functions run as scalar code; see {@link #scalarBelow}. */
    static final int SCALAR_BELOW_CHEAP = 10;
    /** Shorter ranges of the costlier functions (erf, the GELUs, softplus, sin, cos) run as scalar code. */
    static final int SCALAR_BELOW_COSTLY = 6;

    /**
     * Whether the machine has 32 vector registers: AVX-512 (the only x86 case with a 512-bit preferred
     * species; {@code -XX:UseAVX=2} turns it into a 256-bit species and 16 ymm registers) and AArch64.
     * AVX2 and SSE have 16.
     */
    private static final boolean WIDE_REGISTER_FILE = S.vectorBitSize() >= 512
            || "aarch64".equals(System.getProperty("os.arch"));
    /**
     * The register block: MR rows of two vectors (NR = 2 L columns). Its accumulators, the two B vectors
     * of a step and one broadcast A value must all stay in registers: 8 x 2 uses 16 + 2 + 1 = 19 of 32
     * (AVX-512), 6 x 2 uses 12 + 2 + 1 = 15 of 16 (AVX2), 4 x 2 uses 11. Measured on Zen 5 (kernel alone,
     * panels in cache, one core; then the whole GEMM on two): with AVX-512, 8 x 2 ran at 380-450 GFLOP/s on
     * float32 in the whole GEMM, against 300-447 for 8 x 3 and 273-450 for 6 x 4, the wider blocks losing on
     * n = 256, which 48 or 64 columns do not divide. With AVX2, 6 x 2 runs near the FMA units' peak on JDK 17
     * (a 128x256x784 float32 GEMM 5% and an MLP training step 8% faster than with 4 x 2), but JDK 25's
     * register allocation spills it and it runs at half speed there (5 x 2 too); 4 x 2, whose 8 accumulators
     * just cover two FMA pipes' latency, runs well on both. So 6 x 2 on JDK 17 to 20, 4 x 2 from JDK 21 on
     * (21 to 24 not measured: the block that cannot spill). Two vectors per row also keep the padding of
     * narrow outputs small (n = 196 pads to 224 float32 columns). The tile shape does not change results:
     * every element of C is the same chain of fused multiply-adds over k whatever the block.
     */
    private static final int GEMM_MR = WIDE_REGISTER_FILE ? 8 : Runtime.version().feature() <= 20 ? 6 : 4;
    private static final int GEMM_VECTORS = 2;

    private SimdDoubleBackend() {
    }

    /**
     * Why the SIMD kernels should not be used on this JVM, or {@code null} when they should: vectors
     * narrower than 128 bits (or a single lane) would be slower than the portable loops.
     *
     * @return the reason, or null
     */
    public static String unsupportedReason() {
        return S.vectorBitSize() < 128 || L < 2 ? "the preferred vector species " + S + " is too narrow" : null;
    }

    @Override
    public String name() {
        return "DoubleVector " + S.vectorBitSize() + "-bit, " + L + " lanes";
    }

    @Override
    public void unary(UnaryOp op, double[] x, int xOff, double[] out, int outOff, int n, double p) {
        DoubleVectorMath.Pipeline pipeline = DoubleVectorMath.forward(op);
        if (pipeline != null) {
            if (n < scalarBelow(op)) {
                scalarForward(op, x, xOff, out, outOff, n);
                return;
            }
            double[][] blocks = DoubleVectorMath.scratch();
            for (int start = 0; start < n; start += BLOCK) {
                int length = Math.min(BLOCK, n - start);
                pipeline.run(blocks, loadBlock(blocks, x, xOff + start, length), p);
                System.arraycopy(blocks[DoubleVectorMath.Y], 0, out, outOff + start, length);
            }
            return;
        }
        int j = 0;
        int bound = S.loopBound(n);
        switch (op) {
            case NEG -> { for (; j < bound; j += L) DoubleVector.fromArray(S, x, xOff + j).neg().intoArray(out, outOff + j); }
            case ABS -> { for (; j < bound; j += L) DoubleVector.fromArray(S, x, xOff + j).abs().intoArray(out, outOff + j); }
            case SQRT -> { for (; j < bound; j += L) DoubleVector.fromArray(S, x, xOff + j).sqrt().intoArray(out, outOff + j); }
            case SQUARE -> {
                for (; j < bound; j += L) {
                    DoubleVector v = DoubleVector.fromArray(S, x, xOff + j);
                    v.mul(v).intoArray(out, outOff + j);
                }
            }
            case RECIPROCAL -> {
                DoubleVector one = DoubleVector.broadcast(S, 1);
                for (; j < bound; j += L) one.div(DoubleVector.fromArray(S, x, xOff + j)).intoArray(out, outOff + j);
            }
            case RELU -> {
                // max(x, 0) would turn NaN into 0 on some paths; blend keeps NaN (x > 0 is false, x != x true).
                DoubleVector zero = DoubleVector.zero(S);
                for (; j < bound; j += L) {
                    DoubleVector v = DoubleVector.fromArray(S, x, xOff + j);
                    v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(out, outOff + j);
                }
            }
            case LEAKY_RELU -> {
                DoubleVector zero = DoubleVector.zero(S);
                for (; j < bound; j += L) {
                    DoubleVector v = DoubleVector.fromArray(S, x, xOff + j);
                    v.blend(v.mul(p), v.compare(VectorOperators.GT, zero).not()).intoArray(out, outOff + j);
                }
            }
            default -> j = 0;
        }
        if (j < n) {
            SCALAR.unary(op, x, xOff + j, out, outOff + j, n - j, p);
        }
    }

    @Override
    public void binary(BinaryOp op, double[] a, int ia, int sa, double[] b, int ib, int sb, double[] out, int o,
                       int n) {
        if (n <= 0) {
            return;
        }
        int j = 0;
        if (op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.DIV
                || op == BinaryOp.MAX || op == BinaryOp.MIN) {
            // One loop per operand pattern; inside, every operation is a constant (a lanewise op chosen at run
            // time is not intrinsified and boxes every vector). The switch on the loop-invariant op is
            // hoisted by C2, and each case stores its own result, so no vector flows through a merge.
            int bound = S.loopBound(n);
            if (sa == 1 && sb == 1) {
                for (; j < bound; j += L) {
                    DoubleVector va = DoubleVector.fromArray(S, a, ia + j);
                    DoubleVector vb = DoubleVector.fromArray(S, b, ib + j);
                    switch (op) {
                        case ADD -> va.add(vb).intoArray(out, o + j);
                        case SUB -> va.sub(vb).intoArray(out, o + j);
                        case MUL -> va.mul(vb).intoArray(out, o + j);
                        case DIV -> va.div(vb).intoArray(out, o + j);
                        case MAX -> va.max(vb).intoArray(out, o + j);
                        default -> va.min(vb).intoArray(out, o + j);
                    }
                }
            } else if (sa == 0 && sb == 1) {
                double av = a[ia];
                for (; j < bound; j += L) {
                    DoubleVector va = DoubleVector.broadcast(S, av);
                    DoubleVector vb = DoubleVector.fromArray(S, b, ib + j);
                    switch (op) {
                        case ADD -> va.add(vb).intoArray(out, o + j);
                        case SUB -> va.sub(vb).intoArray(out, o + j);
                        case MUL -> va.mul(vb).intoArray(out, o + j);
                        case DIV -> va.div(vb).intoArray(out, o + j);
                        case MAX -> va.max(vb).intoArray(out, o + j);
                        default -> va.min(vb).intoArray(out, o + j);
                    }
                }
            } else if (sa == 1 && sb == 0) {
                double bv = b[ib];
                for (; j < bound; j += L) {
                    DoubleVector va = DoubleVector.fromArray(S, a, ia + j);
                    DoubleVector vb = DoubleVector.broadcast(S, bv);
                    switch (op) {
                        case ADD -> va.add(vb).intoArray(out, o + j);
                        case SUB -> va.sub(vb).intoArray(out, o + j);
                        case MUL -> va.mul(vb).intoArray(out, o + j);
                        case DIV -> va.div(vb).intoArray(out, o + j);
                        case MAX -> va.max(vb).intoArray(out, o + j);
                        default -> va.min(vb).intoArray(out, o + j);
                    }
                }
            }
        }
        if (j < n) {
            SCALAR.binary(op, a, ia + j * sa, sa, b, ib + j * sb, sb, out, o + j, n - j);
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, double[] g, int ig, int sg, double[] saved, int is, double[] out, int o,
                              int n, double p, boolean accumulate) {
        if (n <= 0) {
            return;
        }
        DoubleVectorMath.Pipeline pipeline = DoubleVectorMath.derivative(op);
        if (pipeline == null) {
            SCALAR.unaryBackward(op, g, ig, sg, saved, is, out, o, n, p, accumulate);
            return;
        }
        if (n < scalarBelow(op)) {
            scalarBackward(op, g, ig, sg, saved, is, out, o, n, p, accumulate);
            return;
        }
        double[][] blocks = DoubleVectorMath.scratch();
        double[] derivative = blocks[DoubleVectorMath.Y];
        DoubleVector gScalar = DoubleVector.broadcast(S, g[ig]);
        for (int start = 0; start < n; start += BLOCK) {
            int length = Math.min(BLOCK, n - start);
            pipeline.run(blocks, loadBlock(blocks, saved, is + start, length), p);
            // out (+)= g * f': a multiply then an add, as the portable loop rounds them.
            int full = S.loopBound(length);
            int base = o + start;
            for (int j = 0; j < full; j += L) {
                DoubleVector gv = sg == 0 ? gScalar : DoubleVector.fromArray(S, g, ig + start + j);
                DoubleVector r = gv.mul(DoubleVector.fromArray(S, derivative, j));
                if (accumulate) {
                    r = DoubleVector.fromArray(S, out, base + j).add(r);
                }
                r.intoArray(out, base + j);
            }
            for (int j = full; j < length; j++) {
                double v = g[ig + (start + j) * sg] * derivative[j];
                out[base + j] = accumulate ? out[base + j] + v : v;
            }
        }
    }

    /**
     * Below how many elements an op's transcendental function (forward, or the fused backward's derivative) runs as
     * {@link DoubleScalarMath}'s scalar version rather than as a vector pipeline. A pipeline costs 25 to 60 ns
     * before its first element (the thread's scratch blocks, the copies in and out, one MethodHandle call per
     * pass), the scalar functions 2 to 13 ns an element. Measured for both dtypes, the two break even near 6 to
     * 12 elements (AVX2) or 8 to 20 (AVX-512) for exp, log, tanh and sigmoid, and near 4 to 11 (AVX2) or 5 to 8
     * (AVX-512) for the costlier ones; near the break-even point the choice changes the cost by a few ns.
     * The scalar versions give the pipelines' bits, so an element's result does not depend on the length of the
     * range it is in.
     *
     * @param op a unary op
     * @return the length below which its scalar version runs
     */
    static int scalarBelow(UnaryOp op) {
        return switch (op) {
            case ERF, GELU, GELU_TANH, SOFTPLUS, SIN, COS -> SCALAR_BELOW_COSTLY;
            default -> SCALAR_BELOW_CHEAP;
        };
    }

    /** The scalar versions of the forward pipelines: each gives the bits its pipeline gives. */
    private static void scalarForward(UnaryOp op, double[] x, int xOff, double[] out, int outOff, int n) {
        int d = outOff - xOff;
        int end = xOff + n;
        switch (op) {
            case EXP -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.exp(x[i]); }
            case EXPM1 -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.expm1(x[i]); }
            case LOG -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.log(x[i]); }
            case LOG1P -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.log1p(x[i]); }
            case TANH -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.tanh(x[i]); }
            case SIGMOID -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.sigmoid(x[i]); }
            case SOFTPLUS -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.softplus(x[i]); }
            case ERF -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.erf(x[i]); }
            case GELU -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.gelu(x[i]); }
            case GELU_TANH -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.geluTanh(x[i]); }
            case SIN -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.sin(x[i]); }
            case COS -> { for (int i = xOff; i < end; i++) out[i + d] = DoubleScalarMath.cos(x[i]); }
            default -> throw new AssertionError(op + " has no vector pipeline");
        }
    }

    /**
     * The fused backward on a short range: the derivatives that need a transcendental function from
     * DoubleScalarMath (the bits of their pipelines), the arithmetic ones from the portable loop (bit-identical to
     * their pipelines too); the product with g and the accumulation rounded as everywhere else.
     */
    private static void scalarBackward(UnaryOp op, double[] g, int ig, int sg, double[] saved, int is, double[] out,
                                       int o, int n, double p, boolean accumulate) {
        if (!(op == UnaryOp.ERF || op == UnaryOp.SOFTPLUS || op == UnaryOp.SIN || op == UnaryOp.COS
                || op == UnaryOp.GELU || op == UnaryOp.GELU_TANH)) {
            SCALAR.unaryBackward(op, g, ig, sg, saved, is, out, o, n, p, accumulate);
            return;
        }
        for (int j = 0; j < n; j++) {
            double s = saved[is + j];
            double derivative = switch (op) {
                case ERF -> DoubleScalarMath.erfDerivative(s);
                case SOFTPLUS -> DoubleScalarMath.sigmoid(s);
                case SIN -> DoubleScalarMath.cos(s);
                case COS -> -DoubleScalarMath.sin(s);
                case GELU -> DoubleScalarMath.geluDerivative(s);
                default -> DoubleScalarMath.geluTanhDerivative(s);
            };
            double v = g[ig + j * sg] * derivative;
            out[o + j] = accumulate ? out[o + j] + v : v;
        }
    }

    /**
     * Copies {@code length} elements into the input block, zero-padded to whole vectors.
     *
     * @return the padded length, a multiple of the lane count
     */
    private static int loadBlock(double[][] blocks, double[] source, int offset, int length) {
        double[] input = blocks[DoubleVectorMath.X];
        System.arraycopy(source, offset, input, 0, length);
        int padded = S.loopBound(length + L - 1);
        java.util.Arrays.fill(input, length, padded, 0);
        return padded;
    }

    /**
     * The sum of the lanes of {@code v} in a fixed order: the upper half added onto the lower half, again and
     * again, down to lane 0 (vector adds and constant shuffles, as fast as a reduction instruction).
     * {@code reduceLanes(ADD)} leaves the order of a floating-point reduction to the implementation, and on
     * JDK 25 the compiled and the interpreted forms differ: one JVM summed the same array to two results 4 ulps
     * apart (KernelsTest's parallel-versus-sequential check, on Temurin 25). A fixed order keeps every sum a
     * function of its input alone. (Adding lanes one by one through {@code lane(i)} is fixed too, but an
     * extraction at a variable index is not compiled to one instruction: it doubled the time of small float32
     * matrix products.)
     */
    private static double sumLanes(DoubleVector v) {
        for (VectorShuffle<Double> fold : FOLDS) {
            v = v.add(v.rearrange(fold));
        }
        return v.lane(0);
    }

    @Override
    public double sum(double[] x, int off, int n) {
        int j = 0;
        int bound = S.loopBound(n);
        DoubleVector acc = DoubleVector.zero(S);
        for (; j < bound; j += L) {
            acc = acc.add(DoubleVector.fromArray(S, x, off + j));
        }
        double s = sumLanes(acc);
        for (; j < n; j++) {
            s += x[off + j];
        }
        return s;
    }

    @Override
    public double extreme(double[] x, int off, int n, boolean max) {
        int bound = S.loopBound(n);
        if (bound == 0) {
            return SCALAR.extreme(x, off, n, max);
        }
        // Lanewise MAX and MIN follow Math.max and Math.min: NaN propagates, -0 < +0.
        DoubleVector acc = DoubleVector.fromArray(S, x, off);
        int j = L;
        if (max) {
            for (; j < bound; j += L) {
                acc = acc.max(DoubleVector.fromArray(S, x, off + j));
            }
        } else {
            for (; j < bound; j += L) {
                acc = acc.min(DoubleVector.fromArray(S, x, off + j));
            }
        }
        double result = max ? acc.reduceLanes(VectorOperators.MAX) : acc.reduceLanes(VectorOperators.MIN);
        for (; j < n; j++) {
            result = max ? Math.max(result, x[off + j]) : Math.min(result, x[off + j]);
        }
        return result;
    }

    @Override
    public double dot(double[] a, int ia, double[] b, int ib, int n) {
        int j = 0;
        int bound = S.loopBound(n);
        DoubleVector acc = DoubleVector.zero(S);
        for (; j < bound; j += L) {
            acc = DoubleVector.fromArray(S, a, ia + j).fma(DoubleVector.fromArray(S, b, ib + j), acc);
        }
        double s = sumLanes(acc);
        for (; j < n; j++) {
            s += a[ia + j] * b[ib + j];
        }
        return s;
    }

    @Override
    public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        int j = 0;
        int bound = S.loopBound(n);
        DoubleVector va = DoubleVector.broadcast(S, alpha);
        for (; j < bound; j += L) {
            DoubleVector.fromArray(S, y, yOff + j).add(DoubleVector.fromArray(S, x, xOff + j).mul(va))
                    .intoArray(y, yOff + j);
        }
        if (j < n) {
            SCALAR.axpy(n - j, alpha, x, xOff + j, y, yOff + j);
        }
    }

    @Override
    public double expShiftSum(double[] x, int xOff, double shift, double[] out, int o, int n) {
        if (n < SCALAR_BELOW_CHEAP) {
            // Summed in order: the same sum as the vector path's tail loop when n is below the lane count.
            double sum = 0;
            for (int j = 0; j < n; j++) {
                double e = DoubleScalarMath.exp(x[xOff + j] - shift);
                out[o + j] = e;
                sum += e;
            }
            return sum;
        }
        double[][] blocks = DoubleVectorMath.scratch();
        double[] exponentials = blocks[DoubleVectorMath.Y];
        DoubleVector acc = DoubleVector.zero(S);
        double tail = 0;
        for (int start = 0; start < n; start += BLOCK) {
            int length = Math.min(BLOCK, n - start);
            DoubleVectorMath.EXP_SHIFTED.run(blocks, loadBlock(blocks, x, xOff + start, length), shift);
            int full = S.loopBound(length);
            for (int j = 0; j < full; j += L) {
                DoubleVector e = DoubleVector.fromArray(S, exponentials, j);
                e.intoArray(out, o + start + j);
                acc = acc.add(e);
            }
            // Only the last block can end in a partial vector.
            for (int j = full; j < length; j++) {
                out[o + start + j] = exponentials[j];
                tail += exponentials[j];
            }
        }
        return sumLanes(acc) + tail;
    }

    /** Fused multiply-adds into two vector accumulators (two chains hide the FMA latency), then the tail. */
    @Override
    public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        DoubleVector acc0 = DoubleVector.zero(S);
        DoubleVector acc1 = DoubleVector.zero(S);
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            acc0 = DoubleVector.fromArray(S, x, xOff + j).fma(DoubleVector.fromArray(S, y, yOff + j), acc0);
            acc1 = DoubleVector.fromArray(S, x, xOff + j + L).fma(DoubleVector.fromArray(S, y, yOff + j + L), acc1);
        }
        double s = sumLanes(acc0.add(acc1));
        for (; j < n; j++) {
            s += x[xOff + j] * y[yOff + j];
        }
        return s;
    }

    @Override
    public int gemmMr() {
        return GEMM_MR;
    }

    @Override
    public int gemmNr() {
        return GEMM_VECTORS * L;
    }

    /** No: the accumulators are whole vectors, and masked stores are slow or missing on AVX2. */
    @Override
    public boolean gemmPartialTiles() {
        return false;
    }

    /**
     * {@code MR x (V * L)} accumulators in local vector variables, loaded from C or zeroed: per step
     * {@code p}, V vector loads of B, MR broadcasts of A and {@code MR * V} fused multiply-adds; then the
     * accumulators are stored. Each kernel is written out in full: vectors passed to a helper that C2 did
     * not inline would be boxed on the heap, and a longer epilogue (alpha, beta) pushed C2 past its inlining
     * budget, which did exactly that.
     */
    @Override
    public void gemmKernel(int kc, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int ldc,
                           int rows, int cols, boolean accumulate) {
        if (GEMM_MR == 8) {
            kernel8x2(kc, a, aOff, b, bOff, c, cOff, ldc, accumulate);
        } else if (GEMM_MR == 6) {
            kernel6x2(kc, a, aOff, b, bOff, c, cOff, ldc, accumulate);
        } else {
            kernel4x2(kc, a, aOff, b, bOff, c, cOff, ldc, accumulate);
        }
    }

    private static void kernel4x2(int kc, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff,
                                  int ldc, boolean accumulate) {
        DoubleVector c00, c01;
        DoubleVector c10, c11;
        DoubleVector c20, c21;
        DoubleVector c30, c31;
        if (accumulate) {
            int r0 = cOff;
            c00 = DoubleVector.fromArray(S, c, r0); c01 = DoubleVector.fromArray(S, c, r0 + L);
            int r1 = cOff + ldc;
            c10 = DoubleVector.fromArray(S, c, r1); c11 = DoubleVector.fromArray(S, c, r1 + L);
            int r2 = cOff + 2 * ldc;
            c20 = DoubleVector.fromArray(S, c, r2); c21 = DoubleVector.fromArray(S, c, r2 + L);
            int r3 = cOff + 3 * ldc;
            c30 = DoubleVector.fromArray(S, c, r3); c31 = DoubleVector.fromArray(S, c, r3 + L);
        } else {
            DoubleVector zero = DoubleVector.zero(S);
            c00 = zero; c01 = zero;
            c10 = zero; c11 = zero;
            c20 = zero; c21 = zero;
            c30 = zero; c31 = zero;
        }
        for (int p = 0; p < kc; p++) {
            int bp = bOff + p * 2 * L;
            int ap = aOff + p * 4;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
            DoubleVector a0 = DoubleVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
        }
        int s0 = cOff;
        c00.intoArray(c, s0); c01.intoArray(c, s0 + L);
        int s1 = cOff + ldc;
        c10.intoArray(c, s1); c11.intoArray(c, s1 + L);
        int s2 = cOff + 2 * ldc;
        c20.intoArray(c, s2); c21.intoArray(c, s2 + L);
        int s3 = cOff + 3 * ldc;
        c30.intoArray(c, s3); c31.intoArray(c, s3 + L);
    }

    private static void kernel6x2(int kc, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff,
                                  int ldc, boolean accumulate) {
        DoubleVector c00, c01;
        DoubleVector c10, c11;
        DoubleVector c20, c21;
        DoubleVector c30, c31;
        DoubleVector c40, c41;
        DoubleVector c50, c51;
        if (accumulate) {
            int r0 = cOff;
            c00 = DoubleVector.fromArray(S, c, r0); c01 = DoubleVector.fromArray(S, c, r0 + L);
            int r1 = cOff + ldc;
            c10 = DoubleVector.fromArray(S, c, r1); c11 = DoubleVector.fromArray(S, c, r1 + L);
            int r2 = cOff + 2 * ldc;
            c20 = DoubleVector.fromArray(S, c, r2); c21 = DoubleVector.fromArray(S, c, r2 + L);
            int r3 = cOff + 3 * ldc;
            c30 = DoubleVector.fromArray(S, c, r3); c31 = DoubleVector.fromArray(S, c, r3 + L);
            int r4 = cOff + 4 * ldc;
            c40 = DoubleVector.fromArray(S, c, r4); c41 = DoubleVector.fromArray(S, c, r4 + L);
            int r5 = cOff + 5 * ldc;
            c50 = DoubleVector.fromArray(S, c, r5); c51 = DoubleVector.fromArray(S, c, r5 + L);
        } else {
            DoubleVector zero = DoubleVector.zero(S);
            c00 = zero; c01 = zero;
            c10 = zero; c11 = zero;
            c20 = zero; c21 = zero;
            c30 = zero; c31 = zero;
            c40 = zero; c41 = zero;
            c50 = zero; c51 = zero;
        }
        for (int p = 0; p < kc; p++) {
            int bp = bOff + p * 2 * L;
            int ap = aOff + p * 6;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
            DoubleVector a0 = DoubleVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        int s0 = cOff;
        c00.intoArray(c, s0); c01.intoArray(c, s0 + L);
        int s1 = cOff + ldc;
        c10.intoArray(c, s1); c11.intoArray(c, s1 + L);
        int s2 = cOff + 2 * ldc;
        c20.intoArray(c, s2); c21.intoArray(c, s2 + L);
        int s3 = cOff + 3 * ldc;
        c30.intoArray(c, s3); c31.intoArray(c, s3 + L);
        int s4 = cOff + 4 * ldc;
        c40.intoArray(c, s4); c41.intoArray(c, s4 + L);
        int s5 = cOff + 5 * ldc;
        c50.intoArray(c, s5); c51.intoArray(c, s5 + L);
    }

    private static void kernel8x2(int kc, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff,
                                  int ldc, boolean accumulate) {
        DoubleVector c00, c01;
        DoubleVector c10, c11;
        DoubleVector c20, c21;
        DoubleVector c30, c31;
        DoubleVector c40, c41;
        DoubleVector c50, c51;
        DoubleVector c60, c61;
        DoubleVector c70, c71;
        if (accumulate) {
            int r0 = cOff;
            c00 = DoubleVector.fromArray(S, c, r0); c01 = DoubleVector.fromArray(S, c, r0 + L);
            int r1 = cOff + ldc;
            c10 = DoubleVector.fromArray(S, c, r1); c11 = DoubleVector.fromArray(S, c, r1 + L);
            int r2 = cOff + 2 * ldc;
            c20 = DoubleVector.fromArray(S, c, r2); c21 = DoubleVector.fromArray(S, c, r2 + L);
            int r3 = cOff + 3 * ldc;
            c30 = DoubleVector.fromArray(S, c, r3); c31 = DoubleVector.fromArray(S, c, r3 + L);
            int r4 = cOff + 4 * ldc;
            c40 = DoubleVector.fromArray(S, c, r4); c41 = DoubleVector.fromArray(S, c, r4 + L);
            int r5 = cOff + 5 * ldc;
            c50 = DoubleVector.fromArray(S, c, r5); c51 = DoubleVector.fromArray(S, c, r5 + L);
            int r6 = cOff + 6 * ldc;
            c60 = DoubleVector.fromArray(S, c, r6); c61 = DoubleVector.fromArray(S, c, r6 + L);
            int r7 = cOff + 7 * ldc;
            c70 = DoubleVector.fromArray(S, c, r7); c71 = DoubleVector.fromArray(S, c, r7 + L);
        } else {
            DoubleVector zero = DoubleVector.zero(S);
            c00 = zero; c01 = zero;
            c10 = zero; c11 = zero;
            c20 = zero; c21 = zero;
            c30 = zero; c31 = zero;
            c40 = zero; c41 = zero;
            c50 = zero; c51 = zero;
            c60 = zero; c61 = zero;
            c70 = zero; c71 = zero;
        }
        for (int p = 0; p < kc; p++) {
            int bp = bOff + p * 2 * L;
            int ap = aOff + p * 8;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
            DoubleVector a0 = DoubleVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
            DoubleVector a6 = DoubleVector.broadcast(S, a[ap + 6]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
            DoubleVector a7 = DoubleVector.broadcast(S, a[ap + 7]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
        }
        int s0 = cOff;
        c00.intoArray(c, s0); c01.intoArray(c, s0 + L);
        int s1 = cOff + ldc;
        c10.intoArray(c, s1); c11.intoArray(c, s1 + L);
        int s2 = cOff + 2 * ldc;
        c20.intoArray(c, s2); c21.intoArray(c, s2 + L);
        int s3 = cOff + 3 * ldc;
        c30.intoArray(c, s3); c31.intoArray(c, s3 + L);
        int s4 = cOff + 4 * ldc;
        c40.intoArray(c, s4); c41.intoArray(c, s4 + L);
        int s5 = cOff + 5 * ldc;
        c50.intoArray(c, s5); c51.intoArray(c, s5 + L);
        int s6 = cOff + 6 * ldc;
        c60.intoArray(c, s6); c61.intoArray(c, s6 + L);
        int s7 = cOff + 7 * ldc;
        c70.intoArray(c, s7); c71.intoArray(c, s7 + L);
    }
}
