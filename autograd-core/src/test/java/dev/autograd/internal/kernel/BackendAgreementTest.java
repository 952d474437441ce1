package dev.autograd.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SIMD backend computes what the portable one does: element-wise arithmetic bit for bit, on awkward
 * lengths and offsets (vector tails, unaligned starts, broadcast scalars); sums and dot products (which
 * associate differently) to a few ulps of the magnitude summed. Transcendental functions have their own
 * error bounds, tested with the vector math.
 */
class BackendAgreementTest {

    private static final int[] LENGTHS = {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 257, 1000};
    private static final int[] OFFSETS = {0, 1, 3};

    private static DoubleBackend simd;
    private static FloatBackend simdFloat;

    @BeforeAll
    static void load() {
        simd = Backends.simdBackends().map(b -> (DoubleBackend) b[0]).orElse(null);
        simdFloat = Backends.simdBackends().map(b -> (FloatBackend) b[1]).orElse(null);
    }

    private static double[] values(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (r.nextInt(12)) {
                case 0 -> 0.0;
                case 1 -> -0.0;
                case 2 -> Double.NaN;
                case 3 -> r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                case 4 -> Double.MIN_VALUE * r.nextInt(100);
                default -> r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3);
            };
        }
        return v;
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static void assertSameBits(double expected, double actual, String where) {
        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
                () -> where + ": portable " + expected + " vs SIMD " + actual);
    }

    @Test
    void binaryArithmeticIsBitIdenticalForEveryOperandPattern() {
        assumeTrue(simd != null, "the Vector API is not readable here");
        Random r = new Random(1);
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : LENGTHS) {
                for (int off : OFFSETS) {
                    for (int pattern = 0; pattern < 4; pattern++) {
                        int sa = pattern & 1;
                        int sb = (pattern >> 1) & 1;
                        double[] a = values(r, n + off + 1);
                        double[] b = values(r, n + off + 1);
                        double[] p = new double[n + off];
                        double[] s = new double[n + off];
                        PortableDoubleBackend.INSTANCE.binary(op, a, off, sa, b, 1, sb, p, off, n);
                        simd.binary(op, a, off, sa, b, 1, sb, s, off, n);
                        for (int i = 0; i < p.length; i++) {
                            assertSameBits(p[i], s[i], op + " n=" + n + " off=" + off + " strides " + sa + sb + " [" + i + "]");
                        }
                        float[] af = floats(a);
                        float[] bf = floats(b);
                        float[] pf = new float[n + off];
                        float[] sf = new float[n + off];
                        PortableFloatBackend.INSTANCE.binary(op, af, off, sa, bf, 1, sb, pf, off, n);
                        simdFloat.binary(op, af, off, sa, bf, 1, sb, sf, off, n);
                        for (int i = 0; i < pf.length; i++) {
                            assertEquals(Float.floatToIntBits(pf[i]), Float.floatToIntBits(sf[i]),
                                    op + " float32 n=" + n + " [" + i + "]");
                        }
                    }
                }
            }
        }
    }

    @Test
    void arithmeticUnaryOpsAndTheirFusedBackwardAreBitIdentical() {
        assumeTrue(simd != null, "the Vector API is not readable here");
        Random r = new Random(2);
        UnaryOp[] exact = {UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SQRT, UnaryOp.SQUARE, UnaryOp.RECIPROCAL, UnaryOp.RELU,
            UnaryOp.LEAKY_RELU};
        for (UnaryOp op : exact) {
            for (int n : LENGTHS) {
                for (int off : OFFSETS) {
                    double[] x = values(r, n + off);
                    double[] p = new double[n + off];
                    double[] s = new double[n + off];
                    PortableDoubleBackend.INSTANCE.unary(op, x, off, p, off, n, 0.1);
                    simd.unary(op, x, off, s, off, n, 0.1);
                    for (int i = 0; i < p.length; i++) {
                        assertSameBits(p[i], s[i], op + " n=" + n + " [" + i + "]");
                    }
                }
            }
        }
        UnaryOp[] exactBackward = {UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.RELU};
        for (UnaryOp op : exactBackward) {
            for (int n : LENGTHS) {
                for (int sg = 0; sg <= 1; sg++) {
                    for (boolean accumulate : new boolean[] {false, true}) {
                        double[] g = values(r, n + 1);
                        double[] y = values(r, n + 1);
                        double[] p = values(new Random(n), n + 1);
                        double[] s = p.clone();
                        PortableDoubleBackend.INSTANCE.unaryBackward(op, g, 1, sg, y, 1, p, 1, n, 0, accumulate);
                        simd.unaryBackward(op, g, 1, sg, y, 1, s, 1, n, 0, accumulate);
                        for (int i = 0; i < p.length; i++) {
                            assertSameBits(p[i], s[i], op + " backward n=" + n + " sg=" + sg + " acc=" + accumulate
                                    + " [" + i + "]");
                        }
                    }
                }
            }
        }
    }

    @Test
    void reductionsAgreeToAFewUlpsOfTheMagnitude() {
        assumeTrue(simd != null, "the Vector API is not readable here");
        Random r = new Random(3);
        for (int n : LENGTHS) {
            for (int off : OFFSETS) {
                double[] x = new double[n + off];
                double[] y = new double[n + off];
                double magnitude = 0;
                double products = 0;
                for (int i = 0; i < x.length; i++) {
                    x[i] = r.nextGaussian();
                    y[i] = r.nextGaussian();
                    magnitude += i >= off ? Math.abs(x[i]) : 0;
                    products += i >= off ? Math.abs(x[i] * y[i]) : 0;
                }
                double tol = 4 * n * Math.ulp(1.0) * Math.max(magnitude, Double.MIN_NORMAL);
                assertEquals(PortableDoubleBackend.INSTANCE.sum(x, off, n), simd.sum(x, off, n), tol, "sum n=" + n);
                assertEquals(PortableDoubleBackend.INSTANCE.dot(x, off, y, off, n), simd.dot(x, off, y, off, n),
                        4 * n * Math.ulp(1.0) * Math.max(products, Double.MIN_NORMAL), "dot n=" + n);
                if (n > 0) {
                    assertSameBits(PortableDoubleBackend.INSTANCE.extreme(x, off, n, true), simd.extreme(x, off, n, true),
                            "max n=" + n);
                    assertSameBits(PortableDoubleBackend.INSTANCE.extreme(x, off, n, false), simd.extreme(x, off, n, false),
                            "min n=" + n);
                }
                double[] p = y.clone();
                double[] s = y.clone();
                PortableDoubleBackend.INSTANCE.axpy(n, -0.75, x, off, p, off);
                simd.axpy(n, -0.75, x, off, s, off);
                for (int i = 0; i < p.length; i++) {
                    assertSameBits(p[i], s[i], "axpy n=" + n + " [" + i + "]");
                }
            }
        }
    }

    @Test
    void extremesPropagateNaNLikeMathMax() {
        assumeTrue(simd != null, "the Vector API is not readable here");
        for (int n : LENGTHS) {
            for (int at = 0; at < n; at += Math.max(1, n / 5)) {
                double[] x = new double[n];
                java.util.Arrays.fill(x, 1);
                x[at] = Double.NaN;
                assertEquals(Double.NaN, simd.extreme(x, 0, n, true), "max with NaN at " + at + " of " + n);
                assertEquals(Double.NaN, simd.extreme(x, 0, n, false), "min with NaN at " + at + " of " + n);
            }
        }
    }
}
