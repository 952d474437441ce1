package dev.autograd.internal.kernel.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.internal.kernel.DoubleBackend;
import dev.autograd.internal.kernel.FloatBackend;
import dev.autograd.internal.kernel.PortableDoubleBackend;
import dev.autograd.internal.kernel.PortableFloatBackend;
import dev.autograd.internal.kernel.UnaryOp;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SIMD backends against the portable ones, for every {@link UnaryOp}: forward and fused backward (scalar
 * and per-element gradient, assigning and accumulating), on awkward lengths and offsets that are not multiples
 * of the lane count, including special values. Arithmetic (and the arithmetic derivatives) must agree bit for
 * bit, and so must every function that the portable loops take from {@code DoubleScalarMath} (the vector math's
 * algorithms for one element: same bits); exp, log, sin and cos, which the portable loops take from {@link Math},
 * within the SIMD bound of {@link DoubleVectorMath} plus Math's own 1 ulp.
 */
class SimdPortableAgreementTest {

    private static final int[] LENGTHS = {0, 1, 5, 6, 7, 9, 10, 11, 17, 63, 65, 257};
    private static final int[] OFFSETS = {0, 3, 5};
    /** Forward functions the portable loops compute with Math's intrinsics: agreement within bounds. */
    private static final Set<UnaryOp> FROM_MATH = EnumSet.of(UnaryOp.EXP, UnaryOp.LOG, UnaryOp.SIN, UnaryOp.COS);
    /** Ops whose portable derivative uses Math (sin, cos): agreement within bounds; every other one exact. */
    private static final Set<UnaryOp> DERIVATIVE_FROM_MATH = EnumSet.of(UnaryOp.SIN, UnaryOp.COS);

    private static DoubleBackend simdDoubles;
    private static FloatBackend simdFloats;

    @BeforeAll
    static void backends() {
        SimdBackendsUnderTest.assumeAvailable();
        simdDoubles = SimdBackendsUnderTest.doubles();
        simdFloats = SimdBackendsUnderTest.floats();
    }

    private static double[] inputs(UnaryOp op, int n, long seed) {
        Random random = new Random(seed);
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, -0.0,
            Double.MIN_VALUE, -Double.MAX_VALUE, 1e-300, 800, -800, 1e7, -3e6};
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(10);
            x[i] = kind == 0 ? specials[random.nextInt(specials.length)]
                    : kind < 4 ? (random.nextDouble() * 2 - 1) * 40
                    : random.nextGaussian() * 3;
        }
        return x;
    }

    private static double parameter(UnaryOp op) {
        return op == UnaryOp.POW ? 2.5 : op == UnaryOp.LEAKY_RELU ? 0.01 : 0;
    }

    @Test
    void forwardAgrees() {
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : LENGTHS) {
                for (int off : OFFSETS) {
                    double[] x = inputs(op, off + n + 2, op.ordinal() * 1000L + n + off);
                    double p = parameter(op);
                    double[] expected = new double[x.length];
                    double[] actual = new double[x.length];
                    PortableDoubleBackend.INSTANCE.unary(op, x, off, expected, off, n, p);
                    simdDoubles.unary(op, x, off, actual, off, n, p);
                    float[] xf = toFloats(x);
                    float[] expectedF = new float[x.length];
                    float[] actualF = new float[x.length];
                    PortableFloatBackend.INSTANCE.unary(op, xf, off, expectedF, off, n, (float) p);
                    simdFloats.unary(op, xf, off, actualF, off, n, (float) p);
                    for (int i = 0; i < x.length; i++) {
                        boolean inRange = i >= off && i < off + n;
                        String where = op + " n=" + n + " off=" + off + " i=" + i + " x=" + x[i];
                        if (!inRange) {
                            assertEquals(0, Double.doubleToLongBits(actual[i]), where + ": wrote outside the range");
                            assertEquals(0, Float.floatToIntBits(actualF[i]), where + ": wrote outside the range");
                            continue;
                        }
                        check(op, true, x[i], expected[i], actual[i], where + " float64");
                        check(op, false, xf[i], expectedF[i], actualF[i], where + " float32");
                    }
                }
            }
        }
    }

    private static void check(UnaryOp op, boolean float64, double x, double expected, double actual, String where) {
        if (!FROM_MATH.contains(op)) {
            assertTrue(same(expected, actual, float64), where + ": portable " + expected + ", simd " + actual);
            return;
        }
        if (Double.isNaN(expected) || Double.isNaN(actual) || Double.isInfinite(expected) || expected == 0) {
            // An exponential may underflow to 0 on one side and to the least subnormal on the other.
            double least = float64 ? Double.MIN_VALUE : Float.MIN_VALUE;
            assertTrue(same(expected, actual, float64) || expected == 0 && Math.abs(actual) <= 2 * least,
                    where + ": portable " + expected + ", simd " + actual);
            return;
        }
        // The SIMD bound (1 ulp for all four) plus Math's 1 ulp.
        double ulp = float64 ? Math.ulp(expected) : Math.ulp((float) expected);
        assertTrue(Math.abs(expected - actual) <= 2 * ulp, where + ": portable " + expected + ", simd " + actual
                + ", " + Math.abs(expected - actual) / ulp + " ulp");
    }

    private static boolean same(double a, double b, boolean float64) {
        return float64 ? Double.doubleToLongBits(a) == Double.doubleToLongBits(b)
                : Float.floatToIntBits((float) a) == Float.floatToIntBits((float) b)
                || (Double.isNaN(a) && Double.isNaN(b));
    }

    @Test
    void backwardAgrees() {
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : LENGTHS) {
                for (int off : OFFSETS) {
                    for (int sg = 0; sg <= 1; sg++) {
                        for (boolean accumulate : new boolean[] {false, true}) {
                            backwardCase(op, n, off, sg, accumulate);
                        }
                    }
                }
            }
        }
    }

    private static void backwardCase(UnaryOp op, int n, int off, int sg, boolean accumulate) {
        long seed = op.ordinal() * 7919L + n * 31L + off + sg * 5L + (accumulate ? 1 : 0);
        double[] x = inputs(op, off + n + 2, seed);
        double p = parameter(op);
        // The fused backward reads y for ops whose derivative is cheapest from the output.
        double[] saved = x.clone();
        if (op.derivativeFromOutput()) {
            PortableDoubleBackend.INSTANCE.unary(op, x, 0, saved, 0, x.length, p);
        }
        Random random = new Random(seed);
        double[] g = new double[x.length];
        double[] start = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            g[i] = random.nextGaussian();
            start[i] = random.nextGaussian();
        }
        double[] expected = start.clone();
        double[] actual = start.clone();
        PortableDoubleBackend.INSTANCE.unaryBackward(op, g, off, sg, saved, off, expected, off, n, p, accumulate);
        simdDoubles.unaryBackward(op, g, off, sg, saved, off, actual, off, n, p, accumulate);
        float[] gf = toFloats(g);
        float[] savedF = toFloats(saved);
        float[] expectedF = toFloats(start);
        float[] actualF = toFloats(start);
        PortableFloatBackend.INSTANCE.unaryBackward(op, gf, off, sg, savedF, off, expectedF, off, n, (float) p,
                accumulate);
        simdFloats.unaryBackward(op, gf, off, sg, savedF, off, actualF, off, n, (float) p, accumulate);
        for (int i = 0; i < x.length; i++) {
            String where = op + " backward n=" + n + " off=" + off + " sg=" + sg + " acc=" + accumulate + " i=" + i
                    + " saved=" + saved[i];
            double gi = sg == 0 ? g[off] : g[i];
            checkBackward(op, true, gi, expected[i], actual[i], where + " float64");
            checkBackward(op, false, gi, expectedF[i], actualF[i], where + " float32");
        }
    }

    /**
     * Bit-exact except for sin's and cos's derivatives (Math.cos and -Math.sin in the portable loop), which are
     * O(1): a few ulps of 1 times |g|, plus the rounding of an accumulated sum.
     */
    private static void checkBackward(UnaryOp op, boolean float64, double g, double expected, double actual,
                                      String where) {
        if (!DERIVATIVE_FROM_MATH.contains(op) || Double.isNaN(expected) || Double.isInfinite(expected)) {
            assertTrue(same(expected, actual, float64), where + ": portable " + expected + ", simd " + actual);
            return;
        }
        double unit = float64 ? Math.ulp(1.0) : Math.ulp(1f);
        double tolerance = 4 * unit * Math.abs(g) + 2 * (float64 ? Math.ulp(expected) : Math.ulp((float) expected));
        assertTrue(Math.abs(expected - actual) <= tolerance, where + ": portable " + expected + ", simd " + actual);
    }

    /**
     * The lengths, at offsets 1, 3, 13 and 250 of a 257-element array, whose results must equal those of the whole
     * array: both sides of the op's scalar threshold (shorter ranges run DoubleScalarMath, longer ones the vector
     * pipelines, masked tail included), and a few whole and partial vectors.
     */
    private static int[] partLengths(UnaryOp op) {
        int t = SimdDoubleBackend.scalarBelow(op);
        return new int[] {1, 2, 5, t - 1, t, t + 1, 17};
    }

    private static final int[] PART_OFFSETS = {1, 3, 13, 240};

    /**
     * An element's result does not depend on where it sits or on the length of its range: the masked tail computes
     * what a full vector does, and ranges below the scalar threshold give the pipelines' bits.
     */
    @Test
    void resultsDoNotDependOnPositionOrLength() {
        for (UnaryOp op : UnaryOp.values()) {
            double[] x = inputs(op, 257, op.ordinal());
            double[] full = new double[x.length];
            simdDoubles.unary(op, x, 0, full, 0, x.length, parameter(op));
            float[] xf = toFloats(x);
            float[] fullF = new float[x.length];
            simdFloats.unary(op, xf, 0, fullF, 0, x.length, (float) parameter(op));
            for (int off : PART_OFFSETS) {
                for (int n : partLengths(op)) {
                    double[] part = new double[x.length];
                    simdDoubles.unary(op, x, off, part, off, n, parameter(op));
                    float[] partF = new float[x.length];
                    simdFloats.unary(op, xf, off, partF, off, n, (float) parameter(op));
                    for (int i = off; i < off + n; i++) {
                        assertEquals(Double.doubleToLongBits(full[i]), Double.doubleToLongBits(part[i]),
                                op + " float64 at " + i + ", n = " + n);
                        assertEquals(Float.floatToIntBits(fullF[i]), Float.floatToIntBits(partF[i]),
                                op + " float32 at " + i + ", n = " + n);
                    }
                }
            }
        }
    }

    /** The same for the fused backward, accumulating into a non-zero gradient, with per-element and scalar g. */
    @Test
    void backwardDoesNotDependOnPositionOrLength() {
        for (UnaryOp op : UnaryOp.values()) {
            double p = parameter(op);
            double[] x = inputs(op, 257, op.ordinal() + 100);
            double[] saved = x.clone();
            if (op.derivativeFromOutput()) {
                PortableDoubleBackend.INSTANCE.unary(op, x, 0, saved, 0, x.length, p);
            }
            Random random = new Random(op.ordinal());
            double[] g = new double[x.length];
            double[] start = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                g[i] = random.nextGaussian();
                start[i] = random.nextGaussian();
            }
            float[] gf = toFloats(g);
            float[] savedF = toFloats(saved);
            for (int sg = 0; sg <= 1; sg++) {
                for (int off : PART_OFFSETS) {
                    // With a scalar g the whole-array reference must read the same g[off].
                    double[] full = start.clone();
                    simdDoubles.unaryBackward(op, g, sg == 0 ? off : 0, sg, saved, 0, full, 0, x.length, p, true);
                    float[] fullF = toFloats(start);
                    simdFloats.unaryBackward(op, gf, sg == 0 ? off : 0, sg, savedF, 0, fullF, 0, x.length, (float) p,
                            true);
                    for (int n : partLengths(op)) {
                        double[] part = start.clone();
                        simdDoubles.unaryBackward(op, g, off, sg, saved, off, part, off, n, p, true);
                        float[] partF = toFloats(start);
                        simdFloats.unaryBackward(op, gf, off, sg, savedF, off, partF, off, n, (float) p, true);
                        for (int i = off; i < off + n; i++) {
                            String where = op + " backward sg=" + sg + " at " + i + ", n = " + n;
                            assertEquals(Double.doubleToLongBits(full[i]), Double.doubleToLongBits(part[i]),
                                    where + " float64");
                            assertEquals(Float.floatToIntBits(fullF[i]), Float.floatToIntBits(partF[i]),
                                    where + " float32");
                        }
                    }
                }
            }
        }
    }

    /**
     * The softmax step's exponentials do not depend on the length either (its sum is added in an order fixed by
     * the length, as the backend contract says, and is checked against the portable sum below).
     */
    @Test
    void softmaxStepExponentialsDoNotDependOnLength() {
        double[] x = inputs(UnaryOp.EXP, 257, 7);
        for (int i = 0; i < x.length; i++) {
            x[i] = Double.isFinite(x[i]) ? Math.max(-50, Math.min(x[i], 50)) : 0;
        }
        double[] full = new double[x.length];
        simdDoubles.expShiftSum(x, 0, 3, full, 0, x.length);
        float[] xf = toFloats(x);
        float[] fullF = new float[x.length];
        simdFloats.expShiftSum(xf, 0, 3, fullF, 0, x.length);
        for (int off : PART_OFFSETS) {
            for (int n : partLengths(UnaryOp.EXP)) {
                double[] part = new double[x.length];
                simdDoubles.expShiftSum(x, off, 3, part, off, n);
                float[] partF = new float[x.length];
                simdFloats.expShiftSum(xf, off, 3, partF, off, n);
                for (int i = off; i < off + n; i++) {
                    assertEquals(Double.doubleToLongBits(full[i]), Double.doubleToLongBits(part[i]), "at " + i);
                    assertEquals(Float.floatToIntBits(fullF[i]), Float.floatToIntBits(partF[i]), "float32 at " + i);
                }
            }
        }
    }

    @Test
    void softmaxStepAgrees() {
        for (int n : new int[] {0, 1, 2, 5, 9, 10, 11, 17, 63, 65, 257}) {
            double[] x = inputs(UnaryOp.EXP, n + 3, n);
            for (int i = 0; i < x.length; i++) {
                x[i] = Double.isFinite(x[i]) ? Math.max(-50, Math.min(x[i], 50)) : 0;
            }
            double shift = 50;
            double[] expected = new double[x.length];
            double[] actual = new double[x.length];
            double sumExpected = PortableDoubleBackend.INSTANCE.expShiftSum(x, 3, shift, expected, 3, n);
            double sumActual = simdDoubles.expShiftSum(x, 3, shift, actual, 3, n);
            for (int i = 3; i < 3 + n; i++) {
                assertEquals(expected[i], actual[i], 2 * Math.ulp(expected[i]), "exp(x - shift) at " + i);
            }
            assertEquals(sumExpected, sumActual, 4 * n * Math.ulp(sumExpected) + Double.MIN_VALUE, "sum, n=" + n);
            float[] xf = toFloats(x);
            float[] expectedF = new float[x.length];
            float[] actualF = new float[x.length];
            float sumExpectedF = PortableFloatBackend.INSTANCE.expShiftSum(xf, 3, (float) shift, expectedF, 3, n);
            float sumF = simdFloats.expShiftSum(xf, 3, (float) shift, actualF, 3, n);
            assertEquals(sumExpectedF, sumF, 4 * n * Math.ulp(sumExpectedF) + Float.MIN_VALUE, "float sum");
        }
    }

    /** Odd functions are odd and cos is even, bit for bit, in the vector path and beyond it. */
    @Property
    void symmetry(@ForAll @DoubleRange(min = -2e6, max = 2e6) double v) {
        Assume.that(SimdBackendsUnderTest.available());
        if (simdDoubles == null) {
            backends();
        }
        double[] x = {v, -v};
        for (UnaryOp op : new UnaryOp[] {UnaryOp.TANH, UnaryOp.ERF, UnaryOp.SIN, UnaryOp.COS}) {
            double[] y = new double[2];
            simdDoubles.unary(op, x, 0, y, 0, 2, 0);
            double mirrored = op == UnaryOp.COS ? y[0] : -y[0];
            assertEquals(Double.doubleToLongBits(mirrored), Double.doubleToLongBits(y[1]), op + " at " + v);
            float[] xf = {(float) v, (float) -v};
            float[] yf = new float[2];
            simdFloats.unary(op, xf, 0, yf, 0, 2, 0);
            float mirroredF = op == UnaryOp.COS ? yf[0] : -yf[0];
            assertEquals(Float.floatToIntBits(mirroredF), Float.floatToIntBits(yf[1]), op + " at " + (float) v);
        }
    }

    private static float[] toFloats(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }
}
