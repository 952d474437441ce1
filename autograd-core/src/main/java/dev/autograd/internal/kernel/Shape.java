package dev.autograd.internal.kernel;

/** Arithmetic on shapes and row-major strides shared by the kernels and the ops. */
public final class Shape {

    private Shape() {
    }

    /**
     * The most elements a tensor may have: the longest array the JVM allocates (the JDK's own limit,
     * {@code Integer.MAX_VALUE - 8}; longer requests fail with "Requested array size exceeds VM limit").
     */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /**
     * The exact number of elements of a shape, saturated at {@code Long.MAX_VALUE}: 0 as soon as an extent is
     * 0, whatever the others, and never a product that wrapped around.
     *
     * @param shape the extents, none negative
     * @return the product of the extents, or {@code Long.MAX_VALUE} when it exceeds the long range
     */
    public static long count(int[] shape) {
        for (int d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        long n = 1;
        for (int d : shape) {
            if (n > Long.MAX_VALUE / d) {
                return Long.MAX_VALUE;
            }
            n *= d;
        }
        return n;
    }

    /**
     * The number of elements of a shape as an array length.
     *
     * @param shape the extents, none negative
     * @return the product of the extents
     * @throws IllegalArgumentException when it exceeds {@link #MAX_ELEMENTS}
     */
    public static int size(int[] shape) {
        long n = count(shape);
        if (n > MAX_ELEMENTS) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " has " + describe(n)
                    + " elements, more than a Java array holds (" + MAX_ELEMENTS + ")");
        }
        return (int) n;
    }

    /** An element count for a message: the number, or "more than 9.2e18" when it saturated. */
    public static String describe(long count) {
        return count == Long.MAX_VALUE ? "more than 9.2e18" : Long.toString(count);
    }

    /** Row-major (C order) strides of a dense tensor of this shape. */
    public static int[] strides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        return strides;
    }
}
