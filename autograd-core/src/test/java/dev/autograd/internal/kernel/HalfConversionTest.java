package dev.autograd.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The conversions of {@link Half}, exhaustively: every one of the 65,536 bit patterns of binary16 and of
 * bfloat16, and every rounding boundary (each midpoint between adjacent representable values, and the
 * floats and doubles just below and above it), against a reference written here from the formats'
 * definitions: the value of a pattern by {@code Math.scalb}, and the nearest representable value found by
 * binary search in the sorted list of all of them, ties going to the even pattern.
 */
class HalfConversionTest {

    /** A 16-bit format as the reference sees it: its positive finite values in order, and infinity's pattern. */
    private record Format(String name, double[] values, int infinity, double overflow) {

        /** The pattern nearest to {@code v} by exact search (values above the last midpoint go to infinity). */
        int nearest(double v) {
            int sign = v < 0 || (v == 0 && 1 / v < 0) ? 0x8000 : 0;
            double a = Math.abs(v);
            if (a >= overflow) {
                return sign | infinity;
            }
            int i = Arrays.binarySearch(values, a);
            if (i >= 0) {
                return sign | i;
            }
            int hi = -i - 1;
            int lo = hi - 1;
            // The last finite value's upper neighbour is 2^(emax + 1), the pattern of infinity.
            double upper = hi < values.length ? values[hi] : overflow * 2 - values[lo];
            double below = a - values[lo];
            double above = upper - a;
            int pick = below < above ? lo : below > above ? hi : (lo & 1) == 0 ? lo : hi;
            return sign | (pick == values.length ? infinity : pick);
        }
    }

    /** binary16: pattern {@code e m} is m 2^-24 for e = 0, else (1024 + m) 2^(e - 25). */
    private static final Format FLOAT16 = format("binary16", 0x7c00, 10, -24);
    /** bfloat16: pattern {@code e m} is m 2^-133 for e = 0, else (128 + m) 2^(e - 134). */
    private static final Format BFLOAT16 = format("bfloat16", 0x7f80, 7, -133);

    private static Format format(String name, int infinity, int fractionBits, int subnormalExponent) {
        double[] values = new double[infinity];
        for (int p = 0; p < infinity; p++) {
            int e = p >>> fractionBits;
            int m = p & ((1 << fractionBits) - 1);
            values[p] = e == 0 ? Math.scalb((double) m, subnormalExponent)
                    : Math.scalb((double) ((1 << fractionBits) + m), subnormalExponent + e - 1);
        }
        double last = values[infinity - 1];
        double next = Math.scalb(1.0, Math.getExponent(last) + 1);
        return new Format(name, values, infinity, (last + next) / 2);
    }

    private static boolean isNaN16(int bits, int infinity) {
        return (bits & 0x7fff) > infinity;
    }

    /** A conversion of one format: bit pattern to float, float to pattern, double to pattern. */
    private record Conversions(java.util.function.IntFunction<Float> widen,
                               java.util.function.IntUnaryOperator fromFloat,
                               java.util.function.DoubleToIntFunction fromDouble) {
    }

    private static final Conversions FLOAT16_CONVERSIONS = new Conversions(p -> Half.fromFloat16((char) p),
            bits -> Half.toFloat16(Float.intBitsToFloat(bits)), d -> Half.toFloat16(d));
    private static final Conversions BFLOAT16_CONVERSIONS = new Conversions(p -> Half.fromBFloat16((short) p),
            bits -> Half.toBFloat16(Float.intBitsToFloat(bits)) & 0xffff, d -> Half.toBFloat16(d) & 0xffff);

    /**
     * Every pattern widens to the value the format defines, and narrows back to itself from the float and from
     * the double; a NaN pattern widens to a NaN and comes back a quiet NaN ({@code quietBit} set) of its sign.
     */
    private static void checkEveryPattern(Format format, Conversions c, int quietBit) {
        int infinity = format.infinity();
        for (int q = 0; q < 0x10000; q++) {
            int p = q;
            float f = c.widen().apply(p);
            int fromFloat = c.fromFloat().applyAsInt(Float.floatToRawIntBits(f));
            int fromDouble = c.fromDouble().applyAsInt(f);
            if (isNaN16(p, infinity)) {
                assertTrue(Float.isNaN(f), () -> format.name() + " pattern " + Integer.toHexString(p));
                for (int back : new int[] {fromFloat, fromDouble}) {
                    assertTrue(isNaN16(back, infinity) && (back & quietBit) != 0 && (back & 0x8000) == (p & 0x8000),
                            () -> "NaN " + Integer.toHexString(p) + " came back as " + Integer.toHexString(back));
                }
                continue;
            }
            int magnitude = p & 0x7fff;
            double expected = magnitude == infinity ? Double.POSITIVE_INFINITY : format.values()[magnitude];
            assertEquals((p & 0x8000) != 0 ? -expected : expected, f, 0,
                    () -> format.name() + " pattern " + Integer.toHexString(p));
            assertEquals(p, fromFloat, () -> "float round trip of " + Integer.toHexString(p));
            assertEquals(p, fromDouble, () -> "double round trip of " + Integer.toHexString(p));
        }
    }

    @Test
    void everyFloat16PatternWidensToItsValueAndRoundTrips() {
        checkEveryPattern(FLOAT16, FLOAT16_CONVERSIONS, 0x200);
        // Signed zeros keep their sign.
        assertEquals(0x8000, Half.toFloat16(-0.0f));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(Half.fromFloat16((char) 0x8000)));
    }

    @Test
    void everyBFloat16PatternWidensToItsValueAndRoundTrips() {
        checkEveryPattern(BFLOAT16, BFLOAT16_CONVERSIONS, 0x40);
        assertEquals(0x8000, Half.toBFloat16(-0.0) & 0xffff);
    }

    /** Every midpoint, and the neighbouring floats and doubles, of both signs, against the reference. */
    private static void checkBoundaries(Format format, java.util.function.DoubleToIntFunction fromDouble,
                                        java.util.function.IntUnaryOperator fromFloat) {
        double[] v = format.values();
        int checked = 0;
        for (int i = 0; i < v.length; i++) {
            double lo = v[i];
            double hi = i + 1 < v.length ? v[i + 1] : format.overflow() * 2 - lo;
            double mid = (lo + hi) / 2; // exact: both have few significant bits
            float midF = (float) mid;
            assertEquals(mid, midF, 0, "every midpoint is a float32");
            for (double sign : new double[] {1, -1}) {
                for (double d : new double[] {mid, Math.nextUp(mid), Math.nextDown(mid)}) {
                    double x = sign * d;
                    int expected = format.nearest(x);
                    assertEquals(expected, fromDouble.applyAsInt(x),
                            () -> format.name() + " from double " + x + " (" + Double.toHexString(x) + ")");
                }
                for (float f : new float[] {midF, Math.nextUp(midF), Math.nextDown(midF)}) {
                    float x = (float) sign * f;
                    int expected = format.nearest(x);
                    assertEquals(expected, fromFloat.applyAsInt(Float.floatToRawIntBits(x)),
                            () -> format.name() + " from float " + x + " (" + Float.toHexString(x) + ")");
                }
                checked++;
            }
        }
        assertEquals(2 * v.length, checked);
    }

    @Test
    void float16RoundsToNearestEvenAtEveryMidpoint() {
        checkBoundaries(FLOAT16, FLOAT16_CONVERSIONS.fromDouble(), FLOAT16_CONVERSIONS.fromFloat());
    }

    @Test
    void bfloat16RoundsToNearestEvenAtEveryMidpoint() {
        checkBoundaries(BFLOAT16, BFLOAT16_CONVERSIONS.fromDouble(), BFLOAT16_CONVERSIONS.fromFloat());
    }

    @Test
    void aDoubleIsRoundedOnceNotThroughFloat32() {
        // 1 + 2^-11 is the midpoint between binary16's 1 and 1 + 2^-10 (ties to 1, the even one). Just above
        // it the nearest is 1 + 2^-10, but that double rounds to the midpoint in float32, which then ties down.
        double justAbove = 1 + 0x1p-11 + 0x1p-40;
        assertEquals(1 + 0x1p-11, (double) (float) justAbove, 0);
        assertEquals(0x3c01, Half.toFloat16(justAbove));
        assertEquals(0x3c00, Half.toFloat16((float) justAbove));
        // The same for bfloat16: 1 + 2^-8 is the midpoint between 1 and 1 + 2^-7.
        double above = 1 + 0x1p-8 + 0x1p-40;
        assertEquals(0x3f81, Half.toBFloat16(above) & 0xffff);
        assertEquals(0x3f80, Half.toBFloat16((float) above) & 0xffff);
    }

    @Test
    void overflowUnderflowAndSpecialValues() {
        assertEquals(0x7bff, Half.toFloat16(65504f));
        assertEquals(0x7bff, Half.toFloat16(65519.99f));
        assertEquals(0x7c00, Half.toFloat16(65520f), "the tie above the largest finite value goes to infinity");
        assertEquals(0xfc00, Half.toFloat16(Float.NEGATIVE_INFINITY));
        assertEquals(0x0001, Half.toFloat16(0x1p-24f), "smallest subnormal");
        assertEquals(0x0000, Half.toFloat16(0x1p-25f), "half the smallest subnormal ties to zero");
        assertEquals(0x0001, Half.toFloat16(Math.nextUp(0x1p-25f)));
        assertEquals(0x8000, Half.toFloat16(-1e-30));
        assertEquals(0x0400, Half.toFloat16(0x1p-14f), "smallest normal");
        assertEquals(0x7f7f, Half.toBFloat16(Float.intBitsToFloat(0x7f7f7fff)) & 0xffff);
        assertEquals(0x7f80, Half.toBFloat16(Float.intBitsToFloat(0x7f7f8000)) & 0xffff, "the tie goes to infinity");
        assertEquals(0x7f80, Half.toBFloat16(Float.MAX_VALUE) & 0xffff, "float32's largest rounds up to infinity");
        assertEquals(0x7f80, Half.toBFloat16(1e300) & 0xffff);
        assertEquals(0x0001, Half.toBFloat16(Float.MIN_VALUE * 0x1p16f) & 0xffff, "smallest bfloat16 subnormal");
        // NaN: the payload's low bits alone must not round a NaN into an infinity.
        float lowPayload = Float.intBitsToFloat(0x7f800001);
        assertTrue(Float.isNaN(Half.fromBFloat16(Half.toBFloat16(lowPayload))));
        assertTrue(Float.isNaN(Half.fromFloat16(Half.toFloat16(lowPayload))));
        float negativeNaN = Float.intBitsToFloat(0xffffffff);
        assertEquals(0x8000, Half.toFloat16(negativeNaN) & 0x8000);
        assertEquals(0x8000, Half.toBFloat16(negativeNaN) & 0x8000);
        assertTrue(Float.isNaN(Half.fromFloat16(Half.toFloat16(Double.NaN))));
        assertTrue(Float.isNaN(Half.fromBFloat16(Half.toBFloat16(Double.longBitsToDouble(0x7ff0000000000001L)))));
    }

    /**
     * On JDK 20 or later, {@code Float.floatToFloat16}/{@code float16ToFloat} give a second, independent
     * reference for every pattern and every midpoint neighbourhood; on JDK 17 there is nothing to compare with.
     */
    @Test
    void agreesWithTheJdksBinary16WhenItHasOne() throws Exception {
        Method toHalf;
        Method toFloat;
        try {
            toHalf = Float.class.getMethod("floatToFloat16", float.class);
            toFloat = Float.class.getMethod("float16ToFloat", short.class);
        } catch (NoSuchMethodException absent) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "this JDK has no Float.floatToFloat16");
            return;
        }
        for (int p = 0; p < 0x10000; p++) {
            float jdk = (float) toFloat.invoke(null, (short) p);
            float ours = Half.fromFloat16((char) p);
            assertEquals(Float.floatToRawIntBits(jdk) & (Float.isNaN(jdk) ? 0xffc00000 : -1),
                    Float.floatToRawIntBits(ours) & (Float.isNaN(ours) ? 0xffc00000 : -1), "pattern " + p);
            if (!Float.isNaN(ours)) {
                float next = Math.nextUp(ours);
                assertEquals((short) toHalf.invoke(null, next) & 0xffff, (int) Half.toFloat16(next));
            }
        }
        for (double mid : midpoints(FLOAT16)) {
            for (float f : new float[] {(float) mid, Math.nextUp((float) mid), Math.nextDown((float) mid)}) {
                assertEquals((short) toHalf.invoke(null, f) & 0xffff, (int) Half.toFloat16(f), "at " + f);
            }
        }
    }

    private static double[] midpoints(Format format) {
        double[] v = format.values();
        double[] mids = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double hi = i + 1 < v.length ? v[i + 1] : format.overflow() * 2 - v[i];
            mids[i] = (v[i] + hi) / 2;
        }
        return mids;
    }

    @Test
    void theReferenceItselfIsSane() {
        assertEquals(65504, FLOAT16.values()[0x7bff], 0);
        assertEquals(65520, FLOAT16.overflow(), 0);
        assertEquals(0x1p-24, FLOAT16.values()[1], 0);
        assertEquals(Float.intBitsToFloat(0x7f7f0000), BFLOAT16.values()[0x7f7f], 0);
        assertNotEquals(FLOAT16.nearest(1 + 0x1p-11), FLOAT16.nearest(Math.nextUp(1 + 0x1p-11)));
    }
}
