package dev.autograd.internal.kernel;

/**
 * The two 16-bit floating-point formats and their conversions, and the adapter that lets every kernel run
 * on them: half arrays are widened into {@code float[]} scratch, the float32 kernel runs, and the results
 * are rounded back once. Storage is the raw bit patterns: IEEE binary16 ("FLOAT16") in {@code char[]},
 * bfloat16 in {@code short[]}, so that a kernel still picks its loop by the array's class, once per call.
 *
 * <p>Rounding is to nearest, ties to even, with gradual underflow (subnormals) and overflow to infinity;
 * a NaN stays a NaN (made quiet, sign kept) and never rounds into an infinity. Widening is exact. A double
 * is rounded to half directly, never through float32, which would round twice: a value just above a
 * midpoint between two half values can become the midpoint itself in float32, and then tie to the wrong
 * neighbour.
 */
public final class Half {

    /** Largest finite binary16 value, 65504. */
    static final double FLOAT16_MAX = 65504;
    /** The midpoint between 65504 and 2^16: from here on (ties go to the even 2^16) binary16 rounds to infinity. */
    private static final double FLOAT16_OVERFLOW = 65520;
    /** Smallest normal binary16 value, 2^-14. */
    private static final double FLOAT16_MIN_NORMAL = 0x1p-14;
    /** The midpoint between the largest finite bfloat16, (2 - 2^-7) 2^127, and 2^128. */
    private static final double BFLOAT16_OVERFLOW = 0x1.ffp127;

    private Half() {
    }

    // ------------------------------------------------------------------ binary16 (FLOAT16)

    /**
     * The binary16 bit pattern nearest to {@code value} (ties to even).
     *
     * @param value a float32 value
     * @return the bit pattern
     */
    public static char toFloat16(float value) {
        // On the bits, with one float addition for subnormals (after F. Giesen's float_to_half_fast3_rtne):
        // about ten times faster than the double path, and checked against it on every boundary by the tests.
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int a = bits & 0x7fffffff;
        if (a >= 0x47800000) {
            // 2^16 or more, infinity or NaN; a NaN keeps its top payload bits and is made quiet.
            return (char) (sign | (a > 0x7f800000 ? 0x7e00 | ((a >>> 13) & 0x3ff) : 0x7c00));
        }
        if (a < 0x38800000) {
            // Below 2^-14: adding 0.5 (ulp 2^-24) rounds to a multiple of 2^-24, ties to even, in float32 itself;
            // the low bits of the sum are then the subnormal's pattern (0x400 when it rounds up to 2^-14).
            return (char) (sign | (Float.floatToRawIntBits(Float.intBitsToFloat(a) + 0.5f) - 0x3f000000));
        }
        // Normal: rebias the exponent and round the 13 dropped bits to nearest even; a carry moves into the
        // exponent, and from 65520 on into infinity's pattern.
        int rounded = a + ((15 - 127) << 23) + 0xfff + ((a >>> 13) & 1);
        return (char) (sign | (rounded >>> 13));
    }

    /**
     * The binary16 bit pattern nearest to {@code value} (ties to even), rounded once from the double.
     *
     * @param value a float64 value
     * @return the bit pattern
     */
    public static char toFloat16(double value) {
        long bits = Double.doubleToRawLongBits(value);
        int sign = (int) (bits >>> 48) & 0x8000;
        if (value != value) {
            return (char) (sign | 0x7e00 | (int) ((bits >>> 42) & 0x3ff));
        }
        double a = Math.abs(value);
        if (a >= FLOAT16_OVERFLOW) {
            return (char) (sign | 0x7c00);
        }
        if (a < FLOAT16_MIN_NORMAL) {
            // Subnormals are multiples of 2^-24; scaling by a power of two is exact, rint rounds ties to even.
            // Rounding up from the largest subnormal gives 0x400, the smallest normal's pattern, as it should.
            return (char) (sign | (int) Math.rint(a * 0x1p24));
        }
        int e = Math.getExponent(a);
        // 11 significant bits: a * 2^(10 - e) lies in [1024, 2048); a carry to 2048 moves into the exponent.
        int m = (int) Math.rint(a * pow2(10 - e));
        return (char) (sign | (((e + 15) << 10) + m - 1024));
    }

    /**
     * The value of a binary16 bit pattern, exactly.
     *
     * @param bits the bit pattern
     * @return the value as a float32
     */
    public static float fromFloat16(char bits) {
        int sign = (bits & 0x8000) << 16;
        int e = (bits >>> 10) & 0x1f;
        int m = bits & 0x3ff;
        if (e == 0x1f) {
            // A NaN keeps its payload and becomes quiet, as the hardware conversions (F16C, JDK 20's) do.
            return Float.intBitsToFloat(sign | 0x7f800000 | (m << 13) | (m != 0 ? 0x400000 : 0));
        }
        if (e == 0) {
            float f = m * 0x1p-24f;
            return sign == 0 ? f : -f;
        }
        return Float.intBitsToFloat(sign | ((e + 112) << 23) | (m << 13));
    }

    /** 2^n for a normal exponent n, built from its bits (Math.scalb is slower and handles cases we never have). */
    private static double pow2(int n) {
        return Double.longBitsToDouble((long) (n + 1023) << 52);
    }

    // ------------------------------------------------------------------ bfloat16

    /**
     * The bfloat16 bit pattern nearest to {@code value} (ties to even): the upper half of the float32
     * pattern after rounding away the lower half.
     *
     * @param value a float32 value
     * @return the bit pattern
     */
    public static short toBFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (value != value) {
            // Truncate and set the quiet bit: the payload's low bits must not carry the NaN into an infinity.
            return (short) ((bits >>> 16) | 0x0040);
        }
        bits += 0x7fff + ((bits >>> 16) & 1);
        return (short) (bits >>> 16);
    }

    /**
     * The bfloat16 bit pattern nearest to {@code value} (ties to even), rounded once from the double.
     *
     * @param value a float64 value
     * @return the bit pattern
     */
    public static short toBFloat16(double value) {
        long bits = Double.doubleToRawLongBits(value);
        int sign = (int) (bits >>> 48) & 0x8000;
        if (value != value) {
            return (short) (sign | 0x7fc0 | (int) ((bits >>> 45) & 0x7f));
        }
        double a = Math.abs(value);
        float rounded;
        if (a >= BFLOAT16_OVERFLOW) {
            rounded = Float.POSITIVE_INFINITY;
        } else if (a < Float.MIN_NORMAL) {
            // bfloat16 subnormals are multiples of 2^-133; the rounded multiple is exact as a float32.
            rounded = (float) (Math.rint(a * 0x1p133) * 0x1p-133);
        } else {
            int e = Math.getExponent(a);
            // 8 significant bits: a * 2^(7 - e) lies in [128, 256); the rounded value is exact as a float32.
            rounded = (float) (Math.rint(a * pow2(7 - e)) * pow2(e - 7));
        }
        return (short) (sign | (Float.floatToRawIntBits(rounded) >>> 16));
    }

    /**
     * The value of a bfloat16 bit pattern, exactly.
     *
     * @param bits the bit pattern
     * @return the value as a float32
     */
    public static float fromBFloat16(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    // ------------------------------------------------------------------ arrays

    /**
     * Whether {@code array} holds one of the 16-bit formats.
     *
     * @param array a kernel array
     * @return true for a {@code char[]} (binary16) or {@code short[]} (bfloat16)
     */
    public static boolean isHalf(Object array) {
        return array instanceof char[] || array instanceof short[];
    }

    /**
     * The values of {@code array} as a new {@code float[]} when it is a half array, else the array itself.
     *
     * @param array a kernel array, or null
     * @return float32 values, or {@code array} unchanged (null stays null)
     */
    static Object widen(Object array) {
        if (array instanceof char[] h) {
            float[] out = new float[h.length];
            for (int i = 0; i < h.length; i++) {
                out[i] = fromFloat16(h[i]);
            }
            return out;
        }
        if (array instanceof short[] h) {
            float[] out = new float[h.length];
            for (int i = 0; i < h.length; i++) {
                out[i] = Float.intBitsToFloat(h[i] << 16);
            }
            return out;
        }
        return array;
    }

    /**
     * A zeroed float32 scratch array for a half output, or the output itself when it is not half; null
     * stays null.
     */
    static Object scratch(Object out) {
        return isHalf(out) ? new float[Kernels.length(out)] : out;
    }

    /** Rounds float32 {@code values} once into the half array {@code out}; does nothing when they are one array. */
    static void narrowInto(Object values, Object out) {
        if (out instanceof char[] h) {
            float[] f = (float[]) values;
            for (int i = 0; i < h.length; i++) {
                h[i] = toFloat16(f[i]);
            }
        } else if (out instanceof short[] h) {
            float[] f = (float[]) values;
            for (int i = 0; i < h.length; i++) {
                h[i] = toBFloat16(f[i]);
            }
        }
    }

    /** Float32 {@code values} rounded once into a new array of the half type of {@code like}. */
    static Object narrow(Object values, Object like) {
        Object out = Kernels.newArray(like, Kernels.length(values));
        narrowInto(values, out);
        return out;
    }
}
