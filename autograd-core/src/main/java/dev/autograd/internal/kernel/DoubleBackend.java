package dev.autograd.internal.kernel;

/**
 * The float64 loops that come in two implementations: {@link PortableDoubleBackend}, plain Java 17 loops
 * that the JIT compiles to whatever the machine has, and {@code SimdDoubleBackend}, written with the JDK's
 * Vector API and loaded only when the module {@code jdk.incubator.vector} is readable. {@link Backends}
 * picks one at start-up. The build generates the float32 twin {@code FloatBackend} from this file.
 *
 * <p>Every method works on a contiguous run of {@code n} elements starting at an offset, on the calling
 * thread: cutting work into chunks for the thread pool, walking strided or broadcast shapes and checking
 * arguments is the caller's job ({@link Kernels}). A stride argument is 0 (the same element repeated, a
 * broadcast scalar) or 1 (consecutive elements). Output ranges may coincide with an input range (in-place
 * use) but must not otherwise overlap it.
 *
 * <p>Contract shared by both implementations, and tested by comparing them: arithmetic ({@code + - * /},
 * comparisons, max, min, fused multiply-add where named) is exact IEEE 754 as in Java; transcendental
 * functions may differ from {@link StrictMath} by the bound the implementation states; NaN propagates
 * wherever Java's own operators propagate it.
 */
public interface DoubleBackend {

    /** @return a short name for logs and benchmark tables, e.g. {@code "portable"} */
    String name();

    /**
     * {@code out[outOff + i] = op(x[xOff + i])} for {@code i < n}.
     *
     * @param op     the function
     * @param x      the argument array
     * @param xOff   offset of the first argument
     * @param out    the result array (may be {@code x} at the same offset)
     * @param outOff offset of the first result
     * @param n      number of elements
     * @param p      the parameter of {@code POW} (exponent) and {@code LEAKY_RELU} (negative slope)
     */
    void unary(UnaryOp op, double[] x, int xOff, double[] out, int outOff, int n, double p);

    /**
     * {@code out[o + i] = op(a[ia + i * sa], b[ib + i * sb])} for {@code i < n}; comparisons give 1 or 0.
     *
     * @param op  the function
     * @param a   left operand array
     * @param ia  offset in {@code a}
     * @param sa  stride in {@code a}, 0 or 1
     * @param b   right operand array
     * @param ib  offset in {@code b}
     * @param sb  stride in {@code b}, 0 or 1
     * @param out result array
     * @param o   offset in {@code out}
     * @param n   number of elements
     */
    void binary(BinaryOp op, double[] a, int ia, int sa, double[] b, int ib, int sb, double[] out, int o, int n);

    /**
     * The fused backward of a unary function: {@code out[o + i] (+)= g[ig + i * sg] * f'(...)}, where the
     * derivative is computed from {@code saved[is + i]}, which holds the function's output {@code y} when
     * {@link UnaryOp#derivativeFromOutput()} and its input {@code x} otherwise. One pass, no temporaries.
     *
     * @param op         the function whose derivative is applied
     * @param g          the upstream gradient
     * @param ig         offset in {@code g}
     * @param sg         stride in {@code g}, 0 (a broadcast scalar gradient) or 1
     * @param saved      the function's output or input, as above
     * @param is         offset in {@code saved}
     * @param out        the gradient of the input
     * @param o          offset in {@code out}
     * @param n          number of elements
     * @param p          the function's parameter (see {@link #unary})
     * @param accumulate add to {@code out} instead of assigning
     */
    void unaryBackward(UnaryOp op, double[] g, int ig, int sg, double[] saved, int is, double[] out, int o, int n,
                       double p, boolean accumulate);

    /**
     * The sum of {@code x[off], ..., x[off + n - 1]}. The order of additions is fixed by {@code n} (and the
     * implementation), never by timing.
     *
     * @param x   the values
     * @param off offset of the first
     * @param n   how many
     * @return the sum; 0 for {@code n == 0}
     */
    double sum(double[] x, int off, int n);

    /**
     * The largest ({@code max}) or smallest of {@code x[off], ..., x[off + n - 1]}; NaN if any is NaN.
     *
     * @param x   the values
     * @param off offset of the first
     * @param n   how many, at least 1
     * @param max largest when true, smallest when false
     * @return the extreme value
     */
    double extreme(double[] x, int off, int n, boolean max);

    /**
     * The dot product {@code sum a[ia + i] * b[ib + i]}, in an order fixed by {@code n} and the
     * implementation.
     *
     * @param a  left operand
     * @param ia offset in {@code a}
     * @param b  right operand
     * @param ib offset in {@code b}
     * @param n  number of elements
     * @return the sum of the products; 0 for {@code n == 0}
     */
    double dot(double[] a, int ia, double[] b, int ib, int n);

    /**
     * {@code y[yOff + i] += alpha * x[xOff + i]} for {@code i < n} (BLAS axpy; a multiply then an add, not
     * fused, so that both implementations round alike).
     *
     * @param n     number of elements
     * @param alpha the factor
     * @param x     the values added
     * @param xOff  offset in {@code x}
     * @param y     the values updated in place
     * @param yOff  offset in {@code y}
     */
    void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff);

    /**
     * {@code out[o + i] = exp(x[xOff + i] - shift)} for {@code i < n}, returning the sum of those values:
     * the inner step of a stable softmax (shift = the row's maximum).
     *
     * @param x     the logits
     * @param xOff  offset in {@code x}
     * @param shift subtracted before exponentiating
     * @param out   the exponentials (may be {@code x} at the same offset)
     * @param o     offset in {@code out}
     * @param n     number of elements
     * @return the sum of the exponentials written
     */
    double expShiftSum(double[] x, int xOff, double shift, double[] out, int o, int n);
}
