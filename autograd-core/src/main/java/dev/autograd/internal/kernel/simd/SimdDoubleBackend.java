package dev.autograd.internal.kernel.simd;

import dev.autograd.internal.kernel.BinaryOp;
import dev.autograd.internal.kernel.DoubleBackend;
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
 */
public final class SimdDoubleBackend implements DoubleBackend {

    /** The one instance. */
    public static final SimdDoubleBackend INSTANCE = new SimdDoubleBackend();

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final PortableDoubleBackend SCALAR = PortableDoubleBackend.INSTANCE;

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
     * (AVX-512), 4 x 2 uses 8 + 2 + 1 = 11 of 16 (AVX2). Measured on Zen 5 (kernel alone, panels in cache,
     * one core; then the whole GEMM on two): with AVX-512, 8 x 2 ran at 380-450 GFLOP/s on float32 in the
     * whole GEMM, against 300-447 for 8 x 3 and 273-450 for 6 x 4, the wider blocks losing on n = 256, which
     * 48 or 64 columns do not divide. With AVX2, 6 x 2 (15 registers) ran at the FMA units' peak on JDK 17
     * (130 GFLOP/s float32) but at half of it on JDK 25, whose register allocation spills it (5 x 2 too);
     * 4 x 2 runs at 118-121 on both, 8 accumulators being just enough to cover two FMA pipes' latency. Two
     * vectors per row also keep the padding of narrow outputs small (n = 196 pads to 224 float32 columns).
     */
    private static final int GEMM_MR = WIDE_REGISTER_FILE ? 8 : 4;
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
        int j = 0;
        if (op == UnaryOp.TANH || op == UnaryOp.RELU || op == UnaryOp.SIGMOID) {
            int bound = S.loopBound(n);
            DoubleVector one = DoubleVector.broadcast(S, 1);
            DoubleVector zero = DoubleVector.zero(S);
            DoubleVector gScalar = sg == 0 ? DoubleVector.broadcast(S, g[ig]) : zero;
            for (; j < bound; j += L) {
                DoubleVector gv = sg == 0 ? gScalar : DoubleVector.fromArray(S, g, ig + j);
                DoubleVector y = DoubleVector.fromArray(S, saved, is + j);
                DoubleVector r = switch (op) {
                    case TANH -> gv.mul(one.sub(y.mul(y)));
                    case SIGMOID -> gv.mul(y.mul(one.sub(y)));
                    default -> zero.blend(gv, y.compare(VectorOperators.GT, zero));
                };
                if (accumulate) {
                    r = DoubleVector.fromArray(S, out, o + j).add(r);
                }
                r.intoArray(out, o + j);
            }
        }
        if (j < n) {
            SCALAR.unaryBackward(op, g, ig + j * sg, sg, saved, is + j, out, o + j, n - j, p, accumulate);
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
        return SCALAR.expShiftSum(x, xOff, shift, out, o, n);
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
        double s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
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
        if (WIDE_REGISTER_FILE) {
            kernel8x2(kc, a, aOff, b, bOff, c, cOff, ldc, accumulate);
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
