package dev.autograd.internal.kernel.simd;

import dev.autograd.internal.kernel.BinaryOp;
import dev.autograd.internal.kernel.DoubleBackend;
import dev.autograd.internal.kernel.PortableDoubleBackend;
import dev.autograd.internal.kernel.UnaryOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
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
 * <p>The transcendental functions come from {@link DoubleVectorMath}, within the ulp bounds stated there, so
 * they differ from the portable backend's {@code Math} results by at most those bounds plus Math's own
 * (1 ulp); arithmetic (including the arithmetic derivatives) is bit-identical to the portable loops. Each of
 * these loops is its own lambda in a table indexed by the op: the call through the table is megamorphic, so
 * C2 compiles every loop as a separate unit with its own inlining budget and never has to choose which of
 * thirty inlined polynomials to leave out (a vector function left out of line is boxed on every call). The last
 * partial vector of a range is handled by a masked load and store, so an element's result never depends on
 * its position in the array.
 */
public final class SimdDoubleBackend implements DoubleBackend {

    /** The one instance. */
    public static final SimdDoubleBackend INSTANCE = new SimdDoubleBackend();

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final PortableDoubleBackend SCALAR = PortableDoubleBackend.INSTANCE;

    private static final double TWO_OVER_SQRT_PI = (double) (2 / Math.sqrt(Math.PI));

    /** One forward loop: {@code out[o + j] = f(x[xOff + j])} for {@code j < n}. */
    @FunctionalInterface
    private interface ForwardLoop {
        void run(double[] x, int xOff, double[] out, int o, int n);
    }

    /** One fused backward loop, with the arguments of {@link DoubleBackend#unaryBackward}. */
    @FunctionalInterface
    private interface BackwardLoop {
        void run(double[] g, int ig, int sg, double[] saved, int is, double[] out, int o, int n, double p,
                 boolean accumulate);
    }

    private static final ForwardLoop[] FORWARD = new ForwardLoop[UnaryOp.values().length];
    private static final BackwardLoop[] BACKWARD = new BackwardLoop[UnaryOp.values().length];

    static {
        FORWARD[UnaryOp.EXP.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.exp(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        FORWARD[UnaryOp.EXPM1.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.expm1(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        FORWARD[UnaryOp.LOG.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.log(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        FORWARD[UnaryOp.LOG1P.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.log1p(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        FORWARD[UnaryOp.TANH.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.tanh(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        FORWARD[UnaryOp.SIGMOID.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.sigmoid(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        FORWARD[UnaryOp.ERF.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.erf(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        FORWARD[UnaryOp.SOFTPLUS.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.softplus(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        FORWARD[UnaryOp.SIN.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.sin(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        FORWARD[UnaryOp.COS.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.cos(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        FORWARD[UnaryOp.GELU.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.gelu(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        FORWARD[UnaryOp.GELU_TANH.ordinal()] = (x, xOff, out, o, n) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVectorMath.geluTanh(load(x, xOff + j, m)).intoArray(out, o + j, m);
            }
        };
        BACKWARD[UnaryOp.EXP.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(load(s, is + j, m), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.LOG.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(reciprocal(load(s, is + j, m)), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.SQRT.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVector y = load(s, is + j, m);
                scaleInto(reciprocal(y.add(y)), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.LOG1P.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(reciprocal(load(s, is + j, m).add(1)), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.EXPM1.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(load(s, is + j, m).add(1), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.RECIPROCAL.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVector y = load(s, is + j, m);
                scaleInto(y.neg().mul(y), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.SQUARE.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVector v = load(s, is + j, m);
                scaleInto(v.add(v), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.NEG.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(DoubleVector.broadcast(S, -1), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.SIGN.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(DoubleVector.zero(S), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.ABS.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(DoubleVectorMath.signum(load(s, is + j, m)), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.RELU.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVector y = load(s, is + j, m);
                scaleInto(DoubleVector.zero(S).blend(1, y.compare(VectorOperators.GT, 0)), g, ig, sg, j, out, o,
                        acc, m);
            }
        };
        BACKWARD[UnaryOp.LEAKY_RELU.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVector v = load(s, is + j, m);
                scaleInto(DoubleVector.broadcast(S, p).blend(1, v.compare(VectorOperators.GT, 0)), g, ig, sg, j,
                        out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.TANH.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVector y = load(s, is + j, m);
                scaleInto(y.mul(y).neg().add(1), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.SIGMOID.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVector y = load(s, is + j, m);
                scaleInto(y.mul(y.neg().add(1)), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.SIN.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(DoubleVectorMath.cos(load(s, is + j, m)), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.COS.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(DoubleVectorMath.sin(load(s, is + j, m)).neg(), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.ERF.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                DoubleVector v = load(s, is + j, m);
                scaleInto(DoubleVectorMath.exp(v.neg().mul(v)).mul(TWO_OVER_SQRT_PI), g, ig, sg, j, out, o, acc,
                        m);
            }
        };
        BACKWARD[UnaryOp.SOFTPLUS.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(DoubleVectorMath.sigmoid(load(s, is + j, m)), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.GELU.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(DoubleVectorMath.geluDerivative(load(s, is + j, m)), g, ig, sg, j, out, o, acc, m);
            }
        };
        BACKWARD[UnaryOp.GELU_TANH.ordinal()] = (g, ig, sg, s, is, out, o, n, p, acc) -> {
            for (int j = 0; j < n; j += L) {
                VectorMask<Double> m = S.indexInRange(j, n);
                scaleInto(DoubleVectorMath.geluTanhDerivative(load(s, is + j, m)), g, ig, sg, j, out, o, acc, m);
            }
        };
    }

    private SimdDoubleBackend() {
    }

    /** The lanes of {@code a} from {@code off} that {@code m} selects; the others read as 0. */
    private static DoubleVector load(double[] a, int off, VectorMask<Double> m) {
        return DoubleVector.fromArray(S, a, off, m);
    }

    /** 1 / v, spelled as the portable loops spell it so that the result is bit-identical. */
    private static DoubleVector reciprocal(DoubleVector v) {
        return DoubleVector.broadcast(S, 1).div(v);
    }

    /** {@code out[o + j + i] (+)= g[...] * derivative[i]} for the lanes of {@code m}, as the portable loop rounds. */
    private static void scaleInto(DoubleVector derivative, double[] g, int ig, int sg, int j, double[] out, int o,
                                  boolean accumulate, VectorMask<Double> m) {
        DoubleVector gv = sg == 0 ? DoubleVector.broadcast(S, g[ig]) : load(g, ig + j, m);
        DoubleVector r = gv.mul(derivative);
        if (accumulate) {
            r = load(out, o + j, m).add(r);
        }
        r.intoArray(out, o + j, m);
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
        ForwardLoop loop = FORWARD[op.ordinal()];
        if (loop != null) {
            loop.run(x, xOff, out, outOff, n);
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
        int j = 0;
        if (op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.DIV
                || op == BinaryOp.MAX || op == BinaryOp.MIN) {
            VectorOperators.Binary vop = switch (op) {
                case ADD -> VectorOperators.ADD;
                case SUB -> VectorOperators.SUB;
                case MUL -> VectorOperators.MUL;
                case DIV -> VectorOperators.DIV;
                case MAX -> VectorOperators.MAX;
                default -> VectorOperators.MIN;
            };
            int bound = S.loopBound(n);
            if (sa == 1 && sb == 1) {
                for (; j < bound; j += L) {
                    DoubleVector.fromArray(S, a, ia + j).lanewise(vop, DoubleVector.fromArray(S, b, ib + j))
                            .intoArray(out, o + j);
                }
            } else if (sa == 0 && sb == 1) {
                DoubleVector va = DoubleVector.broadcast(S, a[ia]);
                for (; j < bound; j += L) {
                    va.lanewise(vop, DoubleVector.fromArray(S, b, ib + j)).intoArray(out, o + j);
                }
            } else if (sa == 1 && sb == 0) {
                DoubleVector vb = DoubleVector.broadcast(S, b[ib]);
                for (; j < bound; j += L) {
                    DoubleVector.fromArray(S, a, ia + j).lanewise(vop, vb).intoArray(out, o + j);
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
        BackwardLoop loop = BACKWARD[op.ordinal()];
        if (loop != null) {
            loop.run(g, ig, sg, saved, is, out, o, n, p, accumulate);
        } else {
            SCALAR.unaryBackward(op, g, ig, sg, saved, is, out, o, n, p, accumulate);
        }
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
        return SCALAR.extreme(x, off, n, max);
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
        DoubleVector acc = DoubleVector.zero(S);
        for (int j = 0; j < n; j += L) {
            VectorMask<Double> m = S.indexInRange(j, n);
            DoubleVector e = DoubleVectorMath.exp(load(x, xOff + j, m).sub(shift));
            e.intoArray(out, o + j, m);
            acc = acc.add(e, m);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
