package dev.autograd;

import dev.autograd.internal.kernel.Kernels;
import dev.autograd.internal.kernel.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ops that pick, place or join parts of tensors. Two linear primitives carry most of them: a strided read
 * ({@link #asStrided}) and its adjoint, a strided add ({@link #scatterStrided}); slice, select, pad, concat
 * and the unfold behind conv2d and pooling are views through them, and each one's backward is the other.
 */
final class IndexingOps {

    private IndexingOps() {
    }

    // ------------------------------------------------------------ strided read and its adjoint

    /**
     * A dense copy of the view of {@code x}'s row-major storage with the given shape, strides and offset;
     * positions may repeat (overlapping windows), so the backward adds them up.
     */
    static Tensor asStrided(String name, Tensor x, int[] shape, int[] strides, int offset) {
        Tensor out = Tensor.wrap(Kernels.stridedCopy(x.storage.array, offset, strides, shape), shape);
        return Tensor.recording(x) ? out.recordedBy(new AsStrided(name, x, strides, offset)) : out;
    }

    /** Backward of a strided read: the gradient added back at the positions read (col2im for unfold). */
    static final class AsStrided extends Node {
        @Override
        public String formula() {
            return "g added back at the positions " + name() + " read";
        }

        private final int[] strides;
        private final int offset;

        AsStrided(String name, Tensor x, int[] strides, int offset) {
            super(name, x);
            this.strides = strides;
            this.offset = offset;
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(scatterStrided(name(), g, inputShapes[0], strides, offset));
        }
    }

    /** Zeros of {@code target} with {@code g} added into the strided view; the adjoint of asStrided. */
    static Tensor scatterStrided(String name, Tensor g, int[] target, int[] strides, int offset) {
        Object out = Kernels.newArray(g.storage.array, Shape.size(target));
        Kernels.stridedWrite(g.storage.array, out, offset, strides, g.shapeRef(), true);
        Tensor result = Tensor.wrap(out, target);
        return Tensor.recording(g) ? result.recordedBy(new ScatterStrided(name, g, strides, offset)) : result;
    }

    /** Backward of a strided add: the strided read of the gradient. */
    static final class ScatterStrided extends Node {
        @Override
        public String formula() {
            return "g read back at the positions written";
        }

        private final int[] strides;
        private final int offset;

        ScatterStrided(String name, Tensor g, int[] strides, int offset) {
            super(name + "Backward", g);
            this.strides = strides;
            this.offset = offset;
        }

        @Override
        Tensor[] backward(Tensor gg) {
            return grads(asStrided(name(), gg, inputShapes[0], strides, offset));
        }
    }

    // ------------------------------------------------------------ views

    /** Elements {@code start, start + step, ...} below {@code end} along {@code axis}. */
    static Tensor slice(Tensor x, int axis, int start, int end, int step) {
        int[] shape = x.shapeRef();
        int a = Shapes.axis("slice", axis, shape);
        int n = shape[a];
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        int s = start < 0 ? start + n : start;
        int e = end < 0 ? end + n : end;
        if (s < 0 || s > n || e < s || e > n) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") does not fit axis " + axis
                    + " of shape " + Shapes.format(shape) + " (size " + n + "); need 0 <= start <= end <= " + n
                    + " (negative values count from the end)");
        }
        int[] dense = Shape.strides(shape);
        int[] outShape = shape.clone();
        outShape[a] = (int) (((long) e - s + step - 1) / step);
        int[] strides = dense.clone();
        strides[a] *= step;
        return asStrided("slice", x, outShape, strides, s * dense[a]);
    }

    /** The slice at {@code index} along {@code axis}, with that axis removed. */
    static Tensor select(Tensor x, int axis, int index) {
        int[] shape = x.shapeRef();
        int a = Shapes.axis("select", axis, shape);
        int i = index < 0 ? index + shape[a] : index;
        if (i < 0 || i >= shape[a]) {
            throw new IllegalArgumentException("select: index " + index + " is out of range for axis " + axis
                    + " of shape " + Shapes.format(shape) + " (size " + shape[a] + ")");
        }
        int[] dense = Shape.strides(shape);
        int[] outShape = new int[shape.length - 1];
        int[] strides = new int[shape.length - 1];
        for (int d = 0, o = 0; d < shape.length; d++) {
            if (d != a) {
                outShape[o] = shape[d];
                strides[o++] = dense[d];
            }
        }
        return asStrided("select", x, outShape, strides, i * dense[a]);
    }

    /**
     * Constant padding; {@code pads} holds (before, after) pairs starting from the LAST axis, as PyTorch's
     * {@code F.pad}: {@code {1, 2}} pads the last axis by 1 before and 2 after.
     */
    static Tensor pad(Tensor x, int[] pads, double value) {
        Shapes.nonNull("pad", pads, "the array of pads");
        int[] shape = x.shapeRef();
        if (pads.length % 2 != 0 || pads.length / 2 > shape.length) {
            throw new IllegalArgumentException("pad: pads " + Arrays.toString(pads) + " must hold (before, after) pairs"
                    + " for at most the " + shape.length + " axes of shape " + Shapes.format(shape));
        }
        int[] outShape = shape.clone();
        int[] before = new int[shape.length];
        for (int p = 0; p < pads.length / 2; p++) {
            int axis = shape.length - 1 - p;
            if (pads[2 * p] < 0 || pads[2 * p + 1] < 0) {
                throw new IllegalArgumentException("pad: negative padding in " + Arrays.toString(pads)
                        + "; use slice to crop");
            }
            long padded = (long) outShape[axis] + pads[2 * p] + pads[2 * p + 1];
            if (padded > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("pad: padding " + Arrays.toString(pads) + " makes axis " + axis
                        + " of shape " + Shapes.format(shape) + " " + padded + " long, more than an array can hold");
            }
            before[axis] = pads[2 * p];
            outShape[axis] = (int) padded;
        }
        int size = Shapes.size("pad", outShape);
        int[] outStrides = Shape.strides(outShape);
        int offset = 0;
        for (int d = 0; d < shape.length; d++) {
            offset += before[d] * outStrides[d];
        }
        Object out = Kernels.filledLike(x.storage.array, size, value);
        Kernels.stridedWrite(x.storage.array, out, offset, outStrides, shape, false);
        Tensor result = Tensor.wrap(out, outShape);
        return Tensor.recording(x) ? result.recordedBy(new Pad(x, outStrides, offset)) : result;
    }

    /** d pad(x)/dx: the gradient of the interior, a strided read of g. */
    static final class Pad extends Node {
        @Override
        public String formula() {
            return "d pad(x)/dx: the interior of g";
        }

        private final int[] outStrides;
        private final int offset;

        Pad(Tensor x, int[] outStrides, int offset) {
            super("pad", x);
            this.outStrides = outStrides;
            this.offset = offset;
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(asStrided("slice", g, inputShapes[0], outStrides, offset));
        }
    }

    /** The tensors joined along {@code axis}; all other extents must agree. */
    static Tensor concat(List<Tensor> tensors, int axis) {
        checkTensors("concat", tensors);
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("concat: needs at least one tensor");
        }
        Tensor first = tensors.get(0);
        int[] shape = first.shapeRef();
        if (shape.length == 0) {
            throw new IllegalArgumentException("concat: 0-d tensors have no axis to join along; use stack");
        }
        int a = Shapes.axis("concat", axis, shape);
        int[] outShape = shape.clone();
        long joined = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            int[] s = t.shapeRef();
            boolean fits = s.length == shape.length && t.dtype() == first.dtype();
            for (int d = 0; fits && d < s.length; d++) {
                fits = d == a || s[d] == shape[d];
            }
            if (!fits && t.dtype() != first.dtype()) {
                List<Tensor> promoted = Autocast.promote(tensors);
                if (promoted != null) {
                    return concat(promoted, axis);
                }
            }
            if (!fits) {
                throw new IllegalArgumentException("concat: tensor " + i + " has shape " + Shapes.format(s) + " and dtype "
                        + t.dtype() + ", but tensor 0 has " + Shapes.format(shape) + " and " + first.dtype()
                        + "; all extents except axis " + axis + " and the dtypes must match");
            }
            joined += s[a];
        }
        outShape[a] = Shapes.extent("concat", joined, "axis " + axis + " of the result");
        int size = Shapes.size("concat", outShape);
        int[] outStrides = Shape.strides(outShape);
        Object out = Kernels.newArray(first.storage.array, size);
        int[] offsets = new int[tensors.size()];
        int position = 0;
        boolean record = false;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            offsets[i] = position * outStrides[a];
            Kernels.stridedWrite(t.storage.array, out, offsets[i], outStrides, t.shapeRef(), false);
            position += t.shapeRef()[a];
            record |= t.requiresGrad;
        }
        Tensor result = Tensor.wrap(out, outShape);
        record &= GradMode.isEnabled();
        return record ? result.recordedBy(new Concat(tensors.toArray(new Tensor[0]), outStrides, offsets)) : result;
    }

    /** d concat/d x_i: the part of the gradient where x_i was placed. */
    static final class Concat extends Node {
        @Override
        public String formula() {
            return "each input receives its own slice of g";
        }

        private final int[] outStrides;
        private final int[] offsets;

        Concat(Tensor[] inputs, int[] outStrides, int[] offsets) {
            super("concat", inputs);
            this.outStrides = outStrides;
            this.offsets = offsets;
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor[] grads = new Tensor[next.length];
            for (int i = 0; i < next.length; i++) {
                if (needsGrad(i)) {
                    grads[i] = asStrided("slice", g, inputShapes[i], outStrides, offsets[i]);
                }
            }
            return grads;
        }
    }

    /** Pieces of {@code sizes[i]} elements along {@code axis}, in order. */
    static List<Tensor> split(String op, Tensor x, int[] sizes, int axis) {
        Shapes.nonNull(op, sizes, "the array of sizes");
        int a = Shapes.axis(op, axis, x.shapeRef());
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 0) {
                throw new IllegalArgumentException(op + ": sizes[" + i + "] is " + sizes[i] + ", negative, in "
                        + abbreviated(sizes));
            }
            total += sizes[i];
        }
        if (total != x.shapeRef()[a]) {
            throw new IllegalArgumentException(op + ": sizes " + abbreviated(sizes) + " add up to " + total
                    + " but axis " + axis + " of shape " + Shapes.format(x.shapeRef()) + " has " + x.shapeRef()[a]);
        }
        Shapes.checkPieces(op, sizes.length, x.shapeRef(), axis);
        List<Tensor> pieces = new ArrayList<>(sizes.length);
        int start = 0;
        for (int size : sizes) {
            pieces.add(slice(x, a, start, start + size, 1));
            start += size;
        }
        return pieces;
    }

    /** The array as a message shows it: in full when short, else its start and its length. */
    private static String abbreviated(int[] values) {
        if (values.length <= 16) {
            return Arrays.toString(values);
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 8; i++) {
            sb.append(values[i]).append(", ");
        }
        return sb.append("... (").append(values.length).append(" values)]").toString();
    }

    // ------------------------------------------------------------ index-driven ops

    /** The slices at {@code indices} along {@code axis}, in that order (repeats allowed). */
    static Tensor indexSelect(Tensor x, int axis, int[] indices) {
        int[] shape = x.shapeRef();
        int a = Shapes.axis("indexSelect", axis, shape);
        checkIndices("indexSelect", indices, shape[a], a, shape);
        int[] outShape = shape.clone();
        outShape[a] = indices.length;
        int[] split = outerExtentInner(shape, a);
        Tensor out = Tensor.wrap(Kernels.take(x.storage.array, split[0], split[1], split[2], indices), outShape);
        return Tensor.recording(x) ? out.recordedBy(new IndexSelect(x, a, indices.clone())) : out;
    }

    /** d indexSelect(x)/dx: each selected slice's gradient added back at its index (repeats sum). */
    static final class IndexSelect extends Node {
        @Override
        public String formula() {
            return "g added back at the selected indices";
        }

        private final int axis;
        private final int[] indices;

        IndexSelect(Tensor x, int axis, int[] indices) {
            super("indexSelect", x);
            this.axis = axis;
            this.indices = indices;
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(indexAdd(g, axis, indices, inputShapes[0]));
        }
    }

    /** Zeros of {@code shape} with the slices of {@code g} added at {@code indices} along {@code axis}. */
    static Tensor indexAdd(Tensor g, int axis, int[] indices, int[] shape) {
        int[] split = outerExtentInner(shape, axis);
        Tensor out = Tensor.wrap(Kernels.indexAdd(g.storage.array, split[0], split[1], split[2], indices), shape);
        return Tensor.recording(g) ? out.recordedBy(new IndexAdd(g, axis, indices)) : out;
    }

    /** d indexAdd(g)/dg: the slices read back at the indices. */
    static final class IndexAdd extends Node {
        @Override
        public String formula() {
            return "g read back at the indices";
        }

        private final int axis;
        private final int[] indices;

        IndexAdd(Tensor g, int axis, int[] indices) {
            super("indexAdd", g);
            this.axis = axis;
            this.indices = indices;
        }

        @Override
        Tensor[] backward(Tensor gg) {
            return grads(indexSelect(gg, axis, indices));
        }
    }

    /** NumPy's take_along_axis: {@code out[..i..] = x[..index[..i..] on axis..]}; shape of {@code index}. */
    static Tensor gather(Tensor x, int axis, Tensor index) {
        int[] shape = x.shapeRef();
        int a = Shapes.axis("gather", axis, shape);
        Shapes.nonNull("gather", index, "the tensor of indices");
        int[] indexShape = index.shapeRef();
        checkIndexShape("gather", indexShape, shape, a);
        int[] positions = integerIndices("gather", index, shape[a], a, shape);
        Tensor out = Tensor.wrap(Kernels.gather(x.storage.array, shape, a, positions, indexShape), indexShape);
        return Tensor.recording(x) ? out.recordedBy(new Gather(x, a, index.detach(), positions)) : out;
    }

    /** d gather(x)/dx: each gathered gradient added back where it was read (repeats sum). */
    static final class Gather extends Node {
        @Override
        public String formula() {
            return "g added back at the gathered positions";
        }

        private final int axis;
        private final Tensor index;
        private final int[] positions;

        Gather(Tensor x, int axis, Tensor index, int[] positions) {
            super("gather", x);
            this.axis = axis;
            this.index = index;
            this.positions = positions;
        }

        @Override
        Tensor[] backward(Tensor g) {
            return grads(scatterAdd(Tensor.zeros(g.dtype(), inputShapes[0]), axis, index, g, positions));
        }
    }

    /** {@code x} with {@code src} added at {@code index} along {@code axis}; index and src of one shape. */
    static Tensor scatterAdd(Tensor x, int axis, Tensor index, Tensor src) {
        int[] shape = x.shapeRef();
        int a = Shapes.axis("scatterAdd", axis, shape);
        Shapes.nonNull("scatterAdd", index, "the tensor of indices");
        Shapes.nonNull("scatterAdd", src, "the source");
        if (!Arrays.equals(index.shapeRef(), src.shapeRef())) {
            throw new IllegalArgumentException("scatterAdd: index shape " + Shapes.format(index.shapeRef())
                    + " and src shape " + Shapes.format(src.shapeRef()) + " must be equal");
        }
        if (x.dtype() != src.dtype()) {
            throw new IllegalArgumentException("scatterAdd: dtypes differ: " + x.dtype() + " and " + src.dtype());
        }
        checkIndexShape("scatterAdd", index.shapeRef(), shape, a);
        return scatterAdd(x, a, index, src, integerIndices("scatterAdd", index, shape[a], a, shape));
    }

    private static Tensor scatterAdd(Tensor x, int axis, Tensor index, Tensor src, int[] positions) {
        int[] shape = x.shapeRef();
        Tensor scattered = Tensor.wrap(Kernels.scatterAdd(src.storage.array, shape, axis, positions, src.shapeRef()), shape);
        Tensor out = ElementwiseOps.compute(dev.autograd.internal.kernel.BinaryOp.ADD, "scatterAdd", x, scattered);
        return Tensor.recording(x, src) ? out.recordedBy(new ScatterAdd(x, src, axis, index, positions)) : out;
    }

    /** d scatterAdd/dx = g; d scatterAdd/dsrc = g gathered at the indices. */
    static final class ScatterAdd extends Node {
        @Override
        public String formula() {
            return "d/dx = g, d/dsrc = g gathered at the indices";
        }

        private final int axis;
        private final Tensor index;
        private final int[] positions;

        ScatterAdd(Tensor x, Tensor src, int axis, Tensor index, int[] positions) {
            super("scatterAdd", x, src);
            this.axis = axis;
            this.index = index;
            this.positions = positions;
        }

        @Override
        Tensor[] backward(Tensor g) {
            Tensor gSrc = null;
            if (needsGrad(1)) {
                Tensor gathered = Tensor.wrap(Kernels.gather(g.storage.array, g.shapeRef(), axis, positions,
                        index.shapeRef()), index.shapeRef());
                gSrc = Tensor.recording(g) ? gathered.recordedBy(new Gather(g, axis, index, positions)) : gathered;
            }
            return grads(g, gSrc);
        }
    }

    private static void checkIndexShape(String op, int[] indexShape, int[] shape, int axis) {
        boolean fits = indexShape.length == shape.length;
        for (int d = 0; fits && d < shape.length; d++) {
            fits = d == axis || indexShape[d] <= shape[d];
        }
        if (!fits) {
            throw new IllegalArgumentException(op + ": index shape " + Shapes.format(indexShape) + " does not fit"
                    + " tensor shape " + Shapes.format(shape) + ": it needs the same rank and, on every axis but "
                    + axis + ", a size no larger");
        }
    }

    private static int[] integerIndices(String op, Tensor index, int extent, int axis, int[] shape) {
        double[] values = index.toDoubleArray();
        int[] positions = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || v < 0 || v >= extent) {
                throw new IllegalArgumentException(op + ": index " + v + " at flat position " + i + " is not an integer"
                        + " in [0, " + extent + ") for axis " + axis + " of shape " + Shapes.format(shape));
            }
            positions[i] = (int) v;
        }
        return positions;
    }

    /** The list and each of its tensors are not null. */
    static void checkTensors(String op, List<Tensor> tensors) {
        Shapes.nonNull(op, tensors, "the list of tensors");
        for (int i = 0; i < tensors.size(); i++) {
            Shapes.nonNull(op, tensors.get(i), "tensor " + i);
        }
    }

    private static void checkIndices(String op, int[] indices, int extent, int axis, int[] shape) {
        Shapes.nonNull(op, indices, "the array of indices");
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= extent) {
                throw new IllegalArgumentException(op + ": index " + indices[i] + " at position " + i
                        + " is out of range [0, " + extent + ") for axis " + axis + " of shape " + Shapes.format(shape));
            }
        }
    }

    /** {@code {outer, extent, inner}}: the shape seen as three axes around {@code axis}. */
    static int[] outerExtentInner(int[] shape, int axis) {
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < axis; d++) {
            outer *= shape[d];
        }
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        return new int[] {outer, shape[axis], inner};
    }
}
