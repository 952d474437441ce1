package dev.autograd;

/**
 * The element type of a tensor.
 *
 * <p>{@link #FLOAT64} is the default: gradient checking and teaching need its precision. {@link #FLOAT32}
 * halves memory and is computed in float32 end to end. {@link #FLOAT16} and {@link #BFLOAT16} are storage
 * formats of 16 bits for mixed-precision training: an op on them widens its operands to float32, computes
 * in float32 (matrix products and convolutions accumulate in float32) and rounds its result to the half
 * format once, to nearest with ties to even, as PyTorch does on the CPU. Conversions with
 * {@link Tensor#to(DType)} are exact when widening and round once when narrowing (a FLOAT64 value is
 * rounded to a half format directly, never twice through float32).
 *
 * <p>One op never mixes dtypes: convert explicitly with {@link Tensor#to(DType)}. The exception is an
 * {@link Autograd#autocast(DType)} scope, which casts between FLOAT32 and a half format by itself, following
 * PyTorch's autocast op lists.
 */
public enum DType {
    /** IEEE 754 double precision (binary64), stored in {@code double[]}. */
    FLOAT64(8, new double[0]),
    /** IEEE 754 single precision (binary32), stored in {@code float[]}. */
    FLOAT32(4, new float[0]),
    /**
     * IEEE 754 half precision (binary16): 1 sign, 5 exponent and 10 fraction bits; largest finite value
     * 65504, smallest normal 2^-14, smallest subnormal 2^-24. Three decimal digits of precision and little
     * range: gradients below 2^-25 round to zero, which is what loss scaling is for. Stored as raw bit
     * patterns, two bytes per element, as PyTorch's {@code torch.float16}.
     */
    FLOAT16(2, new char[0]),
    /**
     * Brain floating point (bfloat16): the upper 16 bits of a float32 (1 sign, 8 exponent, 7 fraction bits),
     * so float32's range (largest finite about 3.39e38) with between two and three decimal digits of
     * precision. Its range makes gradient underflow rare, so it trains without loss scaling. Stored as raw bit
     * patterns, two bytes per element, as PyTorch's {@code torch.bfloat16}.
     */
    BFLOAT16(2, new short[0]);

    private final int bytes;
    /** An empty array of this type, for kernels that take the element type from an array ("like"). */
    private final Object like;

    DType(int bytes, Object like) {
        this.bytes = bytes;
        this.like = like;
    }

    /** @return the size of one element in bytes */
    public int bytes() {
        return bytes;
    }

    /** Whether this is one of the 16-bit formats, which are computed in float32 and rounded per op. */
    boolean isHalf() {
        return bytes == 2;
    }

    /** An empty kernel array of this type ({@code double[]}, {@code float[]}, {@code char[]} or {@code short[]}). */
    Object like() {
        return like;
    }

    /** The dtype of a kernel array. */
    static DType of(Object array) {
        if (array instanceof double[]) {
            return FLOAT64;
        }
        if (array instanceof float[]) {
            return FLOAT32;
        }
        return array instanceof char[] ? FLOAT16 : BFLOAT16;
    }
}
