package dev.autograd.internal.kernel;

/**
 * The per-dtype numbers of the elementary functions, read by both their scalar versions ({@link DoubleScalarMath}
 * and its generated float32 twin {@code FloatScalarMath}) and their vector versions ({@code simd.DoubleVectorMath},
 * whose polynomials are evaluated on vectors in {@code simd.Polynomials}): bit-layout constants, range-reduction
 * constants, thresholds and the minimax coefficients, in one place for both. This class must not reference the
 * Vector API: the scalar code, which loads it, runs where {@code jdk.incubator.vector} is not readable.
 *
 * <p>{@link ForDouble} serves the 64-bit code, {@link ForFloat} the 32-bit code. The algorithms are written once,
 * in the files whose names hold "Double"; the build's float generator rewrites their {@code ForDouble.X}
 * references into {@code ForFloat.X}, so the two classes declare the same names. This file's name holds no
 * "Double", so the generator leaves it alone: the float32 polynomials are fitted for float32 (lower degrees), not
 * rounded copies of the float64 ones.
 *
 * <p>Every polynomial was fitted by a Remez exchange (relative error unless said otherwise) in 50-digit
 * arithmetic on the interval named in its Javadoc, then rounded to the dtype; the "fit" error quoted is that of
 * the exact-coefficient polynomial, well below half an ulp of the dtype, so that evaluation rounding dominates
 * the stated bounds. The rational approximation of {@code erfcx} was fitted the same way by linearised least
 * squares with Lawson reweighting. Coefficient {@code NAME_k} multiplies the k-th power of the polynomial's
 * variable.
 *
 * <p>The scalar evaluations of the polynomials live here, next to their coefficients, because their degrees are
 * per dtype: Horner's rule with {@link Math#fma}, in exactly the order of the vector evaluations in
 * {@code simd.Polynomials}, so that a scalar and a vector result are the same bits.
 */
public final class MathConstants {

    private MathConstants() {
    }

    /** Float64 constants, coefficients and scalar polynomial evaluations. */
    public static final class ForDouble {

        private ForDouble() {
        }

        /** Explicit mantissa bits: shifting an integer this far left puts it in the exponent field. */
        public static final int MANTISSA_BITS = 52;
        /** Shift that moves the lowest bit to the sign bit. */
        public static final int SIGN_BIT_POSITION = 63;
        /** The sign bit. */
        public static final long SIGN_MASK = Long.MIN_VALUE;
        /** Bits of 1.0: the biased exponent of 2^0. */
        public static final long ONE_BITS = 0x3ff0000000000000L;
        /**
         * 1.5 * 2^52: adding it rounds a value of magnitude below 2^51 to an integer (in the current rounding
         * mode, round-to-nearest-even) and leaves that integer, offset by {@link #SHIFTER_BITS}, in the low bits.
         */
        public static final double SHIFTER = 0x1.8p52;
        /** Bits of {@link #SHIFTER}. */
        public static final long SHIFTER_BITS = 0x4338000000000000L;
        /** Bits of sqrt(1/2): the logarithm splits x = 2^k z with z in [sqrt(1/2), sqrt(2)). */
        public static final long SQRT_HALF_BITS = 0x3fe6a09e667f3bcdL;
        /** Sign and exponent field. */
        public static final long EXPONENT_FIELD_MASK = 0xfff0000000000000L;
        /** 2^54: scales every subnormal to a normal number. */
        public static final double SUBNORMAL_SCALE = 0x1p54;
        /** log2 of {@link #SUBNORMAL_SCALE}. */
        public static final int SUBNORMAL_SCALE_LOG2 = 54;

        /**
         * The raw bits of a value (a method, so that the generated float32 code gets {@code int} bits).
         *
         * @param v the value
         * @return its IEEE 754 bit pattern, NaN payloads kept
         */
        public static long bits(double v) {
            return Double.doubleToRawLongBits(v);
        }

        /**
         * The value of a bit pattern.
         *
         * @param bits an IEEE 754 bit pattern
         * @return the value it encodes
         */
        public static double fromBits(long bits) {
            return Double.longBitsToDouble(bits);
        }

        /** 1 / ln 2. */
        public static final double LOG2E = 1.4426950408889634;
        /** ln 2 rounded to 42 bits, so that {@code n * LN2_HI} is exact for {@code |n| < 2^11}. */
        public static final double LN2_HI = 0x1.62e42fefa3800p-1;
        /** ln 2 - LN2_HI. */
        public static final double LN2_LO = 5.497923018708371e-14;
        /**
         * Clamp for very negative arguments: e^-760 times any factor below 2^20 rounds to +0 (e^-745.13 is the
         * smallest subnormal), and 2^-1096 still splits into two normal halves.
         */
        public static final double EXP_UNDERFLOW = -760;
        /** The largest n for which 2^n is a normal number. */
        public static final int EXP_FAST_EXPONENT = 1022;
        /** exp(EXP_OVERFLOW) rounds to +Infinity (exp(709.79) is past Double.MAX_VALUE). */
        public static final double EXP_OVERFLOW = 710;
        /** expm1(x) rounds to -1 below this. */
        public static final double EXPM1_MINUS_ONE = -40;
        /** Below this magnitude expm1(x) and log1p(x) round to x. */
        public static final double TINY = 0x1p-54;
        /** tanh(x) rounds to 1 above this. */
        public static final double TANH_SATURATION = 20;

        /**
         * {@code P(r) = (e^r - 1 - r) / r^2} on {@code |r| <= 1.01 ln(2) / 2}, degree 10; fit error 2^-62
         * relative (the factor r^2 / 2 < 0.06 shrinks it further in e^r).
         */
        public static final double EXP_0 = 0.5;
        /** See {@link #EXP_0}. */
        public static final double EXP_1 = 0.1666666666666667;
        /** See {@link #EXP_0}. */
        public static final double EXP_2 = 0.041666666666666616;
        /** See {@link #EXP_0}. */
        public static final double EXP_3 = 0.008333333333325574;
        /** See {@link #EXP_0}. */
        public static final double EXP_4 = 0.0013888888888920364;
        /** See {@link #EXP_0}. */
        public static final double EXP_5 = 0.00019841269876778083;
        /** See {@link #EXP_0}. */
        public static final double EXP_6 = 2.4801587242311956e-05;
        /** See {@link #EXP_0}. */
        public static final double EXP_7 = 2.7557252927406956e-06;
        /** See {@link #EXP_0}. */
        public static final double EXP_8 = 2.755735084916373e-07;
        /** See {@link #EXP_0}. */
        public static final double EXP_9 = 2.5106240674070335e-08;
        /** See {@link #EXP_0}. */
        public static final double EXP_10 = 2.0889629082055236e-09;

        /**
         * {@code P(r)} of {@link #EXP_0}, by Horner's rule with fused multiply-adds.
         *
         * @param r the reduced argument
         * @return P(r)
         */
        public static double expPolynomial(double r) {
            double p = Math.fma(r, EXP_10, EXP_9);
            p = Math.fma(p, r, EXP_8);
            p = Math.fma(p, r, EXP_7);
            p = Math.fma(p, r, EXP_6);
            p = Math.fma(p, r, EXP_5);
            p = Math.fma(p, r, EXP_4);
            p = Math.fma(p, r, EXP_3);
            p = Math.fma(p, r, EXP_2);
            p = Math.fma(p, r, EXP_1);
            return Math.fma(p, r, EXP_0);
        }

        /**
         * {@code g(z) = (2 atanh(s) - 2 s) / (s z)} with {@code z = s^2}, on {@code 0 <= z <= 1.02 s_max^2},
         * {@code s_max = (sqrt 2 - 1) / (sqrt 2 + 1)}, degree 7; fit error 2^-64 in log1p.
         */
        public static final double LOG_0 = 0.6666666666666666;
        /** See {@link #LOG_0}. */
        public static final double LOG_1 = 0.4000000000000101;
        /** See {@link #LOG_0}. */
        public static final double LOG_2 = 0.2857142857072131;
        /** See {@link #LOG_0}. */
        public static final double LOG_3 = 0.2222222241013807;
        /** See {@link #LOG_0}. */
        public static final double LOG_4 = 0.18181793695153495;
        /** See {@link #LOG_0}. */
        public static final double LOG_5 = 0.15386344256642348;
        /** See {@link #LOG_0}. */
        public static final double LOG_6 = 0.13266005008886048;
        /** See {@link #LOG_0}. */
        public static final double LOG_7 = 0.13115251971930353;

        /**
         * {@code g(z)} of {@link #LOG_0}.
         *
         * @param z the square of {@code s = f / (2 + f)}
         * @return g(z)
         */
        public static double logPolynomial(double z) {
            double p = Math.fma(z, LOG_7, LOG_6);
            p = Math.fma(p, z, LOG_5);
            p = Math.fma(p, z, LOG_4);
            p = Math.fma(p, z, LOG_3);
            p = Math.fma(p, z, LOG_2);
            p = Math.fma(p, z, LOG_1);
            return Math.fma(p, z, LOG_0);
        }

        /** 2 / pi, for the quadrant count of sin and cos. */
        public static final double TWO_OVER_PI = 0.6366197723675814;
        /**
         * pi/2 cut into three 33-bit pieces and a rest (Cody-Waite): {@code k * PIO2_A/B/C} is exact for
         * {@code |k| < 2^20}, which {@link #TRIG_REDUCTION_BOUND} guarantees (k &lt;= 2^20 2/pi).
         */
        public static final double PIO2_A = 1.5707963267341256;
        /** Second 33-bit piece of pi/2. */
        public static final double PIO2_B = 6.077100506303966e-11;
        /** Third 33-bit piece of pi/2. */
        public static final double PIO2_C = 2.0222662487111665e-21;
        /** The rest of pi/2. */
        public static final double PIO2_D = 8.4784276603689e-32;
        /** Arguments above this magnitude go to StrictMath's sin and cos (their reduction is exact). */
        public static final double TRIG_REDUCTION_BOUND = 0x1p20;

        /**
         * {@code S(z) = (sin r - r) / r^3} in {@code z = r^2} on {@code |r| <= 1.01 pi/4}, degree 5; fit error
         * 2^-58 in sin.
         */
        public static final double SIN_0 = -0.16666666666666663;
        /** See {@link #SIN_0}. */
        public static final double SIN_1 = 0.008333333333330672;
        /** See {@link #SIN_0}. */
        public static final double SIN_2 = -0.00019841269836351456;
        /** See {@link #SIN_0}. */
        public static final double SIN_3 = 2.7557315895838156e-06;
        /** See {@link #SIN_0}. */
        public static final double SIN_4 = -2.5051089568425986e-08;
        /** See {@link #SIN_0}. */
        public static final double SIN_5 = 1.5915135137575972e-10;

        /**
         * {@code S(z)} of {@link #SIN_0}.
         *
         * @param z the square of the reduced argument
         * @return S(z)
         */
        public static double sinPolynomial(double z) {
            double p = Math.fma(z, SIN_5, SIN_4);
            p = Math.fma(p, z, SIN_3);
            p = Math.fma(p, z, SIN_2);
            p = Math.fma(p, z, SIN_1);
            return Math.fma(p, z, SIN_0);
        }

        /**
         * {@code C(z) = (cos r - 1 + r^2/2) / r^4} in {@code z = r^2} on {@code |r| <= 1.01 pi/4}, degree 5;
         * fit error 2^-65 in cos.
         */
        public static final double COS_0 = 0.041666666666666664;
        /** See {@link #COS_0}. */
        public static final double COS_1 = -0.001388888888888723;
        /** See {@link #COS_0}. */
        public static final double COS_2 = 2.4801587298518494e-05;
        /** See {@link #COS_0}. */
        public static final double COS_3 = -2.755731714574026e-07;
        /** See {@link #COS_0}. */
        public static final double COS_4 = 2.0876120424128205e-09;
        /** See {@link #COS_0}. */
        public static final double COS_5 = -1.138079761990312e-11;

        /**
         * {@code C(z)} of {@link #COS_0}.
         *
         * @param z the square of the reduced argument
         * @return C(z)
         */
        public static double cosPolynomial(double z) {
            double p = Math.fma(z, COS_5, COS_4);
            p = Math.fma(p, z, COS_3);
            p = Math.fma(p, z, COS_2);
            p = Math.fma(p, z, COS_1);
            return Math.fma(p, z, COS_0);
        }

        /** erf is computed by its odd polynomial below this magnitude and as 1 - erfc above. */
        public static final double ERF_SMALL = 0.84375;
        /** erf(x) rounds to 1 above this. */
        public static final double ERF_SATURATION = 6;
        /** The rational erfcx fit holds up to here; beyond, e^(-a^2) underflows every use of it. */
        public static final double ERFC_FIT_LIMIT = 27.3;
        /** Phi(x) is computed with |x| clamped here: ERFC_FIT_LIMIT sqrt(2), where erfc has underflowed. */
        public static final double NORMAL_TAIL_LIMIT = 38.6;
        /** 2 / sqrt(pi). */
        public static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
        /** 1 / sqrt(2). */
        public static final double INV_SQRT2 = 0.7071067811865476;
        /** 1 / sqrt(2 pi). */
        public static final double INV_SQRT_2PI = 0.3989422804014327;

        /**
         * {@code E(z) = erf(x) / x - 1} in {@code z = x^2} on {@code |x| <= 0.84375}, degree 11; fit error
         * 2^-62 relative to erf(x) / x.
         */
        public static final double ERF_SMALL_0 = 0.1283791670955126;
        /** See {@link #ERF_SMALL_0}. */
        public static final double ERF_SMALL_1 = -0.3761263890318375;
        /** See {@link #ERF_SMALL_0}. */
        public static final double ERF_SMALL_2 = 0.11283791670954721;
        /** See {@link #ERF_SMALL_0}. */
        public static final double ERF_SMALL_3 = -0.026866170645026027;
        /** See {@link #ERF_SMALL_0}. */
        public static final double ERF_SMALL_4 = 0.00522397762402537;
        /** See {@link #ERF_SMALL_0}. */
        public static final double ERF_SMALL_5 = -0.0008548326910649398;
        /** See {@link #ERF_SMALL_0}. */
        public static final double ERF_SMALL_6 = 0.00012055327275095287;
        /** See {@link #ERF_SMALL_0}. */
        public static final double ERF_SMALL_7 = -1.49254597568932e-05;
        /** See {@link #ERF_SMALL_0}. */
        public static final double ERF_SMALL_8 = 1.6457850408790283e-06;
        /** See {@link #ERF_SMALL_0}. */
        public static final double ERF_SMALL_9 = -1.6302429009084003e-07;
        /** See {@link #ERF_SMALL_0}. */
        public static final double ERF_SMALL_10 = 1.4201672031136064e-08;
        /** See {@link #ERF_SMALL_0}. */
        public static final double ERF_SMALL_11 = -8.869722228414392e-10;

        /**
         * {@code E(z)} of {@link #ERF_SMALL_0}.
         *
         * @param z x^2
         * @return E(z)
         */
        public static double erfSmallPolynomial(double z) {
            double p = Math.fma(z, ERF_SMALL_11, ERF_SMALL_10);
            p = Math.fma(p, z, ERF_SMALL_9);
            p = Math.fma(p, z, ERF_SMALL_8);
            p = Math.fma(p, z, ERF_SMALL_7);
            p = Math.fma(p, z, ERF_SMALL_6);
            p = Math.fma(p, z, ERF_SMALL_5);
            p = Math.fma(p, z, ERF_SMALL_4);
            p = Math.fma(p, z, ERF_SMALL_3);
            p = Math.fma(p, z, ERF_SMALL_2);
            p = Math.fma(p, z, ERF_SMALL_1);
            return Math.fma(p, z, ERF_SMALL_0);
        }

        /**
         * The scaled complementary error function {@code erfcx(a) = e^(a^2) erfc(a)} as a rational function
         * {@code P(a) / Q(a)} of degrees 10 and 11 on {@code 0 <= a <= 27.3}; fit error 2^-59.9 relative. All
         * coefficients are positive, so Horner's rule adds no cancellation. This is P's constant term.
         */
        public static final double ERFCX_P0 = 1.0;
        /** See {@link #ERFCX_P0}. */
        public static final double ERFCX_P1 = 2.3410139545479245;
        /** See {@link #ERFCX_P0}. */
        public static final double ERFCX_P2 = 2.7168722674998063;
        /** See {@link #ERFCX_P0}. */
        public static final double ERFCX_P3 = 2.0197465398344474;
        /** See {@link #ERFCX_P0}. */
        public static final double ERFCX_P4 = 1.0551931129832324;
        /** See {@link #ERFCX_P0}. */
        public static final double ERFCX_P5 = 0.40297084846653297;
        /** See {@link #ERFCX_P0}. */
        public static final double ERFCX_P6 = 0.11377194717743863;
        /** See {@link #ERFCX_P0}. */
        public static final double ERFCX_P7 = 0.023478204218496106;
        /** See {@link #ERFCX_P0}. */
        public static final double ERFCX_P8 = 0.0034021285976218326;
        /** See {@link #ERFCX_P0}. */
        public static final double ERFCX_P9 = 0.00031480474737876415;
        /** See {@link #ERFCX_P0}. */
        public static final double ERFCX_P10 = 1.4300061926811874e-05;
        /** Q's constant term; see {@link #ERFCX_P0}. */
        public static final double ERFCX_Q0 = 1.0;
        /** See {@link #ERFCX_Q0}. */
        public static final double ERFCX_Q1 = 3.4693931216434373;
        /** See {@link #ERFCX_Q0}. */
        public static final double ERFCX_Q2 = 5.631663188426713;
        /** See {@link #ERFCX_Q0}. */
        public static final double ERFCX_Q3 = 5.657257614174396;
        /** See {@link #ERFCX_Q0}. */
        public static final double ERFCX_Q4 = 3.91692217323121;
        /** See {@link #ERFCX_Q0}. */
        public static final double ERFCX_Q5 = 1.968125442740304;
        /** See {@link #ERFCX_Q0}. */
        public static final double ERFCX_Q6 = 0.7347752628469156;
        /** See {@link #ERFCX_Q0}. */
        public static final double ERFCX_Q7 = 0.20465791066232406;
        /** See {@link #ERFCX_Q0}. */
        public static final double ERFCX_Q8 = 0.041893021926162025;
        /** See {@link #ERFCX_Q0}. */
        public static final double ERFCX_Q9 = 0.006042789033971942;
        /** See {@link #ERFCX_Q0}. */
        public static final double ERFCX_Q10 = 0.000557976886775818;
        /** See {@link #ERFCX_Q0}. */
        public static final double ERFCX_Q11 = 2.534619983035901e-05;

        /**
         * {@code P(a) / Q(a)} of {@link #ERFCX_P0}.
         *
         * @param a the argument, in [0, 27.3]
         * @return erfcx(a) to the fit's accuracy
         */
        public static double erfcxRational(double a) {
            double p = Math.fma(a, ERFCX_P10, ERFCX_P9);
            p = Math.fma(p, a, ERFCX_P8);
            p = Math.fma(p, a, ERFCX_P7);
            p = Math.fma(p, a, ERFCX_P6);
            p = Math.fma(p, a, ERFCX_P5);
            p = Math.fma(p, a, ERFCX_P4);
            p = Math.fma(p, a, ERFCX_P3);
            p = Math.fma(p, a, ERFCX_P2);
            p = Math.fma(p, a, ERFCX_P1);
            p = Math.fma(p, a, ERFCX_P0);
            double q = Math.fma(a, ERFCX_Q11, ERFCX_Q10);
            q = Math.fma(q, a, ERFCX_Q9);
            q = Math.fma(q, a, ERFCX_Q8);
            q = Math.fma(q, a, ERFCX_Q7);
            q = Math.fma(q, a, ERFCX_Q6);
            q = Math.fma(q, a, ERFCX_Q5);
            q = Math.fma(q, a, ERFCX_Q4);
            q = Math.fma(q, a, ERFCX_Q3);
            q = Math.fma(q, a, ERFCX_Q2);
            q = Math.fma(q, a, ERFCX_Q1);
            q = Math.fma(q, a, ERFCX_Q0);
            return p / q;
        }

        /** 2 sqrt(2/pi): the tanh-GELU's argument is {@code 2u = x (GELU_A + GELU_B x^2)}. */
        public static final double GELU_A = 1.5957691216057308;
        /** 2 sqrt(2/pi) 0.044715. */
        public static final double GELU_B = 0.07135481627260025;
        /** 3 GELU_B, for the derivative of 2u. */
        public static final double GELU_3B = 0.21406444881780073;
        /** Beyond this |x| the tanh-GELU is x or 0 and its derivative 1 or 0. */
        public static final double GELU_TANH_LIMIT = 25;
    }

    /** Float32 constants, coefficients and scalar polynomial evaluations: the names of {@link ForDouble}. */
    public static final class ForFloat {

        private ForFloat() {
        }

        /** Explicit mantissa bits. */
        public static final int MANTISSA_BITS = 23;
        /** Shift that moves the lowest bit to the sign bit. */
        public static final int SIGN_BIT_POSITION = 31;
        /** The sign bit. */
        public static final int SIGN_MASK = Integer.MIN_VALUE;
        /** Bits of 1.0f. */
        public static final int ONE_BITS = 0x3f800000;
        /** 1.5 * 2^23: rounds magnitudes below 2^22 to integers. */
        public static final float SHIFTER = 0x1.8p23f;
        /** Bits of {@link #SHIFTER}. */
        public static final int SHIFTER_BITS = 0x4b400000;
        /** Bits of sqrt(1/2) rounded to float32. */
        public static final int SQRT_HALF_BITS = 0x3f3504f3;
        /** Sign and exponent field. */
        public static final int EXPONENT_FIELD_MASK = 0xff800000;
        /** 2^24: scales every float32 subnormal to a normal number. */
        public static final float SUBNORMAL_SCALE = 0x1p24f;
        /** log2 of {@link #SUBNORMAL_SCALE}. */
        public static final int SUBNORMAL_SCALE_LOG2 = 24;

        /**
         * The raw bits of a value.
         *
         * @param v the value
         * @return its IEEE 754 bit pattern, NaN payloads kept
         */
        public static int bits(float v) {
            return Float.floatToRawIntBits(v);
        }

        /**
         * The value of a bit pattern.
         *
         * @param bits an IEEE 754 bit pattern
         * @return the value it encodes
         */
        public static float fromBits(int bits) {
            return Float.intBitsToFloat(bits);
        }

        /** 1 / ln 2. */
        public static final float LOG2E = 1.4426950216293335f;
        /** ln 2 rounded to 16 bits: {@code n * LN2_HI} is exact for {@code |n| < 2^8}. */
        public static final float LN2_HI = 0.693145751953125f;
        /** ln 2 - LN2_HI. */
        public static final float LN2_LO = 1.428606765330187e-06f;
        /** Clamp for very negative arguments: e^-110 times any factor below 2^10 rounds to +0. */
        public static final float EXP_UNDERFLOW = -110;
        /** The largest n for which 2^n is a normal float32. */
        public static final int EXP_FAST_EXPONENT = 126;
        /** expf rounds to +Infinity above this. */
        public static final float EXP_OVERFLOW = 89;
        /** expm1f rounds to -1 below this. */
        public static final float EXPM1_MINUS_ONE = -18;
        /** Below this magnitude expm1f and log1pf round to x. */
        public static final float TINY = 0x1p-25f;
        /** tanhf rounds to 1 above this. */
        public static final float TANH_SATURATION = 10;

        /** {@code (e^r - 1 - r) / r^2} on {@code |r| <= 1.01 ln(2) / 2}, degree 4; fit error 2^-27 in e^r. */
        public static final float EXP_0 = 0.4999999952538949f;
        /** See {@link #EXP_0}. */
        public static final float EXP_1 = 0.16666573694311773f;
        /** See {@link #EXP_0}. */
        public static final float EXP_2 = 0.04166686091904249f;
        /** See {@link #EXP_0}. */
        public static final float EXP_3 = 0.00836373985872222f;
        /** See {@link #EXP_0}. */
        public static final float EXP_4 = 0.0013901534801900118f;

        /**
         * The polynomial of {@link #EXP_0}.
         *
         * @param r the reduced argument
         * @return its value
         */
        public static float expPolynomial(float r) {
            float p = Math.fma(r, EXP_4, EXP_3);
            p = Math.fma(p, r, EXP_2);
            p = Math.fma(p, r, EXP_1);
            return Math.fma(p, r, EXP_0);
        }

        /** {@code g(z)} as in {@link ForDouble#LOG_0}, degree 2; fit error 2^-28 in log1p. */
        public static final float LOG_0 = 0.6666668624397801f;
        /** See {@link #LOG_0}. */
        public static final float LOG_1 = 0.3998830145233059f;
        /** See {@link #LOG_0}. */
        public static final float LOG_2 = 0.29601276880358224f;

        /**
         * The polynomial of {@link #LOG_0}.
         *
         * @param z the square of {@code s = f / (2 + f)}
         * @return its value
         */
        public static float logPolynomial(float z) {
            return Math.fma(Math.fma(z, LOG_2, LOG_1), z, LOG_0);
        }

        /** 2 / pi. */
        public static final float TWO_OVER_PI = 0.6366197466850281f;
        /** pi/2 in three 12-bit pieces and a rest: {@code k * PIO2_A/B/C} exact for {@code |k| < 2^12}. */
        public static final float PIO2_A = 1.5703125f;
        /** Second 12-bit piece of pi/2. */
        public static final float PIO2_B = 0.0004837512969970703f;
        /** Third 12-bit piece of pi/2. */
        public static final float PIO2_C = 7.549533620476723e-08f;
        /** The rest of pi/2. */
        public static final float PIO2_D = 2.5633440682570896e-12f;
        /** Arguments above this magnitude go to StrictMath's sin and cos. */
        public static final float TRIG_REDUCTION_BOUND = 0x1p12f;

        /** {@code (sin r - r) / r^3} in {@code z = r^2} on {@code |r| <= 1.01 pi/4}, degree 2; fit 2^-28.8. */
        public static final float SIN_0 = -0.16666664511842127f;
        /** See {@link #SIN_0}. */
        public static final float SIN_1 = 0.008332721134144159f;
        /** See {@link #SIN_0}. */
        public static final float SIN_2 = -0.00019582278729035868f;

        /**
         * The polynomial of {@link #SIN_0}.
         *
         * @param z the square of the reduced argument
         * @return its value
         */
        public static float sinPolynomial(float z) {
            return Math.fma(Math.fma(z, SIN_2, SIN_1), z, SIN_0);
        }

        /** {@code (cos r - 1 + r^2/2) / r^4} in {@code z = r^2} on {@code |r| <= 1.01 pi/4}, degree 2; 2^-34.7. */
        public static final float COS_0 = 0.04166666451902977f;
        /** See {@link #COS_0}. */
        public static final float COS_1 = -0.0013888277140787146f;
        /** See {@link #COS_0}. */
        public static final float COS_2 = 2.454252356566304e-05f;

        /**
         * The polynomial of {@link #COS_0}.
         *
         * @param z the square of the reduced argument
         * @return its value
         */
        public static float cosPolynomial(float z) {
            return Math.fma(Math.fma(z, COS_2, COS_1), z, COS_0);
        }

        /** erf is computed by its odd polynomial below this magnitude and as 1 - erfc above. */
        public static final float ERF_SMALL = 0.84375f;
        /** erff rounds to 1 above this. */
        public static final float ERF_SATURATION = 4;
        /** The rational erfcx fit holds up to here; beyond, e^(-a^2) underflows every use of it. */
        public static final float ERFC_FIT_LIMIT = 10.3f;
        /** Phi(x) is computed with |x| clamped here: ERFC_FIT_LIMIT sqrt(2), where erfc has underflowed. */
        public static final float NORMAL_TAIL_LIMIT = 14.5f;
        /** 2 / sqrt(pi). */
        public static final float TWO_OVER_SQRT_PI = 1.128379225730896f;
        /** 1 / sqrt(2). */
        public static final float INV_SQRT2 = 0.7071067690849304f;
        /** 1 / sqrt(2 pi). */
        public static final float INV_SQRT_2PI = 0.3989422917366028f;

        /** {@code erf(x) / x - 1} in {@code z = x^2} on {@code |x| <= 0.84375}, degree 5; fit 2^-27.4. */
        public static final float ERF_SMALL_0 = 0.12837916079333752f;
        /** See {@link #ERF_SMALL_0}. */
        public static final float ERF_SMALL_1 = -0.376125764051882f;
        /** See {@link #ERF_SMALL_0}. */
        public static final float ERF_SMALL_2 = 0.11282775602661954f;
        /** See {@link #ERF_SMALL_0}. */
        public static final float ERF_SMALL_3 = -0.026805104191093092f;
        /** See {@link #ERF_SMALL_0}. */
        public static final float ERF_SMALL_4 = 0.005055622732803781f;
        /** See {@link #ERF_SMALL_0}. */
        public static final float ERF_SMALL_5 = -0.0006342921388007751f;

        /**
         * The polynomial of {@link #ERF_SMALL_0}.
         *
         * @param z x^2
         * @return its value
         */
        public static float erfSmallPolynomial(float z) {
            float p = Math.fma(z, ERF_SMALL_5, ERF_SMALL_4);
            p = Math.fma(p, z, ERF_SMALL_3);
            p = Math.fma(p, z, ERF_SMALL_2);
            p = Math.fma(p, z, ERF_SMALL_1);
            return Math.fma(p, z, ERF_SMALL_0);
        }

        /** {@code erfcx(a)} as P(a) / Q(a) of degrees 4 and 5 on {@code 0 <= a <= 10.3}; fit 2^-27.3. P's k = 0. */
        public static final float ERFCX_P0 = 1.0000000059474328f;
        /** See {@link #ERFCX_P0}. */
        public static final float ERFCX_P1 = 1.240059684782808f;
        /** See {@link #ERFCX_P0}. */
        public static final float ERFCX_P2 = 0.7333328313439081f;
        /** See {@link #ERFCX_P0}. */
        public static final float ERFCX_P3 = 0.2300432823375257f;
        /** See {@link #ERFCX_P0}. */
        public static final float ERFCX_P4 = 0.03296974656369929f;
        /** Q's constant term; see {@link #ERFCX_P0}. */
        public static final float ERFCX_Q0 = 1.0f;
        /** See {@link #ERFCX_Q0}. */
        public static final float ERFCX_Q1 = 2.3684394508347464f;
        /** See {@link #ERFCX_Q0}. */
        public static final float ERFCX_Q2 = 2.4058209192327533f;
        /** See {@link #ERFCX_Q0}. */
        public static final float ERFCX_Q3 = 1.3285957522433864f;
        /** See {@link #ERFCX_Q0}. */
        public static final float ERFCX_Q4 = 0.40776670798766856f;
        /** See {@link #ERFCX_Q0}. */
        public static final float ERFCX_Q5 = 0.058436683231168525f;

        /**
         * {@code P(a) / Q(a)} of {@link #ERFCX_P0}.
         *
         * @param a the argument, in [0, 10.3]
         * @return erfcx(a) to the fit's accuracy
         */
        public static float erfcxRational(float a) {
            float p = Math.fma(a, ERFCX_P4, ERFCX_P3);
            p = Math.fma(p, a, ERFCX_P2);
            p = Math.fma(p, a, ERFCX_P1);
            p = Math.fma(p, a, ERFCX_P0);
            float q = Math.fma(a, ERFCX_Q5, ERFCX_Q4);
            q = Math.fma(q, a, ERFCX_Q3);
            q = Math.fma(q, a, ERFCX_Q2);
            q = Math.fma(q, a, ERFCX_Q1);
            q = Math.fma(q, a, ERFCX_Q0);
            return p / q;
        }

        /** 2 sqrt(2/pi). */
        public static final float GELU_A = 1.5957691669464111f;
        /** 2 sqrt(2/pi) 0.044715. */
        public static final float GELU_B = 0.07135481387376785f;
        /** 3 GELU_B. */
        public static final float GELU_3B = 0.21406444907188416f;
        /** Beyond this |x| the tanh-GELU is x or 0 and its derivative 1 or 0. */
        public static final float GELU_TANH_LIMIT = 12;
    }
}
