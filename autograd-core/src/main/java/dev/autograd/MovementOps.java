package dev.autograd;

import dev.autograd.internal.kernel.Kernels;
import dev.autograd.internal.kernel.Shape;
import java.util.Arrays;

/** Ops that move or convert values without arithmetic: reshape, permute, expand, dtype conversion. */
final class MovementOps {

    private MovementOps() {
    }

    /** The same storage read with another shape; {@code -1} stands for the one extent left to infer. */
    static Tensor reshape(Tensor x, int[] requested) {
        int[] shape = Shapes.nonNull("reshape", requested, "the shape").clone();
        int inferred = -1;
        long known = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("reshape: only one -1 is allowed, got " + Shapes.format(requested));
                }
                inferred = d;
            } else if (shape[d] < 0) {
                throw new IllegalArgumentException("reshape: invalid size " + shape[d] + " in " + Shapes.format(requested));
            } else {
                // Stops growing past the array limit instead of wrapping around: such a product matches no tensor.
                if (shape[d] == 0) {
                    known = 0;
                } else if (known <= Shape.MAX_ELEMENTS) {
                    known *= shape[d];
                }
            }
        }
        int n = x.numel();
        if (inferred >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + Shapes.format(x.shapeRef()) + " ("
                        + n + " elements) to " + Shapes.format(requested) + ": " + n + " is not a multiple of " + known);
            }
            shape[inferred] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException("reshape: cannot reshape " + Shapes.format(x.shapeRef()) + " (" + n
                    + " elements) to " + Shapes.format(requested) + " (" + known + " elements)");
        }
        Tensor out = new Tensor(x.storage, shape);
        return Tensor.recording(x) ? out.recordedBy(new Reshape(x)) : out;
    }

    /** Reshaping only reorders the index: the gradient is reshaped back. */
    static final class Reshape extends Node {
        @Override
        public String formula() {
            return "g reshaped back to the input shape";
        }

        Reshape(Tensor x) {
            super("reshape", x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.reshape(inputShapes[0]));
        }
    }

    /** Axis {@code i} of the result is axis {@code order[i]} of {@code x}; copies into dense storage. */
    static Tensor permute(Tensor x, int[] order) {
        Shapes.nonNull("permute", order, "the order");
        int[] shape = x.shapeRef();
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " has " + order.length
                    + " axes but the tensor of shape " + Shapes.format(shape) + " has " + shape.length);
        }
        int[] perm = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int axis = Shapes.axis("permute", order[i], shape);
            if (seen[axis]) {
                throw new IllegalArgumentException("permute: order " + Arrays.toString(order)
                        + " is not a permutation: axis " + axis + " appears twice");
            }
            seen[axis] = true;
            perm[i] = axis;
        }
        int[] strides = Shape.strides(shape);
        int[] outShape = new int[perm.length];
        int[] srcStrides = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            outShape[i] = shape[perm[i]];
            srcStrides[i] = strides[perm[i]];
        }
        Tensor out = Tensor.wrap(Kernels.stridedCopy(x.storage.array, 0, srcStrides, outShape), outShape);
        return Tensor.recording(x) ? out.recordedBy(new Permute(x, perm)) : out;
    }

    /** The gradient is permuted by the inverse permutation. */
    static final class Permute extends Node {
        @Override
        public String formula() {
            return "g permuted back by the inverse order";
        }

        private final int[] inverse;

        Permute(Tensor x, int[] perm) {
            super("permute", x);
            inverse = new int[perm.length];
            for (int i = 0; i < perm.length; i++) {
                inverse[perm[i]] = i;
            }
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.permute(inverse));
        }
    }

    /** Broadcasts {@code x} to {@code target}, materialising the repeats. */
    static Tensor expand(Tensor x, int[] target) {
        int[] shape = x.shapeRef();
        int[] t = Shapes.checked("expand", target);
        boolean fits = t.length >= shape.length;
        for (int i = 0; fits && i < shape.length; i++) {
            int dim = shape[shape.length - 1 - i];
            fits = dim == 1 || dim == t[t.length - 1 - i];
        }
        if (!fits) {
            throw new IllegalArgumentException("expand: shape " + Shapes.format(shape) + " cannot be broadcast to "
                    + Shapes.format(t) + ": aligned from the right, each size must equal the target's or be 1");
        }
        if (Arrays.equals(shape, t)) {
            return x;
        }
        Tensor out = Tensor.wrap(Kernels.stridedCopy(x.storage.array, 0, Shapes.broadcastStrides(shape, t), t), t);
        // The engine sums the gradient back to the input's shape: that is expand's whole backward.
        return Tensor.recording(x) ? out.recordedBy(new Expand(x)) : out;
    }

    /** d expand(x)/dx: the gradient summed over the repeated axes, done by the engine's sumTo. */
    static final class Expand extends Node {
        @Override
        public String formula() {
            return "g summed over the expanded axes";
        }

        Expand(Tensor x) {
            super("expand", x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g);
        }
    }

    /** {@code x} converted to {@code dtype}. */
    static Tensor to(Tensor x, DType dtype) {
        if (x.dtype() == dtype) {
            return x;
        }
        Tensor out = Tensor.wrap(Kernels.convertLike(x.storage.array, dtype.like()), x.shapeRef());
        return Tensor.recording(x) ? out.recordedBy(new Convert(x)) : out;
    }

    /** The gradient converted back to the input's dtype. */
    static final class Convert extends Node {
        @Override
        public String formula() {
            return "g converted back to the input dtype";
        }

        private final DType source;

        Convert(Tensor x) {
            super("to", x);
            this.source = x.dtype();
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.to(source));
        }
    }

    /** A dense copy with storage of its own. */
    static Tensor copy(Tensor x) {
        Object array = Kernels.newArray(x.storage.array, x.numel());
        System.arraycopy(x.storage.array, 0, array, 0, x.numel());
        Tensor out = Tensor.wrap(array, x.shapeRef());
        return Tensor.recording(x) ? out.recordedBy(new Copy(x)) : out;
    }

    /** d copy(x)/dx = 1. */
    static final class Copy extends Node {
        @Override
        public String formula() {
            return "d copy(x)/dx = 1";
        }

        Copy(Tensor x) {
            super("copy", x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g);
        }
    }
}
