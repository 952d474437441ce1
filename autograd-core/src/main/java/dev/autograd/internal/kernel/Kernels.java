package dev.autograd.internal.kernel;

import java.util.Arrays;
import java.util.Random;

/**
 * The entry point of the kernel layer: picks the float64 or float32 loops by the array type (once per
 * call, never per element) and simplifies strided iteration spaces before handing them over.
 *
 * <p>Arrays are passed as {@code Object} holding a {@code double[]}, a {@code float[]}, or the bit patterns
 * of a 16-bit format ({@code char[]} for binary16, {@code short[]} for bfloat16; see {@link Half}); all
 * arrays of one call have the same element type (the ops layer checks dtypes before calling). Half arrays
 * take the last branch of every dispatch, so the float64 and float32 paths pay nothing for them: there the
 * operands are widened into float32 scratch, the float32 kernel runs (matrix products and convolutions
 * accumulate in float32) and each output is rounded back once, which is what PyTorch does on the CPU.
 */
public final class Kernels {

    /** Below this many elements an element-wise kernel stays on the calling thread: forking costs more. */
    static final int PARALLEL_ELEMENTS = 1 << 15;
    /** The least number of elements worth a chunk of its own on the pool. */
    static final int GRAIN = 1 << 14;
    /**
     * Length of the leaves of the pairwise summation tree. Must stay well below
     * {@link #PARALLEL_ELEMENTS} / 4, so that a row long enough to be summed in parallel has at least two
     * blocks in each of its four top subtrees.
     */
    static final int SUM_BLOCK = 1 << 11;
    /** Width of the output column blocks a reduction over outer axes keeps in L1 (16 to 32 KiB). */
    static final int COLUMN_BLOCK = 1 << 12;

    private Kernels() {
    }

    /** A new zeroed array of {@code n} elements of the same element type as {@code like}. */
    public static Object newArray(Object like, int n) {
        if (like instanceof double[]) {
            return new double[n];
        }
        if (like instanceof float[]) {
            return new float[n];
        }
        return like instanceof char[] ? new char[n] : new short[n];
    }

    /** A new zeroed array of {@code n} elements, float64 or float32. */
    public static Object newArray(boolean float64, int n) {
        return float64 ? new double[n] : new float[n];
    }

    /** Number of elements of a kernel array. */
    public static int length(Object array) {
        if (array instanceof double[] d) {
            return d.length;
        }
        if (array instanceof float[] f) {
            return f.length;
        }
        return array instanceof char[] h ? h.length : ((short[]) array).length;
    }

    /** Element {@code i} widened to double (exactly). */
    public static double get(Object array, int i) {
        if (array instanceof double[] d) {
            return d[i];
        }
        if (array instanceof float[] f) {
            return f[i];
        }
        return array instanceof char[] h ? Half.fromFloat16(h[i]) : Half.fromBFloat16(((short[]) array)[i]);
    }

    /** A copy of the array converted to float64 (or a plain copy when it already is). */
    public static double[] toDoubles(Object array) {
        if (array instanceof double[] d) {
            return d.clone();
        }
        float[] f = (float[]) Half.widen(array);
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** A copy of the array converted to float32 (rounding to nearest), or a plain copy. */
    public static float[] toFloats(Object array) {
        if (array instanceof float[] f) {
            return f.clone();
        }
        if (Half.isHalf(array)) {
            return (float[]) Half.widen(array);
        }
        double[] d = (double[]) array;
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /**
     * The values of {@code array} converted into {@code like}'s element type, as a new array: widening is
     * exact, narrowing rounds once to nearest (a double goes to a half format directly, not through float).
     *
     * @param array the values
     * @param like  any array of the target type
     * @return a new array
     */
    public static Object convertLike(Object array, Object like) {
        if (like instanceof double[]) {
            return toDoubles(array);
        }
        if (like instanceof float[]) {
            return toFloats(array);
        }
        int n = length(array);
        Object out = newArray(like, n);
        if (array instanceof double[] d) {
            if (out instanceof char[] h) {
                for (int i = 0; i < n; i++) {
                    h[i] = Half.toFloat16(d[i]);
                }
            } else {
                short[] h = (short[]) out;
                for (int i = 0; i < n; i++) {
                    h[i] = Half.toBFloat16(d[i]);
                }
            }
            return out;
        }
        // float32, or the other half format (binary16 and bfloat16 values both widen exactly to float32).
        Half.narrowInto(Half.widen(array), out);
        return out;
    }

    /**
     * {@code value} rounded once into every element of {@code array}.
     *
     * @param array the array to fill
     * @param value the value
     */
    public static void fill(Object array, double value) {
        if (array instanceof double[] d) {
            Arrays.fill(d, value);
        } else if (array instanceof float[] f) {
            Arrays.fill(f, (float) value);
        } else if (array instanceof char[] h) {
            Arrays.fill(h, Half.toFloat16(value));
        } else {
            Arrays.fill((short[]) array, Half.toBFloat16(value));
        }
    }

    /** A new array like {@code like} of {@code n} copies of {@code value}. */
    public static Object filledLike(Object like, int n, double value) {
        Object out = newArray(like, n);
        fill(out, value);
        return out;
    }

    /**
     * {@code n} draws from U[0, 1) or N(0, 1) in float64, rounded once to the element type of {@code like}. A
     * uniform draw that rounds up to 1 in a half format (one in 4096 for binary16, one in 512 for bfloat16)
     * becomes the format's largest value below 1, so that the interval stays half-open.
     */
    public static Object randomLike(Random random, boolean gaussian, Object like, int n) {
        // Drawn in float64 whatever the dtype, so that every dtype sees the same stream, rounded once.
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = gaussian ? random.nextGaussian() : random.nextDouble();
        }
        if (like instanceof double[]) {
            return d;
        }
        Object out = convertLike(d, like);
        if (!gaussian && out instanceof char[] h) {
            for (int i = 0; i < n; i++) {
                h[i] = h[i] == 0x3c00 ? (char) 0x3bff : h[i];
            }
        } else if (!gaussian && out instanceof short[] h) {
            for (int i = 0; i < n; i++) {
                h[i] = h[i] == 0x3f80 ? (short) 0x3f7f : h[i];
            }
        }
        return out;
    }

    /** A new array of {@code n} copies of {@code value}. */
    public static Object filled(boolean float64, int n, double value) {
        if (float64) {
            double[] d = new double[n];
            Arrays.fill(d, value);
            return d;
        }
        float[] f = new float[n];
        Arrays.fill(f, (float) value);
        return f;
    }

    /** {@code out[i] = op(x[i])}; {@code p} is the parameter of {@code POW}. */
    public static void unary(UnaryOp op, Object x, Object out, double p) {
        if (!(x instanceof double[] || x instanceof float[])) {
            Object o = Half.scratch(out);
            unary(op, Half.widen(x), o, p);
            Half.narrowInto(o, out);
            return;
        }
        int n = length(x);
        if (x instanceof double[] d) {
            double[] o = (double[]) out;
            if (n < PARALLEL_ELEMENTS) {
                Backends.DOUBLE.unary(op, d, 0, o, 0, n, p);
            } else {
                Parallel.range(n, GRAIN, (s, e) -> Backends.DOUBLE.unary(op, d, s, o, s, e - s, p));
            }
        } else {
            float[] f = (float[]) x;
            float[] o = (float[]) out;
            float fp = (float) p;
            if (n < PARALLEL_ELEMENTS) {
                Backends.FLOAT.unary(op, f, 0, o, 0, n, fp);
            } else {
                Parallel.range(n, GRAIN, (s, e) -> Backends.FLOAT.unary(op, f, s, o, s, e - s, fp));
            }
        }
    }

    /**
     * The fused backward of a unary function: a new array of {@code shape} holding
     * {@code g * f'(saved)} (see {@link DoubleBackend#unaryBackward} for what {@code saved} is), with
     * {@code g} of a shape that broadcasts to {@code shape} read in place, never expanded.
     */
    public static Object unaryBackward(UnaryOp op, Object g, int[] gShape, Object saved, int[] shape, double p) {
        if (!(saved instanceof double[] || saved instanceof float[])) {
            return Half.narrow(unaryBackward(op, Half.widen(g), gShape, Half.widen(saved), shape, p), saved);
        }
        int n = length(saved);
        Object out = newArray(saved, n);
        int[] dense = Shape.strides(shape);
        int[][] collapsed = collapse(shape, broadcastStrides(gShape, shape), dense);
        if (saved instanceof double[] s) {
            DoubleKernels.unaryBackward(op, (double[]) g, collapsed[1], s, (double[]) out, collapsed[0], p);
        } else {
            FloatKernels.unaryBackward(op, (float[]) g, collapsed[1], (float[]) saved, (float[]) out, collapsed[0],
                    (float) p);
        }
        return out;
    }

    /**
     * {@code y += alpha * x} over arrays of one length, split over the pool when long.
     *
     * @param alpha the factor
     * @param x     the values added
     * @param y     the values updated in place
     */
    public static void axpy(double alpha, Object x, Object y) {
        if (!(x instanceof double[] || x instanceof float[])) {
            Object wide = Half.widen(y);
            axpy(alpha, Half.widen(x), wide);
            Half.narrowInto(wide, y);
            return;
        }
        int n = length(x);
        if (x instanceof double[] d) {
            double[] o = (double[]) y;
            if (n < PARALLEL_ELEMENTS) {
                Backends.DOUBLE.axpy(n, alpha, d, 0, o, 0);
            } else {
                Parallel.range(n, GRAIN, (s, e) -> Backends.DOUBLE.axpy(e - s, alpha, d, s, o, s));
            }
        } else {
            float[] f = (float[]) x;
            float[] o = (float[]) y;
            float a = (float) alpha;
            if (n < PARALLEL_ELEMENTS) {
                Backends.FLOAT.axpy(n, a, f, 0, o, 0);
            } else {
                Parallel.range(n, GRAIN, (s, e) -> Backends.FLOAT.axpy(e - s, a, f, s, o, s));
            }
        }
    }

    /**
     * {@code target += src} in place, {@code src} broadcast to the target's shape (the engine's gradient
     * accumulation).
     */
    public static void addInto(Object target, int[] targetShape, Object src, int[] srcShape) {
        if (targetShape == srcShape || Arrays.equals(targetShape, srcShape)) {
            binarySameShape(BinaryOp.ADD, target, src, target);
            return;
        }
        binary(BinaryOp.ADD, target, Shape.strides(targetShape), src, broadcastStrides(srcShape, targetShape),
                target, targetShape);
    }

    /**
     * 2-d convolution of an NCHW input with an OIHW weight (and a bias, or null) into a new NCHW array.
     *
     * @param x      the input
     * @param weight the weight
     * @param bias   the bias, or null
     * @param g      the sizes
     * @return the output {@code [n, o, ho, wo]}
     */
    public static Object conv2d(Object x, Object weight, Object bias, ConvGeometry g) {
        if (!(x instanceof double[] || x instanceof float[])) {
            return Half.narrow(conv2d(Half.widen(x), Half.widen(weight), Half.widen(bias), g), x);
        }
        Object y = newArray(x, g.n() * g.o() * g.plane());
        if (x instanceof double[] d) {
            DoubleKernels.conv2d(d, (double[]) weight, (double[]) bias, g, (double[]) y);
        } else {
            FloatKernels.conv2d((float[]) x, (float[]) weight, (float[]) bias, g, (float[]) y);
        }
        return y;
    }

    /**
     * The gradients of a 2-d convolution; each of dx, dw, db is a zeroed array to fill, or null when not needed.
     *
     * @param x      the input
     * @param weight the weight
     * @param dy     the gradient of the output
     * @param g      the sizes
     * @param dx     receives the input's gradient, or null
     * @param dw     receives the weight's gradient, or null
     * @param db     receives the bias's gradient, or null
     */
    public static void conv2dBackward(Object x, Object weight, Object dy, ConvGeometry g, Object dx, Object dw,
                                      Object db) {
        if (!(x instanceof double[] || x instanceof float[])) {
            Object wx = Half.scratch(dx);
            Object ww = Half.scratch(dw);
            Object wb = Half.scratch(db);
            conv2dBackward(Half.widen(x), Half.widen(weight), Half.widen(dy), g, wx, ww, wb);
            Half.narrowInto(wx, dx);
            Half.narrowInto(ww, dw);
            Half.narrowInto(wb, db);
            return;
        }
        if (x instanceof double[] d) {
            DoubleKernels.conv2dBackward(d, (double[]) weight, (double[]) dy, g, (double[]) dx, (double[]) dw,
                    (double[]) db);
        } else {
            FloatKernels.conv2dBackward((float[]) x, (float[]) weight, (float[]) dy, g, (float[]) dx, (float[]) dw,
                    (float[]) db);
        }
    }

    /**
     * Max pooling into a new array; padding counts as -infinity.
     *
     * @param x the input
     * @param g the sizes (o equal to c)
     * @return the output {@code [n, c, ho, wo]}
     */
    public static Object maxPool2d(Object x, ConvGeometry g) {
        if (!(x instanceof double[] || x instanceof float[])) {
            return Half.narrow(maxPool2d(Half.widen(x), g), x);
        }
        Object y = newArray(x, g.n() * g.c() * g.plane());
        if (x instanceof double[] d) {
            DoubleKernels.maxPool2d(d, g, (double[]) y);
        } else {
            FloatKernels.maxPool2d((float[]) x, g, (float[]) y);
        }
        return y;
    }

    /**
     * The gradient of max pooling, ties sharing evenly, into a new array of the input's size.
     *
     * @param x  the input
     * @param y  the output
     * @param dy the gradient of the output
     * @param g  the sizes
     * @return the gradient of the input
     */
    public static Object maxPool2dBackward(Object x, Object y, Object dy, ConvGeometry g) {
        if (!(x instanceof double[] || x instanceof float[])) {
            return Half.narrow(maxPool2dBackward(Half.widen(x), Half.widen(y), Half.widen(dy), g), x);
        }
        Object dx = newArray(x, length(x));
        if (x instanceof double[] d) {
            DoubleKernels.maxPool2dBackward(d, (double[]) y, (double[]) dy, g, (double[]) dx);
        } else {
            FloatKernels.maxPool2dBackward((float[]) x, (float[]) y, (float[]) dy, g, (float[]) dx);
        }
        return dx;
    }

    /**
     * Softmax or log-softmax along the middle axis of {@code x} viewed as {@code [outer, extent, inner]}, into
     * a new array.
     */
    public static Object softmax(Object x, int outer, int extent, int inner, boolean log) {
        if (!(x instanceof double[] || x instanceof float[])) {
            return Half.narrow(softmax(Half.widen(x), outer, extent, inner, log), x);
        }
        Object out = newArray(x, length(x));
        if (x instanceof double[] d) {
            DoubleKernels.softmax(d, (double[]) out, outer, extent, inner, log);
        } else {
            FloatKernels.softmax((float[]) x, (float[]) out, outer, extent, inner, log);
        }
        return out;
    }

    /** The fused backward of {@link #softmax} from the upstream gradient and the output, into a new array. */
    public static Object softmaxBackward(Object g, Object y, int outer, int extent, int inner, boolean log) {
        if (!(y instanceof double[] || y instanceof float[])) {
            return Half.narrow(softmaxBackward(Half.widen(g), Half.widen(y), outer, extent, inner, log), y);
        }
        Object out = newArray(y, length(y));
        if (y instanceof double[] d) {
            DoubleKernels.softmaxBackward((double[]) g, d, (double[]) out, outer, extent, inner, log);
        } else {
            FloatKernels.softmaxBackward((float[]) g, (float[]) y, (float[]) out, outer, extent, inner, log);
        }
        return out;
    }

    /**
     * {@code sum(a * b)} over the axes of {@code shape} (the broadcast shape of a and b) that
     * {@code target} lacks or has with extent 1: the gradient of a broadcast product for an operand of
     * shape {@code target}, in one pass and without materialising the product.
     */
    public static Object productSumTo(Object a, int[] aShape, Object b, int[] bShape, int[] shape, int[] target) {
        if (!(a instanceof double[] || a instanceof float[])) {
            return Half.narrow(productSumTo(Half.widen(a), aShape, Half.widen(b), bShape, shape, target), a);
        }
        Object out = newArray(a, Shape.size(target));
        int[] aStrides = broadcastStrides(aShape, shape);
        int[] bStrides = broadcastStrides(bShape, shape);
        int[] outStrides = broadcastStrides(target, shape);
        if (a instanceof double[] d) {
            DoubleKernels.productSum(d, aStrides, (double[]) b, bStrides, shape, outStrides, (double[]) out);
        } else {
            FloatKernels.productSum((float[]) a, aStrides, (float[]) b, bStrides, shape, outStrides, (float[]) out);
        }
        return out;
    }

    /**
     * Per axis of {@code target}, the step in a dense array of {@code shape} broadcast to it (0 if repeated).
     *
     * @param shape  the array's own shape, aligned with target from the right
     * @param target the broadcast shape
     * @return one stride per axis of target
     */
    public static int[] broadcastStrides(int[] shape, int[] target) {
        int[] dense = Shape.strides(shape);
        int[] strides = new int[target.length];
        int lead = target.length - shape.length;
        for (int d = 0; d < shape.length; d++) {
            strides[lead + d] = shape[d] == 1 ? 0 : dense[d];
        }
        return strides;
    }

    /**
     * The offset of row {@code row} (rows are the innermost axis) of a strided view of {@code shape}, and
     * its coordinates on every outer axis in {@code counter}.
     */
    static int unravel(int row, int[] shape, int[] strides, int[] counter) {
        int offset = 0;
        int r = row;
        for (int d = shape.length - 2; d >= 0; d--) {
            counter[d] = r % shape[d];
            r /= shape[d];
            offset += counter[d] * strides[d];
        }
        return offset;
    }

    /** The offset of the coordinates {@code counter} (outer axes only) with {@code strides}. */
    static int offset(int[] counter, int[] strides) {
        int offset = 0;
        for (int d = 0; d < counter.length - 1; d++) {
            offset += counter[d] * strides[d];
        }
        return offset;
    }

    /**
     * The offset, with {@code strides}, of element {@code index} of the sub-space spanned by {@code axes}
     * of {@code shape} (row-major among those axes).
     */
    static int offsetOf(int index, int[] shape, int[] axes, int[] strides) {
        int offset = 0;
        int r = index;
        for (int i = axes.length - 1; i >= 0; i--) {
            int d = axes[i];
            offset += (r % shape[d]) * strides[d];
            r /= shape[d];
        }
        return offset;
    }

    /**
     * {@code out = op(a, b)} with broadcasting: {@code aStrides}/{@code bStrides} are per axis of the
     * output {@code shape}, 0 where the operand is broadcast.
     */
    public static void binary(BinaryOp op, Object a, int[] aStrides, Object b, int[] bStrides, Object out,
                              int[] shape) {
        if (!(a instanceof double[] || a instanceof float[])) {
            Object o = Half.scratch(out);
            binary(op, Half.widen(a), aStrides, Half.widen(b), bStrides, o, shape);
            Half.narrowInto(o, out);
            return;
        }
        int[][] collapsed = collapse(shape, aStrides, bStrides);
        int[] s = collapsed[0];
        if (a instanceof double[] d) {
            DoubleKernels.binary(op, d, collapsed[1], (double[]) b, collapsed[2], (double[]) out, s);
        } else {
            FloatKernels.binary(op, (float[]) a, collapsed[1], (float[]) b, collapsed[2], (float[]) out, s);
        }
    }

    /** {@code out[i] = op(a[i], b[i])} for operands of one shape: a flat loop, no stride bookkeeping. */
    public static void binarySameShape(BinaryOp op, Object a, Object b, Object out) {
        if (!(a instanceof double[] || a instanceof float[])) {
            Object o = Half.scratch(out);
            binarySameShape(op, Half.widen(a), Half.widen(b), o);
            Half.narrowInto(o, out);
            return;
        }
        if (op.ordinal() <= BinaryOp.DIV.ordinal() && length(a) == 1) {
            // One element (every scalar op) of an exactly rounded op: the backends' bits, without their loops.
            if (a instanceof double[] d) {
                ((double[]) out)[0] = exact(op, d[0], ((double[]) b)[0]);
            } else {
                // A float op computed in double and rounded once gives the float result for + - * /.
                ((float[]) out)[0] = (float) exact(op, ((float[]) a)[0], ((float[]) b)[0]);
            }
            return;
        }
        if (a instanceof double[] d) {
            Backends.DOUBLE.binary(op, d, 0, 1, (double[]) b, 0, 1, (double[]) out, 0, d.length);
        } else {
            float[] f = (float[]) a;
            Backends.FLOAT.binary(op, f, 0, 1, (float[]) b, 0, 1, (float[]) out, 0, f.length);
        }
    }

    /**
     * {@code out = a op c} element-wise with a constant {@code c} (rounded to float first for a float
     * array, as a float32 constant tensor would be); the same bits as {@link #binary} with a 0-d operand.
     *
     * @param op  the operation
     * @param a   the left operand
     * @param c   the constant right operand
     * @param out the result, as long as {@code a}
     */
    public static void binaryConstant(BinaryOp op, Object a, double c, Object out) {
        if (!(a instanceof double[] || a instanceof float[])) {
            // The constant is rounded to float32, as PyTorch does with a Python number and a half tensor.
            Object o = Half.scratch(out);
            binaryConstant(op, Half.widen(a), c, o);
            Half.narrowInto(o, out);
            return;
        }
        int n = length(a);
        if (a instanceof double[] d) {
            if (n == 1 && op.ordinal() <= BinaryOp.DIV.ordinal()) {
                ((double[]) out)[0] = exact(op, d[0], c);
            } else {
                Backends.DOUBLE.binary(op, d, 0, 1, new double[] {c}, 0, 0, (double[]) out, 0, n);
            }
        } else {
            float[] f = (float[]) a;
            float constant = (float) c;
            if (n == 1 && op.ordinal() <= BinaryOp.DIV.ordinal()) {
                ((float[]) out)[0] = (float) exact(op, f[0], constant);
            } else {
                Backends.FLOAT.binary(op, f, 0, 1, new float[] {constant}, 0, 0, (float[]) out, 0, n);
            }
        }
    }

    /** {@code x op y} for the exactly rounded ops ADD, SUB, MUL and DIV. */
    private static double exact(BinaryOp op, double x, double y) {
        switch (op) {
            case ADD:
                return x + y;
            case SUB:
                return x - y;
            case MUL:
                return x * y;
            default:
                return x / y;
        }
    }

    /**
     * Sums {@code x} of shape {@code shape} into a new array of {@code outSize} elements; {@code outStrides}
     * gives per input axis the step in the output, 0 on reduced axes.
     */
    public static Object reduce(ReduceOp op, Object x, int[] shape, int[] outStrides, int outSize) {
        if (!(x instanceof double[] || x instanceof float[])) {
            return Half.narrow(reduce(op, Half.widen(x), shape, outStrides, outSize), x);
        }
        int[] denseStrides = Shape.strides(shape);
        int[][] collapsed = collapse(shape, denseStrides, outStrides);
        double identity = switch (op) {
            case SUM -> 0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
        Object out = filled(x instanceof double[], outSize, identity);
        int[] cs = collapsed[0];
        int[] co = collapsed[2];
        if (cs.length == 2 && co[0] == 0 && co[1] == 1 && (long) cs[0] * cs[1] < PARALLEL_ELEMENTS) {
            // Leading axes reduced, trailing kept (a bias gradient, a mean over the batch): each row folded into
            // the output in turn, as the general path does for small inputs, without its index bookkeeping.
            BinaryOp combine = op == ReduceOp.SUM ? BinaryOp.ADD : op == ReduceOp.MAX ? BinaryOp.MAX : BinaryOp.MIN;
            int cols = cs[1];
            for (int r = 0; r < cs[0]; r++) {
                if (x instanceof double[] d) {
                    Backends.DOUBLE.binary(combine, (double[]) out, 0, 1, d, r * cols, 1, (double[]) out, 0, cols);
                } else {
                    Backends.FLOAT.binary(combine, (float[]) out, 0, 1, (float[]) x, r * cols, 1, (float[]) out, 0,
                            cols);
                }
            }
            return out;
        }
        if (x instanceof double[] d) {
            DoubleKernels.reduce(op, d, collapsed[0], collapsed[2], (double[]) out);
        } else {
            FloatKernels.reduce(op, (float[]) x, collapsed[0], collapsed[2], (float[]) out);
        }
        return out;
    }

    /**
     * Per line along the middle axis of {@code x} viewed as {@code [outer, extent, inner]}, the index of the
     * largest ({@code max}) or smallest element, first on ties.
     */
    public static int[] argReduce(Object x, int outer, int extent, int inner, boolean max) {
        if (!(x instanceof double[] || x instanceof float[])) {
            return argReduce(Half.widen(x), outer, extent, inner, max);
        }
        int[] out = new int[outer * inner];
        if (x instanceof double[] d) {
            DoubleKernels.argReduce(d, outer, extent, inner, max, out);
        } else {
            FloatKernels.argReduce((float[]) x, outer, extent, inner, max, out);
        }
        return out;
    }

    /** {@code mask != 0 ? a : b} element-wise over arrays of one length. */
    public static Object where(Object mask, Object a, Object b) {
        if (!(a instanceof double[] || a instanceof float[])) {
            return Half.narrow(where(Half.widen(mask), Half.widen(a), Half.widen(b)), a);
        }
        Object out = newArray(a, length(a));
        if (a instanceof double[] d) {
            DoubleKernels.where((double[]) mask, d, (double[]) b, (double[]) out);
        } else {
            FloatKernels.where((float[]) mask, (float[]) a, (float[]) b, (float[]) out);
        }
        return out;
    }

    /**
     * Writes dense {@code src} into the strided view {@code (dst, offset, dstStrides, shape)}; adds when
     * {@code accumulate} (overlapping positions sum), else assigns.
     */
    public static void stridedWrite(Object src, Object dst, int offset, int[] dstStrides, int[] shape,
                                    boolean accumulate) {
        if (!(src instanceof double[] || src instanceof float[])) {
            // The untouched elements of dst widen and narrow back exactly; the written ones round once.
            Object wide = Half.widen(dst);
            stridedWrite(Half.widen(src), wide, offset, dstStrides, shape, accumulate);
            Half.narrowInto(wide, dst);
            return;
        }
        if (src instanceof double[] d) {
            DoubleKernels.stridedWrite(d, (double[]) dst, offset, dstStrides, shape, accumulate);
        } else {
            FloatKernels.stridedWrite((float[]) src, (float[]) dst, offset, dstStrides, shape, accumulate);
        }
    }

    /** Slices of {@code src} ({@code [outer, extent, inner]}) at {@code indices} along the middle axis. */
    public static Object take(Object src, int outer, int extent, int inner, int[] indices) {
        if (!(src instanceof double[] || src instanceof float[])) {
            return Half.narrow(take(Half.widen(src), outer, extent, inner, indices), src);
        }
        Object out = newArray(src, outer * indices.length * inner);
        if (src instanceof double[] d) {
            DoubleKernels.take(d, outer, extent, inner, indices, (double[]) out);
        } else {
            FloatKernels.take((float[]) src, outer, extent, inner, indices, (float[]) out);
        }
        return out;
    }

    /** The adjoint of {@link #take}: a new {@code [outer, extent, inner]} array with the slices added back. */
    public static Object indexAdd(Object src, int outer, int extent, int inner, int[] indices) {
        if (!(src instanceof double[] || src instanceof float[])) {
            return Half.narrow(indexAdd(Half.widen(src), outer, extent, inner, indices), src);
        }
        Object dst = newArray(src, outer * extent * inner);
        if (src instanceof double[] d) {
            DoubleKernels.indexAdd(d, outer, extent, inner, indices, (double[]) dst);
        } else {
            FloatKernels.indexAdd((float[]) src, outer, extent, inner, indices, (float[]) dst);
        }
        return dst;
    }

    /** NumPy's take_along_axis: for every position of {@code indexShape}, src at index[pos] on {@code axis}. */
    public static Object gather(Object src, int[] srcShape, int axis, int[] index, int[] indexShape) {
        if (!(src instanceof double[] || src instanceof float[])) {
            return Half.narrow(gather(Half.widen(src), srcShape, axis, index, indexShape), src);
        }
        Object out = newArray(src, index.length);
        if (src instanceof double[] d) {
            DoubleKernels.gather(d, Shape.strides(srcShape), axis, index, indexShape, (double[]) out, false);
        } else {
            FloatKernels.gather((float[]) src, Shape.strides(srcShape), axis, index, indexShape, (float[]) out, false);
        }
        return out;
    }

    /** The adjoint of {@link #gather}: a new array of {@code srcShape} with {@code values} added at the indices. */
    public static Object scatterAdd(Object values, int[] srcShape, int axis, int[] index, int[] indexShape) {
        if (!(values instanceof double[] || values instanceof float[])) {
            return Half.narrow(scatterAdd(Half.widen(values), srcShape, axis, index, indexShape), values);
        }
        Object dst = newArray(values, Shape.size(srcShape));
        if (values instanceof double[] d) {
            DoubleKernels.gather((double[]) dst, Shape.strides(srcShape), axis, index, indexShape, d, true);
        } else {
            FloatKernels.gather((float[]) dst, Shape.strides(srcShape), axis, index, indexShape, (float[]) values, true);
        }
        return dst;
    }

    /** A dense copy of the strided view {@code (src, offset, srcStrides, shape)}. */
    public static Object stridedCopy(Object src, int offset, int[] srcStrides, int[] shape) {
        int[][] collapsed = collapse(shape, srcStrides, Shape.strides(shape));
        Object dst = newArray(src, Shape.size(shape));
        int[] cs = collapsed[0];
        int[] ss = collapsed[1];
        if (cs.length == 2 && ss[1] == 1) {
            // Whole rows (a bias repeated down a batch when the row stride is 0): one arraycopy per row.
            int cols = cs[1];
            for (int r = 0; r < cs[0]; r++) {
                System.arraycopy(src, offset + r * ss[0], dst, r * cols, cols);
            }
            return dst;
        }
        if (src instanceof double[] d) {
            DoubleKernels.stridedCopy(d, offset, collapsed[1], (double[]) dst, collapsed[0]);
        } else if (!(src instanceof float[])) {
            // A pure copy: widening and narrowing back is exact.
            Half.narrowInto(stridedCopy(Half.widen(src), offset, srcStrides, shape), dst);
        } else {
            FloatKernels.stridedCopy((float[]) src, offset, collapsed[1], (float[]) dst, collapsed[0]);
        }
        return dst;
    }

    /**
     * Batched matrix product into a new array of {@code batches * m * n} elements: {@code c[t] = a[t] @ b[t]}
     * with {@code a[t]} the dense {@code m x k} matrix at {@code aOffsets[t]} and {@code b[t]} the dense
     * {@code k x n} matrix at {@code bOffsets[t]}; through {@link DoubleGemm}.
     */
    public static Object matmul(Object a, int[] aOffsets, Object b, int[] bOffsets, int m, int k, int n) {
        int batches = aOffsets.length;
        Object c = newArray(a, batches * m * n);
        int[] cOffsets = new int[batches];
        for (int t = 0; t < batches; t++) {
            cOffsets[t] = t * m * n;
        }
        gemmBatched(false, false, m, n, k, 1, a, aOffsets, k, b, bOffsets, n, 0, c, cOffsets, n);
        return c;
    }

    /**
     * BLAS GEMM, row-major: {@code C = alpha * op(A) * op(B) + beta * C}, {@code op(X)} being {@code X} or
     * its transpose read in place; {@code beta == 0} writes C without reading it, {@code beta == 1}
     * accumulates. Bit-identical whatever the thread count. See {@link DoubleGemm} for the arguments, the
     * blocking and the threading.
     *
     * @param transA whether A is stored {@code k x m} and read transposed
     * @param transB whether B is stored {@code n x k} and read transposed
     * @param m      rows of C
     * @param n      columns of C
     * @param k      the inner dimension
     * @param alpha  factor of the product
     * @param a      A's array ({@code double[]} or {@code float[]}, like the others)
     * @param aOff   index of A's first element
     * @param lda    distance between stored rows of A
     * @param b      B's array
     * @param bOff   index of B's first element
     * @param ldb    distance between stored rows of B
     * @param beta   factor of the old C; 0 means C is not read
     * @param c      C's array, updated in place
     * @param cOff   index of C's first element
     * @param ldc    distance between rows of C
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Object a, int aOff,
                            int lda, Object b, int bOff, int ldb, double beta, Object c, int cOff, int ldc) {
        if (!(a instanceof double[] || a instanceof float[])) {
            // float32 accumulation; C's untouched elements widen and narrow back exactly.
            Object wide = Half.widen(c);
            gemm(transA, transB, m, n, k, alpha, Half.widen(a), aOff, lda, Half.widen(b), bOff, ldb, beta, wide, cOff,
                    ldc);
            Half.narrowInto(wide, c);
            return;
        }
        if (a instanceof double[] d) {
            DoubleGemm.gemm(Backends.DOUBLE, true, transA, transB, m, n, k, alpha, d, aOff, lda, (double[]) b, bOff,
                    ldb, beta, (double[]) c, cOff, ldc);
        } else {
            FloatGemm.gemm(Backends.FLOAT, true, transA, transB, m, n, k, (float) alpha, (float[]) a, aOff, lda,
                    (float[]) b, bOff, ldb, (float) beta, (float[]) c, cOff, ldc);
        }
    }

    /**
     * GEMM over a batch of same-shaped matrices: {@code C[t] = alpha * op(A[t]) * op(B[t]) + beta * C[t]},
     * matrix {@code t} of each operand starting at its offset (offsets may repeat for broadcast operands;
     * C regions that overlap are summed into one after the other). Small entries run in parallel by entry.
     *
     * @param transA   whether each A is stored {@code k x m} and read transposed
     * @param transB   whether each B is stored {@code n x k} and read transposed
     * @param m        rows of each C
     * @param n        columns of each C
     * @param k        the inner dimension
     * @param alpha    factor of the products
     * @param a        the A matrices' array
     * @param aOffsets index of each A's first element
     * @param lda      distance between stored rows of each A
     * @param b        the B matrices' array
     * @param bOffsets index of each B's first element
     * @param ldb      distance between stored rows of each B
     * @param beta     factor of the old C; 0 means C is not read
     * @param c        the C matrices' array, updated in place
     * @param cOffsets index of each C's first element
     * @param ldc      distance between rows of each C
     */
    public static void gemmBatched(boolean transA, boolean transB, int m, int n, int k, double alpha, Object a,
                                   int[] aOffsets, int lda, Object b, int[] bOffsets, int ldb, double beta, Object c,
                                   int[] cOffsets, int ldc) {
        if (!(a instanceof double[] || a instanceof float[])) {
            Object wide = Half.widen(c);
            gemmBatched(transA, transB, m, n, k, alpha, Half.widen(a), aOffsets, lda, Half.widen(b), bOffsets, ldb,
                    beta, wide, cOffsets, ldc);
            Half.narrowInto(wide, c);
            return;
        }
        if (a instanceof double[] d) {
            DoubleGemm.gemmBatched(Backends.DOUBLE, true, transA, transB, m, n, k, alpha, d, aOffsets, lda,
                    (double[]) b, bOffsets, ldb, beta, (double[]) c, cOffsets, ldc);
        } else {
            FloatGemm.gemmBatched(Backends.FLOAT, true, transA, transB, m, n, k, (float) alpha, (float[]) a,
                    aOffsets, lda, (float[]) b, bOffsets, ldb, (float) beta, (float[]) c, cOffsets, ldc);
        }
    }

    /**
     * Merges adjacent axes that both stride patterns walk contiguously, and drops axes of extent 1, so that
     * the loops see long inner rows: {@code [2, 3, 4] + [2, 3, 4]} becomes one row of 24. Returns
     * {@code {shape, stridesA, stridesB}}.
     */
    static int[][] collapse(int[] shape, int[] sa, int[] sb) {
        int rank = shape.length;
        int[] s = new int[rank];
        int[] a = new int[rank];
        int[] b = new int[rank];
        int r = 0;
        for (int d = 0; d < rank; d++) {
            if (shape[d] == 1) {
                continue;
            }
            if (r > 0 && a[r - 1] == sa[d] * shape[d] && b[r - 1] == sb[d] * shape[d]) {
                s[r - 1] *= shape[d];
                a[r - 1] = sa[d];
                b[r - 1] = sb[d];
            } else {
                s[r] = shape[d];
                a[r] = sa[d];
                b[r] = sb[d];
                r++;
            }
        }
        if (r == 0 && rank > 0) {
            return new int[][] {{1}, {0}, {0}};
        }
        return new int[][] {Arrays.copyOf(s, r), Arrays.copyOf(a, r), Arrays.copyOf(b, r)};
    }
}
