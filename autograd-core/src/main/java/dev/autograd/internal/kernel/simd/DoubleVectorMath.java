package dev.autograd.internal.kernel.simd;

import dev.autograd.internal.kernel.UnaryOp;
import dev.autograd.internal.kernel.MathConstants.ForDouble;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transcendental functions on float64 vectors, written as range reductions around minimax polynomials, with every
 * special value handled lane by lane. The per-dtype constants and coefficients live in
 * {@link dev.autograd.internal.kernel.MathConstants}, shared with the scalar versions of these functions,
 * {@link dev.autograd.internal.kernel.DoubleScalarMath}, which perform the same operations in the same order and so
 * give the same bits; the polynomials are evaluated on vectors in {@link Polynomials}. The build generates the
 * 32-bit twin {@code FloatVectorMath} from this file; the bounds below are stated for both ("64-bit" and "32-bit",
 * words the generator leaves alone).
 *
 * <h2>Accuracy</h2>
 * Errors are in ulps of the exact result and are checked by {@code VectorMathAccuracyTest}: 32-bit results
 * against a 64-bit reference over strided (and, with {@code -Dautograd.longTests=true}, all) bit patterns;
 * 64-bit results against {@link StrictMath} (itself within 1 ulp of exact, so a 64-bit bound "from StrictMath"
 * counts whole ulps) or a double-double reference where StrictMath has no such function. Results are identical
 * on every JDK from 17 on and at every vector width: only IEEE-exact lane operations are used (add, mul, fma,
 * div, compares, bit moves), never {@code VectorOperators.EXP} and the like. Each function's pipeline constant
 * below states its algorithm and bound.
 *
 * <h2>Why pipelines of small passes</h2>
 * C2 keeps a vector in a register only if every method it passes through is inlined into one compilation; a
 * vector that crosses a call that was not inlined is boxed on the heap, which makes the loop ten times slower.
 * C2 stops inlining our (not {@code @ForceInline}) methods once a compilation has created about 18000 nodes,
 * and the JDK's Vector API spends a few hundred nodes per lane operation, so one float64 exponential is about
 * as much as one compilation holds. It also refuses to inline a method that it has already compiled on its own
 * into more than 2500 bytes, which happens to every large helper called from a loop that is still interpreted.
 * So each function is a short pipeline of <em>passes</em>: a pass is a loop over one block of at most
 * {@link #BLOCK} elements in per-thread scratch arrays, with a few dozen lane operations in its body, and the
 * driver calls each pass through a {@link MethodHandle} that is not a compile-time constant, which C2 never
 * inlines: every pass is a compilation of its own, with the whole node budget, whatever the caller's profile.
 * The blocks stay in the L1 cache, so the extra loads and stores between passes are cheap.
 *
 * <p>Vectors live only in local variables of a pass and in the arguments of the small helpers it calls; no
 * vector is stored in a field or an array. Keep this file generation-safe: no floating-point literals (use
 * {@code (double) 0.5}) and no {@code long} (let {@code var} pick the lane type; the generator maps the 64-bit
 * lane vector class to the 32-bit one).
 */
final class DoubleVectorMath {

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Elements per block: a multiple of every lane count; five scratch arrays of it fit in the L1 cache. */
    static final int BLOCK = 512;

    /** Scratch slots: the input, an argument, a polynomial value, a shifter sum (exponent), the result. */
    static final int X = 0;
    static final int ARG = 1;
    static final int POLY = 2;
    static final int SHIFTED = 3;
    static final int Y = 4;
    private static final int SLOTS = 5;

    private static final double HALF = (double) 0.5;
    private static final double NEGATIVE_ZERO = -(double) 0;

    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[SLOTS][BLOCK]);

    private DoubleVectorMath() {
    }

    /** This thread's scratch blocks, indexed by the slot constants. */
    static double[][] scratch() {
        return SCRATCH.get();
    }

    /** A function as a sequence of passes over the scratch blocks: reads slot X, leaves the result in slot Y. */
    static final class Pipeline {

        private static final MethodType PASS = MethodType.methodType(void.class, double[][].class, int.class,
                double.class);

        private final MethodHandle[] passes;

        private Pipeline(String... passNames) {
            passes = new MethodHandle[passNames.length];
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            for (int i = 0; i < passNames.length; i++) {
                try {
                    passes[i] = lookup.findStatic(DoubleVectorMath.class, passNames[i], PASS);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("no pass " + passNames[i], e);
                }
            }
        }

        /**
         * Runs the passes on the first {@code n} elements of the blocks.
         *
         * @param blocks the scratch blocks, slot X filled
         * @param n      a multiple of the lane count, at most {@link #BLOCK}
         * @param p      the op's parameter (the shift of {@link #EXP_SHIFTED}, the slope of LEAKY_RELU)
         */
        void run(double[][] blocks, int n, double p) {
            for (MethodHandle pass : passes) {
                try {
                    pass.invokeExact(blocks, n, p);
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The functions

    /**
     * e^x. Reduction {@code x = n ln2 + r}, {@code |r| <= ln2/2}, with n rounded by the 1.5 * 2^52 shifter and
     * r computed Cody-Waite style ({@code n * LN2_HI} exact, then the low part, whose rounding error is carried
     * as a correction); {@code e^r = 1 + p(r)} with {@code p(r) = r + r^2 P(r)}, P minimax; 2^n is built in the
     * exponent field and applied last, in two halves, so that results underflow gradually through the subnormals
     * (rounded once) and overflow to +Infinity exactly where e^x passes MAX_VALUE; x is clamped to [-760, 710]
     * (32-bit: [-110, 89]) first, which changes no result.
     *
     * <p>Error, 64-bit: at most 1 ulp from StrictMath.exp; 32-bit: at most 1 ulp (measured 0.94 over all
     * floats, the subnormal results included). exp(NaN) = NaN, exp(+-0) = 1, exp(-Inf) = +0, exp(+Inf) = +Inf.
     */
    static final Pipeline EXP = new Pipeline("exp");

    /** {@code e^(x - p)} for the softmax step: {@link #EXP} of the shifted input. */
    static final Pipeline EXP_SHIFTED = new Pipeline("expShifted");

    /**
     * e^x - 1, accurate near 0: the reduction of {@link #EXP}, then {@code 2^n p(r) + (2^n - 1)} in one fused
     * multiply-add ({@code 2^n - 1} is exact for the n that matter); where 2^n is not normal, e^x - 1 = e^x or -1.
     * |x| &lt; 2^-54 (32-bit: 2^-25) returns x itself (keeping -0.0).
     *
     * <p>Error, 64-bit: at most 2 ulp from StrictMath.expm1; 32-bit: at most 2 ulp (measured 1.78 over all
     * floats; the worst cases are n = 1, where 2 p(r) + 1 doubles p's error).
     * expm1(-Inf) = -1, expm1(+Inf) = +Inf.
     */
    static final Pipeline EXPM1 = new Pipeline("inputIsArgument", "expReduce", "expm1Finish");

    /**
     * ln x. Splits {@code x = 2^k z} with z in [sqrt(1/2), sqrt 2) by integer arithmetic on the bits (subnormal
     * lanes first scaled by 2^54, 32-bit: 2^24), then with {@code f = z - 1} and {@code s = f / (2 + f)}:
     * {@code ln(1 + f) = 2 atanh(s) = f - (f^2/2 - s (f^2/2 + R(s^2)))}, R minimax, and {@code k ln 2} added in
     * two Cody-Waite pieces; a second pass sets the special lanes.
     *
     * <p>Error, 64-bit: at most 1 ulp from StrictMath.log; 32-bit: at most 1 ulp (measured 0.84 over all
     * floats).
     * ln(NaN) = NaN, ln(x &lt; 0) = NaN, ln(+-0) = -Infinity, ln(+Inf) = +Inf, ln(1) = +0.
     */
    static final Pipeline LOG = new Pipeline("logMain", "logSpecials");

    /**
     * ln(1 + x), accurate near 0: {@code u = 1 + x} rounded, and its rounding error {@code c = x - (u - 1)}
     * (exact) enters as {@code ln u + c / u}, ln u as in {@link #LOG}. |x| &lt; 2^-54 (32-bit: 2^-25) returns x.
     *
     * <p>Error, 64-bit: at most 1 ulp from StrictMath.log1p; 32-bit: at most 1 ulp (measured 0.86 over all
     * floats).
     * log1p(-1) = -Infinity, log1p(x &lt; -1) = NaN, log1p(+Inf) = +Inf.
     */
    static final Pipeline LOG1P = new Pipeline("log1pMain", "log1pSpecials");

    /**
     * tanh x = sign(x) e / (e + 2) with {@code e = expm1(2|x|)}: no cancellation at any magnitude; |x| is
     * clamped at 20 (32-bit: 10), past which tanh rounds to 1. The sign is copied from x: tanh(-0.0) = -0.0.
     *
     * <p>Error, 64-bit: at most 3 ulp from StrictMath.tanh; 32-bit: at most 3 ulp (measured 2.53 over all
     * floats; the worst cases are small |x|, where expm1's error is not damped). tanh(+-Inf) = +-1, tanh(NaN) = NaN.
     */
    static final Pipeline TANH = new Pipeline("tanhArgument", "expReduce", "tanhFinish");

    /**
     * The logistic sigmoid 1 / (1 + e^-x), as {@code num / (1 + e)} with {@code e = e^-|x|} in (0, 1] and
     * {@code num = 1} for x &gt;= 0, {@code e} for x &lt; 0: one division, never an overflow, and results down
     * to the subnormals for x &lt; -708.
     *
     * <p>Error (vs. the exact sigmoid), 64-bit: at most 3 ulp (measured 2); 32-bit: at most 3 ulp (measured
     * 2.40 over all floats: e's error, then the rounding of 1 + e and of the quotient).
     * sigmoid(-Inf) = +0, sigmoid(+Inf) = 1, sigmoid(NaN) = NaN.
     */
    static final Pipeline SIGMOID = new Pipeline("negatedMagnitudeArgument", "expReduce", "expScale",
            "sigmoidFinish");

    /**
     * softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|), the logarithm's argument in (1, 2] with its
     * rounding error carried as in {@link #LOG1P}: never overflows, and gives e^x (down to the subnormals) far
     * left.
     *
     * <p>Error (vs. the exact softplus), 64-bit: at most 2 ulp; 32-bit: at most 2 ulp (measured 1.62 over all
     * floats).
     * softplus(-Inf) = +0, softplus(+Inf) = +Inf, softplus(NaN) = NaN.
     */
    static final Pipeline SOFTPLUS = new Pipeline("negatedMagnitudeArgument", "expReduce", "expScale",
            "softplusFinish");

    /**
     * The error function. |x| &lt; 0.84375: {@code erf(x) = x + x Q(x^2)} (odd minimax polynomial); above,
     * {@code erf = 1 - erfc(|x|)}, {@code erfc(a) = e^(-a^2) erfcx(a)} with erfcx a rational minimax fit and
     * a^2 kept as an exact double-double (its relative error counts at most erfc/erf &lt; 0.31 times), |x|
     * clamped at 6 (32-bit: 4) where erf rounds to 1. Both sides are computed and blended. Odd:
     * erf(-0.0) = -0.0.
     *
     * <p>Error (vs. the exact erf), 64-bit: at most 2 ulp (measured 1); 32-bit: at most 2 ulp (measured 1.40
     * over all floats).
     * erf(+-Inf) = +-1, erf(NaN) = NaN.
     */
    static final Pipeline ERF = new Pipeline("erfArgument", "erfRatio", "expReduce", "expScaleTimes",
            "erfFinish");

    /**
     * The exact GELU, x Phi(x) with Phi the standard normal CDF: with {@code a = |x| / sqrt 2},
     * {@code Phi(x) = erfc(a) / 2} for x &lt; 0 and {@code 1 - erfc(a) / 2} for x &gt;= 0, so the left tail
     * keeps full relative accuracy (no 1 + erf cancellation) down to the underflow near x = -38.6 (32-bit:
     * -14.5); x^2/2 enters the exponential as an exact double-double, and x multiplies the tail before the
     * power of two so that subnormal results are rounded once. |x| is clamped there for the tail only.
     *
     * <p>Error (vs. the exact x Phi(x)), 64-bit: at most 8 ulp (measured 7); 32-bit: at most 8 ulp (measured
     * 7.0 over all floats). The worst cases are in the left tail (x near -15, 32-bit: -12), where the rounding
     * errors of the rational erfcx's two Horner sums no longer cancel; x &gt; -5 stays within 5 ulp. gelu(-0.0) = -0.0, gelu(-Inf) = -0.0, gelu(+Inf) = +Inf,
     * gelu(NaN) = NaN.
     */
    static final Pipeline GELU = new Pipeline("geluArgument", "geluRatio", "expReduce", "expScaleTimes",
            "geluFinish");

    /**
     * The tanh-approximated GELU {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, computed as
     * {@code x sigmoid(z)} with {@code z = x (A + B x^2)} = twice the tanh argument (the identity
     * {@code (1 + tanh u)/2 = sigmoid(2u)}): with {@code e = e^-|z|}, {@code x / (1 + e)} for z &gt;= 0 and
     * {@code x e / (1 + e)} for z &lt; 0, x multiplied into e before its power of two (one rounding for
     * subnormal results); no cancellation and no overflow anywhere. |x| is clamped at 25 (32-bit: 12) for the
     * exponential, where x e^z has underflowed to 0.
     *
     * <p>Error (vs. the exact formula at the given x), 64-bit: at most 2 + 3|z| ulp, 32-bit: at most
     * 2 + 3|z| ulp (measured 1.35 where |z| is small): the |z| term is z's own rounding (up to 3 ulps of z),
     * magnified by e^z in the left tail; it only matters there (|z| &gt; 4 means x &lt; -1.7 and results below
     * 0.02 |x|). gelu_tanh(-0.0) = -0.0, gelu_tanh(-Inf) = -0.0, gelu_tanh(+Inf) = +Inf, NaN gives NaN.
     */
    static final Pipeline GELU_TANH = new Pipeline("geluTanhArgument", "expReduce", "expScaleTimes",
            "geluTanhFinish");

    /**
     * sin x. On |x|: {@code k = round(|x| 2/pi)}, {@code r + rLow = |x| - k pi/2} by a four-piece Cody-Waite
     * reduction (the products with the three short pieces exact for |x| &lt;= 2^20, 32-bit: 2^12, and the
     * differences carried exactly as a double-word), |r| &lt;= pi/4; then by the quadrant k mod 4 one of
     * {@code sin r = r + r^3 S(r^2)}, {@code cos r = 1 - r^2/2 + r^4 C(r^2)} (S, C minimax), and the signs of
     * the quadrant and of x applied by xor on the sign bit, so sin(-0.0) = -0.0. Lanes beyond the bound
     * (including +-Inf) are recomputed by {@link StrictMath#sin}: one test per vector, scalar work only when
     * such a lane exists.
     *
     * <p>Error, 64-bit: at most 1 ulp from StrictMath.sin over the whole range; 32-bit: at most 1 ulp
     * (measured 0.81 over all floats). sin(+-Inf) = sin(NaN) = NaN.
     */
    static final Pipeline SIN = new Pipeline("trigReduce", "trigPolynomials", "sinSigns");

    /**
     * cos x = sin(|x| + pi/2): the reduction and polynomials of {@link #SIN} with the quadrant advanced by one
     * (cos(0) = 1 exactly); beyond 2^20 (32-bit: 2^12), {@link StrictMath#cos}.
     *
     * <p>Error, 64-bit: at most 1 ulp from StrictMath.cos over the whole range; 32-bit: at most 1 ulp
     * (measured 0.81 over all floats). cos(+-Inf) = cos(NaN) = NaN.
     */
    static final Pipeline COS = new Pipeline("trigReduce", "trigPolynomials", "cosSigns");

    /** -sin x, the derivative of cos. */
    static final Pipeline NEGATED_SIN = new Pipeline("trigReduce", "trigPolynomials", "sinSigns", "negateResult");

    /**
     * 2/sqrt(pi) e^(-x^2), the derivative of erf, the factor applied before the power of two. Error at most
     * 2 + x^2 ulp (x^2's rounding, magnified), as {@link dev.autograd.internal.kernel.DoubleScalarMath#erfDerivative},
     * which gives the same bits.
     */
    static final Pipeline ERF_DERIVATIVE = new Pipeline("erfDerivativeArgument", "expReduce", "expScaleTimes");

    /**
     * d/dx x Phi(x) = Phi(x) + x phi(x), phi the standard normal density; Phi as in {@link #GELU}. Absolute error
     * at most 2 ulps of 1, as {@link dev.autograd.internal.kernel.DoubleScalarMath#geluDerivative} (same bits).
     */
    static final Pipeline GELU_DERIVATIVE = new Pipeline("geluArgument", "geluDerivativeRatio", "expReduce",
            "geluDerivativeFinish");

    /**
     * d/dx x sigmoid(z(x)) = s + x s (1 - s) z'(x), {@code s = sigmoid(z)}, {@code z' = A + 3 B x^2}, with
     * {@code s (1 - s) = e / (1 + e)^2}, {@code e = e^-|z|}: no 1 - s cancellation for large z. 0 at -Inf,
     * 1 at +Inf (|x| is clamped at 25, 32-bit: 12, where it has reached those values). Absolute error at most 3
     * ulps of 1, as {@link dev.autograd.internal.kernel.DoubleScalarMath#geluTanhDerivative} (same bits).
     */
    static final Pipeline GELU_TANH_DERIVATIVE = new Pipeline("geluTanhDerivativeArgument", "expReduce",
            "expScale", "geluTanhDerivativeFinish");

    /**
     * The pipeline of a unary op's forward function, or null where the backend computes it otherwise.
     *
     * @param op the op
     * @return its pipeline, or null
     */
    static Pipeline forward(UnaryOp op) {
        return switch (op) {
            case EXP -> EXP;
            case EXPM1 -> EXPM1;
            case LOG -> LOG;
            case LOG1P -> LOG1P;
            case TANH -> TANH;
            case SIGMOID -> SIGMOID;
            case SOFTPLUS -> SOFTPLUS;
            case ERF -> ERF;
            case GELU -> GELU;
            case GELU_TANH -> GELU_TANH;
            case SIN -> SIN;
            case COS -> COS;
            default -> null;
        };
    }

    /**
     * The pipeline of a unary op's derivative, computed from what {@link UnaryOp#derivativeFromOutput()}
     * names, or null for POW (left to the scalar loop).
     *
     * @param op the op
     * @return its derivative's pipeline, or null
     */
    static Pipeline derivative(UnaryOp op) {
        return switch (op) {
            case ERF -> ERF_DERIVATIVE;
            case SOFTPLUS -> SIGMOID;
            case SIN -> COS;
            case COS -> NEGATED_SIN;
            case GELU -> GELU_DERIVATIVE;
            case GELU_TANH -> GELU_TANH_DERIVATIVE;
            case POW -> null;
            default -> ARITHMETIC_DERIVATIVES[op.ordinal()];
        };
    }

    /** One single-pass pipeline per op whose derivative is arithmetic on the saved value. */
    private static final Pipeline[] ARITHMETIC_DERIVATIVES = new Pipeline[UnaryOp.values().length];

    static {
        String[][] derivatives = {{"EXP", "derivativeIsInput"}, {"EXPM1", "derivativeOfExpm1"},
            {"LOG", "derivativeOfLog"}, {"LOG1P", "derivativeOfLog1p"}, {"SQRT", "derivativeOfSqrt"},
            {"RECIPROCAL", "derivativeOfReciprocal"}, {"SQUARE", "derivativeOfSquare"}, {"NEG", "derivativeOfNeg"},
            {"SIGN", "derivativeOfSign"}, {"ABS", "derivativeOfAbs"}, {"RELU", "derivativeOfRelu"},
            {"LEAKY_RELU", "derivativeOfLeakyRelu"}, {"TANH", "derivativeOfTanh"},
            {"SIGMOID", "derivativeOfSigmoid"}};
        for (String[] d : derivatives) {
            ARITHMETIC_DERIVATIVES[UnaryOp.valueOf(d[0]).ordinal()] = new Pipeline(d[1]);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Passes: loops over the first n elements (a multiple of L) of the scratch blocks. Each is compiled on its
    // own (see the class comment), so each body stays small. Loads go straight to the Vector API (whose methods
    // C2 always inlines) rather than through a helper of ours, which C2 may leave out of a crowded compilation.

    private static void inputIsArgument(double[][] blocks, int n, double p) {
        System.arraycopy(blocks[X], 0, blocks[ARG], 0, n);
    }

    /** Y = e^X in one pass: the exponential alone fits one compilation. */
    private static void exp(double[][] blocks, int n, double p) {
        expLoop(blocks[X], 0, blocks[Y], n);
    }

    /** Y = e^(X - shift), the softmax step. */
    private static void expShifted(double[][] blocks, int n, double shift) {
        expLoop(blocks[X], shift, blocks[Y], n);
    }

    /**
     * The whole exponential of {@link #EXP} in one loop. It is about as large as one compilation can hold, so
     * the helpers of this class are called before the polynomial's lane operations are parsed (C2 inlines
     * Vector API methods whatever the size so far, but not ours).
     */
    private static void expLoop(double[] in, double shift, double[] out, int n) {
        for (int j = 0; j < n; j += L) {
            // x - 0 is x for every x, -0.0 and NaN included: the plain exponential shares this loop.
            DoubleVector v = clamp(DoubleVector.fromArray(S, in, j).sub(shift), ForDouble.EXP_UNDERFLOW,
                    ForDouble.EXP_OVERFLOW);
            DoubleVector t = v.fma(ForDouble.LOG2E, ForDouble.SHIFTER);
            var exponent = t.viewAsIntegralLanes().sub(ForDouble.SHIFTER_BITS);
            var half = exponent.lanewise(VectorOperators.ASHR, 1);
            DoubleVector scale1 = exponentToScale(half);
            DoubleVector scale2 = exponentToScale(exponent.sub(half));
            expm1Reduced(v, t.sub(ForDouble.SHIFTER)).add(1).mul(scale1).mul(scale2).intoArray(out, j);
        }
    }

    private static void negatedMagnitudeArgument(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector.fromArray(S, blocks[X], j).abs().neg().intoArray(blocks[ARG], j);
        }
    }

    /**
     * The reduction of e^v for v = ARG: the shifter sum {@code t = n + 1.5 * 2^52} (n = round(v / ln 2)) into
     * SHIFTED, {@code e^r - 1} into POLY. v is clamped to [EXP_UNDERFLOW, EXP_OVERFLOW] (NaN stays NaN).
     */
    private static void expReduce(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector v = clamp(DoubleVector.fromArray(S, blocks[ARG], j), ForDouble.EXP_UNDERFLOW, ForDouble.EXP_OVERFLOW);
            DoubleVector t = v.fma(ForDouble.LOG2E, ForDouble.SHIFTER);
            expm1Reduced(v, t.sub(ForDouble.SHIFTER)).intoArray(blocks[POLY], j);
            t.intoArray(blocks[SHIFTED], j);
        }
    }

    /** Y = (1 + POLY) 2^n. */
    private static void expScale(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            scaleTwoSteps(DoubleVector.fromArray(S, blocks[POLY], j).add(1), DoubleVector.fromArray(S, blocks[SHIFTED], j)).intoArray(blocks[Y], j);
        }
    }

    /** Y = Y (1 + POLY) 2^n: the factor in Y multiplies before the power of two, one rounding if subnormal. */
    private static void expScaleTimes(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector factor = DoubleVector.fromArray(S, blocks[Y], j);
            scaleTwoSteps(DoubleVector.fromArray(S, blocks[POLY], j).fma(factor, factor), DoubleVector.fromArray(S, blocks[SHIFTED], j))
                    .intoArray(blocks[Y], j);
        }
    }

    private static void expm1Finish(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            DoubleVector polynomial = DoubleVector.fromArray(S, blocks[POLY], j);
            DoubleVector t = DoubleVector.fromArray(S, blocks[SHIFTED], j);
            DoubleVector scale = powerOfTwo(t.min(ForDouble.SHIFTER + ForDouble.EXP_FAST_EXPONENT));
            DoubleVector small = polynomial.fma(scale, scale.sub(1));
            // Above 2^1022 (32-bit: 2^126) the -1 is below half an ulp: e^x alone, scaled in two steps.
            DoubleVector result = small.blend(scaleTwoSteps(polynomial.add(1), t),
                    t.compare(VectorOperators.GT, ForDouble.SHIFTER + ForDouble.EXP_FAST_EXPONENT));
            result.blend(-1, x.compare(VectorOperators.LT, ForDouble.EXPM1_MINUS_ONE))
                    .blend(x, x.abs().compare(VectorOperators.LT, ForDouble.TINY)).intoArray(blocks[Y], j);
        }
    }

    private static void tanhArgument(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector a = clampAbove(DoubleVector.fromArray(S, blocks[X], j).abs(), ForDouble.TANH_SATURATION);
            a.add(a).intoArray(blocks[ARG], j);
        }
    }

    /** e = expm1(2|x|) from the reduction (n &lt;= 58 here, so 2^n is normal), then sign(x) e / (e + 2). */
    private static void tanhFinish(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector scale = powerOfTwo(DoubleVector.fromArray(S, blocks[SHIFTED], j));
            DoubleVector e = DoubleVector.fromArray(S, blocks[POLY], j).fma(scale, scale.sub(1));
            copySign(e.div(e.add(2)), DoubleVector.fromArray(S, blocks[X], j)).intoArray(blocks[Y], j);
        }
    }

    /** Y = num / (1 + e) with e = e^-|x| in Y, num = 1 for x &gt;= 0, e for x &lt; 0. */
    private static void sigmoidFinish(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector e = DoubleVector.fromArray(S, blocks[Y], j);
            DoubleVector numerator = e.blend(1, DoubleVector.fromArray(S, blocks[X], j).compare(VectorOperators.GE, 0));
            numerator.div(e.add(1)).intoArray(blocks[Y], j);
        }
    }

    /** Y = max(x, 0) + ln(u) + c / u with e = e^-|x| in Y, u = 1 + e and c its rounding error. */
    private static void softplusFinish(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector relu = positivePart(DoubleVector.fromArray(S, blocks[X], j));
            DoubleVector e = DoubleVector.fromArray(S, blocks[Y], j);
            DoubleVector u = e.add(1);
            relu.add(logCore(u, e.sub(u.sub(1)).div(u), DoubleVector.zero(S))).intoArray(blocks[Y], j);
        }
    }

    /** ln of the normal-or-subnormal magnitude of x; special lanes are garbage until {@link #logSpecials}. */
    private static void logMain(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            VectorMask<Double> subnormal = x.compare(VectorOperators.LT, Double.MIN_NORMAL);
            DoubleVector kOffset = DoubleVector.zero(S).blend(-ForDouble.SUBNORMAL_SCALE_LOG2, subnormal);
            logCore(x.blend(x.mul(ForDouble.SUBNORMAL_SCALE), subnormal), DoubleVector.zero(S), kOffset)
                    .intoArray(blocks[Y], j);
        }
    }

    private static void logSpecials(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            logSpecialLanes(DoubleVector.fromArray(S, blocks[Y], j), DoubleVector.fromArray(S, blocks[X], j)).intoArray(blocks[Y], j);
        }
    }

    private static void log1pMain(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            DoubleVector u = x.add(1);
            logCore(u, x.sub(u.sub(1)).div(u), DoubleVector.zero(S)).intoArray(blocks[Y], j);
        }
    }

    private static void log1pSpecials(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            logSpecialLanes(DoubleVector.fromArray(S, blocks[Y], j), x.add(1)).blend(x, x.abs().compare(VectorOperators.LT,
                    ForDouble.TINY)).intoArray(blocks[Y], j);
        }
    }

    /** ARG = -a^2 and Y = -(low part of a^2), a = min(|x|, ERF_SATURATION). */
    private static void erfArgument(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector a = clampAbove(DoubleVector.fromArray(S, blocks[X], j).abs(), ForDouble.ERF_SATURATION);
            DoubleVector square = a.mul(a);
            square.neg().intoArray(blocks[ARG], j);
            a.fma(a, square.neg()).intoArray(blocks[Y], j);
        }
    }

    /** Y = erfcx(a) (1 - squareLo), the factor of e^(-a^2) in erfc(a). */
    private static void erfRatio(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector a = clampAbove(DoubleVector.fromArray(S, blocks[X], j).abs(), ForDouble.ERF_SATURATION);
            erfcx(a, DoubleVector.fromArray(S, blocks[Y], j)).intoArray(blocks[Y], j);
        }
    }

    /** Y = sign(x) (a &lt; ERF_SMALL ? a + a Q(a^2) : 1 - erfc(a)), erfc(a) in Y. */
    private static void erfFinish(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            DoubleVector a = clampAbove(x.abs(), ForDouble.ERF_SATURATION);
            DoubleVector small = a.fma(Polynomials.ForDouble.erfSmallPolynomial(a.mul(a)), a);
            DoubleVector big = DoubleVector.fromArray(S, blocks[Y], j).neg().add(1);
            copySign(big.blend(small, a.compare(VectorOperators.LT, ForDouble.ERF_SMALL)), x)
                    .intoArray(blocks[Y], j);
        }
    }

    private static void erfDerivativeArgument(double[][] blocks, int n, double p) {
        DoubleVector factor = DoubleVector.broadcast(S, ForDouble.TWO_OVER_SQRT_PI);
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            x.neg().mul(x).intoArray(blocks[ARG], j);
            factor.intoArray(blocks[Y], j);
        }
    }

    /** ARG = -x^2/2 and Y = the low part of x^2/2, x clamped to +-NORMAL_TAIL_LIMIT. */
    private static void geluArgument(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector xc = clamp(DoubleVector.fromArray(S, blocks[X], j), -ForDouble.NORMAL_TAIL_LIMIT, ForDouble.NORMAL_TAIL_LIMIT);
            DoubleVector square = xc.mul(xc);
            square.mul(HALF).neg().intoArray(blocks[ARG], j);
            xc.fma(xc, square.neg()).mul(HALF).intoArray(blocks[Y], j);
        }
    }

    /** Y = erfcx(a) (1 - lo) / 2 times xc for x &lt; 0: the factor of e^(-x^2/2) in the GELU's tail. */
    private static void geluRatio(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector xc = clamp(DoubleVector.fromArray(S, blocks[X], j), -ForDouble.NORMAL_TAIL_LIMIT, ForDouble.NORMAL_TAIL_LIMIT);
            DoubleVector ratio = erfcx(xc.abs().mul(ForDouble.INV_SQRT2), DoubleVector.fromArray(S, blocks[Y], j)).mul(HALF);
            ratio.blend(ratio.mul(xc), xc.compare(VectorOperators.LT, 0)).intoArray(blocks[Y], j);
        }
    }

    /** x &lt; 0: Y is x Phi(x) already; x &gt;= 0: x (1 - tail). */
    private static void geluFinish(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            DoubleVector tail = DoubleVector.fromArray(S, blocks[Y], j);
            x.mul(tail.neg().add(1)).blend(tail, x.compare(VectorOperators.LT, 0))
                    .blend(NEGATIVE_ZERO, x.compare(VectorOperators.EQ, Double.NEGATIVE_INFINITY))
                    .intoArray(blocks[Y], j);
        }
    }

    /** Y = erfcx(a) (1 - lo) / 2: Phi's tail without its exponential. */
    private static void geluDerivativeRatio(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector xc = clamp(DoubleVector.fromArray(S, blocks[X], j), -ForDouble.NORMAL_TAIL_LIMIT, ForDouble.NORMAL_TAIL_LIMIT);
            erfcx(xc.abs().mul(ForDouble.INV_SQRT2), DoubleVector.fromArray(S, blocks[Y], j)).mul(HALF).intoArray(blocks[Y], j);
        }
    }

    /** Phi(x) + x phi(x) from E = e^(-x^2/2) (reduced in POLY and SHIFTED) and the ratio in Y. */
    private static void geluDerivativeFinish(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            DoubleVector density = scaleTwoSteps(DoubleVector.fromArray(S, blocks[POLY], j).add(1), DoubleVector.fromArray(S, blocks[SHIFTED], j));
            DoubleVector tail = density.mul(DoubleVector.fromArray(S, blocks[Y], j));
            DoubleVector cdf = tail.neg().add(1).blend(tail, x.compare(VectorOperators.LT, 0));
            DoubleVector xc = clamp(x, -ForDouble.NORMAL_TAIL_LIMIT, ForDouble.NORMAL_TAIL_LIMIT);
            xc.mul(density.mul(ForDouble.INV_SQRT_2PI)).add(cdf)
                    .blend(0, x.compare(VectorOperators.EQ, Double.NEGATIVE_INFINITY))
                    .blend(1, x.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY)).intoArray(blocks[Y], j);
        }
    }

    /** ARG = -|z|, Y = the factor (xc where z &lt; 0, else 1), z = xc (A + B xc^2). */
    private static void geluTanhArgument(double[][] blocks, int n, double p) {
        DoubleVector one = DoubleVector.broadcast(S, 1);
        for (int j = 0; j < n; j += L) {
            DoubleVector xc = clamp(DoubleVector.fromArray(S, blocks[X], j), -ForDouble.GELU_TANH_LIMIT, ForDouble.GELU_TANH_LIMIT);
            DoubleVector z = xc.mul(xc.mul(xc).fma(ForDouble.GELU_B, ForDouble.GELU_A));
            z.abs().neg().intoArray(blocks[ARG], j);
            one.blend(xc, z.compare(VectorOperators.LT, 0)).intoArray(blocks[Y], j);
        }
    }

    /** z &gt;= 0: x / (1 + e); z &lt; 0: (x e) / (1 + e) with x e in Y and e = (x e) / x. */
    private static void geluTanhFinish(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            DoubleVector xc = clamp(x, -ForDouble.GELU_TANH_LIMIT, ForDouble.GELU_TANH_LIMIT);
            VectorMask<Double> negative = xc.mul(xc.mul(xc).fma(ForDouble.GELU_B, ForDouble.GELU_A))
                    .compare(VectorOperators.LT, 0);
            DoubleVector scaled = DoubleVector.fromArray(S, blocks[Y], j);
            DoubleVector e = scaled.blend(scaled.div(xc), negative);
            x.blend(scaled, negative).div(e.add(1)).intoArray(blocks[Y], j);
        }
    }

    private static void geluTanhDerivativeArgument(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector xc = clamp(DoubleVector.fromArray(S, blocks[X], j), -ForDouble.GELU_TANH_LIMIT, ForDouble.GELU_TANH_LIMIT);
            xc.mul(xc.mul(xc).fma(ForDouble.GELU_B, ForDouble.GELU_A)).abs().neg().intoArray(blocks[ARG], j);
        }
    }

    /** With e = e^-|z| in Y: s + x (e / (1 + e)^2) z'. */
    private static void geluTanhDerivativeFinish(double[][] blocks, int n, double p) {
        DoubleVector one = DoubleVector.broadcast(S, 1);
        for (int j = 0; j < n; j += L) {
            DoubleVector xc = clamp(DoubleVector.fromArray(S, blocks[X], j), -ForDouble.GELU_TANH_LIMIT, ForDouble.GELU_TANH_LIMIT);
            DoubleVector x2 = xc.mul(xc);
            DoubleVector e = DoubleVector.fromArray(S, blocks[Y], j);
            DoubleVector inverse = one.div(e.add(1));
            DoubleVector s = inverse.blend(e.mul(inverse),
                    xc.mul(x2.fma(ForDouble.GELU_B, ForDouble.GELU_A)).compare(VectorOperators.LT, 0));
            xc.mul(e.mul(inverse).mul(inverse)).fma(x2.fma(ForDouble.GELU_3B, ForDouble.GELU_A), s)
                    .intoArray(blocks[Y], j);
        }
    }

    /**
     * r + rLow = |x| - k pi/2 into POLY and SHIFTED, to about twice the working precision: k times each short
     * piece of pi/2 is exact, the first difference is exact (Sterbenz), the next two are exact sums (TwoSum).
     */
    private static void trigReduce(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector a = DoubleVector.fromArray(S, blocks[X], j).abs();
            DoubleVector k = a.fma(ForDouble.TWO_OVER_PI, ForDouble.SHIFTER).sub(ForDouble.SHIFTER);
            DoubleVector reduced = k.fma(k.broadcast(-ForDouble.PIO2_A), a);
            DoubleVector productB = k.mul(ForDouble.PIO2_B);
            DoubleVector afterB = reduced.sub(productB);
            DoubleVector productC = k.mul(ForDouble.PIO2_C);
            DoubleVector r = afterB.sub(productC);
            DoubleVector errorB = twoDifferenceError(reduced, productB, afterB);
            twoDifferenceError(afterB, productC, r).add(errorB).sub(k.mul(ForDouble.PIO2_D))
                    .intoArray(blocks[SHIFTED], j);
            r.intoArray(blocks[POLY], j);
        }
    }

    /**
     * sin(r + rLow) into POLY and cos(r + rLow) into SHIFTED, from r and rLow there, |r| &lt;= pi/4:
     * {@code sin = r + (r^3 S + rLow (1 - z/2))}, {@code cos = w + ((1 - w) - z/2 + z^2 C - r rLow)} with
     * {@code z = r^2}, {@code w = 1 - z/2}, where (1 - w) - z/2 is w's rounding error, exactly.
     */
    private static void trigPolynomials(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector r = DoubleVector.fromArray(S, blocks[POLY], j);
            DoubleVector z = r.mul(r);
            DoubleVector sinPolynomial = Polynomials.ForDouble.sinPolynomial(z);
            DoubleVector cosPolynomial = Polynomials.ForDouble.cosPolynomial(z);
            DoubleVector rLow = DoubleVector.fromArray(S, blocks[SHIFTED], j);
            DoubleVector halfZ = z.mul(HALF);
            DoubleVector w = halfZ.neg().add(1);
            r.add(r.mul(z).fma(sinPolynomial, rLow.mul(w))).intoArray(blocks[POLY], j);
            w.add(w.neg().add(1).sub(halfZ).add(z.mul(z).fma(cosPolynomial, r.mul(rLow).neg())))
                    .intoArray(blocks[SHIFTED], j);
        }
    }

    private static void sinSigns(double[][] blocks, int n, double p) {
        trigQuadrants(blocks, n, 0);
    }

    private static void cosSigns(double[][] blocks, int n, double p) {
        trigQuadrants(blocks, n, 1);
    }

    /**
     * Y = sin x (quadrantOffset 0) or cos x (1), from sin r and cos r in POLY and SHIFTED: the quadrant
     * k + quadrantOffset picks sin r or cos r by its bit 0 and the sign by its bit 1; sin also takes x's sign.
     * Lanes beyond TRIG_REDUCTION_BOUND go through StrictMath.
     */
    private static void trigQuadrants(double[][] blocks, int n, int quadrantOffset) {
        var keepSignOfX = quadrantOffset == 0 ? ForDouble.SIGN_MASK : 0;
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            DoubleVector a = x.abs();
            var quadrant = a.fma(ForDouble.TWO_OVER_PI, ForDouble.SHIFTER).viewAsIntegralLanes().add(quadrantOffset);
            // Bit 0 as a float64 lane is +0 or the smallest subnormal: a floating compare gives the mask directly
            // (a mask cast between lane types is not intrinsified everywhere).
            DoubleVector value = DoubleVector.fromArray(S, blocks[POLY], j).blend(
                    DoubleVector.fromArray(S, blocks[SHIFTED], j),
                    quadrant.and(1).viewAsFloatingLanes().compare(VectorOperators.NE, 0));
            var sign = quadrant.lanewise(VectorOperators.LSHL, ForDouble.SIGN_BIT_POSITION - 1)
                    .lanewise(VectorOperators.XOR, x.viewAsIntegralLanes().and(keepSignOfX));
            DoubleVector result = value.viewAsIntegralLanes()
                    .lanewise(VectorOperators.XOR, sign.and(ForDouble.SIGN_MASK)).viewAsFloatingLanes();
            VectorMask<Double> huge = a.compare(VectorOperators.GT, ForDouble.TRIG_REDUCTION_BOUND);
            if (huge.anyTrue()) {
                result = strictSinOrCos(x, result, huge, quadrantOffset == 1);
            }
            result.intoArray(blocks[Y], j);
        }
    }

    private static void negateResult(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector.fromArray(S, blocks[Y], j).neg().intoArray(blocks[Y], j);
        }
    }

    // Derivatives that are arithmetic on the saved value, rounded as PortableDoubleBackend.derivative rounds them.

    private static void derivativeIsInput(double[][] blocks, int n, double p) {
        System.arraycopy(blocks[X], 0, blocks[Y], 0, n);
    }

    private static void derivativeOfExpm1(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector.fromArray(S, blocks[X], j).add(1).intoArray(blocks[Y], j);
        }
    }

    private static void derivativeOfLog(double[][] blocks, int n, double p) {
        DoubleVector one = DoubleVector.broadcast(S, 1);
        for (int j = 0; j < n; j += L) {
            one.div(DoubleVector.fromArray(S, blocks[X], j)).intoArray(blocks[Y], j);
        }
    }

    private static void derivativeOfLog1p(double[][] blocks, int n, double p) {
        DoubleVector one = DoubleVector.broadcast(S, 1);
        for (int j = 0; j < n; j += L) {
            one.div(DoubleVector.fromArray(S, blocks[X], j).add(1)).intoArray(blocks[Y], j);
        }
    }

    private static void derivativeOfSqrt(double[][] blocks, int n, double p) {
        DoubleVector one = DoubleVector.broadcast(S, 1);
        for (int j = 0; j < n; j += L) {
            DoubleVector y = DoubleVector.fromArray(S, blocks[X], j);
            one.div(y.add(y)).intoArray(blocks[Y], j);
        }
    }

    private static void derivativeOfReciprocal(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector y = DoubleVector.fromArray(S, blocks[X], j);
            y.neg().mul(y).intoArray(blocks[Y], j);
        }
    }

    private static void derivativeOfSquare(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            x.add(x).intoArray(blocks[Y], j);
        }
    }

    private static void derivativeOfNeg(double[][] blocks, int n, double p) {
        java.util.Arrays.fill(blocks[Y], 0, n, -1);
    }

    private static void derivativeOfSign(double[][] blocks, int n, double p) {
        java.util.Arrays.fill(blocks[Y], 0, n, 0);
    }

    /** Math.signum per lane: 1 with the sign of x, and x itself for +-0 and NaN. */
    private static void derivativeOfAbs(double[][] blocks, int n, double p) {
        DoubleVector one = DoubleVector.broadcast(S, 1);
        for (int j = 0; j < n; j += L) {
            DoubleVector x = DoubleVector.fromArray(S, blocks[X], j);
            copySign(one, x).blend(x, x.compare(VectorOperators.EQ, 0).or(x.test(VectorOperators.IS_NAN)))
                    .intoArray(blocks[Y], j);
        }
    }

    private static void derivativeOfRelu(double[][] blocks, int n, double p) {
        DoubleVector zero = DoubleVector.zero(S);
        for (int j = 0; j < n; j += L) {
            zero.blend(1, DoubleVector.fromArray(S, blocks[X], j).compare(VectorOperators.GT, 0)).intoArray(blocks[Y], j);
        }
    }

    private static void derivativeOfLeakyRelu(double[][] blocks, int n, double slope) {
        DoubleVector negativeSide = DoubleVector.broadcast(S, slope);
        for (int j = 0; j < n; j += L) {
            negativeSide.blend(1, DoubleVector.fromArray(S, blocks[X], j).compare(VectorOperators.GT, 0)).intoArray(blocks[Y], j);
        }
    }

    private static void derivativeOfTanh(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector y = DoubleVector.fromArray(S, blocks[X], j);
            y.mul(y).neg().add(1).intoArray(blocks[Y], j);
        }
    }

    private static void derivativeOfSigmoid(double[][] blocks, int n, double p) {
        for (int j = 0; j < n; j += L) {
            DoubleVector y = DoubleVector.fromArray(S, blocks[X], j);
            y.mul(y.neg().add(1)).intoArray(blocks[Y], j);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers (vectors in, vectors out), each small enough for C2 to inline into any pass.

    /**
     * e^r - 1 for {@code r = v - n ln 2} (|r| &lt;= ln2/2 and a little after rounding): {@code hi = v - n LN2_HI}
     * is exact, {@code r = hi - n LN2_LO} rounds, and that rounding error c re-enters as
     * {@code e^(r + c) - 1 = r + (r^2 P(r) + c)} to first order.
     */
    private static DoubleVector expm1Reduced(DoubleVector v, DoubleVector n) {
        DoubleVector hi = n.fma(n.broadcast(-ForDouble.LN2_HI), v);
        DoubleVector lo = n.mul(ForDouble.LN2_LO);
        DoubleVector r = hi.sub(lo);
        DoubleVector correction = hi.sub(r).sub(lo);
        return r.add(r.mul(r).fma(Polynomials.ForDouble.expPolynomial(r), correction));
    }

    /** 2^n from the shifter sum t = n + SHIFTER (n in the normal exponent range). */
    private static DoubleVector powerOfTwo(DoubleVector t) {
        return t.viewAsIntegralLanes().lanewise(VectorOperators.LSHL, ForDouble.MANTISSA_BITS)
                .add(ForDouble.ONE_BITS).viewAsFloatingLanes();
    }

    /** m 2^n for the shifter sum t = n + SHIFTER, n in [-1096, 1025], as two normal halves: one rounding. */
    private static DoubleVector scaleTwoSteps(DoubleVector m, DoubleVector t) {
        var exponent = t.viewAsIntegralLanes().sub(ForDouble.SHIFTER_BITS);
        var half = exponent.lanewise(VectorOperators.ASHR, 1);
        return m.mul(exponentToScale(half)).mul(exponentToScale(exponent.sub(half)));
    }

    /** 2^n for integer lanes n in the normal range. */
    private static DoubleVector exponentToScale(LongVector n) {
        return n.lanewise(VectorOperators.LSHL, ForDouble.MANTISSA_BITS).add(ForDouble.ONE_BITS)
                .viewAsFloatingLanes();
    }

    /** ln(u) + extra for positive normal finite u (other lanes: garbage); kOffset is added to the exponent. */
    private static DoubleVector logCore(DoubleVector u, DoubleVector extra, DoubleVector kOffset) {
        var bits = u.viewAsIntegralLanes();
        var shifted = bits.sub(ForDouble.SQRT_HALF_BITS);
        // k = floor(log2(u / sqrt(1/2))), z = u / 2^k in [sqrt(1/2), sqrt(2)): integer work on the bit pattern.
        var kBits = shifted.lanewise(VectorOperators.ASHR, ForDouble.MANTISSA_BITS);
        DoubleVector z = bits.sub(shifted.and(ForDouble.EXPONENT_FIELD_MASK)).viewAsFloatingLanes();
        DoubleVector k = kBits.add(ForDouble.SHIFTER_BITS).viewAsFloatingLanes().sub(ForDouble.SHIFTER).add(kOffset);
        DoubleVector f = z.sub(1);
        DoubleVector s = f.div(f.add(2));
        DoubleVector s2 = s.mul(s);
        DoubleVector r = s2.mul(Polynomials.ForDouble.logPolynomial(s2));
        DoubleVector halfF2 = f.mul(f).mul(HALF);
        DoubleVector low = s.fma(halfF2.add(r), k.fma(k.broadcast(ForDouble.LN2_LO), extra));
        return k.fma(k.broadcast(ForDouble.LN2_HI), f.sub(halfF2.sub(low)));
    }

    /** ln's special lanes: u itself for NaN and +Inf, NaN below 0, -Inf at +-0; value elsewhere. */
    private static DoubleVector logSpecialLanes(DoubleVector value, DoubleVector u) {
        return value.blend(u, u.compare(VectorOperators.GT, Double.MAX_VALUE).or(u.compare(VectorOperators.NE, u)))
                .blend(Double.NaN, u.compare(VectorOperators.LT, 0))
                .blend(Double.NEGATIVE_INFINITY, u.compare(VectorOperators.EQ, 0));
    }

    /**
     * {@code erfcx(a) (1 - squareLo)}, a &gt;= 0 or NaN: the factor of e^(-squareHi) in erfc(a) where
     * {@code a^2 = squareHi + squareLo}; erfcx is the rational fit of {@link Polynomials}, valid up to
     * ERFC_FIT_LIMIT, where a is clamped (e^(-a^2) has underflowed there anyway).
     */
    private static DoubleVector erfcx(DoubleVector a, DoubleVector squareLo) {
        DoubleVector ratio = Polynomials.ForDouble.erfcxRational(clampAbove(a, ForDouble.ERFC_FIT_LIMIT));
        return ratio.fma(squareLo.neg(), ratio);
    }

    /** The exact error of {@code difference = minuend - subtrahend} (Knuth's TwoSum, no ordering needed). */
    private static DoubleVector twoDifferenceError(DoubleVector minuend, DoubleVector subtrahend,
                                                   DoubleVector difference) {
        DoubleVector subtrahendPart = minuend.sub(difference);
        DoubleVector minuendPart = difference.add(subtrahendPart);
        return minuend.sub(minuendPart).sub(subtrahend.sub(subtrahendPart));
    }

    // Cold path: rebuilds the vector through arrays (an allocation, but only for lanes beyond the bound).
    private static DoubleVector strictSinOrCos(DoubleVector x, DoubleVector vectorResult, VectorMask<Double> huge,
                                               boolean cosine) {
        double[] in = x.toArray();
        double[] out = vectorResult.toArray();
        for (int i = 0; i < in.length; i++) {
            if (huge.laneIsSet(i)) {
                out[i] = cosine ? (double) StrictMath.cos(in[i]) : (double) StrictMath.sin(in[i]);
            }
        }
        return DoubleVector.fromArray(S, out, 0);
    }

    /** v with lanes below lo raised to lo and lanes above hi lowered to hi; NaN lanes stay NaN. */
    private static DoubleVector clamp(DoubleVector v, double lo, double hi) {
        return clampAbove(v, hi).blend(lo, v.compare(VectorOperators.LT, lo));
    }

    /** min(v, hi) by compare and blend (cheaper than lanewise MIN, which must order -0.0 and NaN). */
    private static DoubleVector clampAbove(DoubleVector v, double hi) {
        return v.blend(hi, v.compare(VectorOperators.GT, hi));
    }

    /** max(v, 0) keeping NaN and -0.0. */
    private static DoubleVector positivePart(DoubleVector v) {
        return v.blend(0, v.compare(VectorOperators.LT, 0));
    }

    /** |magnitude| with the sign bit of signSource (magnitude must be non-negative or NaN). */
    private static DoubleVector copySign(DoubleVector magnitude, DoubleVector signSource) {
        return magnitude.viewAsIntegralLanes()
                .lanewise(VectorOperators.OR, signSource.viewAsIntegralLanes().and(ForDouble.SIGN_MASK))
                .viewAsFloatingLanes();
    }
}
