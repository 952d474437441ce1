package dev.autograd.internal.kernel.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * The per-dtype half of the vector math: bit-layout constants, range-reduction constants and the minimax
 * polynomials of {@code DoubleVectorMath} ({@link ForDouble}) and of its generated float32 twin
 * {@code FloatVectorMath} ({@link ForFloat}). The algorithms (range reduction, special values, reconstruction)
 * are written once, in {@code DoubleVectorMath}; the build's float generator rewrites its {@code ForDouble.X}
 * references into {@code ForFloat.X}, so the two classes below must declare the same names.
 *
 * <p>This file's name holds no "Double", so the generator leaves it alone: the float32 coefficients are
 * fitted for float32 (lower degrees), not rounded copies of the float64 ones.
 *
 * <p>Every polynomial was fitted by a Remez exchange (relative error unless said otherwise) in 50-digit
 * arithmetic on the interval named in its Javadoc, then rounded to the dtype; the "fit" error quoted is the
 * error of the exact-coefficient polynomial, which sits well below half an ulp of the dtype so that the
 * evaluation rounding dominates the stated bounds of {@code DoubleVectorMath}. The rational approximation of
 * {@code erfcx} was fitted the same way by linearised least squares with Lawson reweighting.
 *
 * <p>Polynomials are evaluated by Horner's rule with fused multiply-adds. These methods are small enough that C2
 * inlines them into the calling pass even after compiling them on their own, so the vectors never leave
 * registers (see {@code DoubleVectorMath} on why that needs care).
 */
final class Polynomials {

    private Polynomials() {
    }

    /** Float64 constants and polynomials. */
    static final class ForDouble {

        private ForDouble() {
        }

        /** Explicit mantissa bits: shifting an integer this far left puts it in the exponent field. */
        static final int MANTISSA_BITS = 52;
        /** Shift that moves the lowest bit to the sign bit. */
        static final int SIGN_BIT_POSITION = 63;
        /** The sign bit. */
        static final long SIGN_MASK = Long.MIN_VALUE;
        /** Bits of 1.0: the biased exponent of 2^0. */
        static final long ONE_BITS = 0x3ff0000000000000L;
        /**
         * 1.5 * 2^52: adding it rounds a value of magnitude below 2^51 to an integer (in the current rounding
         * mode, round-to-nearest-even) and leaves that integer, offset by {@link #SHIFTER_BITS}, in the low bits.
         */
        static final double SHIFTER = 0x1.8p52;
        /** Bits of {@link #SHIFTER}. */
        static final long SHIFTER_BITS = 0x4338000000000000L;
        /** Bits of sqrt(1/2): the logarithm splits x = 2^k z with z in [sqrt(1/2), sqrt(2)). */
        static final long SQRT_HALF_BITS = 0x3fe6a09e667f3bcdL;
        /** Sign and exponent field. */
        static final long EXPONENT_FIELD_MASK = 0xfff0000000000000L;
        /** 2^54: scales every subnormal to a normal number. */
        static final double SUBNORMAL_SCALE = 0x1p54;
        /** log2 of {@link #SUBNORMAL_SCALE}. */
        static final int SUBNORMAL_SCALE_LOG2 = 54;

        /** 1 / ln 2. */
        static final double LOG2E = 1.4426950408889634;
        /** ln 2 rounded to 42 bits, so that {@code n * LN2_HI} is exact for {@code |n| < 2^11}. */
        static final double LN2_HI = 0x1.62e42fefa3800p-1;
        /** ln 2 - LN2_HI. */
        static final double LN2_LO = 5.497923018708371e-14;
        /**
         * Clamp for very negative arguments: e^-760 times any factor below 2^20 rounds to +0 (e^-745.13 is the
         * smallest subnormal), and 2^-1096 still splits into two normal halves.
         */
        static final double EXP_UNDERFLOW = -760;
        /** The largest n for which 2^n is a normal number. */
        static final int EXP_FAST_EXPONENT = 1022;
        /** exp(EXP_OVERFLOW) rounds to +Infinity (exp(709.79) is past Double.MAX_VALUE). */
        static final double EXP_OVERFLOW = 710;
        /** expm1(x) rounds to -1 below this. */
        static final double EXPM1_MINUS_ONE = -40;
        /** Below this magnitude expm1(x) and log1p(x) round to x. */
        static final double TINY = 0x1p-54;
        /** tanh(x) rounds to 1 above this. */
        static final double TANH_SATURATION = 20;

        /**
         * {@code (e^r - 1 - r) / r^2} on {@code |r| <= 1.01 ln(2) / 2}, degree 10; fit error 2^-62 relative
         * (the factor r^2 / 2 < 0.06 shrinks it further in e^r).
         */
        static DoubleVector expPolynomial(DoubleVector r) {
            return r.fma(2.0889629082055236e-09, 2.5106240674070335e-08)
                    .fma(r, r.broadcast(2.755735084916373e-07))
                    .fma(r, r.broadcast(2.7557252927406956e-06))
                    .fma(r, r.broadcast(2.4801587242311956e-05))
                    .fma(r, r.broadcast(0.00019841269876778083))
                    .fma(r, r.broadcast(0.0013888888888920364))
                    .fma(r, r.broadcast(0.008333333333325574))
                    .fma(r, r.broadcast(0.041666666666666616))
                    .fma(r, r.broadcast(0.1666666666666667))
                    .fma(r, r.broadcast(0.5));
        }

        /**
         * {@code g(z) = (2 atanh(s) - 2 s) / (s z)} with {@code z = s^2}, on {@code 0 <= z <= 1.02 s_max^2},
         * {@code s_max = (sqrt 2 - 1) / (sqrt 2 + 1)}, degree 7; fit error 2^-64 in log1p.
         */
        static DoubleVector logPolynomial(DoubleVector z) {
            return z.fma(0.13115251971930353, 0.13266005008886048)
                    .fma(z, z.broadcast(0.15386344256642348))
                    .fma(z, z.broadcast(0.18181793695153495))
                    .fma(z, z.broadcast(0.2222222241013807))
                    .fma(z, z.broadcast(0.2857142857072131))
                    .fma(z, z.broadcast(0.4000000000000101))
                    .fma(z, z.broadcast(0.6666666666666666));
        }

        /** 2 / pi, for the quadrant count of sin and cos. */
        static final double TWO_OVER_PI = 0.6366197723675814;
        /**
         * pi/2 cut into three 33-bit pieces and a rest (Cody-Waite): {@code k * PIO2_A/B/C} is exact for
         * {@code |k| < 2^20}, which {@link #TRIG_VECTOR_BOUND} guarantees (k &lt;= 2^20 2/pi).
         */
        static final double PIO2_A = 1.5707963267341256;
        /** Second 33-bit piece of pi/2. */
        static final double PIO2_B = 6.077100506303966e-11;
        /** Third 33-bit piece of pi/2. */
        static final double PIO2_C = 2.0222662487111665e-21;
        /** The rest of pi/2. */
        static final double PIO2_D = 8.4784276603689e-32;
        /** Lanes above this magnitude go through the scalar StrictMath path. */
        static final double TRIG_VECTOR_BOUND = 0x1p20;

        /**
         * {@code (sin r - r) / r^3} in {@code z = r^2} on {@code |r| <= 1.01 pi/4}, degree 5; fit error
         * 2^-58 in sin.
         */
        static DoubleVector sinPolynomial(DoubleVector z) {
            return z.fma(1.5915135137575972e-10, -2.5051089568425986e-08)
                    .fma(z, z.broadcast(2.7557315895838156e-06))
                    .fma(z, z.broadcast(-0.00019841269836351456))
                    .fma(z, z.broadcast(0.008333333333330672))
                    .fma(z, z.broadcast(-0.16666666666666663));
        }

        /**
         * {@code (cos r - 1 + r^2/2) / r^4} in {@code z = r^2} on {@code |r| <= 1.01 pi/4}, degree 5; fit error
         * 2^-65 in cos.
         */
        static DoubleVector cosPolynomial(DoubleVector z) {
            return z.fma(-1.138079761990312e-11, 2.0876120424128205e-09)
                    .fma(z, z.broadcast(-2.755731714574026e-07))
                    .fma(z, z.broadcast(2.4801587298518494e-05))
                    .fma(z, z.broadcast(-0.001388888888888723))
                    .fma(z, z.broadcast(0.041666666666666664));
        }

        /** erf is computed by its odd polynomial below this magnitude and as 1 - erfc above. */
        static final double ERF_SMALL = 0.84375;
        /** erf(x) rounds to 1 above this. */
        static final double ERF_SATURATION = 6;
        /** The rational erfcx fit holds up to here; beyond, e^(-a^2) underflows every use of it. */
        static final double ERFC_FIT_LIMIT = 27.3;
        /** Phi(x) is computed with |x| clamped here: ERFC_FIT_LIMIT sqrt(2), where erfc has underflowed. */
        static final double NORMAL_TAIL_LIMIT = 38.6;
        /** 2 / sqrt(pi). */
        static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
        /** 1 / sqrt(2). */
        static final double INV_SQRT2 = 0.7071067811865476;
        /** 1 / sqrt(2 pi). */
        static final double INV_SQRT_2PI = 0.3989422804014327;

        /**
         * {@code erf(x) / x - 1} in {@code z = x^2} on {@code |x| <= 0.84375}, degree 11; fit error 2^-62
         * relative to erf(x) / x.
         */
        static DoubleVector erfSmallPolynomial(DoubleVector z) {
            return z.fma(-8.869722228414392e-10, 1.4201672031136064e-08)
                    .fma(z, z.broadcast(-1.6302429009084003e-07))
                    .fma(z, z.broadcast(1.6457850408790283e-06))
                    .fma(z, z.broadcast(-1.49254597568932e-05))
                    .fma(z, z.broadcast(0.00012055327275095287))
                    .fma(z, z.broadcast(-0.0008548326910649398))
                    .fma(z, z.broadcast(0.00522397762402537))
                    .fma(z, z.broadcast(-0.026866170645026027))
                    .fma(z, z.broadcast(0.11283791670954721))
                    .fma(z, z.broadcast(-0.3761263890318375))
                    .fma(z, z.broadcast(0.1283791670955126));
        }

        /**
         * The scaled complementary error function {@code erfcx(a) = e^(a^2) erfc(a)} as a rational function
         * P(a) / Q(a) of degrees 10 and 11 on {@code 0 <= a <= 27.3}; fit error 2^-59.9 relative. All
         * coefficients are positive, so Horner's rule adds no cancellation.
         */
        static DoubleVector erfcxRational(DoubleVector a) {
            DoubleVector p = a.fma(1.4300061926811874e-05, 0.00031480474737876415)
                    .fma(a, a.broadcast(0.0034021285976218326))
                    .fma(a, a.broadcast(0.023478204218496106))
                    .fma(a, a.broadcast(0.11377194717743863))
                    .fma(a, a.broadcast(0.40297084846653297))
                    .fma(a, a.broadcast(1.0551931129832324))
                    .fma(a, a.broadcast(2.0197465398344474))
                    .fma(a, a.broadcast(2.7168722674998063))
                    .fma(a, a.broadcast(2.3410139545479245))
                    .fma(a, a.broadcast(1.0));
            DoubleVector q = a.fma(2.534619983035901e-05, 0.000557976886775818)
                    .fma(a, a.broadcast(0.006042789033971942))
                    .fma(a, a.broadcast(0.041893021926162025))
                    .fma(a, a.broadcast(0.20465791066232406))
                    .fma(a, a.broadcast(0.7347752628469156))
                    .fma(a, a.broadcast(1.968125442740304))
                    .fma(a, a.broadcast(3.91692217323121))
                    .fma(a, a.broadcast(5.657257614174396))
                    .fma(a, a.broadcast(5.631663188426713))
                    .fma(a, a.broadcast(3.4693931216434373))
                    .fma(a, a.broadcast(1.0));
            return p.div(q);
        }

        /** 2 sqrt(2/pi): the tanh-GELU's argument is {@code 2u = x (GELU_A + GELU_B x^2)}. */
        static final double GELU_A = 1.5957691216057308;
        /** 2 sqrt(2/pi) 0.044715. */
        static final double GELU_B = 0.07135481627260025;
        /** 3 GELU_B, for the derivative of 2u. */
        static final double GELU_3B = 0.21406444881780073;
        /** Beyond this |x| the tanh-GELU is x or 0 and its derivative 1 or 0. */
        static final double GELU_TANH_LIMIT = 25;
    }

    /** Float32 constants and polynomials: the same names as {@link ForDouble}, fitted for float32. */
    static final class ForFloat {

        private ForFloat() {
        }

        /** Explicit mantissa bits. */
        static final int MANTISSA_BITS = 23;
        /** Shift that moves the lowest bit to the sign bit. */
        static final int SIGN_BIT_POSITION = 31;
        /** The sign bit. */
        static final int SIGN_MASK = Integer.MIN_VALUE;
        /** Bits of 1.0f. */
        static final int ONE_BITS = 0x3f800000;
        /** 1.5 * 2^23: rounds magnitudes below 2^22 to integers. */
        static final float SHIFTER = 0x1.8p23f;
        /** Bits of {@link #SHIFTER}. */
        static final int SHIFTER_BITS = 0x4b400000;
        /** Bits of sqrt(1/2) rounded to float32. */
        static final int SQRT_HALF_BITS = 0x3f3504f3;
        /** Sign and exponent field. */
        static final int EXPONENT_FIELD_MASK = 0xff800000;
        /** 2^24: scales every float32 subnormal to a normal number. */
        static final float SUBNORMAL_SCALE = 0x1p24f;
        /** log2 of {@link #SUBNORMAL_SCALE}. */
        static final int SUBNORMAL_SCALE_LOG2 = 24;

        /** 1 / ln 2. */
        static final float LOG2E = 1.4426950216293335f;
        /** ln 2 rounded to 16 bits: {@code n * LN2_HI} is exact for {@code |n| < 2^8}. */
        static final float LN2_HI = 0.693145751953125f;
        /** ln 2 - LN2_HI. */
        static final float LN2_LO = 1.428606765330187e-06f;
        /** Clamp for very negative arguments: e^-110 times any factor below 2^10 rounds to +0. */
        static final float EXP_UNDERFLOW = -110;
        /** The largest n for which 2^n is a normal float32. */
        static final int EXP_FAST_EXPONENT = 126;
        /** expf rounds to +Infinity above this. */
        static final float EXP_OVERFLOW = 89;
        /** expm1f rounds to -1 below this. */
        static final float EXPM1_MINUS_ONE = -18;
        /** Below this magnitude expm1f and log1pf round to x. */
        static final float TINY = 0x1p-25f;
        /** tanhf rounds to 1 above this. */
        static final float TANH_SATURATION = 10;

        /** {@code (e^r - 1 - r) / r^2} on {@code |r| <= 1.01 ln(2) / 2}, degree 4; fit error 2^-27 in e^r. */
        static FloatVector expPolynomial(FloatVector r) {
            return r.fma(0.0013901534801900118f, 0.00836373985872222f)
                    .fma(r, r.broadcast(0.04166686091904249f))
                    .fma(r, r.broadcast(0.16666573694311773f))
                    .fma(r, r.broadcast(0.4999999952538949f));
        }

        /** {@code g(z)} as in {@link ForDouble#logPolynomial}, degree 2; fit error 2^-28 in log1p. */
        static FloatVector logPolynomial(FloatVector z) {
            return z.fma(0.29601276880358224f, 0.3998830145233059f).fma(z, z.broadcast(0.6666668624397801f));
        }

        /** 2 / pi. */
        static final float TWO_OVER_PI = 0.6366197466850281f;
        /** pi/2 in three 12-bit pieces and a rest: {@code k * PIO2_A/B/C} exact for {@code |k| < 2^12}. */
        static final float PIO2_A = 1.5703125f;
        /** Second 12-bit piece of pi/2. */
        static final float PIO2_B = 0.0004837512969970703f;
        /** Third 12-bit piece of pi/2. */
        static final float PIO2_C = 7.549533620476723e-08f;
        /** The rest of pi/2. */
        static final float PIO2_D = 2.5633440682570896e-12f;
        /** Lanes above this magnitude go through the scalar StrictMath path. */
        static final float TRIG_VECTOR_BOUND = 0x1p12f;

        /** {@code (sin r - r) / r^3} in {@code z = r^2} on {@code |r| <= 1.01 pi/4}, degree 2; fit 2^-28.8. */
        static FloatVector sinPolynomial(FloatVector z) {
            return z.fma(-0.00019582278729035868f, 0.008332721134144159f)
                    .fma(z, z.broadcast(-0.16666664511842127f));
        }

        /** {@code (cos r - 1 + r^2/2) / r^4} in {@code z = r^2} on {@code |r| <= 1.01 pi/4}, degree 2; 2^-34.7. */
        static FloatVector cosPolynomial(FloatVector z) {
            return z.fma(2.454252356566304e-05f, -0.0013888277140787146f)
                    .fma(z, z.broadcast(0.04166666451902977f));
        }

        /** erf is computed by its odd polynomial below this magnitude and as 1 - erfc above. */
        static final float ERF_SMALL = 0.84375f;
        /** erff rounds to 1 above this. */
        static final float ERF_SATURATION = 4;
        /** The rational erfcx fit holds up to here; beyond, e^(-a^2) underflows every use of it. */
        static final float ERFC_FIT_LIMIT = 10.3f;
        /** Phi(x) is computed with |x| clamped here: ERFC_FIT_LIMIT sqrt(2), where erfc has underflowed. */
        static final float NORMAL_TAIL_LIMIT = 14.5f;
        /** 2 / sqrt(pi). */
        static final float TWO_OVER_SQRT_PI = 1.128379225730896f;
        /** 1 / sqrt(2). */
        static final float INV_SQRT2 = 0.7071067690849304f;
        /** 1 / sqrt(2 pi). */
        static final float INV_SQRT_2PI = 0.3989422917366028f;

        /** {@code erf(x) / x - 1} in {@code z = x^2} on {@code |x| <= 0.84375}, degree 5; fit 2^-27.4. */
        static FloatVector erfSmallPolynomial(FloatVector z) {
            return z.fma(-0.0006342921388007751f, 0.005055622732803781f)
                    .fma(z, z.broadcast(-0.026805104191093092f))
                    .fma(z, z.broadcast(0.11282775602661954f))
                    .fma(z, z.broadcast(-0.376125764051882f))
                    .fma(z, z.broadcast(0.12837916079333752f));
        }

        /** {@code erfcx(a)} as P(a) / Q(a) of degrees 4 and 5 on {@code 0 <= a <= 10.3}; fit 2^-27.3. */
        static FloatVector erfcxRational(FloatVector a) {
            FloatVector p = a.fma(0.03296974656369929f, 0.2300432823375257f)
                    .fma(a, a.broadcast(0.7333328313439081f))
                    .fma(a, a.broadcast(1.240059684782808f))
                    .fma(a, a.broadcast(1.0000000059474328f));
            FloatVector q = a.fma(0.058436683231168525f, 0.40776670798766856f)
                    .fma(a, a.broadcast(1.3285957522433864f))
                    .fma(a, a.broadcast(2.4058209192327533f))
                    .fma(a, a.broadcast(2.3684394508347464f))
                    .fma(a, a.broadcast(1.0f));
            return p.div(q);
        }

        /** 2 sqrt(2/pi). */
        static final float GELU_A = 1.5957691669464111f;
        /** 2 sqrt(2/pi) 0.044715. */
        static final float GELU_B = 0.07135481387376785f;
        /** 3 GELU_B. */
        static final float GELU_3B = 0.21406444907188416f;
        /** Beyond this |x| the tanh-GELU is x or 0 and its derivative 1 or 0. */
        static final float GELU_TANH_LIMIT = 12;
    }
}
