package dev.autograd.internal.kernel.simd;

import dev.autograd.internal.kernel.BinaryOp;
import dev.autograd.internal.kernel.DoubleBackend;
import dev.autograd.internal.kernel.DoubleScalarMath;
import dev.autograd.internal.kernel.PortableDoubleBackend;
import dev.autograd.internal.kernel.UnaryOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
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
    private static final PortableDoubleBackend SCALAR = PortableDoubleBackend.INSTANCE;
    private static final int BLOCK = DoubleVectorMath.BLOCK;
    /** Shorter ranges of the cheaper functions run as scalar code; see {@link #scalarBelow}. */
    static final int SCALAR_BELOW_CHEAP = 10;
    /** Shorter ranges of the costlier functions (erf, the GELUs, softplus, sin, cos) run as scalar code. */
    static final int SCALAR_BELOW_COSTLY = 6;

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

    @Override
    public double sum(double[] x, int off, int n) {
        int j = 0;
        int bound = S.loopBound(n);
        DoubleVector acc = DoubleVector.zero(S);
        for (; j < bound; j += L) {
            acc = acc.add(DoubleVector.fromArray(S, x, off + j));
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
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
        double s = acc.reduceLanes(VectorOperators.ADD);
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
        return acc.reduceLanes(VectorOperators.ADD) + tail;
    }
}
