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

    /**
     * The dot product {@code x[xOff] * y[yOff] + ... + x[xOff + n - 1] * y[yOff + n - 1]}, with an order of
     * operations fixed by {@code n} (and the implementation): the small-matrix path of {@link DoubleGemm}.
     *
     * @param n    number of elements
     * @param x    left operand
     * @param xOff offset in {@code x}
     * @param y    right operand
     * @param yOff offset in {@code y}
     * @return the sum of products; 0 for {@code n == 0}
     */
    double dot(int n, double[] x, int xOff, double[] y, int yOff);

    /**
     * Rows of the register block of {@link #gemmKernel}: {@link DoubleGemm} packs {@code op(A)} into
     * micro-panels of this many rows.
     *
     * @return MR, at least 1
     */
    int gemmMr();

    /**
     * Columns of the register block of {@link #gemmKernel}: {@link DoubleGemm} packs {@code op(B)} into
     * micro-panels of this many columns.
     *
     * @return NR, at least 1
     */
    int gemmNr();

    /**
     * Whether {@link #gemmKernel} updates a partial tile ({@code rows < MR} or {@code cols < NR}) in place.
     * A register-blocked kernel holds whole tiles and says no: the driver then runs edge tiles on a scratch
     * tile and copies the valid part back.
     *
     * @return true when partial tiles may be passed directly
     */
    boolean gemmPartialTiles();

    /**
     * The GEMM micro-kernel: the top-left {@code rows x cols} of one {@code MR x NR} tile of {@code C = A B}
     * or, with {@code accumulate}, {@code C += A B}, where {@code A} is one packed micro-panel of {@code MR}
     * rows and {@code B} one packed micro-panel of {@code NR} columns, both {@code kc} deep. This is the only
     * code that knows the register block; the packing and the loops around it ({@link DoubleGemm}) are
     * shared by every implementation, and they fold alpha and beta in (A is packed times alpha; C is scaled
     * beforehand).
     *
     * <p>Packed layout: {@code A(i, p) = a[aOff + p * MR + i]} and {@code B(p, j) = b[bOff + p * NR + j]},
     * so each step {@code p} reads MR consecutive values of A and NR of B (rows and columns past the
     * matrix are packed as zeros). The tile is {@code c[cOff + i * ldc + j]}; only its {@code rows x cols}
     * part is read or written, and unless {@link #gemmPartialTiles()} that is the whole tile. Each element's
     * sum starts from C's value ({@code accumulate}) or from zero (C is then not read: it may hold NaN) and
     * adds the products of {@code p = 0, 1, ..., kc - 1} in that order, each product fused into its
     * addition or not as the implementation states; so a tile's result does not depend on the thread that
     * computes it, nor on whether it went through a scratch tile.
     *
     * @param kc         depth of the micro-panels
     * @param a          packed A
     * @param aOff       start of the A micro-panel
     * @param b          packed B
     * @param bOff       start of the B micro-panel
     * @param c          the output
     * @param cOff       index of the tile's top-left element
     * @param ldc        distance between rows of C
     * @param rows       rows of the tile to update, at most MR
     * @param cols       columns of the tile to update, at most NR
     * @param accumulate add to C instead of overwriting it
     */
    void gemmKernel(int kc, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int ldc, int rows,
                    int cols, boolean accumulate);
}
