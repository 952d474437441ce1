package dev.autograd.internal.kernel.simd;

import dev.autograd.internal.kernel.simd.Polynomials.ForDouble;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Transcendental functions on float64 vectors, written as range reductions around minimax polynomials (the
 * per-dtype coefficients live in {@link Polynomials}), with every special value handled lane by lane. The build
 * generates the float32 twin {@code FloatVectorMath} from this file; the bounds below are stated for both.
 *
 * <p>Errors are in ulps of the exact result and were checked by {@code VectorMathAccuracyTest}: for float32
 * against a float64 reference over strided (and, with {@code -Dautograd.longTests=true}, all) bit patterns;
 * for float64 against {@link StrictMath} (itself within 1 ulp of exact, so a float64 bound "vs StrictMath" is
 * an integer count) or a double-double reference where StrictMath has no such function. Results are identical
 * on every JDK from 17 on and at every vector width: the code uses only IEEE-exact lane operations
 * (add, mul, fma, div, compares, bit moves), never {@code VectorOperators.EXP} and the like.
 *
 * <p>The vectors only ever live in local variables and arguments of these static methods, which C2 inlines into
 * the calling loop; nothing here allocates except the scalar fallback of {@link #sin}/{@link #cos} for huge
 * arguments. Keep this file generation-safe: no floating-point literals (use {@code (double) 0.5}) and no
 * {@code long} (let {@code var} pick LongVector or IntVector).
 */
final class DoubleVectorMath {

    private static final double HALF = (double) 0.5;
    private static final double NEGATIVE_ZERO = -(double) 0;

    private DoubleVectorMath() {
    }

    /**
     * e^x. Reduction {@code x = n ln2 + r}, {@code |r| <= ln2/2}, with n rounded by the 1.5 * 2^52 shifter and
     * r computed Cody-Waite style ({@code n * LN2_HI} exact, then the low part, whose rounding error is carried
     * as a correction); {@code e^r = 1 + p(r)} with {@code p(r) = r + r^2 P(r)}; 2^n is built in the exponent
     * field and applied last. When some lane has {@code |x| > 708} (float32: 87) the lanes are clamped to
     * [-760, 710] (float32: [-110, 89]) and 2^n is applied in two halves, so results underflow gradually
     * through the subnormals (rounded once) and overflow to +Infinity exactly where e^x passes MAX_VALUE.
     *
     * <p>Error: float64 at most 1 ulp from StrictMath.exp; float32 at most 1 ulp (measured 0.87; the
     * subnormal results included). exp(NaN) = NaN, exp(+-0) = 1, exp(-Inf) = +0, exp(+Inf) = +Inf.
     *
     * @param x the arguments
     * @return e^x per lane
     */
    static DoubleVector exp(DoubleVector x) {
        return expTimes(x, DoubleVector.broadcast(x.species(), 1));
    }

    /**
     * {@code factor * e^x} with a single rounding where the product is subnormal: the factor multiplies the
     * reduced {@code 1 + p(r)} before the power of two is applied. Same reduction and bounds as {@link #exp}
     * for a normal factor (plus the half ulp of the factor's product).
     */
    private static DoubleVector expTimes(DoubleVector x, DoubleVector factor) {
        boolean wide = x.abs().compare(VectorOperators.GT, ForDouble.EXP_FAST_BOUND).anyTrue();
        DoubleVector v = wide ? clamp(x, ForDouble.EXP_UNDERFLOW, ForDouble.EXP_OVERFLOW) : x;
        DoubleVector t = v.fma(ForDouble.LOG2E, ForDouble.SHIFTER);
        DoubleVector mantissa = expm1Reduced(v, t.sub(ForDouble.SHIFTER)).fma(factor, factor);
        if (!wide) {
            return mantissa.mul(powerOfTwo(t));
        }
        // n in [-1077, 1025]: split it so that each half is a normal power of two; the last multiply rounds once.
        var nBits = t.viewAsIntegralLanes().sub(ForDouble.SHIFTER_BITS);
        var nHalf = nBits.lanewise(VectorOperators.ASHR, 1);
        DoubleVector scale1 = nHalf.lanewise(VectorOperators.LSHL, ForDouble.MANTISSA_BITS).add(ForDouble.ONE_BITS)
                .viewAsFloatingLanes();
        DoubleVector scale2 = nBits.sub(nHalf).lanewise(VectorOperators.LSHL, ForDouble.MANTISSA_BITS)
                .add(ForDouble.ONE_BITS).viewAsFloatingLanes();
        return mantissa.mul(scale1).mul(scale2);
    }

    /**
     * e^x - 1, accurate near 0. Same reduction as {@link #exp}; {@code e^x - 1 = 2^n p(r) + (2^n - 1)} in one
     * fused multiply-add ({@code 2^n - 1} is exact for the n that matter). Lanes below -40 (float32: -18) give
     * -1, lanes above 708 (float32: 87) take {@link #exp}, |x| &lt; 2^-54 (float32: 2^-25) return x itself
     * (keeping -0.0).
     *
     * <p>Error: float64 at most 2 ulp from StrictMath.expm1; float32 at most 2 ulp (measured 1.47).
     *
     * @param x the arguments
     * @return e^x - 1 per lane
     */
    static DoubleVector expm1(DoubleVector x) {
        DoubleVector v = x.blend(ForDouble.EXPM1_MINUS_ONE, x.compare(VectorOperators.LT, ForDouble.EXPM1_MINUS_ONE));
        VectorMask<Double> large = v.compare(VectorOperators.GT, ForDouble.EXP_FAST_BOUND);
        DoubleVector r = large.anyTrue() ? v.blend(0, large) : v;
        DoubleVector result = expm1Core(r).blend(x, x.abs().compare(VectorOperators.LT, ForDouble.TINY));
        return large.anyTrue() ? result.blend(exp(x), large) : result;
    }

    /** e^v - 1 for v in [EXPM1_MINUS_ONE, EXP_FAST_BOUND], NaN propagating; no special lanes. */
    private static DoubleVector expm1Core(DoubleVector v) {
        DoubleVector t = v.fma(ForDouble.LOG2E, ForDouble.SHIFTER);
        DoubleVector p = expm1Reduced(v, t.sub(ForDouble.SHIFTER));
        DoubleVector scale = powerOfTwo(t);
        return p.fma(scale, scale.sub(1));
    }

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
        return r.add(r.mul(r).fma(ForDouble.expPolynomial(r), correction));
    }

    /** 2^n from the shifter sum t = n + SHIFTER: n's low bits, moved into the exponent field. */
    private static DoubleVector powerOfTwo(DoubleVector t) {
        return t.viewAsIntegralLanes().lanewise(VectorOperators.LSHL, ForDouble.MANTISSA_BITS)
                .add(ForDouble.ONE_BITS).viewAsFloatingLanes();
    }

    /**
     * ln x. Splits {@code x = 2^k z} with z in [sqrt(1/2), sqrt 2) by integer arithmetic on the bits (lanes
     * that are subnormal are first scaled by 2^54, float32: 2^24), then with {@code f = z - 1} and
     * {@code s = f / (2 + f)}: {@code ln(1 + f) = 2 atanh(s) = f - (f^2/2 - s (f^2/2 + R(s^2)))}, R minimax,
     * and {@code k ln 2} added in two Cody-Waite pieces.
     *
     * <p>Error: float64 at most 1 ulp from StrictMath.log; float32 at most 1 ulp (measured 0.74). ln(NaN) = NaN,
     * ln(x &lt; 0) = NaN, ln(+-0) = -Infinity, ln(+Inf) = +Inf, ln(1) = +0.
     *
     * @param x the arguments
     * @return ln x per lane
     */
    static DoubleVector log(DoubleVector x) {
        return logPlus(x, DoubleVector.zero(x.species()));
    }

    /**
     * ln(1 + x), accurate near 0: {@code u = 1 + x} rounded, and the rounding error {@code c = x - (u - 1)}
     * (exact) enters as {@code ln u + c / u}. |x| &lt; 2^-54 (float32: 2^-25) returns x (keeping -0.0).
     *
     * <p>Error: float64 at most 1 ulp from StrictMath.log1p; float32 at most 1 ulp (measured 0.75). log1p(-1) = -Infinity,
     * log1p(x &lt; -1) = NaN, log1p(+Inf) = +Inf.
     *
     * @param x the arguments
     * @return ln(1 + x) per lane
     */
    static DoubleVector log1p(DoubleVector x) {
        DoubleVector u = x.add(1);
        DoubleVector correction = x.sub(u.sub(1)).div(u);
        return logPlus(u, correction).blend(x, x.abs().compare(VectorOperators.LT, ForDouble.TINY));
    }

    /** ln(u) + extra, with extra small against ln(u)'s ulp; special lanes of u decide the result alone. */
    private static DoubleVector logPlus(DoubleVector u, DoubleVector extra) {
        VectorMask<Double> ordinary = u.compare(VectorOperators.GE, Double.MIN_NORMAL)
                .and(u.compare(VectorOperators.LE, Double.MAX_VALUE));
        if (ordinary.allTrue()) {
            return logCore(u, extra, DoubleVector.zero(u.species()));
        }
        VectorMask<Double> subnormal = u.compare(VectorOperators.LT, Double.MIN_NORMAL)
                .and(u.compare(VectorOperators.GT, 0));
        DoubleVector scaled = u.blend(u.mul(ForDouble.SUBNORMAL_SCALE), subnormal);
        DoubleVector kOffset = DoubleVector.zero(u.species()).blend(-ForDouble.SUBNORMAL_SCALE_LOG2, subnormal);
        DoubleVector result = logCore(scaled, extra, kOffset);
        result = result.blend(u, u.compare(VectorOperators.GT, Double.MAX_VALUE).or(u.test(VectorOperators.IS_NAN)));
        result = result.blend(Double.NaN, u.compare(VectorOperators.LT, 0));
        return result.blend(Double.NEGATIVE_INFINITY, u.compare(VectorOperators.EQ, 0));
    }

    /** ln(u) + extra for positive normal finite u; kOffset is added to the binary exponent. */
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
        DoubleVector r = s2.mul(ForDouble.logPolynomial(s2));
        DoubleVector halfF2 = f.mul(f).mul(HALF);
        DoubleVector low = s.fma(halfF2.add(r), k.fma(k.broadcast(ForDouble.LN2_LO), extra));
        return k.fma(k.broadcast(ForDouble.LN2_HI), f.sub(halfF2.sub(low)));
    }

    /**
     * tanh x = sign(x) e / (e + 2) with {@code e = expm1(2|x|)}: no cancellation at any magnitude; |x| is
     * clamped at 20 (float32: 10), past which tanh rounds to 1. The sign is copied from x, so
     * tanh(-0.0) = -0.0.
     *
     * <p>Error: float64 at most 3 ulp from StrictMath.tanh; float32 at most 3 ulp (measured 2.32; the
     * worst cases are small |x|, where expm1's error is not damped). tanh(+-Inf) = +-1,
     * tanh(NaN) = NaN.
     *
     * @param x the arguments
     * @return tanh x per lane
     */
    static DoubleVector tanh(DoubleVector x) {
        DoubleVector a = clampAbove(x.abs(), ForDouble.TANH_SATURATION);
        DoubleVector e = expm1Core(a.add(a));
        return copySign(e.div(e.add(2)), x);
    }

    /**
     * The logistic sigmoid 1 / (1 + e^-x), as {@code num / (1 + e)} with {@code e = e^-|x|} in (0, 1] and
     * {@code num = 1} for x &gt;= 0, {@code e} for x &lt; 0: one division, never an overflow, and results
     * down to the subnormals for x &lt; -708.
     *
     * <p>Error (vs. the exact sigmoid): float64 at most 2 ulp; float32 at most 2 ulp (measured 1.92). sigmoid(-Inf) = +0,
     * sigmoid(+Inf) = 1, sigmoid(NaN) = NaN.
     *
     * @param x the arguments
     * @return sigmoid(x) per lane
     */
    static DoubleVector sigmoid(DoubleVector x) {
        DoubleVector e = exp(x.abs().neg());
        DoubleVector numerator = e.blend(1, x.compare(VectorOperators.GE, 0));
        return numerator.div(e.add(1));
    }

    /**
     * softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|), with the logarithm's argument in (1, 2] and
     * its rounding error carried as in {@link #log1p}: never overflows, and gives e^x (down to the subnormals)
     * far left.
     *
     * <p>Error (vs. the exact softplus): float64 at most 2 ulp; float32 at most 2 ulp (measured 1.46).
     * softplus(-Inf) = +0, softplus(+Inf) = +Inf, softplus(NaN) = NaN.
     *
     * @param x the arguments
     * @return softplus(x) per lane
     */
    static DoubleVector softplus(DoubleVector x) {
        DoubleVector e = exp(x.abs().neg());
        DoubleVector u = e.add(1);
        DoubleVector correction = e.sub(u.sub(1)).div(u);
        DoubleVector log1pE = logCore(u, correction, DoubleVector.zero(x.species()));
        return positivePart(x).add(log1pE);
    }

    /**
     * The error function. |x| &lt; 0.84375: {@code erf(x) = x + x Q(x^2)} (odd minimax polynomial); above,
     * {@code erf = 1 - erfc(|x|)} with erfc from {@link #erfc} (its relative error counts at most
     * erfc/erf &lt; 0.31 times), with |x| clamped at 6 (float32: 4) where erf rounds to 1. Vectors whose
     * lanes all fall on one side evaluate only that side. Odd: erf(-0.0) = -0.0.
     *
     * <p>Error (vs. the exact erf): float64 at most 2 ulp; float32 at most 2 ulp (measured 1.05). erf(+-Inf) = +-1,
     * erf(NaN) = NaN.
     *
     * @param x the arguments
     * @return erf(x) per lane
     */
    static DoubleVector erf(DoubleVector x) {
        DoubleVector a = clampAbove(x.abs(), ForDouble.ERF_SATURATION);
        VectorMask<Double> small = a.compare(VectorOperators.LT, ForDouble.ERF_SMALL);
        DoubleVector result;
        if (small.allTrue()) {
            result = erfSmall(a);
        } else {
            DoubleVector a2 = a.mul(a);
            DoubleVector ratio = erfcx(a, a.fma(a, a2.neg()));
            DoubleVector big = expTimes(a2.neg(), ratio).neg().add(1);
            result = small.anyTrue() ? big.blend(erfSmall(a), small) : big;
        }
        return copySign(result, x);
    }

    private static DoubleVector erfSmall(DoubleVector a) {
        return a.fma(ForDouble.erfSmallPolynomial(a.mul(a)), a);
    }

    /**
     * {@code erfc(a) / e^(-squareHi)} for a &gt;= 0 (or NaN), where {@code a^2 = squareHi + squareLo} exactly
     * (a double-double, so that e^(-a^2) keeps full relative accuracy where a^2 is large):
     * {@code erfcx(a) (1 - squareLo)}, erfcx a rational minimax fit on [0, 27.3] (float32: [0, 10.3]).
     * The caller multiplies by e^(-squareHi) through {@link #expTimes}. Relative error of the final erfc about
     * 4 ulp (float64) / 2 ulp (float32).
     */
    private static DoubleVector erfcx(DoubleVector a, DoubleVector squareLo) {
        DoubleVector ratio = ForDouble.erfcxRational(clampAbove(a, ForDouble.ERFC_FIT_LIMIT));
        return ratio.fma(squareLo.neg(), ratio);
    }

    /**
     * The exact GELU, x Phi(x) with Phi the standard normal CDF: with {@code a = |x| / sqrt 2},
     * {@code Phi(x) = erfc(a) / 2} for x &lt; 0 and {@code 1 - erfc(a) / 2} for x &gt;= 0, so the left tail
     * keeps full relative accuracy (no 1 + erf cancellation) down to the underflow near x = -38.6 (float32:
     * -14.5); x^2/2 enters the exponential as an exact double-double, and x multiplies the tail before the
     * power of two so that subnormal results are rounded once. Lanes beyond those limits are clamped for the
     * tail computation only.
     *
     * <p>Error (vs. the exact x Phi(x)): float64 at most 5 ulp; float32 at most 5 ulp (measured 4 and 4.43,
     * mostly the rounding of the rational erfcx). gelu(-0.0) = -0.0,
     * gelu(-Inf) = -0.0, gelu(+Inf) = +Inf, gelu(NaN) = NaN.
     *
     * @param x the arguments
     * @return x Phi(x) per lane
     */
    static DoubleVector gelu(DoubleVector x) {
        DoubleVector xc = clamp(x, -ForDouble.NORMAL_TAIL_LIMIT, ForDouble.NORMAL_TAIL_LIMIT);
        DoubleVector x2 = xc.mul(xc);
        DoubleVector ratio = erfcx(xc.abs().mul(ForDouble.INV_SQRT2), xc.fma(xc, x2.neg()).mul(HALF)).mul(HALF);
        VectorMask<Double> negative = x.compare(VectorOperators.LT, 0);
        // x < 0: x erfc(a)/2 directly; x >= 0: x (1 - erfc(a)/2).
        DoubleVector tail = expTimes(x2.mul(HALF).neg(), ratio.blend(ratio.mul(xc), negative));
        DoubleVector result = x.mul(tail.neg().add(1)).blend(tail, negative);
        return result.blend(NEGATIVE_ZERO, x.compare(VectorOperators.EQ, Double.NEGATIVE_INFINITY));
    }

    /**
     * d/dx x Phi(x) = Phi(x) + x phi(x), phi the standard normal density; Phi as in {@link #gelu}.
     *
     * @param x the arguments
     * @return the GELU's derivative per lane (0 at -Inf, 1 at +Inf)
     */
    static DoubleVector geluDerivative(DoubleVector x) {
        DoubleVector xc = clamp(x, -ForDouble.NORMAL_TAIL_LIMIT, ForDouble.NORMAL_TAIL_LIMIT);
        DoubleVector x2 = xc.mul(xc);
        DoubleVector density = exp(x2.mul(HALF).neg());
        DoubleVector ratio = erfcx(xc.abs().mul(ForDouble.INV_SQRT2), xc.fma(xc, x2.neg()).mul(HALF)).mul(HALF);
        DoubleVector tail = density.mul(ratio);
        DoubleVector cdf = tail.neg().add(1).blend(tail, x.compare(VectorOperators.LT, 0));
        DoubleVector result = xc.mul(density.mul(ForDouble.INV_SQRT_2PI)).add(cdf);
        return result.blend(0, x.compare(VectorOperators.EQ, Double.NEGATIVE_INFINITY))
                .blend(1, x.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY));
    }

    /**
     * The tanh-approximated GELU {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, computed as
     * {@code x sigmoid(z)} with {@code z = x (A + B x^2)} = twice the tanh argument (the identity
     * {@code (1 + tanh u)/2 = sigmoid(2u)}): with {@code e = e^-|z|}, {@code x / (1 + e)} for z &gt;= 0 and
     * {@code x e / (1 + e)} for z &lt; 0, x multiplied into e before its power of two (one rounding for
     * subnormal results); no cancellation and no overflow anywhere. |x| is clamped at 25 (float32: 12) for the
     * exponential, where x e^z has underflowed to 0.
     *
     * <p>Error (vs. the exact formula at the given x): float64 at most 2 + 3|z| ulp, float32 at most
     * 2 + 3|z| ulp (measured 1.35 where |z| is small): the |z| term is z's own rounding (up to 3 ulps of z),
     * magnified by e^z in the left tail; it only matters there (|z| &gt; 4 means x &lt; -1.7 and results below 0.02 |x|). gelu_tanh(-0.0) = -0.0,
     * gelu_tanh(-Inf) = -0.0, gelu_tanh(+Inf) = +Inf, NaN gives NaN.
     *
     * @param x the arguments
     * @return the approximation per lane
     */
    static DoubleVector geluTanh(DoubleVector x) {
        DoubleVector xc = clamp(x, -ForDouble.GELU_TANH_LIMIT, ForDouble.GELU_TANH_LIMIT);
        DoubleVector z = xc.mul(xc.mul(xc).fma(ForDouble.GELU_B, ForDouble.GELU_A));
        VectorMask<Double> negative = z.compare(VectorOperators.LT, 0);
        DoubleVector one = DoubleVector.broadcast(x.species(), 1);
        DoubleVector scaled = expTimes(z.abs().neg(), one.blend(xc, negative));
        DoubleVector e = scaled.blend(scaled.div(xc), negative);
        return x.blend(scaled, negative).div(e.add(1));
    }

    /**
     * d/dx x sigmoid(z(x)) = s + x s (1 - s) z'(x), {@code s = sigmoid(z)}, {@code z' = A + 3 B x^2}, with
     * {@code s (1 - s) = e / (1 + e)^2}, {@code e = e^-|z|}: no 1 - s cancellation for large z.
     *
     * @param x the arguments
     * @return the derivative of {@link #geluTanh} per lane (0 at -Inf, 1 at +Inf: |x| is clamped at 25,
     *         float32: 12, where it has reached those values)
     */
    static DoubleVector geluTanhDerivative(DoubleVector x) {
        DoubleVector xc = clamp(x, -ForDouble.GELU_TANH_LIMIT, ForDouble.GELU_TANH_LIMIT);
        DoubleVector x2 = xc.mul(xc);
        DoubleVector z = xc.mul(x2.fma(ForDouble.GELU_B, ForDouble.GELU_A));
        DoubleVector e = exp(z.abs().neg());
        DoubleVector inverse = DoubleVector.broadcast(x.species(), 1).div(e.add(1));
        DoubleVector s = inverse.blend(e.mul(inverse), z.compare(VectorOperators.LT, 0));
        DoubleVector slope = x2.fma(ForDouble.GELU_3B, ForDouble.GELU_A);
        return xc.mul(e.mul(inverse).mul(inverse)).fma(slope, s);
    }

    /**
     * sin x. On |x|: {@code k = round(|x| 2/pi)}, {@code r + rLow = |x| - k pi/2} by a four-piece Cody-Waite
     * reduction (the products with the three short pieces exact for |x| &lt;= 2^20, float32: 2^12, and the
     * differences carried exactly as a double-word), |r| &lt;= pi/4; then by the quadrant
     * k mod 4 one of {@code sin r = r + r^3 S(r^2)}, {@code cos r = 1 - r^2/2 + r^4 C(r^2)} (S, C minimax), and
     * the sign of the quadrant and of x applied by xor on the sign bit, so sin(-0.0) = -0.0. Lanes beyond the
     * bound (including +-Inf) are recomputed by {@link StrictMath#sin}: one test per vector, the scalar work only
     * when such a lane exists.
     *
     * <p>Error: float64 at most 1 ulp from StrictMath.sin over the whole range; float32 at most 1 ulp
     * (measured 0.76).
     * sin(+-Inf) = sin(NaN) = NaN.
     *
     * @param x the arguments
     * @return sin x per lane
     */
    static DoubleVector sin(DoubleVector x) {
        return sinOrCos(x, false);
    }

    /**
     * cos x = sin(|x| + pi/2): the reduction and polynomials of {@link #sin} with the quadrant advanced by one
     * (cos(0) = 1 exactly); beyond 2^20 (float32: 2^12), {@link StrictMath#cos}.
     *
     * <p>Error: float64 at most 1 ulp from StrictMath.cos over the whole range; float32 at most 1 ulp
     * (measured 0.73).
     * cos(+-Inf) = cos(NaN) = NaN.
     *
     * @param x the arguments
     * @return cos x per lane
     */
    static DoubleVector cos(DoubleVector x) {
        return sinOrCos(x, true);
    }

    private static DoubleVector sinOrCos(DoubleVector x, boolean cosine) {
        DoubleVector a = x.abs();
        DoubleVector t = a.fma(ForDouble.TWO_OVER_PI, ForDouble.SHIFTER);
        DoubleVector k = t.sub(ForDouble.SHIFTER);
        // r + rLow = |x| - k pi/2 to about twice the working precision: k times each short piece of pi/2 is
        // exact, the first difference is exact (Sterbenz), the next two are exact sums (TwoSum).
        DoubleVector reduced = k.fma(k.broadcast(-ForDouble.PIO2_A), a);
        DoubleVector productB = k.mul(ForDouble.PIO2_B);
        DoubleVector afterB = reduced.sub(productB);
        DoubleVector errorB = twoDifferenceError(reduced, productB, afterB);
        DoubleVector productC = k.mul(ForDouble.PIO2_C);
        DoubleVector r = afterB.sub(productC);
        DoubleVector rLow = twoDifferenceError(afterB, productC, r).add(errorB).sub(k.mul(ForDouble.PIO2_D));
        DoubleVector z = r.mul(r);
        // sin(r + rLow) = r + (r^3 S + rLow (1 - z/2)); cos(r + rLow) = w + ((1 - w) - z/2 + z^2 C - r rLow)
        // with w = 1 - z/2, where (1 - w) - z/2 is w's rounding error, exactly.
        DoubleVector halfZ = z.mul(HALF);
        DoubleVector w = halfZ.neg().add(1);
        DoubleVector sinR = r.add(r.mul(z).fma(ForDouble.sinPolynomial(z), rLow.mul(w)));
        DoubleVector cosR = w.add(w.neg().add(1).sub(halfZ)
                .add(z.mul(z).fma(ForDouble.cosPolynomial(z), r.mul(rLow).neg())));
        // The quadrant k mod 4 (one more for the cosine) sits in the low bits of t: bit 0 picks the polynomial,
        // bit 1 the sign.
        var quadrant = cosine ? t.viewAsIntegralLanes().add(1) : t.viewAsIntegralLanes();
        DoubleVector value = sinR.blend(cosR, quadrant.and(1).compare(VectorOperators.NE, 0).cast(x.species()));
        var sign = quadrant.lanewise(VectorOperators.LSHL, ForDouble.SIGN_BIT_POSITION - 1);
        if (!cosine) {
            sign = sign.lanewise(VectorOperators.XOR, x.viewAsIntegralLanes());
        }
        DoubleVector result = value.viewAsIntegralLanes()
                .lanewise(VectorOperators.XOR, sign.and(ForDouble.SIGN_MASK)).viewAsFloatingLanes();
        VectorMask<Double> huge = a.compare(VectorOperators.GT, ForDouble.TRIG_VECTOR_BOUND);
        return huge.anyTrue() ? strictSinOrCos(x, result, huge, cosine) : result;
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
        return DoubleVector.fromArray(x.species(), out, 0);
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

    /**
     * {@link Math#signum} per lane: 1 with the sign of x, and x itself for +-0 and NaN.
     *
     * @param x the arguments
     * @return signum(x) per lane
     */
    static DoubleVector signum(DoubleVector x) {
        return copySign(DoubleVector.broadcast(x.species(), 1), x)
                .blend(x, x.compare(VectorOperators.EQ, 0).or(x.test(VectorOperators.IS_NAN)));
    }

    /** |magnitude| with the sign bit of signSource (magnitude must be non-negative or NaN). */
    private static DoubleVector copySign(DoubleVector magnitude, DoubleVector signSource) {
        return magnitude.viewAsIntegralLanes()
                .lanewise(VectorOperators.OR, signSource.viewAsIntegralLanes().and(ForDouble.SIGN_MASK))
                .viewAsFloatingLanes();
    }
}
