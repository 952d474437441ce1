package dev.autograd;

import dev.autograd.internal.kernel.BinaryOp;
import dev.autograd.internal.kernel.Kernels;
import dev.autograd.internal.kernel.Shape;

/**
 * Writes into a tensor's storage. They are not recorded: an in-place op on a tensor that is part of a
 * graph would change values that backward may still need. Instead they are refused where that could
 * happen, and every write bumps the storage's version counter, which backward checks on saved tensors.
 */
final class InPlaceOps {

    private InPlaceOps() {
    }

    /** {@code target = op(target, other)}, or {@code target = other} when {@code op} is null. */
    static Tensor apply(String name, Tensor target, BinaryOp op, Tensor other) {
        check(name, target, other);
        int[] shape = target.shapeRef();
        if (op == null) {
            Tensor values;
            try (var scope = Autograd.noGrad()) {
                values = other.expand(shape);
            }
            System.arraycopy(values.storage.array, 0, target.storage.array, 0, target.numel());
        } else {
            // Element-wise and position by position, so the kernel may write into the array it reads.
            Kernels.binary(op, target.storage.array, Shape.strides(shape), other.storage.array,
                    Shapes.broadcastStrides(other.shapeRef(), shape), target.storage.array, shape);
        }
        target.storage.bumpVersion();
        return target;
    }

    /** {@code target += alpha * other}: one pass (BLAS's axpy) when the shapes match. */
    static Tensor addScaled(String name, Tensor target, double alpha, Tensor other) {
        check(name, target, other);
        if (java.util.Arrays.equals(target.shapeRef(), other.shapeRef())) {
            Kernels.axpy(alpha, other.storage.array, target.storage.array);
            target.storage.bumpVersion();
            return target;
        }
        Tensor scaled;
        try (var scope = Autograd.noGrad()) {
            scaled = other.mul(alpha);
        }
        return apply(name, target, BinaryOp.ADD, scaled);
    }

    /** Refuses writes that backward could observe, and operands of another dtype or a larger shape. */
    private static void check(String name, Tensor target, Tensor other) {
        if (target.requiresGrad && GradMode.isEnabled()) {
            String what = target.isLeaf() ? "a leaf that requires grad" : "a tensor produced by '" + target.gradFn.name()
                    + "' inside a recorded graph";
            throw new IllegalStateException(name + ": cannot modify in place " + what + " (shape "
                    + Shapes.format(target.shapeRef()) + ") while grad mode is on: backward would use the overwritten"
                    + " values. Update parameters inside try (var s = Autograd.noGrad()) { ... }, or use the"
                    + " out-of-place op.");
        }
        Shapes.nonNull(name, other, "the other operand");
        if (other.dtype() != target.dtype()) {
            throw new IllegalArgumentException(name + ": dtypes differ: " + target.dtype() + " " + Shapes.format(target.shapeRef())
                    + " and " + other.dtype() + " " + Shapes.format(other.shapeRef()) + "; convert with to(DType) first");
        }
        int[] shape = target.shapeRef();
        int[] broadcast = Shapes.broadcast(name, shape, other.shapeRef());
        if (!java.util.Arrays.equals(broadcast, shape)) {
            throw new IllegalArgumentException(name + ": shape " + Shapes.format(other.shapeRef()) + " cannot be broadcast"
                    + " to the target's shape " + Shapes.format(shape) + " (an in-place op cannot grow its target)");
        }
    }
}
