package dev.autograd;

import dev.autograd.internal.kernel.Kernels;
import dev.autograd.internal.kernel.Shape;

/** Reductions over axes, and {@link #sumTo}, the engine's un-broadcasting step. */
final class ReduceOps {

    private ReduceOps() {
    }

    /** The sum over {@code axes}; the reduced axes are kept with extent 1 when {@code keepDim}. */
    static Tensor sum(Tensor x, int[] axes, boolean keepDim) {
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
        Object out = Kernels.sum(x.storage.array, shape, outStrides, Shape.size(keptShape));
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
        private final int[] keptShape;

        Sum(Tensor x, int[] keptShape) {
            super("sum", x);
            this.keptShape = keptShape;
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(g.reshape(keptShape).expand(inputShapes[0]));
        }
    }

    /**
     * The mean over {@code axes}: composed as {@code sum / n}, so its backward ({@code g / n} repeated) comes
     * from those two ops.
     */
    static Tensor mean(Tensor x, int[] axes, boolean keepDim) {
        boolean[] reduced = Shapes.axesMask("mean", axes, x.shapeRef());
        long count = 1;
        for (int d = 0; d < reduced.length; d++) {
            count *= reduced[d] ? x.shapeRef()[d] : 1;
        }
        return sum(x, axes, keepDim).div(count);
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
}
