package dev.autograd.internal.kernel;

import dev.autograd.internal.kernel.MathConstants.ForDouble;

/**
 * Transcendental functions of one 64-bit value: the algorithms of the vector math ({@code simd.DoubleVectorMath})
 * written for one element, for the portable kernels (where {@link Math#tanh}, {@link Math#expm1} and
 * {@link Math#log1p} are calls into native code on JDK 17, 50 to 90 ns each) and for the short ranges of the SIMD
 * kernels (where a vector pipeline's fixed cost outweighs a few elements). The build generates the 32-bit twin
 * {@code FloatScalarMath} from this file; bounds are stated for both ("64-bit" and "32-bit", words the generator
 * leaves alone).
 *
 * <h2>Same bits as the vector math</h2>
 * Each function performs the vector algorithm's operations in the same order, with the same constants and
 * polynomials ({@link MathConstants}, Horner's rule with {@link Math#fma}), and every one of those operations is
 * exactly rounded IEEE 754 (add, multiply, fused multiply-add, divide, compares, bit moves) in scalar Java as in a
 * vector lane. So for every argument the result here is bit for bit the result of the vector pipeline, on every
 * JDK from 17 on and at every vector width; {@code VectorMathAccuracyTest} checks it on every sample of its
 * sweeps, and {@code SimdPortableAgreementTest} through the backends. Where the vector code
 * blends a special value over a lane computed anyway, this code branches instead and skips the work (e.g. erf
 * below 0.84375 never evaluates its exponential), which changes no result. Consequently the bounds below are the
 * vector bounds, measured by {@code VectorMathAccuracyTest} on both versions (the derivatives, which the vector
 * pipelines of the fused backward share, too).
 *
 * <p>The fused multiply-adds need the hardware instruction to be fast (x86 since Haswell and Zen, every 64-bit
 * ARM): without it {@link Math#fma} is a slow software emulation, as is the vector math's fma.
 *
 * <h2>Why no {@link Math#exp} and {@link Math#log}</h2>
 * Those two are intrinsics and within 1 ulp, and the portable kernels call them directly for EXP and LOG. The
 * functions here that need an exponential or a logarithm inline their own (a reduction and a polynomial) rather
 * than call out: it is what makes the results the vector results, it lets the exponential carry a factor before
 * its power of two (one rounding for subnormal results) and the logarithm take its argument's rounding error, and
 * an inlined polynomial costs no more than the intrinsic's call.
 *
 * <p>Keep this file generation-safe: no floating-point literals (use {@code (double) 0.5} or the constants), no
 * {@code long} (let {@code var} pick the bit type; {@code ForDouble.bits} gives it), and cast every
 * {@link StrictMath} result with {@code (double)}.
 */
public final class DoubleScalarMath {

    private static final double HALF = (double) 0.5;
    private static final double NEGATIVE_ZERO = -(double) 0;

    private DoubleScalarMath() {
    }

    /**
     * e^x: {@code x = n ln2 + r}, {@code |r| <= ln2/2}, n rounded by the 1.5 * 2^52 shifter and r computed
     * Cody-Waite style with the low part's rounding error carried; {@code e^r = 1 + r + r^2 P(r)}, P minimax; 2^n
     * applied last in two halves, so that results underflow gradually (rounded once) and overflow to +Infinity
     * exactly where e^x passes MAX_VALUE. x is clamped to [-760, 710] (32-bit: [-110, 89]), which changes no result.
     *
     * <p>Error, 64-bit: at most 1 ulp from StrictMath.exp; 32-bit: at most 1 ulp.
     * exp(NaN) = NaN, exp(+-0) = 1, exp(-Inf) = +0, exp(+Inf) = +Inf.
     *
     * @param x the argument
     * @return e^x
     */
    public static double exp(double x) {
        return expTimes(x, 1);
    }

    /**
     * e^x - 1, accurate near 0: the reduction of {@link #exp}, then {@code 2^n p(r) + (2^n - 1)} in one fused
     * multiply-add ({@code 2^n - 1} is exact for the n that matter); where 2^n is not normal, e^x - 1 is e^x
     * (scaled in two steps) or -1. |x| &lt; 2^-54 (32-bit: 2^-25) returns x itself, keeping -0.0.
     *
     * <p>Error, 64-bit: at most 2 ulp from StrictMath.expm1; 32-bit: at most 2 ulp.
     * expm1(-Inf) = -1, expm1(+Inf) = +Inf, expm1(NaN) = NaN.
     *
     * @param x the argument
     * @return e^x - 1
     */
    public static double expm1(double x) {
        if (Math.abs(x) < ForDouble.TINY) {
            return x;
        }
        if (x < ForDouble.EXPM1_MINUS_ONE) {
            return -1;
        }
        double v = clampExpArgument(x);
        double t = Math.fma(v, ForDouble.LOG2E, ForDouble.SHIFTER);
        double polynomial = expm1Reduced(v, t - ForDouble.SHIFTER);
        if (t > ForDouble.SHIFTER + ForDouble.EXP_FAST_EXPONENT) {
            // Above 2^1022 (32-bit: 2^126) the -1 is below half an ulp: e^x alone, scaled in two steps.
            return scaleTwoSteps(polynomial + 1, t);
        }
        double scale = powerOfTwo(t);
        return Math.fma(polynomial, scale, scale - 1);
    }

    /**
     * ln x. Splits {@code x = 2^k z} with z in [sqrt(1/2), sqrt 2) by integer arithmetic on the bits (subnormals
     * first scaled by 2^54, 32-bit: 2^24); with {@code f = z - 1} and {@code s = f / (2 + f)},
     * {@code ln(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2)))}, R minimax, and {@code k ln 2} added in two
     * Cody-Waite pieces.
     *
     * <p>Error, 64-bit: at most 1 ulp from StrictMath.log; 32-bit: at most 1 ulp.
     * ln(NaN) = NaN, ln(x &lt; 0) = NaN, ln(+-0) = -Infinity, ln(+Inf) = +Inf, ln(1) = +0.
     *
     * @param x the argument
     * @return ln x
     */
    public static double log(double x) {
        if (x >= Double.MIN_NORMAL && x <= Double.MAX_VALUE) {
            return logCore(x, 0, 0);
        }
        if (x > 0 && x < Double.MIN_NORMAL) {
            return logCore(x * ForDouble.SUBNORMAL_SCALE, 0, -ForDouble.SUBNORMAL_SCALE_LOG2);
        }
        return logOfSpecial(x);
    }

    /**
     * ln(1 + x), accurate near 0: {@code u = 1 + x} rounded, and its rounding error {@code c = x - (u - 1)}
     * (exact) enters as {@code ln u + c / u}, ln u as in {@link #log}. |x| &lt; 2^-54 (32-bit: 2^-25) returns x.
     *
     * <p>Error, 64-bit: at most 1 ulp from StrictMath.log1p; 32-bit: at most 1 ulp.
     * log1p(-1) = -Infinity, log1p(x &lt; -1) = NaN, log1p(+Inf) = +Inf, log1p(NaN) = NaN.
     *
     * @param x the argument
     * @return ln(1 + x)
     */
    public static double log1p(double x) {
        if (Math.abs(x) < ForDouble.TINY) {
            return x;
        }
        double u = x + 1;
        if (u > 0 && u <= Double.MAX_VALUE) {
            // u >= 2^-53 here (the least u above 0 is 1 + nextUp(-1)): never subnormal.
            return logCore(u, (x - (u - 1)) / u, 0);
        }
        return logOfSpecial(u);
    }

    /**
     * tanh x = sign(x) e / (e + 2) with {@code e = expm1(2|x|)}: no cancellation at any magnitude; |x| is clamped
     * at 20 (32-bit: 10), past which tanh rounds to 1. The sign is copied from x: tanh(-0.0) = -0.0.
     *
     * <p>Error, 64-bit: at most 3 ulp from StrictMath.tanh; 32-bit: at most 3 ulp (the worst cases are small
     * |x|, where expm1's error is not damped). tanh(+-Inf) = +-1, tanh(NaN) = NaN.
     *
     * @param x the argument
     * @return tanh x
     */
    public static double tanh(double x) {
        double a = clampAbove(Math.abs(x), ForDouble.TANH_SATURATION);
        // 2|x| <= 40 (32-bit: 20): within the exponential's clamp, and 2^n is normal.
        double v = a + a;
        double t = Math.fma(v, ForDouble.LOG2E, ForDouble.SHIFTER);
        double scale = powerOfTwo(t);
        double e = Math.fma(expm1Reduced(v, t - ForDouble.SHIFTER), scale, scale - 1);
        return Math.copySign(e / (e + 2), x);
    }

    /**
     * The logistic sigmoid 1 / (1 + e^-x), as {@code num / (1 + e)} with {@code e = e^-|x|} in (0, 1] and
     * {@code num = 1} for x &gt;= 0, {@code e} for x &lt; 0: one division, never an overflow, and results down to
     * the subnormals for x &lt; -708.
     *
     * <p>Error (vs. the exact sigmoid), 64-bit: at most 3 ulp; 32-bit: at most 3 ulp (e's error, then the rounding
     * of 1 + e and of the quotient). sigmoid(-Inf) = +0, sigmoid(+Inf) = 1, sigmoid(NaN) = NaN.
     *
     * @param x the argument
     * @return 1 / (1 + e^-x)
     */
    public static double sigmoid(double x) {
        double e = expTimes(-Math.abs(x), 1);
        return ifNegative(x, e, 1) / (e + 1);
    }

    /**
     * softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|), the logarithm's argument in (1, 2] with its
     * rounding error carried as in {@link #log1p}: never overflows, and gives e^x (down to the subnormals) far
     * left.
     *
     * <p>Error (vs. the exact softplus), 64-bit: at most 2 ulp; 32-bit: at most 2 ulp.
     * softplus(-Inf) = +0, softplus(+Inf) = +Inf, softplus(NaN) = NaN.
     *
     * @param x the argument
     * @return ln(1 + e^x)
     */
    public static double softplus(double x) {
        double e = expTimes(-Math.abs(x), 1);
        double u = e + 1;
        return positivePart(x) + logCore(u, (e - (u - 1)) / u, 0);
    }

    /**
     * The error function. |x| &lt; 0.84375: {@code erf(x) = x + x E(x^2)} (odd minimax polynomial); above,
     * {@code erf = 1 - erfc(|x|)}, {@code erfc(a) = e^(-a^2) erfcx(a)} with erfcx a rational minimax fit and a^2
     * kept as an exact double-word (its relative error counts at most erfc/erf &lt; 0.31 times), |x| clamped at 6
     * (32-bit: 4) where erf rounds to 1. Odd: erf(-0.0) = -0.0.
     *
     * <p>Error (vs. the exact erf), 64-bit: at most 2 ulp; 32-bit: at most 2 ulp.
     * erf(+-Inf) = +-1, erf(NaN) = NaN.
     *
     * @param x the argument
     * @return erf x
     */
    public static double erf(double x) {
        double a = clampAbove(Math.abs(x), ForDouble.ERF_SATURATION);
        if (a < ForDouble.ERF_SMALL) {
            return Math.copySign(Math.fma(a, ForDouble.erfSmallPolynomial(a * a), a), x);
        }
        double square = a * a;
        double erfc = expTimes(-square, erfcx(a, Math.fma(a, a, -square)));
        return Math.copySign(1 - erfc, x);
    }

    /**
     * The derivative of erf, {@code 2/sqrt(pi) e^(-x^2)}, with x^2 rounded and the factor applied before the
     * exponential's power of two (one rounding where the result is subnormal).
     *
     * <p>Error (vs. the exact derivative at the given x), 64-bit and 32-bit: at most 2 + x^2 ulp: the
     * exponential's 1 ulp and the constant's half, plus x^2's rounding magnified by x^2 (as in any evaluation from
     * a rounded x^2).
     *
     * @param x the argument of erf
     * @return erf'(x); 0 at +-Infinity, NaN for NaN
     */
    public static double erfDerivative(double x) {
        return expTimes(-x * x, ForDouble.TWO_OVER_SQRT_PI);
    }

    /**
     * The exact GELU, x Phi(x) with Phi the standard normal CDF: with {@code a = |x| / sqrt 2},
     * {@code Phi(x) = erfc(a) / 2} for x &lt; 0 and {@code 1 - erfc(a) / 2} for x &gt;= 0, so the left tail keeps
     * full relative accuracy (no 1 + erf cancellation) down to the underflow near x = -38.6 (32-bit: -14.5); x^2/2
     * enters the exponential as an exact double-word, and x multiplies the tail before the power of two so that
     * subnormal results are rounded once. |x| is clamped there for the tail only.
     *
     * <p>Error (vs. the exact x Phi(x)), 64-bit: at most 8 ulp; 32-bit: at most 8 ulp. The worst cases are in the
     * left tail (x near -15, 32-bit: -12), where the rounding errors of the rational erfcx's two Horner sums no
     * longer cancel; x &gt; -5 stays within 5 ulp. gelu(-0.0) = -0.0, gelu(-Inf) = -0.0, gelu(+Inf) = +Inf,
     * gelu(NaN) = NaN.
     *
     * @param x the argument
     * @return x Phi(x)
     */
    public static double gelu(double x) {
        double xc = clamp(x, -ForDouble.NORMAL_TAIL_LIMIT, ForDouble.NORMAL_TAIL_LIMIT);
        double ratio = normalTailRatio(xc);
        double tail = expTimes(-(xc * xc * HALF), ifNegative(xc, ratio * xc, ratio));
        if (x == Double.NEGATIVE_INFINITY) {
            return NEGATIVE_ZERO;
        }
        return ifNegative(x, tail, x * (1 - tail));
    }

    /**
     * The derivative of the exact GELU, {@code Phi(x) + x phi(x)}, phi the standard normal density, with Phi as in
     * {@link #gelu} (its tail and phi share one exponential e^(-x^2/2)).
     *
     * <p>Error, absolute because the derivative crosses zero (near x = -0.75, where no relative bound holds):
     * 64-bit at most 2 ulps of 1 (2^-51), 32-bit at most 2 ulps of 1 (2^-22). 0 at -Infinity, 1 at +Infinity, NaN
     * for NaN.
     *
     * @param x the argument of the GELU
     * @return d/dx x Phi(x)
     */
    public static double geluDerivative(double x) {
        double xc = clamp(x, -ForDouble.NORMAL_TAIL_LIMIT, ForDouble.NORMAL_TAIL_LIMIT);
        double ratio = normalTailRatio(xc);
        double density = expTimes(-(xc * xc * HALF), 1);
        double tail = density * ratio;
        double cdf = ifNegative(x, tail, 1 - tail);
        if (x == Double.NEGATIVE_INFINITY) {
            return 0;
        }
        return x == Double.POSITIVE_INFINITY ? 1 : xc * (density * ForDouble.INV_SQRT_2PI) + cdf;
    }

    /**
     * The tanh-approximated GELU {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, computed as
     * {@code x sigmoid(z)} with {@code z = x (A + B x^2)} = twice the tanh argument (the identity
     * {@code (1 + tanh u)/2 = sigmoid(2u)}): with {@code e = e^-|z|}, {@code x / (1 + e)} for z &gt;= 0 and
     * {@code x e / (1 + e)} for z &lt; 0, x multiplied into e before its power of two (one rounding for subnormal
     * results); no cancellation and no overflow anywhere. |x| is clamped at 25 (32-bit: 12) for the exponential,
     * where x e^z has underflowed to 0.
     *
     * <p>Error (vs. the exact formula at the given x), 64-bit: at most 2 + 3|z| ulp, 32-bit: at most 2 + 3|z| ulp:
     * the |z| term is z's own rounding (up to 3 ulps of z), magnified by e^z in the left tail; it only matters
     * there (|z| &gt; 4 means x &lt; -1.7 and results below 0.02 |x|). gelu_tanh(-0.0) = -0.0,
     * gelu_tanh(-Inf) = -0.0, gelu_tanh(+Inf) = +Inf, NaN gives NaN.
     *
     * @param x the argument
     * @return x sigmoid(z)
     */
    public static double geluTanh(double x) {
        double xc = clamp(x, -ForDouble.GELU_TANH_LIMIT, ForDouble.GELU_TANH_LIMIT);
        double z = xc * Math.fma(xc * xc, ForDouble.GELU_B, ForDouble.GELU_A);
        double scaled = expTimes(-Math.abs(z), ifNegative(z, xc, 1));
        double e = ifNegative(z, scaled / xc, scaled);
        return ifNegative(z, scaled, x) / (e + 1);
    }

    /**
     * The derivative of the tanh-GELU, {@code s + x s (1 - s) z'(x)}, {@code s = sigmoid(z)},
     * {@code z' = A + 3 B x^2}, with {@code s (1 - s) = e / (1 + e)^2}, {@code e = e^-|z|}: no 1 - s cancellation
     * for large z. |x| is clamped at 25 (32-bit: 12), where the derivative has reached 0 or 1.
     *
     * <p>Error, absolute because the derivative crosses zero (near x = -0.75): 64-bit at most 3 ulps of 1
     * (3 2^-52), 32-bit at most 3 ulps of 1 (3 2^-23). 0 at -Infinity, 1 at +Infinity, NaN for NaN.
     *
     * @param x the argument of the tanh-GELU
     * @return its derivative
     */
    public static double geluTanhDerivative(double x) {
        double xc = clamp(x, -ForDouble.GELU_TANH_LIMIT, ForDouble.GELU_TANH_LIMIT);
        double x2 = xc * xc;
        double z = xc * Math.fma(x2, ForDouble.GELU_B, ForDouble.GELU_A);
        double e = expTimes(-Math.abs(z), 1);
        double inverse = 1 / (e + 1);
        double s = ifNegative(z, e * inverse, inverse);
        return Math.fma(xc * (e * inverse * inverse), Math.fma(x2, ForDouble.GELU_3B, ForDouble.GELU_A), s);
    }

    /**
     * sin x. On |x|: {@code k = round(|x| 2/pi)}, {@code r + rLow = |x| - k pi/2} by a four-piece Cody-Waite
     * reduction (the products with the three short pieces exact for |x| &lt;= 2^20, 32-bit: 2^12, the differences
     * carried exactly as a double-word), |r| &lt;= pi/4; then by the quadrant k mod 4 one of
     * {@code sin r = r + r^3 S(r^2)}, {@code cos r = 1 - r^2/2 + r^4 C(r^2)} (S, C minimax), and the signs of the
     * quadrant and of x applied to the sign bit, so sin(-0.0) = -0.0. Beyond the bound (and at +-Inf),
     * {@link StrictMath#sin}.
     *
     * <p>Error, 64-bit: at most 1 ulp from StrictMath.sin over the whole range; 32-bit: at most 1 ulp.
     * sin(+-Inf) = sin(NaN) = NaN.
     *
     * @param x the argument, in radians
     * @return sin x
     */
    public static double sin(double x) {
        return sinOrCos(x, 0);
    }

    /**
     * cos x = sin(|x| + pi/2): the reduction and polynomials of {@link #sin} with the quadrant advanced by one
     * (cos(0) = 1 exactly); beyond 2^20 (32-bit: 2^12), {@link StrictMath#cos}.
     *
     * <p>Error, 64-bit: at most 1 ulp from StrictMath.cos over the whole range; 32-bit: at most 1 ulp.
     * cos(+-Inf) = cos(NaN) = NaN.
     *
     * @param x the argument, in radians
     * @return cos x
     */
    public static double cos(double x) {
        return sinOrCos(x, 1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers; each mirrors the vector helper or pass of the same name in DoubleVectorMath.

    /** x clamped to [EXP_UNDERFLOW, EXP_OVERFLOW]; NaN stays NaN. */
    private static double clampExpArgument(double x) {
        return clamp(x, ForDouble.EXP_UNDERFLOW, ForDouble.EXP_OVERFLOW);
    }

    /**
     * {@code factor e^v}, the factor multiplied into {@code e^r} before the power of two, so a subnormal result is
     * rounded once (the vector passes expReduce and expScaleTimes; with factor 1, expScale and the exponential).
     */
    private static double expTimes(double v, double factor) {
        double clamped = clampExpArgument(v);
        double t = Math.fma(clamped, ForDouble.LOG2E, ForDouble.SHIFTER);
        return scaleTwoSteps(Math.fma(expm1Reduced(clamped, t - ForDouble.SHIFTER), factor, factor), t);
    }

    /**
     * e^r - 1 for {@code r = v - n ln 2}: {@code hi = v - n LN2_HI} is exact, {@code r = hi - n LN2_LO} rounds,
     * and that rounding error c re-enters as {@code e^(r + c) - 1 = r + (r^2 P(r) + c)} to first order.
     */
    private static double expm1Reduced(double v, double n) {
        double hi = Math.fma(n, -ForDouble.LN2_HI, v);
        double lo = n * ForDouble.LN2_LO;
        double r = hi - lo;
        double correction = hi - r - lo;
        return r + Math.fma(r * r, ForDouble.expPolynomial(r), correction);
    }

    /** 2^n from the shifter sum t = n + SHIFTER (n in the normal exponent range). */
    private static double powerOfTwo(double t) {
        return ForDouble.fromBits((ForDouble.bits(t) << ForDouble.MANTISSA_BITS) + ForDouble.ONE_BITS);
    }

    /** m 2^n for the shifter sum t = n + SHIFTER, n in [-1096, 1025], as two normal halves: one rounding. */
    private static double scaleTwoSteps(double m, double t) {
        var exponent = ForDouble.bits(t) - ForDouble.SHIFTER_BITS;
        var half = exponent >> 1;
        return m * ForDouble.fromBits((half << ForDouble.MANTISSA_BITS) + ForDouble.ONE_BITS)
                * ForDouble.fromBits(((exponent - half) << ForDouble.MANTISSA_BITS) + ForDouble.ONE_BITS);
    }

    /** ln(u) + extra for positive normal finite u; kOffset is added to the exponent. */
    private static double logCore(double u, double extra, double kOffset) {
        var bits = ForDouble.bits(u);
        var shifted = bits - ForDouble.SQRT_HALF_BITS;
        // k = floor(log2(u / sqrt(1/2))), z = u / 2^k in [sqrt(1/2), sqrt(2)): integer work on the bit pattern.
        var kBits = shifted >> ForDouble.MANTISSA_BITS;
        double z = ForDouble.fromBits(bits - (shifted & ForDouble.EXPONENT_FIELD_MASK));
        double k = ForDouble.fromBits(kBits + ForDouble.SHIFTER_BITS) - ForDouble.SHIFTER + kOffset;
        double f = z - 1;
        double s = f / (f + 2);
        double s2 = s * s;
        double r = s2 * ForDouble.logPolynomial(s2);
        double halfF2 = f * f * HALF;
        double low = Math.fma(s, halfF2 + r, Math.fma(k, ForDouble.LN2_LO, extra));
        return Math.fma(k, ForDouble.LN2_HI, f - (halfF2 - low));
    }

    /** ln u where u is not a positive finite number: u itself for NaN and +Inf, NaN below 0, -Inf at +-0. */
    private static double logOfSpecial(double u) {
        if (u < 0) {
            return Double.NaN;
        }
        return u == 0 ? Double.NEGATIVE_INFINITY : u;
    }

    /**
     * {@code erfcx(a) (1 - squareLow)}, a &gt;= 0 or NaN: the factor of e^(-squareHigh) in erfc(a) where
     * {@code a^2 = squareHigh + squareLow}; erfcx is the rational fit, valid up to ERFC_FIT_LIMIT, where a is
     * clamped (e^(-a^2) has underflowed there anyway).
     */
    private static double erfcx(double a, double squareLow) {
        double ratio = ForDouble.erfcxRational(clampAbove(a, ForDouble.ERFC_FIT_LIMIT));
        return Math.fma(ratio, -squareLow, ratio);
    }

    /** erfcx(|xc| / sqrt 2) (1 - lo) / 2, lo the low part of xc^2 / 2: Phi's tail without its exponential. */
    private static double normalTailRatio(double xc) {
        double square = xc * xc;
        return erfcx(Math.abs(xc) * ForDouble.INV_SQRT2, Math.fma(xc, xc, -square) * HALF) * HALF;
    }

    /** sin x (quadrantOffset 0) or cos x (1); see {@link #sin}. */
    private static double sinOrCos(double x, int quadrantOffset) {
        double a = Math.abs(x);
        if (a > ForDouble.TRIG_REDUCTION_BOUND) {
            return quadrantOffset == 0 ? (double) StrictMath.sin(x) : (double) StrictMath.cos(x);
        }
        double shifted = Math.fma(a, ForDouble.TWO_OVER_PI, ForDouble.SHIFTER);
        double k = shifted - ForDouble.SHIFTER;
        // r + rLow = a - k pi/2: k times each short piece is exact, the first difference exact (Sterbenz), the
        // next two exact sums (TwoSum).
        double reduced = Math.fma(k, -ForDouble.PIO2_A, a);
        double productB = k * ForDouble.PIO2_B;
        double afterB = reduced - productB;
        double productC = k * ForDouble.PIO2_C;
        double r = afterB - productC;
        double errorB = twoDifferenceError(reduced, productB, afterB);
        double rLow = twoDifferenceError(afterB, productC, r) + errorB - k * ForDouble.PIO2_D;
        double z = r * r;
        double halfZ = z * HALF;
        double w = 1 - halfZ;
        var quadrant = ForDouble.bits(shifted) + quadrantOffset;
        double value = (quadrant & 1) == 0
                // sin(r + rLow) = r + (r^3 S + rLow (1 - z/2))
                ? r + Math.fma(r * z, ForDouble.sinPolynomial(z), rLow * w)
                // cos(r + rLow) = w + ((1 - w) - z/2 + z^2 C - r rLow), (1 - w) - z/2 being w's rounding error
                : w + ((1 - w) - halfZ + Math.fma(z * z, ForDouble.cosPolynomial(z), -(r * rLow)));
        // Bit 1 of the quadrant is the sign of the result; sin also takes x's sign.
        var keepSignOfX = quadrantOffset == 0 ? ForDouble.SIGN_MASK : 0;
        var sign = (quadrant << (ForDouble.SIGN_BIT_POSITION - 1)) ^ (ForDouble.bits(x) & keepSignOfX);
        return ForDouble.fromBits(ForDouble.bits(value) ^ (sign & ForDouble.SIGN_MASK));
    }

    /** The exact error of {@code difference = minuend - subtrahend} (Knuth's TwoSum, no ordering needed). */
    private static double twoDifferenceError(double minuend, double subtrahend, double difference) {
        double subtrahendPart = minuend - difference;
        double minuendPart = difference + subtrahendPart;
        return minuend - minuendPart - (subtrahend - subtrahendPart);
    }

    /**
     * {@code v < 0 ? ifNegative : otherwise} without a branch: C2 compiles a choice between two floating-point values
     * to a jump (x86 has no scalar floating-point conditional move), which arguments of random sign mispredict half
     * the time (it made the sigmoid 2.5 times slower). The sign bit of {@code v + 0} (which turns -0.0 into +0.0)
     * becomes an all-ones or all-zeros mask. A NaN v may pick either value.
     */
    private static double ifNegative(double v, double ifNegative, double otherwise) {
        var mask = ForDouble.bits(v + 0) >> ForDouble.SIGN_BIT_POSITION;
        return ForDouble.fromBits((ForDouble.bits(ifNegative) & mask) | (ForDouble.bits(otherwise) & ~mask));
    }

    /** v clamped to [lo, hi]; NaN stays NaN. */
    private static double clamp(double v, double lo, double hi) {
        return v > hi ? hi : v < lo ? lo : v;
    }

    /** min(v, hi) keeping NaN. */
    private static double clampAbove(double v, double hi) {
        return v > hi ? hi : v;
    }

    /** max(v, 0) keeping NaN and -0.0, without a branch. */
    private static double positivePart(double v) {
        return ifNegative(v, 0, v);
    }
}
