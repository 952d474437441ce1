package dev.autograd;

import dev.autograd.internal.kernel.BinaryOp;
import dev.autograd.internal.kernel.Kernels;
import dev.autograd.internal.kernel.Shape;
import dev.autograd.internal.kernel.UnaryOp;
import java.util.List;
import java.util.Random;

/**
 * An n-dimensional array of float64, float32 or 16-bit (binary16, bfloat16) numbers on a dynamic graph.
 *
 * <p>Every op on tensors that require grad is recorded as it runs; {@link #backward()} then walks the
 * recorded graph from this tensor and accumulates {@code d this / d leaf} into each leaf's
 * {@link #grad()}. A scalar is a 0-d tensor (shape {@code []}), so one engine serves micrograd-style
 * scalar graphs and tensor graphs alike.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
 * Tensor w = Tensor.randn(new Random(42), 2, 3).requiresGrad(true);
 * Tensor loss = x.matmul(w).tanh().sum();
 * loss.backward();
 * x.grad();   // d loss / d x, shape [2, 2]
 * }</pre>
 *
 * <p>Tensors are immutable from the API's point of view: ops return new tensors. Binary element-wise ops
 * broadcast like NumPy (shapes aligned from the right, extents equal or 1); their backward sums the
 * gradient back to each input's shape. Both operands must have the same dtype; a {@code double}
 * operand takes the tensor's dtype.
 *
 * <p>Storage is dense and row-major. {@link #reshape} shares it; other shape ops copy.
 */
public final class Tensor {

    final Storage storage;
    private final int[] shape;

    boolean requiresGrad;
    /** The node of the op that produced this tensor; {@code null} for a leaf. */
    Node gradFn;
    /** The gradient accumulated by backward; see {@link #grad()}. */
    Tensor grad;
    private volatile AccumulateGrad accumulator;
    private volatile String name;

    Tensor(Storage storage, int[] shape) {
        this.storage = storage;
        // Every 0-d tensor shares one empty shape, so that scalar ops compare and store shapes for free.
        this.shape = shape.length == 0 ? Shapes.SCALAR : shape;
    }

    /** A tensor over a new array; {@code shape} is trusted (callers checked it) and not copied. */
    static Tensor wrap(Object array, int[] shape) {
        return new Tensor(new Storage(array), shape);
    }

    // ---------------------------------------------------------------- creation

    /**
     * A FLOAT64 tensor holding a copy of {@code data} in row-major order.
     *
     * @param data  the values, {@code product(shape)} of them
     * @param shape the extents; none for a 0-d scalar
     * @return a new leaf
     * @throws IllegalArgumentException when the number of values does not match the shape
     */
    public static Tensor of(double[] data, int... shape) {
        return of("of", Shapes.nonNull("of", data, "the data").clone(), data.length, shape);
    }

    /**
     * A FLOAT32 tensor holding a copy of {@code data} in row-major order.
     *
     * @param data  the values, {@code product(shape)} of them
     * @param shape the extents; none for a 0-d scalar
     * @return a new leaf
     * @throws IllegalArgumentException when the number of values does not match the shape
     */
    public static Tensor of(float[] data, int... shape) {
        return of("of", Shapes.nonNull("of", data, "the data").clone(), data.length, shape);
    }

    private static Tensor of(String op, Object array, int length, int[] shape) {
        int[] s = Shapes.checked(op, shape);
        if (Shape.size(s) != length) {
            throw new IllegalArgumentException(op + ": " + length + " values do not fill shape " + Shapes.format(s)
                    + ", which holds " + Shape.size(s) + (s.length == 0 && length != 1
                            ? "; give the shape after the data, e.g. of(data, " + length + ") for a vector" : ""));
        }
        return wrap(array, s);
    }

    /**
     * A 0-d FLOAT64 tensor (shape {@code []}) holding {@code value}.
     *
     * @param value the value
     * @return a new leaf
     */
    public static Tensor scalar(double value) {
        return scalar(value, DType.FLOAT64);
    }

    /**
     * A 0-d tensor of the given dtype holding {@code value}.
     *
     * @param value the value (rounded once to nearest for FLOAT32, FLOAT16 and BFLOAT16)
     * @param dtype the element type
     * @return a new leaf
     */
    public static Tensor scalar(double value, DType dtype) {
        Shapes.nonNull("scalar", dtype, "the dtype");
        return wrap(Kernels.filledLike(dtype.like(), 1, value), Shapes.SCALAR);
    }

    /**
     * A FLOAT64 tensor of zeros.
     *
     * @param shape the extents
     * @return a new leaf
     */
    public static Tensor zeros(int... shape) {
        return filled("zeros", DType.FLOAT64, 0, shape);
    }

    /**
     * A tensor of zeros of the given dtype.
     *
     * @param dtype the element type
     * @param shape the extents
     * @return a new leaf
     */
    public static Tensor zeros(DType dtype, int... shape) {
        return filled("zeros", dtype, 0, shape);
    }

    /**
     * A FLOAT64 tensor of ones.
     *
     * @param shape the extents
     * @return a new leaf
     */
    public static Tensor ones(int... shape) {
        return filled("ones", DType.FLOAT64, 1, shape);
    }

    /**
     * A tensor of ones of the given dtype.
     *
     * @param dtype the element type
     * @param shape the extents
     * @return a new leaf
     */
    public static Tensor ones(DType dtype, int... shape) {
        return filled("ones", dtype, 1, shape);
    }

    /**
     * A FLOAT64 tensor with every element equal to {@code value}.
     *
     * @param value the value
     * @param shape the extents
     * @return a new leaf
     */
    public static Tensor full(double value, int... shape) {
        return full(DType.FLOAT64, value, shape);
    }

    /**
     * A tensor of the given dtype with every element equal to {@code value}.
     *
     * @param dtype the element type
     * @param value the value
     * @param shape the extents
     * @return a new leaf
     */
    public static Tensor full(DType dtype, double value, int... shape) {
        return filled("full", dtype, value, shape);
    }

    private static Tensor filled(String op, DType dtype, double value, int[] shape) {
        Shapes.nonNull(op, dtype, "the dtype");
        int[] s = Shapes.checked(op, shape);
        return wrap(Kernels.filledLike(dtype.like(), Shape.size(s), value), s);
    }

    /**
     * The FLOAT64 vector {@code [0, 1, ..., n - 1]}.
     *
     * @param n the number of elements, at least 0
     * @return a new 1-d leaf
     */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /**
     * The FLOAT64 vector {@code [start, start + step, ...]} of the values below {@code end} (above it for a
     * negative step), like {@code numpy.arange}.
     *
     * @param start the first value
     * @param end   the bound, excluded
     * @param step  the difference between neighbours, not 0
     * @return a new 1-d leaf
     */
    public static Tensor arange(double start, double end, double step) {
        if (step == 0 || Double.isNaN(step) || Double.isNaN(start) || Double.isNaN(end)) {
            throw new IllegalArgumentException("arange: step must be a non-zero number, got start " + start
                    + ", end " + end + ", step " + step);
        }
        if (Double.isInfinite(start) || Double.isInfinite(end) || Double.isInfinite(step)) {
            throw new IllegalArgumentException("arange: start, end and step must be finite, got start " + start
                    + ", end " + end + ", step " + step);
        }
        double count = Math.max(0, Math.ceil((end - start) / step));
        if (count > Shape.MAX_ELEMENTS) {
            throw new IllegalArgumentException("arange: from " + start + " to " + end + " by " + step + " is "
                    + (long) Math.min(count, Long.MAX_VALUE) + " values, more than a Java array holds ("
                    + Shape.MAX_ELEMENTS + ")");
        }
        int n = (int) count;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = start + i * step;
        }
        return wrap(values, new int[] {n});
    }

    /**
     * The FLOAT64 {@code n x n} identity matrix.
     *
     * @param n the size
     * @return a new leaf
     */
    public static Tensor eye(int n) {
        int[] s = Shapes.checked("eye", new int[] {n, n});
        double[] values = new double[n * n];
        for (int i = 0; i < n; i++) {
            values[i * n + i] = 1;
        }
        return wrap(values, s);
    }

    /**
     * FLOAT64 values drawn uniformly from {@code [0, 1)} with {@code random}, so a seeded generator gives
     * the same tensor on every run.
     *
     * @param random the source of randomness
     * @param shape  the extents
     * @return a new leaf
     */
    public static Tensor rand(Random random, int... shape) {
        return rand(random, DType.FLOAT64, shape);
    }

    /**
     * Values of the given dtype drawn uniformly from {@code [0, 1)} with {@code random}: the FLOAT64 stream of
     * {@link #rand(Random, int...)} rounded once to the dtype (a half-precision draw that would round up to 1
     * becomes the largest value below 1).
     *
     * @param random the source of randomness
     * @param dtype  the element type
     * @param shape  the extents
     * @return a new leaf
     */
    public static Tensor rand(Random random, DType dtype, int... shape) {
        Shapes.nonNull("rand", random, "the Random");
        Shapes.nonNull("rand", dtype, "the dtype");
        int[] s = Shapes.checked("rand", shape);
        return wrap(Kernels.randomLike(random, false, dtype.like(), Shape.size(s)), s);
    }

    /**
     * FLOAT64 values drawn from the standard normal distribution with {@code random}.
     *
     * @param random the source of randomness
     * @param shape  the extents
     * @return a new leaf
     */
    public static Tensor randn(Random random, int... shape) {
        return randn(random, DType.FLOAT64, shape);
    }

    /**
     * Values of the given dtype drawn from the standard normal distribution with {@code random}.
     *
     * @param random the source of randomness
     * @param dtype  the element type
     * @param shape  the extents
     * @return a new leaf
     */
    public static Tensor randn(Random random, DType dtype, int... shape) {
        Shapes.nonNull("randn", random, "the Random");
        Shapes.nonNull("randn", dtype, "the dtype");
        int[] s = Shapes.checked("randn", shape);
        return wrap(Kernels.randomLike(random, true, dtype.like(), Shape.size(s)), s);
    }

    /**
     * Zeros of the shape and dtype of {@code t}.
     *
     * @param t the template
     * @return a new leaf
     */
    public static Tensor zerosLike(Tensor t) {
        return full(Shapes.nonNull("zerosLike", t, "the template").dtype(), 0, t.shape);
    }

    /**
     * Ones of the shape and dtype of {@code t}.
     *
     * @param t the template
     * @return a new leaf
     */
    public static Tensor onesLike(Tensor t) {
        return full(Shapes.nonNull("onesLike", t, "the template").dtype(), 1, t.shape);
    }

    /**
     * A FLOAT64 matrix from rows, like {@code torch.tensor([[1, 2], [3, 4]])}: shape
     * {@code [rows.length, rows[0].length]}, values copied. Empty rows are fine ({@code new double[2][0]} is
     * shape {@code [2, 0]}); no rows at all gives shape {@code [0, 0]}.
     *
     * @param rows the rows, all of the same length
     * @return a new 2-d leaf
     * @throws IllegalArgumentException when the rows differ in length (ragged input), naming the row
     * @throws NullPointerException     when {@code rows} or one of its rows is null
     */
    public static Tensor of(double[][] rows) {
        return ofRows(Shapes.nonNull("of", rows, "the rows"), true);
    }

    /**
     * A FLOAT32 matrix from rows; see {@link #of(double[][])}.
     *
     * @param rows the rows, all of the same length
     * @return a new 2-d leaf
     * @throws IllegalArgumentException when the rows differ in length (ragged input), naming the row
     * @throws NullPointerException     when {@code rows} or one of its rows is null
     */
    public static Tensor of(float[][] rows) {
        return ofRows(Shapes.nonNull("of", rows, "the rows"), false);
    }

    /**
     * A FLOAT64 3-d tensor from blocks of rows, like {@code torch.tensor([[[1, 2]], [[3, 4]]])}: shape
     * {@code [blocks.length, blocks[0].length, blocks[0][0].length]}, values copied. Empty blocks and rows
     * are fine; missing inner extents are 0.
     *
     * @param blocks the blocks, each with the same number of rows, every row of the same length
     * @return a new 3-d leaf
     * @throws IllegalArgumentException when the input is ragged, naming the block or row and the lengths
     * @throws NullPointerException     when {@code blocks}, a block or a row is null
     */
    public static Tensor of(double[][][] blocks) {
        return ofBlocks(Shapes.nonNull("of", blocks, "the blocks"), true);
    }

    /**
     * A FLOAT32 3-d tensor from blocks of rows; see {@link #of(double[][][])}.
     *
     * @param blocks the blocks, each with the same number of rows, every row of the same length
     * @return a new 3-d leaf
     * @throws IllegalArgumentException when the input is ragged, naming the block or row and the lengths
     * @throws NullPointerException     when {@code blocks}, a block or a row is null
     */
    public static Tensor of(float[][][] blocks) {
        return ofBlocks(Shapes.nonNull("of", blocks, "the blocks"), false);
    }

    /**
     * The common length of the arrays in {@code parts} (each a {@code double[]}, {@code float[]} or array of
     * them), 0 when there are none, refusing null and ragged parts; {@code prefix} comes before the index in
     * messages ("row 1", "row [1][0]"), and {@code expected}/{@code expectedAt} carry a length seen before (or -1).
     */
    private static int commonLength(Object[] parts, String kind, String prefix, String unit, int expected,
            String expectedAt) {
        int length = expected;
        String first = expectedAt;
        for (int i = 0; i < parts.length; i++) {
            String at = prefix.isEmpty() ? String.valueOf(i) : prefix + "[" + i + "]";
            if (parts[i] == null) {
                throw new NullPointerException("of: " + kind + " " + at + " is null");
            }
            int n = java.lang.reflect.Array.getLength(parts[i]);
            if (length < 0) {
                length = n;
                first = at;
            } else if (n != length) {
                throw new IllegalArgumentException("of: ragged input: " + kind + " " + at + " has " + n + " " + unit
                        + " but " + kind + " " + first + " has " + length + "; every " + kind + " needs the same "
                        + (unit.equals("values") ? "length" : "number of " + unit));
            }
        }
        return Math.max(length, 0);
    }

    private static Tensor ofRows(Object[] rows, boolean float64) {
        int cols = commonLength(rows, "row", "", "values", -1, null);
        int[] s = Shapes.checked("of", new int[] {rows.length, cols});
        Object flat = Kernels.filled(float64, Shape.size(s), 0);
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return wrap(flat, s);
    }

    private static Tensor ofBlocks(Object[] blocks, boolean float64) {
        int rows = commonLength(blocks, "block", "", "rows", -1, null);
        int cols = -1;
        String firstRow = null;
        for (int b = 0; b < blocks.length; b++) {
            Object[] block = (Object[]) blocks[b];
            if (block.length > 0) {
                cols = commonLength(block, "row", "[" + b + "]", "values", cols, firstRow);
                firstRow = firstRow == null ? "[" + b + "][0]" : firstRow;
            }
        }
        cols = Math.max(cols, 0);
        int[] s = Shapes.checked("of", new int[] {blocks.length, rows, cols});
        Object flat = Kernels.filled(float64, Shape.size(s), 0);
        for (int b = 0; b < blocks.length; b++) {
            Object[] block = (Object[]) blocks[b];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(block[r], 0, flat, (b * rows + r) * cols, cols);
            }
        }
        return wrap(flat, s);
    }

    /**
     * The FLOAT64 vector of {@code steps} evenly spaced values from {@code start} to {@code end}, both
     * included, like {@code torch.linspace}: value {@code i} is {@code start + i * (end - start) / (steps - 1)},
     * and the last one is exactly {@code end}. One step gives {@code [start]}, zero steps an empty vector.
     * FLOAT64 like {@link #arange(double, double, double)}; {@code .to(DType.FLOAT32)} converts.
     *
     * @param start the first value
     * @param end   the last value
     * @param steps the number of values, at least 0
     * @return a new 1-d leaf
     * @throws IllegalArgumentException when {@code steps} is negative or {@code start}/{@code end} is not finite
     */
    public static Tensor linspace(double start, double end, int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("linspace: the number of steps must be at least 0, got " + steps);
        }
        if (!Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("linspace: start and end must be finite numbers, got start " + start
                    + ", end " + end);
        }
        double[] values = new double[steps];
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        for (int i = 0; i < steps; i++) {
            values[i] = start + i * step;
        }
        if (steps > 1) {
            values[steps - 1] = end;
        }
        return wrap(values, new int[] {steps});
    }

    // ---------------------------------------------------------------- accessors

    /** @return a copy of the extents, e.g. {@code {2, 3}}; empty for a 0-d tensor */
    public int[] shape() {
        return shape.clone();
    }

    /** The shape itself, for the package: never handed out, never modified. */
    int[] shapeRef() {
        return shape;
    }

    /** @return the number of axes; 0 for a scalar */
    public int dim() {
        return shape.length;
    }

    /**
     * The extent of one axis, like {@code torch.Tensor.size(dim)}; {@link #shape()} gives them all.
     *
     * @param axis the axis; negative counts from the end ({@code -1} is the last)
     * @return the extent of that axis
     * @throws IllegalArgumentException when the axis is out of range (a 0-d tensor has none)
     */
    public int size(int axis) {
        return shape[Shapes.axis("size", axis, shape)];
    }

    /** @return the number of elements */
    public int numel() {
        return Kernels.length(storage.array);
    }

    /** @return the element type */
    public DType dtype() {
        return DType.of(storage.array);
    }

    /**
     * The value of a single-element tensor, such as a loss.
     *
     * @return the value, widened to double
     * @throws IllegalStateException when the tensor has more than one element
     */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item: only a tensor with exactly one element has an item, but this one"
                    + " has shape " + Shapes.format(shape) + " (" + numel() + " elements); use get(...) or toDoubleArray()");
        }
        return Kernels.get(storage.array, 0);
    }

    /**
     * One element, by its index on every axis.
     *
     * @param index one index per axis, each in {@code [0, extent)}
     * @return the value, widened to double
     * @throws IndexOutOfBoundsException when the index does not address an element
     */
    public double get(int... index) {
        Shapes.nonNull("get", index, "the index");
        if (index.length != shape.length) {
            throw new IndexOutOfBoundsException("get: " + index.length + " indices for a tensor of shape "
                    + Shapes.format(shape) + "; give one index per axis");
        }
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("get: index " + java.util.Arrays.toString(index)
                        + " is out of bounds for shape " + Shapes.format(shape) + " at axis " + d);
            }
            flat = flat * shape[d] + index[d];
        }
        return Kernels.get(storage.array, flat);
    }

    /** @return the values in row-major order, as a new array (float32 and half values widened exactly) */
    public double[] toDoubleArray() {
        return Kernels.toDoubles(storage.array);
    }

    /**
     * @return the values in row-major order, as a new array (float64 values rounded to nearest, half values
     *         widened exactly)
     */
    public float[] toFloatArray() {
        return Kernels.toFloats(storage.array);
    }

    /**
     * The raw bit patterns of a FLOAT16 or BFLOAT16 tensor in row-major order, as a new array: what PyTorch
     * writes to a file for {@code torch.float16}/{@code torch.bfloat16} (each element's two bytes, read as a
     * 16-bit integer; {@code tensor.view(torch.int16)}). For file formats and bit-level tests.
     *
     * @return one 16-bit pattern per element
     * @throws IllegalStateException when this tensor is not of a 16-bit dtype
     */
    public short[] toBits() {
        Object array = storage.array;
        if (array instanceof short[] b) {
            return b.clone();
        }
        if (array instanceof char[] h) {
            short[] out = new short[h.length];
            for (int i = 0; i < h.length; i++) {
                out[i] = (short) h[i];
            }
            return out;
        }
        throw new IllegalStateException("toBits: only FLOAT16 and BFLOAT16 tensors have 16-bit patterns, this one is "
                + dtype() + "; convert with to(DType.FLOAT16) or to(DType.BFLOAT16) first");
    }

    /**
     * A FLOAT16 or BFLOAT16 tensor from raw bit patterns in row-major order (the inverse of {@link #toBits()};
     * every pattern is kept as it is, NaN payloads included).
     *
     * @param dtype {@link DType#FLOAT16} or {@link DType#BFLOAT16}
     * @param bits  one 16-bit pattern per element, {@code product(shape)} of them
     * @param shape the extents; none for a 0-d scalar
     * @return a new leaf
     * @throws IllegalArgumentException when the dtype is not a 16-bit one or the patterns do not fill the shape
     */
    public static Tensor fromBits(DType dtype, short[] bits, int... shape) {
        Shapes.nonNull("fromBits", dtype, "the dtype");
        Shapes.nonNull("fromBits", bits, "the bits");
        if (!dtype.isHalf()) {
            throw new IllegalArgumentException("fromBits: the dtype must be FLOAT16 or BFLOAT16, got " + dtype
                    + "; use of(double[]) or of(float[]) for wider values");
        }
        Object array;
        if (dtype == DType.BFLOAT16) {
            array = bits.clone();
        } else {
            char[] h = new char[bits.length];
            for (int i = 0; i < h.length; i++) {
                h[i] = (char) bits[i];
            }
            array = h;
        }
        return of("fromBits", array, bits.length, shape);
    }

    /**
     * This tensor converted to {@code dtype}; differentiable (the gradient is converted back). Returns
     * {@code this} when the dtype already matches. Widening is exact; narrowing rounds each value once to the
     * nearest representable one, ties to even (FLOAT64 to FLOAT16 or BFLOAT16 directly, not through FLOAT32),
     * with overflow to infinity and gradual underflow; NaN stays NaN.
     *
     * @param dtype the target element type
     * @return the converted tensor
     */
    public Tensor to(DType dtype) {
        return MovementOps.to(this, Shapes.nonNull("to", dtype, "the dtype"));
    }

    /** A dense copy that shares nothing with this tensor; recorded as an identity op. */
    Tensor copy() {
        return MovementOps.copy(this);
    }

    /**
     * A copy with storage of its own, like {@code torch.Tensor.clone()}: writing into one (e.g. with
     * {@link #copyFrom}) leaves the other unchanged. Differentiable, unlike {@link #detach()}: it is recorded as
     * the identity op {@code copy}, whose backward passes the gradient through unchanged ({@code dL/dx = g}).
     *
     * @return a new tensor of the same shape, dtype and values
     */
    @Override
    public Tensor clone() {
        return copy();
    }

    // ---------------------------------------------------------------- element-wise ops

    /**
     * {@code this + other}, broadcast. Backward: {@code dL/da = g}, {@code dL/db = g}, each summed over the
     * axes it was broadcast along.
     *
     * @param other the right operand
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast or the dtypes differ
     */
    public Tensor add(Tensor other) {
        return ElementwiseOps.add(this, other);
    }

    /**
     * {@code this + value}. Backward: {@code dL/da = g}.
     *
     * @param value the constant to add
     * @return a new tensor
     */
    public Tensor add(double value) {
        return ElementwiseOps.withConstant(dev.autograd.internal.kernel.BinaryOp.ADD, "add", this, value);
    }

    /**
     * {@code this - other}, broadcast. Backward: {@code dL/da = g}, {@code dL/db = -g}.
     *
     * @param other the right operand
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast or the dtypes differ
     */
    public Tensor sub(Tensor other) {
        return ElementwiseOps.sub(this, other);
    }

    /**
     * {@code this - value}. Backward: {@code dL/da = g}.
     *
     * @param value the constant to subtract
     * @return a new tensor
     */
    public Tensor sub(double value) {
        return ElementwiseOps.withConstant(dev.autograd.internal.kernel.BinaryOp.SUB, "sub", this, value);
    }

    /**
     * {@code this * other} element-wise, broadcast. Backward: {@code dL/da = g * b}, {@code dL/db = g * a}.
     *
     * @param other the right operand
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast or the dtypes differ
     */
    public Tensor mul(Tensor other) {
        return ElementwiseOps.mul(this, other);
    }

    /**
     * {@code this * value}. Backward: {@code dL/da = g * value}.
     *
     * @param value the factor
     * @return a new tensor
     */
    public Tensor mul(double value) {
        return ElementwiseOps.withConstant(dev.autograd.internal.kernel.BinaryOp.MUL, "mul", this, value);
    }

    /**
     * {@code this / other} element-wise, broadcast. Backward: {@code dL/da = g / b},
     * {@code dL/db = -g * a / b^2}.
     *
     * @param other the divisor
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast or the dtypes differ
     */
    public Tensor div(Tensor other) {
        return ElementwiseOps.div(this, other);
    }

    /**
     * {@code this / value}. Backward: {@code dL/da = g / value}.
     *
     * @param value the divisor
     * @return a new tensor
     */
    public Tensor div(double value) {
        return ElementwiseOps.withConstant(dev.autograd.internal.kernel.BinaryOp.DIV, "div", this, value);
    }

    /**
     * {@code -this}. Backward: {@code dL/dx = -g}.
     *
     * @return a new tensor
     */
    public Tensor neg() {
        return UnaryOps.NEG.apply(this, 0);
    }

    /**
     * {@code this ^ exponent} element-wise. Backward: {@code dL/dx = g * p * x^(p - 1)} (0 for {@code p = 0}).
     * A negative base with a non-integer exponent gives NaN, as in {@link Math#pow}.
     *
     * @param exponent the power {@code p}
     * @return a new tensor
     */
    public Tensor pow(double exponent) {
        return UnaryOps.POW.apply(this, exponent);
    }

    /**
     * {@code e^x}. Backward: {@code dL/dx = g * e^x}.
     *
     * @return a new tensor
     */
    public Tensor exp() {
        return UnaryOps.EXP.apply(this, 0);
    }

    /**
     * The natural logarithm; NaN below 0, -infinity at 0. Backward: {@code dL/dx = g / x}.
     *
     * @return a new tensor
     */
    public Tensor log() {
        return UnaryOps.LOG.apply(this, 0);
    }

    /**
     * The square root; NaN below 0. Backward: {@code dL/dx = g / (2 sqrt(x))}.
     *
     * @return a new tensor
     */
    public Tensor sqrt() {
        return UnaryOps.SQRT.apply(this, 0);
    }

    /**
     * {@code |x|}. Backward: {@code dL/dx = g * sign(x)}, which is 0 at {@code x = 0} (as in PyTorch).
     *
     * @return a new tensor
     */
    public Tensor abs() {
        return UnaryOps.ABS.apply(this, 0);
    }

    /**
     * The hyperbolic tangent. Backward: {@code dL/dx = g * (1 - tanh(x)^2)}.
     *
     * @return a new tensor
     */
    public Tensor tanh() {
        return UnaryOps.TANH.apply(this, 0);
    }

    /**
     * The logistic function {@code 1 / (1 + e^-x)}, computed without overflow for large {@code |x|}.
     * Backward: {@code dL/dx = g * s * (1 - s)} with {@code s = sigmoid(x)}.
     *
     * @return a new tensor
     */
    public Tensor sigmoid() {
        return UnaryOps.SIGMOID.apply(this, 0);
    }

    /**
     * {@code max(x, 0)}. Backward: {@code dL/dx = g} where {@code x > 0}, else 0 (0 at {@code x = 0}, as
     * in PyTorch).
     *
     * @return a new tensor
     */
    public Tensor relu() {
        return UnaryOps.RELU.apply(this, 0);
    }

    /**
     * The sign of each element (-1, 0 or 1); a constant for autograd (its derivative is 0 where it exists).
     *
     * @return a new tensor that does not require grad
     */
    public Tensor sign() {
        return ElementwiseOps.compute(UnaryOp.SIGN, this, 0);
    }

    /**
     * The mask {@code this > other} (1 where true, 0 where false), broadcast; carries no gradient.
     *
     * @param other the right operand
     * @return a mask of the broadcast shape and this tensor's dtype
     */
    public Tensor gt(Tensor other) {
        return ElementwiseOps.compare(BinaryOp.GT, "gt", this, other);
    }

    /**
     * The mask {@code this > value}; carries no gradient.
     *
     * @param value the threshold
     * @return a mask of this tensor's shape and dtype
     */
    public Tensor gt(double value) {
        return gt(constant(value));
    }

    /**
     * The mask {@code this < other}, broadcast; carries no gradient.
     *
     * @param other the right operand
     * @return a mask of the broadcast shape
     */
    public Tensor lt(Tensor other) {
        return ElementwiseOps.compare(BinaryOp.LT, "lt", this, other);
    }

    /**
     * The mask {@code this < value}; carries no gradient.
     *
     * @param value the threshold
     * @return a mask of this tensor's shape
     */
    public Tensor lt(double value) {
        return lt(constant(value));
    }

    /**
     * The mask {@code this >= other}, broadcast; carries no gradient.
     *
     * @param other the right operand
     * @return a mask of the broadcast shape
     */
    public Tensor ge(Tensor other) {
        return ElementwiseOps.compare(BinaryOp.GE, "ge", this, other);
    }

    /**
     * The mask {@code this >= value}; carries no gradient.
     *
     * @param value the threshold
     * @return a mask of this tensor's shape
     */
    public Tensor ge(double value) {
        return ge(constant(value));
    }

    /**
     * The mask {@code this <= other}, broadcast; carries no gradient.
     *
     * @param other the right operand
     * @return a mask of the broadcast shape
     */
    public Tensor le(Tensor other) {
        return ElementwiseOps.compare(BinaryOp.LE, "le", this, other);
    }

    /**
     * The mask {@code this <= value}; carries no gradient.
     *
     * @param value the threshold
     * @return a mask of this tensor's shape
     */
    public Tensor le(double value) {
        return le(constant(value));
    }

    /**
     * The mask {@code this == other} (exact comparison), broadcast; carries no gradient.
     *
     * @param other the right operand
     * @return a mask of the broadcast shape
     */
    public Tensor eq(Tensor other) {
        return ElementwiseOps.compare(BinaryOp.EQ, "eq", this, other);
    }

    /**
     * The mask {@code this == value} (exact comparison); carries no gradient.
     *
     * @param value the value to compare with
     * @return a mask of this tensor's shape
     */
    public Tensor eq(double value) {
        return eq(constant(value));
    }

    /**
     * {@code sin x}. Backward: {@code dL/dx = g cos x}.
     *
     * @return a new tensor
     */
    public Tensor sin() {
        return UnaryOps.SIN.apply(this, 0);
    }

    /**
     * {@code cos x}. Backward: {@code dL/dx = -g sin x}.
     *
     * @return a new tensor
     */
    public Tensor cos() {
        return UnaryOps.COS.apply(this, 0);
    }

    /**
     * {@code ln(1 + x)}, accurate where x is tiny. Backward: {@code dL/dx = g / (1 + x)}.
     *
     * @return a new tensor
     */
    public Tensor log1p() {
        return UnaryOps.LOG1P.apply(this, 0);
    }

    /**
     * {@code e^x - 1}, accurate where x is tiny. Backward: {@code dL/dx = g e^x}.
     *
     * @return a new tensor
     */
    public Tensor expm1() {
        return UnaryOps.EXPM1.apply(this, 0);
    }

    /**
     * {@code this * this}, like {@code torch.square}. Composed as {@code mul(this)} (so a graph shows a
     * {@code mul} node): its backward is mul's, {@code g * x + g * x = 2 x g}, and it is exact where
     * {@code pow(2.0)} goes through {@code Math.pow}.
     *
     * @return a new tensor of the same shape
     */
    public Tensor square() {
        return mul(this);
    }

    /**
     * {@code 1 / x}. Backward: {@code dL/dx = -g / x^2}.
     *
     * @return a new tensor
     */
    public Tensor reciprocal() {
        return pow(-1);
    }

    /**
     * The error function {@code erf x = 2/sqrt(pi) int_0^x e^(-t^2) dt}. Backward:
     * {@code dL/dx = g 2/sqrt(pi) e^(-x^2)}.
     *
     * @return a new tensor
     */
    public Tensor erf() {
        return UnaryOps.ERF.apply(this, 0);
    }

    /**
     * The exact GELU {@code x Phi(x) = x/2 (1 + erf(x / sqrt 2))}. Backward:
     * {@code dL/dx = g (Phi(x) + x phi(x))}, phi the standard normal density.
     *
     * @return a new tensor
     */
    public Tensor gelu() {
        return UnaryOps.gelu(this, false);
    }

    /**
     * GELU, exact or with the tanh approximation {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} used
     * by GPT-2 and BERT.
     *
     * @param tanhApproximation use the tanh approximation instead of erf
     * @return a new tensor
     */
    public Tensor gelu(boolean tanhApproximation) {
        return UnaryOps.gelu(this, tanhApproximation);
    }

    /**
     * {@code ln(1 + e^x)}, computed as {@code max(x, 0) + ln(1 + e^-|x|)}: no overflow for large x.
     * Backward: {@code dL/dx = g sigmoid(x)}.
     *
     * @return a new tensor
     */
    public Tensor softplus() {
        return UnaryOps.SOFTPLUS.apply(this, 0);
    }

    /**
     * {@code x} where {@code x > 0}, else {@code slope x}. Backward: {@code g} where {@code x > 0}, else
     * {@code slope g} (the slope also at {@code x = 0}, as in PyTorch).
     *
     * @param slope the negative-side slope (PyTorch's default is 0.01)
     * @return a new tensor
     */
    public Tensor leakyRelu(double slope) {
        return UnaryOps.LEAKY_RELU.apply(this, slope);
    }

    /**
     * Each element limited to {@code [min, max]}. Backward: {@code g} where {@code min <= x <= max} (bounds
     * included, as in PyTorch), else 0.
     *
     * @param min the lower bound
     * @param max the upper bound, at least {@code min}
     * @return a new tensor
     * @throws IllegalArgumentException when {@code min > max} or a bound is NaN
     */
    public Tensor clamp(double min, double max) {
        return ElementwiseOps.clamp(this, min, max);
    }

    /**
     * The element-wise larger of this and {@code other}, broadcast. Backward: {@code g} goes to the larger
     * operand; on ties each receives {@code g / 2} (as in PyTorch).
     *
     * @param other the other operand
     * @return a new tensor of the broadcast shape
     */
    public Tensor maximum(Tensor other) {
        return ElementwiseOps.maximum(this, other);
    }

    /**
     * The element-wise larger of this and {@code value}; see {@link #maximum(Tensor)}.
     *
     * @param value the constant
     * @return a new tensor
     */
    public Tensor maximum(double value) {
        return maximum(constant(value));
    }

    /**
     * The element-wise smaller of this and {@code other}, broadcast. Backward: {@code g} goes to the
     * smaller operand; on ties each receives {@code g / 2}.
     *
     * @param other the other operand
     * @return a new tensor of the broadcast shape
     */
    public Tensor minimum(Tensor other) {
        return ElementwiseOps.minimum(this, other);
    }

    /**
     * The element-wise smaller of this and {@code value}; see {@link #minimum(Tensor)}.
     *
     * @param value the constant
     * @return a new tensor
     */
    public Tensor minimum(double value) {
        return minimum(constant(value));
    }

    /**
     * {@code this ^ exponent} element-wise, broadcast. Backward: {@code dL/da = g b a^(b-1)},
     * {@code dL/db = g a^b ln a} (0 where {@code a = 0}). Use a positive base for a real result.
     *
     * @param exponent the exponents
     * @return a new tensor of the broadcast shape
     */
    public Tensor pow(Tensor exponent) {
        return ElementwiseOps.pow(this, exponent);
    }

    /**
     * Picks from {@code a} where {@code mask} is non-zero and from {@code b} elsewhere; the three broadcast
     * together. Backward: {@code g} flows to the chosen operand only; the mask gets none.
     *
     * @param mask a tensor of 0 and 1 (any non-zero counts as 1), e.g. from {@link #gt(Tensor)}
     * @param a    the values where the mask holds
     * @param b    the values elsewhere
     * @return a new tensor of the broadcast shape
     */
    public static Tensor where(Tensor mask, Tensor a, Tensor b) {
        return ElementwiseOps.where(mask, a, b);
    }

    private Tensor constant(double value) {
        return scalar(value, dtype());
    }

    // ---------------------------------------------------------------- reductions

    /**
     * The sum of all elements, a 0-d tensor. Backward: every element receives {@code g}.
     *
     * @return a 0-d tensor
     */
    public Tensor sum() {
        return ReduceOps.sum(this, allAxes(), false);
    }

    /**
     * The sum along one axis. Backward: {@code g} is repeated along that axis.
     *
     * @param axis    the axis to reduce; negative counts from the end
     * @param keepDim keep the reduced axis with extent 1
     * @return the reduced tensor
     * @throws IllegalArgumentException when the axis is out of range
     */
    public Tensor sum(int axis, boolean keepDim) {
        return ReduceOps.sum(this, new int[] {axis}, keepDim);
    }

    /**
     * The sum along several axes. Backward: {@code g} is repeated along those axes.
     *
     * @param axes    the axes to reduce; negative ones count from the end
     * @param keepDim keep the reduced axes with extent 1
     * @return the reduced tensor
     * @throws IllegalArgumentException when an axis is out of range or repeated
     */
    public Tensor sum(int[] axes, boolean keepDim) {
        return ReduceOps.sum(this, axes, keepDim);
    }

    /**
     * The mean of all elements, a 0-d tensor. Backward: every element receives {@code g / n}.
     *
     * @return a 0-d tensor
     */
    public Tensor mean() {
        return ReduceOps.mean(this, allAxes(), false);
    }

    /**
     * The mean along one axis. Backward: {@code g / n} repeated along that axis.
     *
     * @param axis    the axis to reduce; negative counts from the end
     * @param keepDim keep the reduced axis with extent 1
     * @return the reduced tensor
     * @throws IllegalArgumentException when the axis is out of range
     */
    public Tensor mean(int axis, boolean keepDim) {
        return ReduceOps.mean(this, new int[] {axis}, keepDim);
    }

    /**
     * The mean along several axes. Backward: {@code g / n} repeated along those axes, {@code n} the
     * number of elements averaged.
     *
     * @param axes    the axes to reduce; negative ones count from the end
     * @param keepDim keep the reduced axes with extent 1
     * @return the reduced tensor
     * @throws IllegalArgumentException when an axis is out of range or repeated
     */
    public Tensor mean(int[] axes, boolean keepDim) {
        return ReduceOps.mean(this, axes, keepDim);
    }

    /**
     * The largest element, a 0-d tensor. Backward: {@code g} goes to the maximum; when several elements
     * tie for it, each receives an equal share {@code g / k} (as PyTorch's {@code amax}).
     *
     * @return a 0-d tensor
     * @throws IllegalArgumentException when the tensor is empty
     */
    public Tensor max() {
        return ReduceOps.extreme(dev.autograd.internal.kernel.ReduceOp.MAX, this, allAxes(), false);
    }

    /**
     * The largest element along one axis; see {@link #max()} for the gradient and ties.
     *
     * @param axis    the axis to reduce; negative counts from the end
     * @param keepDim keep the reduced axis with extent 1
     * @return the reduced tensor
     */
    public Tensor max(int axis, boolean keepDim) {
        return max(new int[] {axis}, keepDim);
    }

    /**
     * The largest element along several axes; see {@link #max()} for the gradient and ties.
     *
     * @param axes    the axes to reduce
     * @param keepDim keep the reduced axes with extent 1
     * @return the reduced tensor
     */
    public Tensor max(int[] axes, boolean keepDim) {
        return ReduceOps.extreme(dev.autograd.internal.kernel.ReduceOp.MAX, this, axes, keepDim);
    }

    /**
     * The smallest element, a 0-d tensor. Backward: {@code g} goes to the minimum, shared evenly on ties.
     *
     * @return a 0-d tensor
     */
    public Tensor min() {
        return ReduceOps.extreme(dev.autograd.internal.kernel.ReduceOp.MIN, this, allAxes(), false);
    }

    /**
     * The smallest element along one axis; gradient shared evenly on ties.
     *
     * @param axis    the axis to reduce; negative counts from the end
     * @param keepDim keep the reduced axis with extent 1
     * @return the reduced tensor
     */
    public Tensor min(int axis, boolean keepDim) {
        return min(new int[] {axis}, keepDim);
    }

    /**
     * The smallest element along several axes; gradient shared evenly on ties.
     *
     * @param axes    the axes to reduce
     * @param keepDim keep the reduced axes with extent 1
     * @return the reduced tensor
     */
    public Tensor min(int[] axes, boolean keepDim) {
        return ReduceOps.extreme(dev.autograd.internal.kernel.ReduceOp.MIN, this, axes, keepDim);
    }

    /**
     * {@code log(sum(exp(x)))} over all elements, computed stably (the maximum is factored out). Backward:
     * {@code dL/dx = g softmax(x)}.
     *
     * @return a 0-d tensor
     */
    public Tensor logSumExp() {
        return ReduceOps.logSumExp(this, allAxes(), false);
    }

    /**
     * {@code log(sum(exp(x)))} along one axis, stably.
     *
     * @param axis    the axis to reduce
     * @param keepDim keep the reduced axis with extent 1
     * @return the reduced tensor
     */
    public Tensor logSumExp(int axis, boolean keepDim) {
        return ReduceOps.logSumExp(this, new int[] {axis}, keepDim);
    }

    /**
     * {@code log(sum(exp(x)))} along several axes, stably.
     *
     * @param axes    the axes to reduce
     * @param keepDim keep the reduced axes with extent 1
     * @return the reduced tensor
     */
    public Tensor logSumExp(int[] axes, boolean keepDim) {
        return ReduceOps.logSumExp(this, axes, keepDim);
    }

    /**
     * The unbiased variance of all elements, {@code sum((x - mean)^2) / (n - 1)}. Backward:
     * {@code dL/dx = g 2 (x - mean) / (n - 1)}.
     *
     * @return a 0-d tensor
     */
    public Tensor var() {
        return ReduceOps.var(this, allAxes(), false, 1);
    }

    /**
     * The unbiased variance along one axis.
     *
     * @param axis    the axis to reduce
     * @param keepDim keep the reduced axis with extent 1
     * @return the reduced tensor
     */
    public Tensor var(int axis, boolean keepDim) {
        return ReduceOps.var(this, new int[] {axis}, keepDim, 1);
    }

    /**
     * The variance along one axis, {@code sum((x - mean)^2) / (n - correction)}.
     *
     * @param axis       the axis to reduce
     * @param keepDim    keep the reduced axis with extent 1
     * @param correction 0 for the population variance, 1 for the unbiased estimate
     * @return the reduced tensor
     * @throws IllegalArgumentException when the correction is negative or not below n
     */
    public Tensor var(int axis, boolean keepDim, int correction) {
        return ReduceOps.var(this, new int[] {axis}, keepDim, correction);
    }

    /**
     * The variance along several axes, {@code sum((x - mean)^2) / (n - correction)}.
     *
     * @param axes       the axes to reduce
     * @param keepDim    keep the reduced axes with extent 1
     * @param correction 0 for the population variance, 1 for the unbiased estimate
     * @return the reduced tensor
     */
    public Tensor var(int[] axes, boolean keepDim, int correction) {
        return ReduceOps.var(this, axes, keepDim, correction);
    }

    /**
     * The unbiased standard deviation of all elements, {@code sqrt(var())}.
     *
     * @return a 0-d tensor
     */
    public Tensor std() {
        return ReduceOps.var("std", this, allAxes(), false, 1).sqrt();
    }

    /**
     * The unbiased standard deviation along one axis.
     *
     * @param axis    the axis to reduce
     * @param keepDim keep the reduced axis with extent 1
     * @return the reduced tensor
     */
    public Tensor std(int axis, boolean keepDim) {
        return ReduceOps.var("std", this, new int[] {axis}, keepDim, 1).sqrt();
    }

    /**
     * The standard deviation along one axis, {@code sqrt(var(axis, keepDim, correction))}.
     *
     * @param axis       the axis to reduce
     * @param keepDim    keep the reduced axis with extent 1
     * @param correction 0 for the population value, 1 for the unbiased estimate of the variance
     * @return the reduced tensor
     */
    public Tensor std(int axis, boolean keepDim, int correction) {
        return ReduceOps.var("std", this, new int[] {axis}, keepDim, correction).sqrt();
    }

    /**
     * The standard deviation along several axes.
     *
     * @param axes       the axes to reduce
     * @param keepDim    keep the reduced axes with extent 1
     * @param correction 0 for the population value, 1 for the unbiased estimate of the variance
     * @return the reduced tensor
     */
    public Tensor std(int[] axes, boolean keepDim, int correction) {
        return ReduceOps.var("std", this, axes, keepDim, correction).sqrt();
    }

    /**
     * The flat (row-major) index of the largest element, as a 0-d tensor of this dtype (FLOAT32 for FLOAT16
     * and BFLOAT16, which hold integers exactly only up to 2048 and 256); the first on ties. Carries no gradient.
     *
     * @return a 0-d index tensor
     */
    public Tensor argmax() {
        return ReduceOps.argExtreme(this, allAxes(), false, true);
    }

    /**
     * The index of the largest element along one axis, first on ties; no gradient.
     *
     * @param axis    the axis to reduce
     * @param keepDim keep the reduced axis with extent 1
     * @return the indices, in this tensor's dtype (FLOAT32 for a half dtype, which cannot count far)
     */
    public Tensor argmax(int axis, boolean keepDim) {
        return ReduceOps.argExtreme(this, new int[] {axis}, keepDim, true);
    }

    /**
     * The index of the largest element over several axes, counted row-major over those axes; no gradient.
     *
     * @param axes    the axes to reduce
     * @param keepDim keep the reduced axes with extent 1
     * @return the indices, in this tensor's dtype (FLOAT32 for a half dtype, which cannot count far)
     */
    public Tensor argmax(int[] axes, boolean keepDim) {
        return ReduceOps.argExtreme(this, axes, keepDim, true);
    }

    /**
     * The flat index of the smallest element, first on ties; no gradient.
     *
     * @return a 0-d index tensor
     */
    public Tensor argmin() {
        return ReduceOps.argExtreme(this, allAxes(), false, false);
    }

    /**
     * The index of the smallest element along one axis, first on ties; no gradient.
     *
     * @param axis    the axis to reduce
     * @param keepDim keep the reduced axis with extent 1
     * @return the indices, in this tensor's dtype (FLOAT32 for a half dtype, which cannot count far)
     */
    public Tensor argmin(int axis, boolean keepDim) {
        return ReduceOps.argExtreme(this, new int[] {axis}, keepDim, false);
    }

    /**
     * The index of the smallest element over several axes, row-major over them; no gradient.
     *
     * @param axes    the axes to reduce
     * @param keepDim keep the reduced axes with extent 1
     * @return the indices, in this tensor's dtype (FLOAT32 for a half dtype, which cannot count far)
     */
    public Tensor argmin(int[] axes, boolean keepDim) {
        return ReduceOps.argExtreme(this, axes, keepDim, false);
    }

    // Reductions over one axis that drop it, as PyTorch's x.sum(dim): each is its (axis, keepDim = false) form.

    /**
     * The sum along one axis, which is removed: {@code sum(axis, false)}. Backward: {@code g} is repeated
     * along that axis.
     *
     * @param axis the axis to reduce; negative counts from the end
     * @return the reduced tensor, one axis fewer
     * @throws IllegalArgumentException when the axis is out of range
     */
    public Tensor sum(int axis) {
        return sum(axis, false);
    }

    /**
     * The mean along one axis, which is removed: {@code mean(axis, false)}. Backward: {@code g / n} repeated
     * along that axis.
     *
     * @param axis the axis to reduce; negative counts from the end
     * @return the reduced tensor, one axis fewer
     * @throws IllegalArgumentException when the axis is out of range
     */
    public Tensor mean(int axis) {
        return mean(axis, false);
    }

    /**
     * The largest element along one axis, which is removed: {@code max(axis, false)}. Backward: {@code g} goes
     * to the maximum, shared equally among ties. Unlike {@code torch.max(x, dim)} it returns the values only;
     * {@link #argmax(int)} gives the indices.
     *
     * @param axis the axis to reduce; negative counts from the end
     * @return the reduced tensor, one axis fewer
     * @throws IllegalArgumentException when the axis is out of range or has extent 0
     */
    public Tensor max(int axis) {
        return max(axis, false);
    }

    /**
     * The smallest element along one axis, which is removed: {@code min(axis, false)}. Backward as
     * {@link #max(int)}; {@link #argmin(int)} gives the indices.
     *
     * @param axis the axis to reduce; negative counts from the end
     * @return the reduced tensor, one axis fewer
     * @throws IllegalArgumentException when the axis is out of range or has extent 0
     */
    public Tensor min(int axis) {
        return min(axis, false);
    }

    /**
     * {@code log(sum(exp(x)))} along one axis, which is removed: {@code logSumExp(axis, false)}. Backward:
     * {@code g * softmax(x)} along that axis.
     *
     * @param axis the axis to reduce; negative counts from the end
     * @return the reduced tensor, one axis fewer
     * @throws IllegalArgumentException when the axis is out of range
     */
    public Tensor logSumExp(int axis) {
        return logSumExp(axis, false);
    }

    /**
     * The unbiased variance along one axis, which is removed: {@code var(axis, false)} (correction 1, as
     * {@code torch.var(x, dim)}). Backward: {@code g * 2 (x - mean) / (n - 1)}.
     *
     * @param axis the axis to reduce; negative counts from the end
     * @return the reduced tensor, one axis fewer
     * @throws IllegalArgumentException when the axis is out of range or has fewer than 2 elements
     */
    public Tensor var(int axis) {
        return var(axis, false);
    }

    /**
     * The unbiased standard deviation along one axis, which is removed: {@code std(axis, false)}. Backward:
     * {@code g * (x - mean) / ((n - 1) std)}.
     *
     * @param axis the axis to reduce; negative counts from the end
     * @return the reduced tensor, one axis fewer
     * @throws IllegalArgumentException when the axis is out of range or has fewer than 2 elements
     */
    public Tensor std(int axis) {
        return std(axis, false);
    }

    /**
     * The index of the largest element along one axis, which is removed: {@code argmax(axis, false)}; first
     * on ties, no gradient.
     *
     * @param axis the axis to reduce; negative counts from the end
     * @return the indices, in this tensor's dtype, one axis fewer
     * @throws IllegalArgumentException when the axis is out of range or has extent 0
     */
    public Tensor argmax(int axis) {
        return argmax(axis, false);
    }

    /**
     * The index of the smallest element along one axis, which is removed: {@code argmin(axis, false)}; first
     * on ties, no gradient.
     *
     * @param axis the axis to reduce; negative counts from the end
     * @return the indices, in this tensor's dtype, one axis fewer
     * @throws IllegalArgumentException when the axis is out of range or has extent 0
     */
    public Tensor argmin(int axis) {
        return argmin(axis, false);
    }

    private int[] allAxes() {
        int[] axes = new int[shape.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        return axes;
    }

    // ---------------------------------------------------------------- linear algebra and shape

    /**
     * The matrix product with NumPy's rules: 1-d by 1-d is the dot product (0-d); a 1-d left operand is a
     * row vector and a 1-d right operand a column vector, their added axis removed from the result;
     * operands of rank 3 and more are stacks of matrices whose batch axes broadcast. Backward:
     * {@code dL/dA = g B^T}, {@code dL/dB = A^T g}, summed over broadcast batch axes.
     *
     * @param other the right operand
     * @return the product
     * @throws IllegalArgumentException when the inner dimensions differ, the batch axes do not broadcast,
     *                                  an operand is 0-d, or the dtypes differ
     */
    public Tensor matmul(Tensor other) {
        return LinalgOps.matmul(this, other);
    }

    /**
     * The affine map of a fully connected layer, {@code this W^T + b} (PyTorch's
     * {@code torch.nn.functional.linear}), as one op: the weight is read transposed in place and the bias
     * is added in the same pass, so neither a transposed copy of W nor a separate broadcast add is made.
     * Backward, with {@code X} this tensor flattened to {@code [M, in]} and {@code G} the gradient
     * {@code [M, out]}: {@code dL/dX = G W}, {@code dL/dW = G^T X}, {@code dL/db = sum over rows of G}.
     *
     * @param weight {@code [out, in]}
     * @param bias   {@code [out]}, or {@code null} for none
     * @return {@code [..., out]} for this tensor of shape {@code [..., in]}
     * @throws IllegalArgumentException when this tensor is 0-d, the weight is not 2-d, the last axis is not
     *                                  {@code in}, the bias is not {@code [out]}, or the dtypes differ
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        return LinalgOps.linear(this, weight, bias);
    }

    /**
     * The same values in another shape (row-major order is kept); shares storage with this tensor.
     * Backward: the gradient is reshaped back.
     *
     * @param newShape the new extents; one of them may be -1, inferred from the element count
     * @return the reshaped tensor
     * @throws IllegalArgumentException when the element count differs or the shape is malformed
     */
    public Tensor reshape(int... newShape) {
        return MovementOps.reshape(this, newShape);
    }

    /**
     * The transpose of a matrix, PyTorch's {@code t()}: {@code out[j][i] = x[i][j]}. Backward: the
     * gradient is transposed back. Unlike PyTorch, a 0-d or 1-d tensor is refused rather than returned
     * unchanged: transposing a vector is a no-op, and asking for one is almost always a shape mistake.
     *
     * @return the transposed matrix, shape {@code [n, m]} for an {@code [m, n]} input
     * @throws IllegalArgumentException when the tensor is not 2-d
     */
    public Tensor t() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("t: t() needs a 2-d tensor, got shape "
                    + Shapes.format(shape) + "; use transpose(axisA, axisB) or permute for other ranks");
        }
        return transpose(0, 1);
    }

    /**
     * Swaps two axes. Backward: the same axes are swapped back.
     *
     * @param axisA an axis; negative counts from the end
     * @param axisB another axis
     * @return the tensor with the two axes exchanged
     * @throws IllegalArgumentException when an axis is out of range
     */
    public Tensor transpose(int axisA, int axisB) {
        int a = Shapes.axis("transpose", axisA, shape);
        int b = Shapes.axis("transpose", axisB, shape);
        int[] perm = allAxes();
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /**
     * Reorders the axes: axis {@code i} of the result is axis {@code order[i]} of this tensor. Backward:
     * the gradient is permuted by the inverse order.
     *
     * @param order a permutation of the axes; negative axes count from the end
     * @return the permuted tensor
     * @throws IllegalArgumentException when {@code order} is not a permutation of the axes
     */
    public Tensor permute(int... order) {
        return MovementOps.permute(this, order);
    }

    /**
     * Broadcasts to {@code newShape} (NumPy rules: extents of 1 are repeated, new axes are added on the
     * left). Backward: the gradient is summed back over the repeated axes.
     *
     * @param newShape the target shape
     * @return the expanded tensor
     * @throws IllegalArgumentException when this shape does not broadcast to {@code newShape}
     */
    public Tensor expand(int... newShape) {
        return MovementOps.expand(this, newShape);
    }

    /**
     * All elements as a 1-d tensor, {@code reshape(-1)}.
     *
     * @return the flattened tensor
     */
    public Tensor flatten() {
        return reshape(-1);
    }

    /**
     * Merges axes {@code startAxis..endAxis} (inclusive) into one, like PyTorch's {@code flatten}.
     *
     * @param startAxis the first axis to merge; negative counts from the end
     * @param endAxis   the last axis to merge
     * @return the reshaped tensor
     */
    public Tensor flatten(int startAxis, int endAxis) {
        int start = Shapes.axis("flatten", startAxis, shape);
        int end = Shapes.axis("flatten", endAxis, shape);
        if (start > end) {
            throw new IllegalArgumentException("flatten: start axis " + startAxis + " comes after end axis " + endAxis
                    + " for shape " + Shapes.format(shape));
        }
        int[] out = new int[shape.length - (end - start)];
        long product = 1;
        for (int d = start; d <= end && product <= Integer.MAX_VALUE; d++) {
            product *= shape[d];
        }
        int merged = Shapes.extent("flatten", product, "the merged axis of shape " + Shapes.format(shape));
        for (int d = 0, o = 0; d < shape.length; d++) {
            if (d < start || d > end) {
                out[o++] = shape[d];
            } else if (d == start) {
                out[o++] = merged;
            }
        }
        return reshape(out);
    }

    /**
     * Removes an axis of extent 1.
     *
     * @param axis the axis; negative counts from the end
     * @return the reshaped tensor
     * @throws IllegalArgumentException when that axis does not have extent 1
     */
    public Tensor squeeze(int axis) {
        int a = Shapes.axis("squeeze", axis, shape);
        if (shape[a] != 1) {
            throw new IllegalArgumentException("squeeze: axis " + axis + " of shape " + Shapes.format(shape)
                    + " has size " + shape[a] + ", not 1");
        }
        int[] out = new int[shape.length - 1];
        for (int d = 0, o = 0; d < shape.length; d++) {
            if (d != a) {
                out[o++] = shape[d];
            }
        }
        return reshape(out);
    }

    /**
     * Removes every axis of extent 1.
     *
     * @return the reshaped tensor
     */
    public Tensor squeeze() {
        return reshape(java.util.Arrays.stream(shape).filter(d -> d != 1).toArray());
    }

    /**
     * Inserts an axis of extent 1 at position {@code axis} of the result.
     *
     * @param axis the new axis's position, in {@code [-(dim+1), dim]}
     * @return the reshaped tensor
     */
    public Tensor unsqueeze(int axis) {
        int rank = shape.length + 1;
        if (axis < -rank || axis >= rank) {
            throw new IllegalArgumentException("unsqueeze: axis " + axis + " is out of range for a result of rank "
                    + rank + " (shape " + Shapes.format(shape) + "); valid axes are " + (-rank) + " to " + (rank - 1));
        }
        int a = axis < 0 ? axis + rank : axis;
        int[] out = new int[rank];
        for (int d = 0, s = 0; d < rank; d++) {
            out[d] = d == a ? 1 : shape[s++];
        }
        return reshape(out);
    }

    /**
     * Elements {@code start, start + step, ...} below {@code end} along {@code axis}, like Python's
     * {@code x[start:end:step]}. Backward: the gradient is placed back at those positions, zeros elsewhere.
     *
     * @param axis  the axis; negative counts from the end
     * @param start the first index (negative counts from the end)
     * @param end   the bound, excluded, at most the axis size (negative counts from the end)
     * @param step  the stride, positive
     * @return the sliced tensor
     * @throws IllegalArgumentException when the range does not fit the axis or the step is not positive
     */
    public Tensor slice(int axis, int start, int end, int step) {
        return IndexingOps.slice(this, axis, start, end, step);
    }

    /**
     * The sub-tensor at {@code index} along {@code axis}, that axis removed, like {@code x[..., index, ...]}.
     * Backward: the gradient is placed back at that index.
     *
     * @param axis  the axis; negative counts from the end
     * @param index the position; negative counts from the end
     * @return a tensor of one rank less
     */
    public Tensor select(int axis, int index) {
        return IndexingOps.select(this, axis, index);
    }

    /**
     * The slices at {@code indices} along {@code axis}, in order, repeats allowed (an embedding lookup is
     * {@code weight.indexSelect(0, ids)}). Backward: each slice's gradient is added back at its index, so
     * repeated indices accumulate.
     *
     * @param axis    the axis
     * @param indices positions in {@code [0, size)}
     * @return a tensor with {@code indices.length} on that axis
     */
    public Tensor indexSelect(int axis, int[] indices) {
        return IndexingOps.indexSelect(this, axis, indices);
    }

    /**
     * Picks along {@code axis} with per-position indices ({@code torch.gather}, NumPy's
     * {@code take_along_axis}): {@code out[i][j] = x[index[i][j]][j]} for axis 0. Backward: a scatter-add of
     * the gradient to the positions read.
     *
     * @param axis    the axis to index along
     * @param indices integer values, same rank as this tensor and no larger on the other axes
     * @return a tensor of the indices' shape
     */
    public Tensor gather(int axis, Tensor indices) {
        return IndexingOps.gather(this, axis, indices);
    }

    /**
     * This tensor plus {@code src} added at {@code indices} along {@code axis}
     * ({@code torch.scatter_add}): {@code out[index[i][j]][j] += src[i][j]} for axis 0; repeated indices
     * accumulate. Backward: {@code g} for this tensor, {@code g} gathered at the indices for {@code src}.
     *
     * @param axis    the axis to index along
     * @param indices integer values, of {@code src}'s shape
     * @param src     the values to add
     * @return a new tensor of this tensor's shape
     */
    public Tensor scatterAdd(int axis, Tensor indices, Tensor src) {
        return IndexingOps.scatterAdd(this, axis, indices, src);
    }

    /**
     * Joins tensors along an existing axis. Backward: each input receives its part of the gradient.
     *
     * @param tensors at least one tensor; same dtype, same extents except along {@code axis}
     * @param axis    the axis to join along
     * @return the joined tensor
     */
    public static Tensor concat(java.util.List<Tensor> tensors, int axis) {
        return IndexingOps.concat(tensors, axis);
    }

    /**
     * Joins tensors of one shape along a new axis.
     *
     * @param tensors at least one tensor, all of one shape and dtype
     * @param axis    the position of the new axis in the result
     * @return the stacked tensor
     */
    public static Tensor stack(java.util.List<Tensor> tensors, int axis) {
        IndexingOps.checkTensors("stack", tensors);
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: needs at least one tensor");
        }
        int[] first = tensors.get(0).shape;
        int rank = first.length + 1;
        if (axis < -rank || axis >= rank) {
            throw new IllegalArgumentException("stack: axis " + axis + " is out of range for stacking tensors of shape "
                    + Shapes.format(first) + " (valid axes are " + (-rank) + " to " + (rank - 1) + ")");
        }
        java.util.List<Tensor> lifted = new java.util.ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            if (tensors.get(i).dtype() != tensors.get(0).dtype()) {
                java.util.List<Tensor> promoted = Autocast.promote(tensors);
                if (promoted != null) {
                    return stack(promoted, axis);
                }
                throw new IllegalArgumentException("stack: tensor " + i + " is " + tensors.get(i).dtype() + " but tensor 0 is "
                        + tensors.get(0).dtype() + "; convert with to(DType) first");
            }
            if (!java.util.Arrays.equals(tensors.get(i).shape, first)) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shapes.format(tensors.get(i).shape)
                        + " but tensor 0 has " + Shapes.format(first) + "; stacked tensors must have one shape");
            }
            lifted.add(tensors.get(i).unsqueeze(axis));
        }
        return concat(lifted, axis < 0 ? axis + first.length + 1 : axis);
    }

    /**
     * Pieces of {@code size} elements along {@code axis} (the last one may be smaller), like
     * {@code torch.split}.
     *
     * @param size the extent of each piece, positive
     * @param axis the axis to split
     * @return the pieces in order
     */
    public java.util.List<Tensor> split(int size, int axis) {
        return splitEvenly("split", size, axis);
    }

    /** Pieces of {@code size} along {@code axis}, the last one smaller; {@code op} is what the user called. */
    private java.util.List<Tensor> splitEvenly(String op, int size, int axis) {
        int a = Shapes.axis(op, axis, shape);
        if (size <= 0) {
            throw new IllegalArgumentException(op + ": size must be positive, got " + size);
        }
        int n = shape[a];
        // long arithmetic: n + size - 1 overflows an int for an axis near the int limit
        long pieces = Math.max(1, ((long) n + size - 1) / size);
        Shapes.checkPieces(op, pieces, shape, axis);
        int[] sizes = new int[(int) pieces];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = (int) Math.min(size, (long) n - (long) i * size);
        }
        return IndexingOps.split(op, this, sizes, a);
    }

    /**
     * Pieces of the given extents along {@code axis}.
     *
     * @param sizes the extents, adding up to the axis size
     * @param axis  the axis to split
     * @return the pieces in order
     */
    public java.util.List<Tensor> split(int[] sizes, int axis) {
        return IndexingOps.split("split", this, sizes, axis);
    }

    /**
     * {@code chunks} pieces of (nearly) equal extent along {@code axis}, like {@code torch.chunk}: each of
     * {@code ceil(size / chunks)}, the last smaller, possibly fewer pieces.
     *
     * @param chunks the number of pieces, positive
     * @param axis   the axis to split
     * @return the pieces in order
     */
    public java.util.List<Tensor> chunk(int chunks, int axis) {
        int a = Shapes.axis("chunk", axis, shape);
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk: the number of chunks must be positive, got " + chunks);
        }
        // long arithmetic: shape[a] + chunks - 1 overflows an int (an axis of 2^31 - 1 in 2 chunks became
        // 2^31 - 1 pieces of 1, an array the JVM cannot allocate)
        return splitEvenly("chunk", (int) Math.max(1, ((long) shape[a] + chunks - 1) / chunks), a);
    }

    /**
     * Constant padding, PyTorch's {@code F.pad}: {@code pads} holds (before, after) pairs starting from the
     * last axis, so {@code {1, 1, 2, 2}} pads the last axis by 1 on each side and the one before by 2.
     * Backward: the gradient of the interior.
     *
     * @param pads  non-negative (before, after) pairs, last axis first
     * @param value the fill value
     * @return the padded tensor
     */
    public Tensor pad(int[] pads, double value) {
        return IndexingOps.pad(this, pads, value);
    }

    // ---------------------------------------------------------------- neural-network ops

    /**
     * {@code e^x_i / sum_j e^x_j} along {@code axis}, computed with the maximum subtracted (stable for
     * logits near 1000). Backward: {@code dL/dx = s (g - sum(g s))}.
     *
     * @param axis the axis the probabilities sum to 1 along
     * @return a tensor of this shape
     */
    public Tensor softmax(int axis) {
        return NnOps.softmax(this, axis);
    }

    /**
     * {@code x - logSumExp(x)} along {@code axis}: the log of the softmax without its underflow. Backward:
     * {@code dL/dx = g - softmax(x) sum(g)}.
     *
     * @param axis the axis to normalise along
     * @return a tensor of this shape
     */
    public Tensor logSoftmax(int axis) {
        return NnOps.logSoftmax(this, axis);
    }

    /**
     * 2-d convolution of this {@code [N, C, H, W]} input with stride 1, no padding.
     *
     * @param weight {@code [O, C, kH, kW]}
     * @param bias   {@code [O]} or {@code null}
     * @return {@code [N, O, H - kH + 1, W - kW + 1]}
     */
    public Tensor conv2d(Tensor weight, Tensor bias) {
        return conv2d(weight, bias, 1, 0);
    }

    /**
     * 2-d convolution with the same stride and padding on both spatial axes.
     *
     * @param weight  {@code [O, C, kH, kW]}
     * @param bias    {@code [O]} or {@code null}
     * @param stride  the step between windows, at least 1
     * @param padding zeros added on each side, at least 0
     * @return {@code [N, O, Ho, Wo]}
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) {
        return NnOps.conv2d(this, weight, bias, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {1, 1}, 1);
    }

    /**
     * 2-d convolution (cross-correlation, as in PyTorch) of this NCHW input:
     * {@code out[n, o, i, j] = bias[o] + sum_{c, p, q} w[o, c, p, q] x[n, g(o) C/G + c, i s + p d, j s + q d]}
     * over the zero-padded input, computed as an unfold (im2col) and a batched matmul. Backward: through
     * the matmul and the unfold's adjoint (col2im), so overlapping windows accumulate.
     *
     * @param weight   {@code [O, C / groups, kH, kW]}
     * @param bias     {@code [O]} or {@code null}
     * @param stride   {@code {sH, sW}}, each at least 1
     * @param padding  {@code {pH, pW}}, zeros on each side
     * @param dilation {@code {dH, dW}}, the spacing of kernel taps, at least 1
     * @param groups   channel groups; C and O must be multiples of it
     * @return {@code [N, O, Ho, Wo]} with {@code Ho = (H + 2 pH - dH (kH - 1) - 1) / sH + 1}
     * @throws IllegalArgumentException when the shapes, groups or window do not fit
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return NnOps.conv2d(this, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * Max pooling of this NCHW input with square windows, stride equal to the window and no padding.
     *
     * @param kernel the window size
     * @return {@code [N, C, H / k, W / k]}
     */
    public Tensor maxPool2d(int kernel) {
        return maxPool2d(new int[] {kernel, kernel}, new int[] {kernel, kernel}, new int[] {0, 0});
    }

    /**
     * Max pooling of this NCHW input; padding counts as -infinity. Backward: each window's gradient goes
     * to its maximum, shared evenly on ties; overlapping windows accumulate.
     *
     * @param kernel  {@code {kH, kW}}
     * @param stride  {@code {sH, sW}}
     * @param padding {@code {pH, pW}}, at most half the kernel
     * @return the pooled tensor
     */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding) {
        return NnOps.maxPool2d(this, kernel, stride, padding);
    }

    /**
     * Average pooling of this NCHW input with square windows, stride equal to the window, no padding.
     *
     * @param kernel the window size
     * @return {@code [N, C, H / k, W / k]}
     */
    public Tensor avgPool2d(int kernel) {
        return avgPool2d(new int[] {kernel, kernel}, new int[] {kernel, kernel}, new int[] {0, 0});
    }

    /**
     * Average pooling of this NCHW input; zero padding is counted in the mean (PyTorch's default).
     * Backward: each window spreads {@code g / (kH kW)} over its elements.
     *
     * @param kernel  {@code {kH, kW}}
     * @param stride  {@code {sH, sW}}
     * @param padding {@code {pH, pW}}, at most half the kernel
     * @return the pooled tensor
     */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding) {
        return NnOps.avgPool2d(this, kernel, stride, padding);
    }

    // ---------------------------------------------------------------- autograd

    /**
     * Gives this tensor a name shown in graph pictures, traces and {@link #toString()} (nn names parameters
     * after their place in the model, e.g. {@code layers.0.weight}).
     *
     * @param name the label
     * @return this tensor
     */
    public Tensor name(String name) {
        this.name = name;
        // A named tensor is one a person will look for in pictures and traces: its node keeps it.
        Node node = gradFn;
        if (node != null && node.output == null) {
            node.output = this;
        }
        return this;
    }

    /** @return the name given with {@link #name(String)}, or {@code null} */
    public String name() {
        return name;
    }

    /** The name, or the value of a scalar, or the shape: how traces refer to this tensor. */
    String labelOrShape() {
        if (name != null) {
            return name;
        }
        return numel() == 1 ? BackwardTrace.number(Kernels.get(storage.array, 0)) : Shapes.format(shape);
    }

    /**
     * Marks a leaf as a parameter (or input) whose gradient backward should compute.
     *
     * @param requiresGrad whether to record ops on this tensor and accumulate its gradient
     * @return this tensor, for chaining
     * @throws IllegalStateException when this tensor was produced by a recorded op (use {@link #detach()})
     */
    public Tensor requiresGrad(boolean requiresGrad) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: this tensor was produced by '" + gradFn.name()
                    + "' and is part of a graph; only leaves can change requiresGrad. Use detach() to get a leaf.");
        }
        this.requiresGrad = requiresGrad;
        return this;
    }

    /** @return whether ops on this tensor are recorded and its gradient is computed */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * The gradient accumulated by backward: for a leaf that requires grad, or a non-leaf after
     * {@link #retainGrad()}; {@code null} before any backward and after {@link #zeroGrad()}.
     *
     * @return the gradient, of this tensor's shape and dtype, or {@code null}
     */
    public Tensor grad() {
        return grad;
    }

    /** Forgets the accumulated gradient ({@link #grad()} becomes {@code null}), as PyTorch's set-to-none. */
    public void zeroGrad() {
        grad = null;
    }

    /**
     * Backpropagates from this single-element tensor (a loss): {@code d this / d leaf} is added to the
     * {@link #grad()} of every leaf that requires grad. Saved tensors are freed afterwards.
     *
     * @throws IllegalStateException when this tensor does not require grad, has more than one element, or
     *                               the graph was already freed by an earlier backward
     */
    public void backward() {
        backward(null, false, false);
    }

    /**
     * Backpropagates with the upstream gradient {@code gradient} (of this tensor's shape): leaves receive
     * the vector-Jacobian product {@code gradient . d this / d leaf}.
     *
     * @param gradient the gradient of some scalar with respect to this tensor
     * @throws IllegalArgumentException when the gradient's shape or dtype differs from this tensor's
     */
    public void backward(Tensor gradient) {
        backward(gradient, false, false);
    }

    /**
     * Backpropagation with all options.
     *
     * @param gradient    the upstream gradient, or {@code null} for a single-element tensor
     * @param retainGraph keep the saved tensors so that the graph can be backpropagated again
     * @param createGraph record the backward pass itself, so that gradients can be differentiated again
     */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        Engine.run(List.of(this), gradient == null ? null : java.util.Collections.singletonList(gradient),
                retainGraph, createGraph, null, false);
    }

    /**
     * A tensor with the same values (shared storage) that is cut from the graph: a leaf that does not
     * require grad. Use it to stop gradients or to start a new graph from a computed value.
     *
     * @return the detached tensor
     */
    public Tensor detach() {
        return new Tensor(storage, shape);
    }

    /** @return whether this tensor was created by the user rather than by a recorded op */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /**
     * Asks backward to keep this non-leaf tensor's gradient in {@link #grad()} (leaves keep theirs anyway).
     *
     * @return this tensor, for chaining
     */
    public Tensor retainGrad() {
        if (gradFn != null) {
            gradFn.extras().retainedOutput = this;
        }
        return this;
    }

    /**
     * The backward node of the op that produced this tensor, for inspecting the graph.
     *
     * @return the node, or {@code null} for a leaf
     */
    public GradFn gradFn() {
        return gradFn;
    }

    /**
     * Registers a hook called with this tensor's gradient each time backward computes it, before it is
     * accumulated into {@link #grad()} or sent further down the graph. The hook may return a replacement
     * of the same shape and dtype (to clip, scale or log gradients), or {@code null} to keep the gradient.
     *
     * <pre>{@code
     * HookHandle h = hidden.registerHook(g -> g.clamp(-1, 1));
     * loss.backward();
     * h.remove();
     * }</pre>
     *
     * @param hook the function of the gradient
     * @return a handle whose {@code remove()} unregisters the hook
     * @throws IllegalStateException when this tensor does not require grad
     */
    public HookHandle registerHook(java.util.function.UnaryOperator<Tensor> hook) {
        Node node = gradEdge();
        if (node == null) {
            throw new IllegalStateException("registerHook: the tensor of shape " + Shapes.format(shape)
                    + " does not require grad, so no gradient will ever reach a hook on it");
        }
        Node.HookEntry entry = new Node.HookEntry(hook);
        List<Node.HookEntry> hooks;
        synchronized (node) {
            Node.Extras extras = node.extras();
            if (extras.hooks == null) {
                extras.hooks = new java.util.concurrent.CopyOnWriteArrayList<>();
            }
            hooks = extras.hooks;
        }
        hooks.add(entry);
        return () -> hooks.remove(entry);
    }

    // ---------------------------------------------------------------- in-place ops

    /**
     * {@code this += other} (broadcast to this shape), in place. Allowed on tensors that do not require
     * grad, and on any tensor inside {@link Autograd#noGrad()} (the way optimizers update parameters). It
     * bumps the version counter, so a backward that needs the old values fails instead of computing a
     * wrong gradient.
     *
     * @param other the values to add, broadcastable to this shape
     * @return this tensor
     * @throws IllegalStateException when this tensor requires grad and grad mode is on
     */
    public Tensor addInPlace(Tensor other) {
        return InPlaceOps.apply("addInPlace", this, BinaryOp.ADD, other);
    }

    /**
     * {@code this += alpha * other} (broadcast to this shape), in place, in one pass when the shapes match
     * (PyTorch's {@code add_(other, alpha=...)}, BLAS's axpy): the update of plain SGD,
     * {@code p.addInPlace(p.grad(), -lr)}, without a temporary. Same rules as {@link #addInPlace(Tensor)}.
     *
     * @param other the values to add, broadcastable to this shape
     * @param alpha their factor
     * @return this tensor
     * @throws IllegalStateException    when this tensor requires grad and grad mode is on
     * @throws IllegalArgumentException when the dtypes differ or other does not broadcast to this shape
     */
    public Tensor addInPlace(Tensor other, double alpha) {
        return InPlaceOps.addScaled("addInPlace", this, alpha, other);
    }

    /**
     * {@code this += value}, in place; see {@link #addInPlace(Tensor)}.
     *
     * @param value the constant to add
     * @return this tensor
     */
    public Tensor addInPlace(double value) {
        return addInPlace(constant(value));
    }

    /**
     * {@code this -= other} (broadcast to this shape), in place; see {@link #addInPlace(Tensor)}.
     *
     * @param other the values to subtract
     * @return this tensor
     */
    public Tensor subInPlace(Tensor other) {
        return InPlaceOps.apply("subInPlace", this, BinaryOp.SUB, other);
    }

    /**
     * {@code this -= value}, in place; see {@link #addInPlace(Tensor)}.
     *
     * @param value the constant to subtract
     * @return this tensor
     */
    public Tensor subInPlace(double value) {
        return subInPlace(constant(value));
    }

    /**
     * {@code this *= other} (broadcast to this shape), in place; see {@link #addInPlace(Tensor)}.
     *
     * @param other the factors
     * @return this tensor
     */
    public Tensor mulInPlace(Tensor other) {
        return InPlaceOps.apply("mulInPlace", this, BinaryOp.MUL, other);
    }

    /**
     * {@code this *= value}, in place; see {@link #addInPlace(Tensor)}.
     *
     * @param value the factor
     * @return this tensor
     */
    public Tensor mulInPlace(double value) {
        return mulInPlace(constant(value));
    }

    /**
     * {@code this /= other} (broadcast to this shape), in place; see {@link #addInPlace(Tensor)}.
     *
     * @param other the divisors
     * @return this tensor
     */
    public Tensor divInPlace(Tensor other) {
        return InPlaceOps.apply("divInPlace", this, BinaryOp.DIV, other);
    }

    /**
     * {@code this /= value}, in place; see {@link #addInPlace(Tensor)}.
     *
     * @param value the divisor
     * @return this tensor
     */
    public Tensor divInPlace(double value) {
        return divInPlace(constant(value));
    }

    /**
     * Sets every element to {@code value}, in place; see {@link #addInPlace(Tensor)}.
     *
     * @param value the value
     * @return this tensor
     */
    public Tensor fill(double value) {
        return InPlaceOps.apply("fill", this, null, constant(value));
    }

    /**
     * Overwrites this tensor with {@code source}'s values (broadcast to this shape), in place; see
     * {@link #addInPlace(Tensor)}.
     *
     * @param source the values, same dtype, broadcastable to this shape
     * @return this tensor
     */
    public Tensor copyFrom(Tensor source) {
        return InPlaceOps.apply("copyFrom", this, null, source);
    }

    /** Where a gradient for this tensor must go: its op's node, its accumulator, or nowhere. */
    Node gradEdge() {
        if (gradFn != null) {
            return gradFn;
        }
        if (!requiresGrad) {
            return null;
        }
        AccumulateGrad existing = accumulator;
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            if (accumulator == null) {
                accumulator = new AccumulateGrad(this);
            }
            return accumulator;
        }
    }

    /** Whether an op on these inputs must be recorded: grad mode is on and some input requires grad. */
    static boolean recording(Tensor a) {
        return a.requiresGrad && GradMode.isEnabled();
    }

    /** Whether an op on these inputs must be recorded: grad mode is on and some input requires grad. */
    static boolean recording(Tensor a, Tensor b) {
        return (a.requiresGrad || b.requiresGrad) && GradMode.isEnabled();
    }

    /** Whether an op on these inputs must be recorded; {@code c} may be null (an absent optional input). */
    static boolean recording(Tensor a, Tensor b, Tensor c) {
        return (a.requiresGrad || b.requiresGrad || (c != null && c.requiresGrad)) && GradMode.isEnabled();
    }

    /** Makes {@code node} this tensor's producer; returns this. */
    Tensor recordedBy(Node node) {
        if (numel() > Node.STRONG_OUTPUT_ELEMENTS) {
            node.output = new java.lang.ref.WeakReference<>(this);
        } else if (node.keepsSmallOutput) {
            node.output = this;
        }
        node.outputShape = shape;
        this.gradFn = node;
        this.requiresGrad = true;
        return this;
    }

    /**
     * Shape, dtype, the producing op and the values, truncated like NumPy beyond 1000 elements.
     *
     * @return a multi-line description
     */
    @Override
    public String toString() {
        return TensorFormatter.format(this);
    }
}
