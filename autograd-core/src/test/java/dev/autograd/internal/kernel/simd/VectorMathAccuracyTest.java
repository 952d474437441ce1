package dev.autograd.internal.kernel.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.internal.kernel.DoubleBackend;
import dev.autograd.internal.kernel.DoubleScalarMath;
import dev.autograd.internal.kernel.FloatBackend;
import dev.autograd.internal.kernel.FloatScalarMath;
import dev.autograd.internal.kernel.SpecialFunctions;
import dev.autograd.internal.kernel.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks the ulp bounds that {@link DoubleVectorMath} and {@link DoubleScalarMath} state (for float64 and for the
 * generated float32 twins), through the code that ships: the SIMD backends' {@code unary} loops (on ranges long
 * enough for the vector pipelines) and the scalar functions themselves. Each sample's reference is computed once
 * and both versions are measured against it; the scalar result must also be the vector result, bit for bit (the
 * two perform the same operations in the same order), which is what lets the SIMD backend hand short ranges to the
 * scalar code.
 *
 * <ul>
 *   <li>float32: every 8209th bit pattern of all 2^32 (about half a million values, all signs and binades), or
 *       every bit pattern with {@code -Dautograd.longTests=true}, against a float64 reference (StrictMath,
 *       or {@link SpecialFunctions} / a float64 formula that is exact to far below a float32 ulp);
 *   <li>float64: random mantissas in every binade of both signs (subnormals included), dense runs of
 *       consecutive doubles around each function's branch points and thresholds, against StrictMath or a
 *       {@link DoubleDouble} reference; twenty times more with {@code autograd.longTests};
 *   <li>always: NaN, +-Inf, +-0, the smallest and largest subnormals, MIN_NORMAL and MAX_VALUE, in both dtypes.
 * </ul>
 *
 * <p>Where the Vector API is not readable the scalar functions are still measured (and the comparison with the
 * vector results is skipped). {@code -Dautograd.vectorMathOps=GELU,SIN} restricts the sweeps to the named ops (for a
 * targeted long run; the exhaustive float32 sweep takes about a minute per function on two cores, the erf-based
 * ones longer).
 *
 * <p>Errors are measured in ulps of the reference rounded to the dtype ({@code Math.ulp} of it, so the
 * smallest subnormal in the subnormal range); a result must be NaN exactly when the reference is, and
 * infinite results must match exactly.
 */
class VectorMathAccuracyTest {

    static final boolean LONG = Boolean.getBoolean("autograd.longTests");

    /** The SIMD backends, or null where the Vector API is not readable. */
    private static DoubleBackend doubles;
    private static FloatBackend floats;

    @BeforeAll
    static void backends() {
        if (SimdBackendsUnderTest.available()) {
            doubles = SimdBackendsUnderTest.doubles();
            floats = SimdBackendsUnderTest.floats();
        }
    }

    /** The scalar twin of an op's vector function, 64-bit. */
    static double scalar(UnaryOp op, double x) {
        return switch (op) {
            case EXP -> DoubleScalarMath.exp(x);
            case EXPM1 -> DoubleScalarMath.expm1(x);
            case LOG -> DoubleScalarMath.log(x);
            case LOG1P -> DoubleScalarMath.log1p(x);
            case TANH -> DoubleScalarMath.tanh(x);
            case SIGMOID -> DoubleScalarMath.sigmoid(x);
            case SOFTPLUS -> DoubleScalarMath.softplus(x);
            case ERF -> DoubleScalarMath.erf(x);
            case GELU -> DoubleScalarMath.gelu(x);
            case GELU_TANH -> DoubleScalarMath.geluTanh(x);
            case SIN -> DoubleScalarMath.sin(x);
            case COS -> DoubleScalarMath.cos(x);
            default -> throw new IllegalArgumentException(op + " has no scalar twin");
        };
    }

    /** The scalar twin of an op's vector function, 32-bit. */
    static float scalar(UnaryOp op, float x) {
        return switch (op) {
            case EXP -> FloatScalarMath.exp(x);
            case EXPM1 -> FloatScalarMath.expm1(x);
            case LOG -> FloatScalarMath.log(x);
            case LOG1P -> FloatScalarMath.log1p(x);
            case TANH -> FloatScalarMath.tanh(x);
            case SIGMOID -> FloatScalarMath.sigmoid(x);
            case SOFTPLUS -> FloatScalarMath.softplus(x);
            case ERF -> FloatScalarMath.erf(x);
            case GELU -> FloatScalarMath.gelu(x);
            case GELU_TANH -> FloatScalarMath.geluTanh(x);
            case SIN -> FloatScalarMath.sin(x);
            case COS -> FloatScalarMath.cos(x);
            default -> throw new IllegalArgumentException(op + " has no scalar twin");
        };
    }

    /**
     * One function: its op, the stated bounds, the references, and the points that need dense sampling.
     * {@code tailUlpsPerUnitZ} widens the bound by that many ulps per unit of the tanh-GELU's |z|.
     */
    record Spec(UnaryOp op, double floatBound, double doubleBound, DoubleUnaryOperator floatReference,
                DoubleUnaryOperator doubleReference, boolean doubleReferenceIsSlow, double[] breakPoints,
                double tailUlpsPerUnitZ) {
    }

    private static double sigmoidF64(double v) {
        return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    }

    /** x Phi(x) in float64, far more accurate than a float32 ulp; the limit -0.0 at -Infinity. */
    private static double geluF64(double v) {
        return v == Double.NEGATIVE_INFINITY ? -0.0 : v * SpecialFunctions.erfc(-v / Math.sqrt(2)) / 2;
    }

    private static double geluTanhF64(double v) {
        return v == Double.NEGATIVE_INFINITY ? -0.0 : v * sigmoidF64(tanhGeluZ(v));
    }

    private static double tanhGeluZ(double v) {
        return v * (2 * Math.sqrt(2 / Math.PI)) * (1 + 0.044715 * v * v);
    }

    /** The specs to run: all, or those named in -Dautograd.vectorMathOps=GELU,SIN (for a targeted long run). */
    static List<Spec> specs() {
        String only = System.getProperty("autograd.vectorMathOps", "");
        return allSpecs().stream().filter(spec -> only.isBlank() || List.of(only.split(",")).contains(
                spec.op().name())).toList();
    }

    static List<Spec> allSpecs() {
        double ln2 = Math.log(2);
        double[] trig = {0, Math.PI / 4, Math.PI / 2, Math.PI, 3 * Math.PI / 2, 10 * Math.PI, 1e5 * Math.PI,
            0x1p12, 0x1p20, 0x1p20 * 1.5, 1e22};
        return List.of(
                new Spec(UnaryOp.EXP, 1, 1, StrictMath::exp, StrictMath::exp, false,
                        new double[] {0, ln2 / 2, 708, 709.782712893384, -708.3964185322641, -745.1332191019411,
                            -745.1332191019412, 87, 88.72283, -87.33655, -103.97208, -110, -760}, 0),
                new Spec(UnaryOp.EXPM1, 2, 2, StrictMath::expm1, StrictMath::expm1, false,
                        new double[] {0, ln2 / 2, -ln2 / 2, 3 * ln2 / 2, -40, -18, 708, 709.78, 87, 88.7}, 0),
                new Spec(UnaryOp.LOG, 1, 1, StrictMath::log, StrictMath::log, false,
                        new double[] {1, Math.sqrt(0.5), Math.sqrt(2), 2, Double.MIN_NORMAL, Float.MIN_NORMAL}, 0),
                new Spec(UnaryOp.LOG1P, 1, 1, StrictMath::log1p, StrictMath::log1p, false,
                        new double[] {0, -1, Math.sqrt(0.5) - 1, Math.sqrt(2) - 1, 1, 0x1p-54, 0x1p-25, 0x1p53},
                        0),
                new Spec(UnaryOp.TANH, 3, 3, StrictMath::tanh, StrictMath::tanh, false,
                        new double[] {0, ln2 / 4, 0.55, 10, 20, 9.01}, 0),
                new Spec(UnaryOp.SIGMOID, 3, 3, VectorMathAccuracyTest::sigmoidF64, DoubleDouble::sigmoid, true,
                        new double[] {0, -708, -745, -746, -87, -104, 40}, 0),
                new Spec(UnaryOp.SOFTPLUS, 2, 2,
                        v -> Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))), DoubleDouble::softplus, true,
                        new double[] {0, -708, -745, -746, -87, -104, 40, 17}, 0),
                new Spec(UnaryOp.ERF, 2, 2, SpecialFunctions::erf, DoubleDouble::erf, true,
                        new double[] {0, 0.84375, 4, 6, 5.921, 3.92, 1e-300}, 0),
                new Spec(UnaryOp.GELU, 8, 8, VectorMathAccuracyTest::geluF64,
                        DoubleDouble::gelu, true, new double[] {0, -1, -5, -14.5, -38.6, -37.5, 38.6, 5}, 0),
                new Spec(UnaryOp.GELU_TANH, 2, 2, VectorMathAccuracyTest::geluTanhF64, DoubleDouble::geluTanh, true,
                        new double[] {0, -2, -9.9, -12, -25, 25, -20}, 3),
                new Spec(UnaryOp.SIN, 1, 1, StrictMath::sin, StrictMath::sin, false, trig, 0),
                new Spec(UnaryOp.COS, 1, 1, StrictMath::cos, StrictMath::cos, false, trig, 0));
    }

    @TestFactory
    Stream<DynamicTest> float32StridedOrExhaustive() {
        return specs().stream().map(spec -> DynamicTest.dynamicTest(spec.op() + " float32", () -> {
            Tally tally = IntStream.range(0, 64).parallel().mapToObj(part -> float32Part(spec, part))
                    .reduce(float32Specials(spec), Tally::max);
            tally.check(spec.op(), "float32", spec.floatBound());
        }));
    }

    /** The special values, which the stride may step over. */
    private static Tally float32Specials(Spec spec) {
        float[] x = SPECIAL_FLOATS.clone();
        Tally tally = new Tally();
        tally.offer32(spec, x, x.length);
        return tally;
    }

    /** One 64th of the bit patterns (the high six bits fixed), strided unless in the long run. */
    private static Tally float32Part(Spec spec, int part) {
        long stride = LONG ? 1 : 8209;
        long start = ((long) part << 26) + (part * 131L) % stride;
        long end = (long) (part + 1) << 26;
        int chunk = 1 << 14;
        float[] x = new float[chunk];
        Tally tally = new Tally();
        long bits = start;
        while (bits < end) {
            int n = 0;
            for (; n < chunk && bits < end; n++, bits += stride) {
                x[n] = Float.intBitsToFloat((int) bits);
            }
            tally.offer32(spec, x, n);
        }
        return tally;
    }

    @TestFactory
    Stream<DynamicTest> float64EveryBinadeAndBreakPoints() {
        return specs().stream().map(spec -> DynamicTest.dynamicTest(spec.op() + " float64", () -> {
            double[] x = float64Samples(spec);
            Tally tally = IntStream.range(0, 8).parallel().mapToObj(part -> {
                int from = (int) ((long) x.length * part / 8);
                int to = (int) ((long) x.length * (part + 1) / 8);
                Tally t = new Tally();
                t.offer64(spec, java.util.Arrays.copyOfRange(x, from, to));
                return t;
            }).reduce(new Tally(), Tally::max);
            tally.check(spec.op(), "float64 (" + x.length + " values)", spec.doubleBound());
        }));
    }

    /**
     * Random mantissas in each of the 2047 binades (exponent fields 0 to 2046) of both signs, plus runs of
     * consecutive doubles around the break points (and their negatives) and the special values.
     */
    private static double[] float64Samples(Spec spec) {
        int perBinade = (spec.doubleReferenceIsSlow() ? 24 : 250) * (LONG ? 20 : 1);
        int run = LONG ? 4000 : 400;
        SplittableRandom random = new SplittableRandom(spec.op().ordinal());
        List<double[]> parts = new ArrayList<>();
        double[] binades = new double[2047 * 2 * perBinade];
        int k = 0;
        for (long exponent = 0; exponent < 2047; exponent++) {
            for (int sign = 0; sign < 2; sign++) {
                for (int i = 0; i < perBinade; i++) {
                    long mantissa = random.nextLong() & 0xfffffffffffffL;
                    binades[k++] = Double.longBitsToDouble(((long) sign << 63) | (exponent << 52) | mantissa);
                }
            }
        }
        parts.add(binades);
        for (double p : spec.breakPoints()) {
            for (double c : new double[] {p, -p}) {
                double[] near = new double[2 * run];
                double lo = c;
                double hi = c;
                for (int i = 0; i < run; i++) {
                    lo = Math.nextDown(lo);
                    hi = Math.nextUp(hi);
                    near[2 * i] = lo;
                    near[2 * i + 1] = hi;
                }
                parts.add(near);
            }
        }
        parts.add(SPECIAL_DOUBLES);
        return parts.stream().flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    static final float[] SPECIAL_FLOATS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0, -0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL - Float.MIN_VALUE, -(Float.MIN_NORMAL - Float.MIN_VALUE),
        Float.MIN_NORMAL, -Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1, -1};

    static final double[] SPECIAL_DOUBLES = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, -0.0,
        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL - Double.MIN_VALUE,
        -(Double.MIN_NORMAL - Double.MIN_VALUE), Double.MIN_NORMAL, -Double.MIN_NORMAL, Double.MAX_VALUE,
        -Double.MAX_VALUE, 1, -1};

    /** The tanh-GELU's far-left-tail allowance: z's rounding, magnified by e^z (see its Javadoc). */
    private static double tailAllowance(Spec spec, double x) {
        return spec.tailUlpsPerUnitZ() == 0 || !Double.isFinite(x) ? 0 : spec.tailUlpsPerUnitZ() * Math.abs(tanhGeluZ(x));
    }

    static double floatError(float y, double reference) {
        if (Double.isNaN(reference) || Float.isNaN(y)) {
            return Double.isNaN(reference) && Float.isNaN(y) ? 0 : Double.POSITIVE_INFINITY;
        }
        float rounded = (float) reference;
        if (Float.isInfinite(rounded) || Float.isInfinite(y)) {
            // Overflow must happen where the rounded reference overflows, give or take the bound at MAX_VALUE.
            return y == rounded ? 0 : Math.abs((double) y - reference) / Math.ulp(Float.MAX_VALUE);
        }
        return Math.abs((double) y - reference) / Math.ulp(rounded);
    }

    static double doubleError(double y, double reference) {
        if (Double.isNaN(reference) || Double.isNaN(y)) {
            return Double.isNaN(reference) && Double.isNaN(y) ? 0 : Double.POSITIVE_INFINITY;
        }
        if (Double.isInfinite(reference) || Double.isInfinite(y)) {
            return y == reference ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(y - reference) / Math.ulp(reference);
    }

    /** The largest error seen and where. */
    static final class Worst {
        double ulps;
        double at = Double.NaN;

        void offer(double x, double error) {
            if (error > ulps || Double.isNaN(error)) {
                ulps = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
                at = x;
            }
        }

        Worst max(Worst o) {
            return o.ulps > ulps ? o : this;
        }

        @Override
        public String toString() {
            return String.format("%.3f at x = %s", ulps, at);
        }
    }

    /**
     * What a sweep found: the worst error of the vector version and of the scalar version, and the samples where
     * the two differ in their bits.
     */
    static final class Tally {
        final Worst vector = new Worst();
        final Worst scalar = new Worst();
        long mismatches;
        double firstMismatch = Double.NaN;

        /** Evaluates both versions on x[0 .. n) (32-bit) and measures them against the float reference. */
        void offer32(Spec spec, float[] x, int n) {
            float[] y = new float[n];
            if (floats != null) {
                floats.unary(spec.op(), x, 0, y, 0, n, 0);
            }
            for (int i = 0; i < n; i++) {
                double reference = spec.floatReference().applyAsDouble(x[i]);
                double allowance = tailAllowance(spec, x[i]);
                float s = scalar(spec.op(), x[i]);
                scalar.offer(x[i], floatError(s, reference) - allowance);
                if (floats != null) {
                    vector.offer(x[i], floatError(y[i], reference) - allowance);
                    mismatch(x[i], Float.floatToIntBits(s) != Float.floatToIntBits(y[i]));
                }
            }
        }

        /** Evaluates both versions on x (64-bit) and measures them against the double reference. */
        void offer64(Spec spec, double[] x) {
            double[] y = new double[x.length];
            if (doubles != null) {
                doubles.unary(spec.op(), x, 0, y, 0, x.length, 0);
            }
            for (int i = 0; i < x.length; i++) {
                double reference = spec.doubleReference().applyAsDouble(x[i]);
                double allowance = tailAllowance(spec, x[i]);
                double s = scalar(spec.op(), x[i]);
                scalar.offer(x[i], doubleError(s, reference) - allowance);
                if (doubles != null) {
                    vector.offer(x[i], doubleError(y[i], reference) - allowance);
                    mismatch(x[i], Double.doubleToLongBits(s) != Double.doubleToLongBits(y[i]));
                }
            }
        }

        private void mismatch(double x, boolean differ) {
            if (differ && mismatches++ == 0) {
                firstMismatch = x;
            }
        }

        Tally max(Tally o) {
            Tally t = new Tally();
            for (Tally part : new Tally[] {this, o}) {
                t.vector.offer(part.vector.at, part.vector.ulps);
                t.scalar.offer(part.scalar.at, part.scalar.ulps);
                if (part.mismatches > 0 && t.mismatches == 0) {
                    t.firstMismatch = part.firstMismatch;
                }
                t.mismatches += part.mismatches;
            }
            return t;
        }

        void check(UnaryOp op, String what, double bound) {
            if (floats != null) {
                report(op, what + " vector", vector);
                assertTrue(vector.ulps <= bound, () -> op + " " + what + " vector: " + vector
                        + " ulp exceeds the stated " + bound);
                assertEquals(0, mismatches, () -> op + " " + what + ": scalar and vector bits differ at "
                        + mismatches + " samples, the first x = " + firstMismatch);
            }
            report(op, what + " scalar", scalar);
            assertTrue(scalar.ulps <= bound, () -> op + " " + what + " scalar: " + scalar
                    + " ulp exceeds the stated " + bound);
        }
    }

    private static void report(UnaryOp op, String what, Worst worst) {
        if (Boolean.getBoolean("autograd.reportUlps")) {
            System.out.printf("max error %-10s %-35s %s%n", op, what, worst);
        }
    }

    /**
     * A derivative the fused backward computes with a transcendental function: its op, its scalar versions, float64
     * and double-double references, and its bound: {@code ulpsPerXSquared} > 0 for a relative bound of
     * {@code bound + ulpsPerXSquared x^2} ulps of the result (the rounding of x^2, magnified), else an absolute bound
     * of {@code bound} ulps of 1 (the derivative crosses zero, where no relative bound holds).
     */
    record DerivativeSpec(UnaryOp op, DoubleUnaryOperator scalar64, FloatUnaryOperator scalar32,
                          DoubleUnaryOperator floatReference, DoubleUnaryOperator doubleReference,
                          double float64Limit, double bound, double ulpsPerXSquared) {
    }

    /** A float32 function, as DoubleUnaryOperator is for float64. */
    interface FloatUnaryOperator {
        float apply(float x);
    }

    static List<DerivativeSpec> derivativeSpecs() {
        double twoOverSqrtPi = 2 / Math.sqrt(Math.PI);
        return List.of(
                new DerivativeSpec(UnaryOp.ERF, DoubleScalarMath::erfDerivative, FloatScalarMath::erfDerivative,
                        x -> twoOverSqrtPi * Math.exp(-x * x), VectorMathAccuracyTest::erfDerivativeDoubleDouble,
                        26, 2, 1),
                new DerivativeSpec(UnaryOp.GELU, DoubleScalarMath::geluDerivative, FloatScalarMath::geluDerivative,
                        x -> Double.isInfinite(x) ? (x > 0 ? 1 : 0)
                                : SpecialFunctions.normalCdf(x) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI),
                        DoubleDouble::geluDerivative, 45, 2, 0),
                new DerivativeSpec(UnaryOp.GELU_TANH, DoubleScalarMath::geluTanhDerivative,
                        FloatScalarMath::geluTanhDerivative, VectorMathAccuracyTest::geluTanhDerivativeF64,
                        DoubleDouble::geluTanhDerivative, 45, 3, 0));
    }

    /** 2/sqrt(pi) e^(-x^2) for |x| &lt;= 26 (a normal result), to double-double precision before rounding. */
    private static double erfDerivativeDoubleDouble(double x) {
        if (Double.isNaN(x) || Math.abs(x) > 28) {
            return Double.isNaN(x) ? x : 0;
        }
        return DoubleDouble.exp(DoubleDouble.of(x).mul(x).neg()).mul(DoubleDouble.TWO_OVER_SQRT_PI).value();
    }

    /** s + x s (1 - s) z' in float64 with s (1 - s) = e / (1 + e)^2, e = e^-|z|: far below a float32 ulp. */
    private static double geluTanhDerivativeF64(double v) {
        if (Double.isNaN(v) || Math.abs(v) > 30) {
            return Double.isNaN(v) ? v : v > 0 ? 1 : 0;
        }
        double z = tanhGeluZ(v);
        double e = Math.exp(-Math.abs(z));
        double s = z >= 0 ? 1 / (1 + e) : e / (1 + e);
        return s + v * (e / ((1 + e) * (1 + e))) * (2 * Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * v * v));
    }

    /** The error of one derivative value against its reference, less the spec's x^2 allowance. */
    private static double derivativeError(DerivativeSpec spec, double y, double reference, double x, boolean float64) {
        if (Double.isNaN(reference) || Double.isNaN(y)) {
            return Double.isNaN(reference) && Double.isNaN(y) ? 0 : Double.POSITIVE_INFINITY;
        }
        if (spec.ulpsPerXSquared() > 0) {
            double ulps = float64 ? doubleError(y, reference) : floatError((float) y, reference);
            return ulps - spec.ulpsPerXSquared() * x * x;
        }
        return Math.abs(y - reference) / (float64 ? Math.ulp(1.0) : Math.ulp(1f));
    }

    /**
     * The derivatives that the fused backward takes from DoubleScalarMath (and the vector pipelines, with the same
     * bits): float32 every 8209th bit pattern, float64 random arguments over the range where the derivative is not
     * yet 0 or 1, near 0, in every binade, and the special values.
     */
    @TestFactory
    Stream<DynamicTest> derivativesWithinStatedBounds() {
        return derivativeSpecs().stream().flatMap(spec -> Stream.of(
                DynamicTest.dynamicTest(spec.op() + "' float32", () -> {
                    Worst worst = IntStream.range(0, 64).parallel().mapToObj(part -> derivativePart32(spec, part))
                            .reduce(derivativeErrors(spec, SPECIAL_FLOATS.clone()), Worst::max);
                    checkDerivative(spec, false, worst);
                }),
                DynamicTest.dynamicTest(spec.op() + "' float64", () -> {
                    SplittableRandom random = new SplittableRandom(spec.op().ordinal());
                    int n = LONG ? 400_000 : 20_000;
                    List<Double> samples = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        samples.add(random.nextDouble(-spec.float64Limit(), spec.float64Limit()));
                        samples.add(random.nextDouble(-3, 3));
                    }
                    for (long exponent = 0; exponent < 1030; exponent++) {
                        long mantissa = random.nextLong() & 0xfffffffffffffL;
                        double v = Double.longBitsToDouble((exponent << 52) | mantissa);
                        samples.add(v);
                        samples.add(-v);
                    }
                    for (double special : SPECIAL_DOUBLES) {
                        samples.add(special);
                    }
                    double[] x = samples.stream().mapToDouble(Double::doubleValue)
                            .filter(v -> !(Math.abs(v) > spec.float64Limit() && Math.abs(v) < 2 * spec.float64Limit()))
                            .toArray();
                    double[] y = new double[x.length];
                    for (int i = 0; i < x.length; i++) {
                        y[i] = spec.scalar64().applyAsDouble(x[i]);
                    }
                    Worst worst = derivativeErrors(spec, true, x, y, vectorDerivative(spec.op(), x));
                    checkDerivative(spec, true, worst);
                })));
    }

    /** One 64th of the float32 bit patterns, strided as in {@link #float32Part}, through one derivative. */
    private static Worst derivativePart32(DerivativeSpec spec, int part) {
        long stride = LONG ? 1 : 8209;
        long bits = ((long) part << 26) + (part * 131L) % stride;
        long end = (long) (part + 1) << 26;
        float[] x = new float[1 << 14];
        Worst worst = new Worst();
        while (bits < end) {
            int n = 0;
            for (; n < x.length && bits < end; n++, bits += stride) {
                x[n] = Float.intBitsToFloat((int) bits);
            }
            worst = worst.max(derivativeErrors(spec, java.util.Arrays.copyOf(x, n)));
        }
        return worst;
    }

    /** The float32 derivative's errors at x, in both versions (which must agree bit for bit). */
    private static Worst derivativeErrors(DerivativeSpec spec, float[] x) {
        float[] vector = vectorDerivative(spec.op(), x);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = spec.scalar32().apply(x[i]);
        }
        return derivativeErrors(spec, false, toDoubles(x), y, vector == null ? null : toDoubles(vector));
    }

    /**
     * The worst error of the scalar derivatives y (float32 ones widened) against the spec's reference, after
     * requiring the vector ones (null without the Vector API) to be the same bits.
     */
    private static Worst derivativeErrors(DerivativeSpec spec, boolean float64, double[] x, double[] y,
                                          double[] vector) {
        DoubleUnaryOperator reference = float64 ? spec.doubleReference() : spec.floatReference();
        Worst worst = new Worst();
        for (int i = 0; i < x.length; i++) {
            worst.offer(x[i], derivativeError(spec, y[i], reference.applyAsDouble(x[i]), x[i], float64));
            if (vector != null) {
                assertEquals(Double.doubleToLongBits(y[i]), Double.doubleToLongBits(vector[i]),
                        spec.op() + "' at " + x[i] + ": scalar and vector bits differ");
            }
        }
        return worst;
    }

    private static void checkDerivative(DerivativeSpec spec, boolean float64, Worst worst) {
        String what = spec.op() + "' " + (float64 ? "float64" : "float32");
        report(spec.op(), "derivative " + (float64 ? "float64" : "float32"), worst);
        assertTrue(worst.ulps <= spec.bound(), () -> what + ": " + worst + " exceeds the stated " + spec.bound());
    }

    private static double[] toDoubles(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    /** The SIMD fused backward's derivative (g = 1, so g f' is f' itself), or null without the Vector API. */
    private static double[] vectorDerivative(UnaryOp op, double[] x) {
        if (doubles == null) {
            return null;
        }
        double[] ones = new double[x.length];
        java.util.Arrays.fill(ones, 1);
        double[] out = new double[x.length];
        doubles.unaryBackward(op, ones, 0, 1, x, 0, out, 0, x.length, 0, false);
        return out;
    }

    private static float[] vectorDerivative(UnaryOp op, float[] x) {
        if (floats == null) {
            return null;
        }
        float[] ones = new float[x.length];
        java.util.Arrays.fill(ones, 1);
        float[] out = new float[x.length];
        floats.unaryBackward(op, ones, 0, 1, x, 0, out, 0, x.length, 0, false);
        return out;
    }

    @Test
    void specialValuesAreExact() {
        double inf = Double.POSITIVE_INFINITY;
        double nan = Double.NaN;
        double[] x = {inf, -inf, nan, 0, -0.0};
        expect(UnaryOp.EXP, x, inf, 0, nan, 1, 1);
        expect(UnaryOp.EXPM1, x, inf, -1, nan, 0, -0.0);
        expect(UnaryOp.LOG, new double[] {inf, -inf, nan, 0, -0.0, -1, 1}, inf, nan, nan, -inf, -inf, nan, 0);
        expect(UnaryOp.LOG1P, new double[] {inf, -inf, nan, 0, -0.0, -1, -2}, inf, nan, nan, 0, -0.0, -inf, nan);
        expect(UnaryOp.TANH, x, 1, -1, nan, 0, -0.0);
        expect(UnaryOp.SIGMOID, x, 1, 0, nan, 0.5, 0.5);
        expect(UnaryOp.SOFTPLUS, x, inf, 0, nan, Math.log(2), Math.log(2));
        expect(UnaryOp.ERF, x, 1, -1, nan, 0, -0.0);
        expect(UnaryOp.GELU, x, inf, -0.0, nan, 0, -0.0);
        expect(UnaryOp.GELU_TANH, x, inf, -0.0, nan, 0, -0.0);
        expect(UnaryOp.SIN, x, nan, nan, nan, 0, -0.0);
        expect(UnaryOp.COS, x, nan, nan, nan, 1, 1);
    }

    /** Bit-exact expectations (signed zeros included), in both dtypes, in both versions and every lane position. */
    private static void expect(UnaryOp op, double[] x, double... expected) {
        int lanes = 37;
        double[] xd = new double[lanes * x.length];
        float[] xf = new float[xd.length];
        for (int i = 0; i < xd.length; i++) {
            xd[i] = x[i % x.length];
            xf[i] = (float) xd[i];
        }
        double[] yd = evaluate(op, xd);
        float[] yf = evaluate(op, xf);
        for (int i = 0; i < xd.length; i++) {
            double e = expected[i % x.length];
            int at = i;
            assertEquals(Double.doubleToLongBits(e), Double.doubleToLongBits(yd[i]),
                    () -> op + " float64 of " + xd[at] + " at " + at + ": " + yd[at]);
            assertEquals(Float.floatToIntBits((float) e), Float.floatToIntBits(yf[i]),
                    () -> op + " float32 of " + xf[at] + " at " + at + ": " + yf[at]);
        }
    }

    /** A length well above the SIMD backend's scalar thresholds. */
    private static final int PIPELINE_LENGTH = 64;

    /** The scalar results, after checking that the vector loop (where available) gives the same bits. */
    private static double[] evaluate(UnaryOp op, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = scalar(op, x[i]);
        }
        if (doubles != null) {
            // Repeated to a length that the SIMD backend runs through the vector pipelines, not the scalar code.
            double[] padded = new double[Math.max(PIPELINE_LENGTH, x.length)];
            for (int i = 0; i < padded.length; i++) {
                padded[i] = x[i % x.length];
            }
            double[] v = new double[padded.length];
            doubles.unary(op, padded, 0, v, 0, padded.length, 0);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Double.doubleToLongBits(y[i]), Double.doubleToLongBits(v[i]),
                        op + " float64 of " + x[i] + ": scalar " + y[i] + ", vector " + v[i]);
            }
        }
        return y;
    }

    /** The scalar results, after checking that the vector loop (where available) gives the same bits. */
    private static float[] evaluate(UnaryOp op, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = scalar(op, x[i]);
        }
        if (floats != null) {
            float[] padded = new float[Math.max(PIPELINE_LENGTH, x.length)];
            for (int i = 0; i < padded.length; i++) {
                padded[i] = x[i % x.length];
            }
            float[] v = new float[padded.length];
            floats.unary(op, padded, 0, v, 0, padded.length, 0);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToIntBits(y[i]), Float.floatToIntBits(v[i]),
                        op + " float32 of " + x[i] + ": scalar " + y[i] + ", vector " + v[i]);
            }
        }
        return y;
    }

    @Test
    void expUnderflowsGraduallyAndOverflowsAtTheThreshold() {
        // Every subnormal power of two 2^-1074 ... 2^-1023 comes out exactly (the reduction has r = 0 there).
        double[] x = new double[52];
        for (int i = 0; i < x.length; i++) {
            x[i] = -(1074 - i) * Math.log(2);
        }
        double[] y = evaluate(UnaryOp.EXP, x);
        for (int i = 0; i < x.length; i++) {
            assertTrue(doubleError(y[i], StrictMath.exp(x[i])) <= 1, "exp(" + x[i] + ") = " + y[i]);
            assertTrue(y[i] > 0, "exp(" + x[i] + ") flushed to zero");
        }
        double[] edges = {709.782712893384, Math.nextUp(709.782712893384), -745.1332191019411,
            Math.nextDown(-745.1332191019412)};
        double[] out = evaluate(UnaryOp.EXP, edges);
        assertEquals(StrictMath.exp(edges[0]), out[0], Math.ulp(out[0]));
        assertEquals(Double.POSITIVE_INFINITY, out[1]);
        assertEquals(Double.MIN_VALUE, out[2]);
        assertEquals(0, out[3]);
        float[] fx = {88.72283f, Math.nextUp(88.72284f), -103.97208f, -104f};
        float[] fy = evaluate(UnaryOp.EXP, fx);
        assertTrue(Float.isFinite(fy[0]), "expf(88.72283) overflowed");
        assertEquals(Float.POSITIVE_INFINITY, fy[1]);
        assertEquals(Float.MIN_VALUE, fy[2]);
        assertEquals(0f, fy[3]);
    }

    @Test
    void logOfSubnormalsIsRight() {
        double[] x = {Double.MIN_VALUE, 3 * Double.MIN_VALUE, Double.MIN_NORMAL / 3, Math.nextDown(Double.MIN_NORMAL)};
        double[] y = evaluate(UnaryOp.LOG, x);
        for (int i = 0; i < x.length; i++) {
            assertTrue(doubleError(y[i], StrictMath.log(x[i])) <= 1, "log(" + x[i] + ") = " + y[i]);
        }
        float[] f = {Float.MIN_VALUE, Float.MIN_NORMAL / 5, Math.nextDown(Float.MIN_NORMAL)};
        float[] g = evaluate(UnaryOp.LOG, f);
        for (int i = 0; i < f.length; i++) {
            assertTrue(floatError(g[i], StrictMath.log(f[i])) <= 1, "logf(" + f[i] + ") = " + g[i]);
        }
    }
}
