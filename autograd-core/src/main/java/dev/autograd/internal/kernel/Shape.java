package dev.autograd.internal.kernel;

/** Arithmetic on shapes and row-major strides shared by the kernels and the ops. */
public final class Shape {

    private Shape() {
    }

    /** Number of elements of a tensor of this shape (1 for a 0-d shape). */
    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape)
                    + " has " + n + " elements, more than a Java array can hold");
        }
        return (int) n;
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
