package dev.autograd;

/**
 * The element type of a tensor.
 *
 * <p>{@link #FLOAT64} is the default: gradient checking and teaching need its precision. {@link #FLOAT32}
 * halves memory and is computed in float32 end to end. One op never mixes the two: convert explicitly
 * with {@link Tensor#to(DType)}.
 */
public enum DType {
    /** IEEE 754 double precision, stored in {@code double[]}. */
    FLOAT64(8),
    /** IEEE 754 single precision, stored in {@code float[]}. */
    FLOAT32(4);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** @return the size of one element in bytes */
    public int bytes() {
        return bytes;
    }
}
