package dev.autograd;

import dev.autograd.internal.kernel.Shape;

/** Shape rules shared by the ops: broadcasting, axis normalisation, and how shapes read in messages. */
final class Shapes {

    /** The shape of every 0-d tensor; never modified. */
    static final int[] SCALAR = new int[0];

    private Shapes() {
    }

    /** {@code [2, 3]}, the way every error message writes a shape. */
    static String format(int[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(']').toString();
    }

    /**
     * The NumPy broadcast of two shapes: aligned from the right, each pair of extents equal or one of
     * them 1.
     */
    static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + format(a) + " and " + format(b)
                        + " do not broadcast: at axis " + (i - rank) + " the sizes " + da + " and " + db
                        + " differ and neither is 1");
            }
            out[i] = da == 1 ? db : da;
        }
        size(op, out);
        return out;
    }

    /**
     * Whether an operand of shape {@code input} was extended or stretched by broadcasting to {@code shape},
     * so that its gradient must be summed over some axes.
     */
    static boolean reducesTo(int[] shape, int[] input) {
        if (input.length < shape.length) {
            return true;
        }
        for (int i = 1; i <= shape.length; i++) {
            if (input[input.length - i] == 1 && shape[shape.length - i] != 1) {
                return true;
            }
        }
        return false;
    }

    /**
     * Strides that read a dense tensor of shape {@code shape} as if it had the broadcast shape
     * {@code target}: 0 on the axes it is repeated along.
     */
    static int[] broadcastStrides(int[] shape, int[] target) {
        return dev.autograd.internal.kernel.Kernels.broadcastStrides(shape, target);
    }

    /** {@code axis} in {@code [0, rank)}, negative axes counting from the end. */
    static int axis(String op, int axis, int[] shape) {
        int rank = shape.length;
        if (axis < -rank || axis >= rank) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for a tensor of shape "
                    + format(shape) + " (valid axes are " + (rank == 0 ? "none for a 0-d tensor" : -rank + " to " + (rank - 1)) + ")");
        }
        return axis < 0 ? axis + rank : axis;
    }

    /**
     * {@code value} itself, checked: a null argument is refused with the op's name rather than failing
     * somewhere inside it with a message that names an internal variable.
     */
    static <T> T nonNull(String op, T value, String what) {
        if (value == null) {
            throw new NullPointerException(op + ": " + what + " is null");
        }
        return value;
    }

    /**
     * The axes normalised, checked for range and duplicates, as a mask over the tensor's axes; every
     * reduction starts here, so this is also where the size of its result is checked, under the reduction's
     * own name (mean, var and logSumExp are composed of other ops, which would name those instead).
     */
    static boolean[] axesMask(String op, int[] axes, int[] shape) {
        nonNull(op, axes, "the array of axes");
        boolean[] mask = new boolean[shape.length];
        for (int a : axes) {
            int axis = axis(op, a, shape);
            if (mask[axis]) {
                throw new IllegalArgumentException(op + ": axis " + a + " appears twice in " + java.util.Arrays.toString(axes));
            }
            mask[axis] = true;
        }
        // An empty tensor can have a huge result: reducing the 0 axis of [0, 2^30] leaves 2^30 elements.
        int[] kept = shape.clone();
        for (int d = 0; d < kept.length; d++) {
            kept[d] = mask[d] ? 1 : kept[d];
        }
        long n = Shape.count(kept);
        if (n > Shape.MAX_ELEMENTS) {
            throw new IllegalArgumentException(op + ": reducing shape " + format(shape) + " over axes "
                    + java.util.Arrays.toString(axes) + " leaves " + Shape.describe(n)
                    + " elements, more than a Java array holds (" + Shape.MAX_ELEMENTS + ")");
        }
        return mask;
    }

    /**
     * A copy of {@code shape} after checking that no extent is negative and that a Java array can hold its
     * elements (the one place, with {@link #size}, where a shape becomes an element count).
     */
    static int[] checked(String op, int[] shape) {
        nonNull(op, shape, "the shape");
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": shape " + format(shape) + " has a negative size");
            }
        }
        size(op, shape);
        return shape.clone();
    }

    /**
     * The number of elements of {@code shape}, exact.
     *
     * @throws IllegalArgumentException naming {@code op} when a Java array cannot hold them
     */
    static int size(String op, int[] shape) {
        long n = Shape.count(shape);
        if (n > Shape.MAX_ELEMENTS) {
            throw new IllegalArgumentException(op + ": shape " + format(shape) + " has " + Shape.describe(n)
                    + " elements, more than a Java array holds (" + Shape.MAX_ELEMENTS + ")");
        }
        return (int) n;
    }

    /**
     * An extent computed from others (a concatenation, a flattening, padding), checked to fit in an int.
     *
     * @throws IllegalArgumentException naming {@code op} when it does not
     */
    static int extent(String op, long extent, String what) {
        if (extent > Integer.MAX_VALUE || extent < 0) {
            throw new IllegalArgumentException(op + ": " + what + " would have size " + extent
                    + ", more than an axis can have (" + Integer.MAX_VALUE + ")");
        }
        return (int) extent;
    }

    /**
     * The least heap one piece of a split costs (a view: its Tensor, shape, strides and storage reference;
     * measured at 108 bytes for an empty piece, 250 with a graph node). A lower bound, so a refusal only
     * ever replaces a certain OutOfMemoryError.
     */
    static final long BYTES_PER_PIECE = 100;

    /**
     * Refuses a split into more pieces than the heap can hold as tensor objects: an empty axis of 2^30 split
     * in pieces of 1 asks for 2^30 tensors (over 100 GiB), which would otherwise end in an
     * OutOfMemoryError after minutes of allocation.
     *
     * @throws IllegalArgumentException naming {@code op}, the shape and the memory needed
     */
    static void checkPieces(String op, long pieces, int[] shape, int axis) {
        long need = pieces * BYTES_PER_PIECE;
        long heap = Runtime.getRuntime().maxMemory();
        if (need > heap) {
            throw new IllegalArgumentException(op + ": axis " + axis + " of shape " + format(shape) + " makes " + pieces
                    + " pieces, which need at least " + gib(need) + " of heap as tensor objects, more than the JVM's"
                    + " maximum of " + gib(heap) + "; take the slices you need with slice() or select() instead");
        }
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
