package dev.autograd;

import dev.autograd.internal.kernel.Kernels;
import dev.autograd.internal.kernel.ReduceOp;
import dev.autograd.internal.kernel.Shape;

/** Reductions over axes, and {@link #sumTo}, the engine's un-broadcasting step. */
final class ReduceOps {

    private ReduceOps() {
    }

    /** The sum over {@code axes}; the reduced axes are kept with extent 1 when {@code keepDim}. */
    static Tensor sum(Tensor x, int[] axes, boolean keepDim) {
        x = Autocast.toFloat32(x);
        int[] shape = x.shapeRef();
        boolean[] reduced = Shapes.axesMask("sum", axes, shape);
        int[] keptShape = new int[shape.length];
        int outRank = 0;
        for (int d = 0; d < shape.length; d++) {
            keptShape[d] = reduced[d] ? 1 : shape[d];
            outRank += reduced[d] ? 0 : 1;
        }
        int[] keptStrides = Shape.strides(keptShape);
        int[] outStrides = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            outStrides[d] = reduced[d] ? 0 : keptStrides[d];
        }
        Object out = Kernels.reduce(ReduceOp.SUM, x.storage.array, shape, outStrides, Shape.size(keptShape));
        int[] outShape = keptShape;
        if (!keepDim) {
            outShape = new int[outRank];
            for (int d = 0, o = 0; d < shape.length; d++) {
                if (!reduced[d]) {
                    outShape[o++] = shape[d];
                }
            }
        }
        Tensor result = Tensor.wrap(out, outShape);
        return Tensor.recording(x) ? result.recordedBy(new Sum(x, keptShape)) : result;
    }

    /** d sum(x)/dx_i = 1: the output gradient is repeated over the reduced axes. */
    static final class Sum extends Node {
        @Override
        public String formula() {
            return "d sum(x)/dx_i = 1 (g repeated over the reduced axes)";
        }

        private final int[] keptShape;

        Sum(Tensor x, int[] keptShape) {
            super("sum", x);
            this.keptShape = keptShape;
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.reshape(keptShape).expand(inputShapes[0]));
        }

        /** No work at all: g with the reduced axes put back as extent 1, left for consumers to broadcast. */
        @Override
        Tensor[] fusedBackward(Tensor g) {
            return grads(new Tensor(g.storage, keptShape));
        }
    }

    /**
     * The mean over {@code axes}: composed as {@code sum / n}, so its backward ({@code g / n} repeated) comes
     * from those two ops.
     */
    static Tensor mean(Tensor x, int[] axes, boolean keepDim) {
        x = Autocast.toFloat32(x);
        boolean[] reduced = Shapes.axesMask("mean", axes, x.shapeRef());
        return sum(x, axes, keepDim).div(reducedCount(x.shapeRef(), reduced));
    }

    /**
     * How many elements each output of a reduction sums: the product of the reduced extents, exact (0 when
     * one is 0, saturated rather than wrapped on an empty tensor such as [0, 2^31 - 1, 2^31 - 1]).
     */
    private static long reducedCount(int[] shape, boolean[] reduced) {
        int[] extents = new int[shape.length];
        int k = 0;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d]) {
                extents[k++] = shape[d];
            }
        }
        return Shape.count(java.util.Arrays.copyOf(extents, k));
    }

    /**
     * Sums a gradient of a broadcast shape back to {@code shape}: over the leading axes that broadcasting
     * added and over the axes where {@code shape} has extent 1. Differentiable, so it also serves
     * higher-order gradients.
     */
    static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shapeRef();
        int leading = gs.length - shape.length;
        if (leading < 0) {
            throw new IllegalStateException("internal: gradient of shape " + Shapes.format(gs)
                    + " cannot be summed to shape " + Shapes.format(shape));
        }
        int[] axes = new int[gs.length];
        int n = 0;
        for (int d = 0; d < gs.length; d++) {
            if (d < leading || (shape[d - leading] == 1 && gs[d] != 1)) {
                axes[n++] = d;
            }
        }
        Tensor summed = n == 0 ? g : sum(g, java.util.Arrays.copyOf(axes, n), true);
        return summed.reshape(shape);
    }
    /** The largest ({@code op = MAX}) or smallest element over {@code axes}. */
    static Tensor extreme(ReduceOp op, Tensor x, int[] axes, boolean keepDim) {
        String name = op == ReduceOp.MAX ? "max" : "min";
        int[] shape = x.shapeRef();
        boolean[] reduced = Shapes.axesMask(name, axes, shape);
        int[] keptShape = keptShape(shape, reduced);
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d] && shape[d] == 0) {
                throw new IllegalArgumentException(name + ": cannot reduce axis " + d + " of shape "
                        + Shapes.format(shape) + " because it is empty; the " + name + " of nothing is undefined");
            }
        }
        int[] keptStrides = Shape.strides(keptShape);
        int[] outStrides = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            outStrides[d] = reduced[d] ? 0 : keptStrides[d];
        }
        Tensor kept = Tensor.wrap(Kernels.reduce(op, x.storage.array, shape, outStrides, Shape.size(keptShape)),
                keptShape);
        // One storage (and version counter) for both views, so an in-place write to the result is detected.
        Tensor result = keepDim ? kept : new Tensor(kept.storage, droppedShape(shape, reduced));
        return Tensor.recording(x) ? result.recordedBy(new Extreme(name, x, kept, reduced)) : result;
    }

    /**
     * d max(x)/dx_i = 1 / k where x_i is one of the k elements equal to the maximum, else 0: on ties the
     * gradient is shared evenly (as PyTorch's amax does), so the sum of the gradient is always g.
     */
    static final class Extreme extends Node {
        @Override
        public String formula() {
            return "d " + name() + "(x)/dx_i = 1/k for the k elements equal to the " + name() + ", else 0";
        }

        private final int[] reducedAxes;

        Extreme(String name, Tensor x, Tensor kept, boolean[] reduced) {
            super(name, x);
            this.reducedAxes = axesOf(reduced);
            // kept shares storage with the op's output: saving it lets an in-place change be detected.
            save(x, kept);
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor kept = saved(1);
            Tensor selected = saved(0).eq(kept);
            Tensor share = selected.div(selected.sum(reducedAxes, true));
            return grads(g.reshape(kept.shapeRef()).mul(share));
        }
    }

    /**
     * {@code log(sum(exp(x)))} over {@code axes}, computed as {@code m + log(sum(exp(x - m)))} with m the
     * (constant) maximum so that nothing overflows; its gradient is the softmax of x.
     */
    static Tensor logSumExp(Tensor x, int[] axes, boolean keepDim) {
        x = Autocast.toFloat32(x);
        boolean[] reduced = Shapes.axesMask("logSumExp", axes, x.shapeRef());
        Tensor m;
        try (var scope = Autograd.noGrad()) {
            // Over an empty axis there is no maximum to shift by; the sum of nothing is 0, and log 0 = -inf.
            m = hasEmptyAxis(x.shapeRef(), reduced) ? Tensor.zeros(x.dtype(), keptShape(x.shapeRef(), reduced))
                    : x.max(axes, true);
            // An all -infinity slice has max -infinity; shifting by 0 instead keeps x - m free of NaN.
            m = Tensor.where(m.abs().lt(Double.POSITIVE_INFINITY), m, Tensor.zerosLike(m));
        }
        Tensor out = x.sub(m).exp().sum(axes, true).log().add(m);
        return keepDim ? out : out.reshape(droppedShape(x.shapeRef(), reduced));
    }

    /**
     * The variance over {@code axes}: {@code sum((x - mean)^2) / (n - correction)}; correction 1 gives the
     * unbiased estimate, 0 the population variance. Composed from primitives.
     */
    static Tensor var(Tensor x, int[] axes, boolean keepDim, int correction) {
        return var("var", x, axes, keepDim, correction);
    }

    /** The variance, with errors reported under {@code op} (var or std). */
    static Tensor var(String op, Tensor x, int[] axes, boolean keepDim, int correction) {
        x = Autocast.toFloat32(x);
        boolean[] reduced = Shapes.axesMask(op, axes, x.shapeRef());
        long n = reducedCount(x.shapeRef(), reduced);
        if (correction < 0 || correction >= n) {
            throw new IllegalArgumentException(op + ": correction " + correction + " must be >= 0 and below the "
                    + n + " elements reduced over (shape " + Shapes.format(x.shapeRef()) + ", axes "
                    + java.util.Arrays.toString(axes) + ")");
        }
        Tensor centered = x.sub(x.mean(axes, true));
        return centered.mul(centered).sum(axes, keepDim).div(n - correction);
    }

    /** The index of the largest ({@code max}) or smallest element over {@code axes}, flattened over them. */
    static Tensor argExtreme(Tensor x, int[] axes, boolean keepDim, boolean max) {
        String name = max ? "argmax" : "argmin";
        int[] shape = x.shapeRef();
        boolean[] reduced = Shapes.axesMask(name, axes, shape);
        int rank = shape.length;
        int[] order = new int[rank];
        int o = 0;
        int outer = 1;
        int extent = 1;
        for (int d = 0; d < rank; d++) {
            if (!reduced[d]) {
                order[o++] = d;
                outer *= shape[d];
            }
        }
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                order[o++] = d;
                extent *= shape[d];
            }
        }
        if (extent == 0) {
            throw new IllegalArgumentException(name + ": cannot reduce over an empty axis of shape " + Shapes.format(shape));
        }
        Tensor moved;
        try (var scope = Autograd.noGrad()) {
            moved = x.permute(order);
        }
        int[] positions = Kernels.argReduce(moved.storage.array, outer, extent, 1, max);
        double[] values = new double[positions.length];
        for (int i = 0; i < positions.length; i++) {
            values[i] = positions[i];
        }
        int[] outShape = keepDim ? keptShape(shape, reduced) : droppedShape(shape, reduced);
        // Indices of a half tensor come back as FLOAT32: binary16 counts exactly only up to 2048.
        return Tensor.wrap(Kernels.convertLike(values, x.dtype().isHalf() ? DType.FLOAT32.like() : x.storage.array),
                outShape);
    }

    static boolean hasEmptyAxis(int[] shape, boolean[] reduced) {
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d] && shape[d] == 0) {
                return true;
            }
        }
        return false;
    }

    static int[] keptShape(int[] shape, boolean[] reduced) {
        int[] kept = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            kept[d] = reduced[d] ? 1 : shape[d];
        }
        return kept;
    }

    static int[] droppedShape(int[] shape, boolean[] reduced) {
        int n = 0;
        for (boolean r : reduced) {
            n += r ? 0 : 1;
        }
        int[] out = new int[n];
        for (int d = 0, o = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                out[o++] = shape[d];
            }
        }
        return out;
    }

    static int[] axesOf(boolean[] mask) {
        int n = 0;
        for (boolean m : mask) {
            n += m ? 1 : 0;
        }
        int[] axes = new int[n];
        for (int d = 0, o = 0; d < mask.length; d++) {
            if (mask[d]) {
                axes[o++] = d;
            }
        }
        return axes;
    }
}
