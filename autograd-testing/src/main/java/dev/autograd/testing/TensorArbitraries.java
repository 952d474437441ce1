package dev.autograd.testing;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators for gradient properties: shapes, broadcast-compatible shape pairs and tensors with
 * values in a {@link Domain}. Everything shrinks: a failing case shrinks to fewer axes, smaller extents
 * and smaller values, so the report shows the smallest tensor that still fails.
 *
 * <pre>{@code
 * @Property
 * void mySoftplusHasTheRightGradient(@ForAll("inputs") Tensor x) {
 *     GradCheck.assertGradientsMatch(in -> new StableSoftplus().apply(in[0]), x);
 * }
 *
 * @Provide
 * Arbitrary<Tensor> inputs() {
 *     return TensorArbitraries.tensors(TensorArbitraries.shapes(0, 3, 4), Domain.bounded(-5, 5));
 * }
 * }</pre>
 */
public final class TensorArbitraries {

    private TensorArbitraries() {
    }

    /**
     * Shapes of {@code minRank..maxRank} axes with extents {@code 1..maxExtent}.
     *
     * @param minRank   the fewest axes (0 allows scalars)
     * @param maxRank   the most axes
     * @param maxExtent the largest extent of an axis
     * @return shapes, shrinking towards fewer and shorter axes
     */
    public static Arbitrary<int[]> shapes(int minRank, int maxRank, int maxExtent) {
        if (minRank < 0 || maxRank < minRank || maxExtent < 1) {
            throw new IllegalArgumentException("shapes: need 0 <= minRank <= maxRank and maxExtent >= 1, got "
                    + minRank + ", " + maxRank + ", " + maxExtent);
        }
        return Arbitraries.integers().between(1, maxExtent).list().ofMinSize(minRank).ofMaxSize(maxRank)
                .map(TensorArbitraries::toArray);
    }

    /**
     * Pairs of shapes that broadcast together (NumPy rules): one is a shape from {@link #shapes}, the other
     * the same with some leading axes dropped and some extents set to 1; either may be the smaller.
     *
     * @param maxRank   the most axes of the larger shape
     * @param maxExtent the largest extent
     * @return pairs {@code {a, b}}
     */
    public static Arbitrary<int[][]> broadcastShapes(int maxRank, int maxExtent) {
        return shapes(0, maxRank, maxExtent).flatMap(full -> {
            Arbitrary<Integer> dropped = Arbitraries.integers().between(0, full.length);
            Arbitrary<List<Boolean>> ones = Arbitraries.of(true, false).list().ofSize(full.length);
            Arbitrary<Boolean> swap = Arbitraries.of(false, true);
            return Combinators.combine(dropped, ones, swap).as((drop, toOne, swapped) -> {
                int[] small = new int[full.length - drop];
                for (int i = 0; i < small.length; i++) {
                    small[i] = toOne.get(i + drop) ? 1 : full[i + drop];
                }
                return swapped ? new int[][] {small, full} : new int[][] {full, small};
            });
        });
    }

    /**
     * FLOAT64 leaves that require grad, of the drawn shapes, with values in {@code domain}.
     *
     * @param shapes the shapes to draw
     * @param domain the values to draw
     * @return tensors ready for {@code GradCheck}
     */
    public static Arbitrary<Tensor> tensors(Arbitrary<int[]> shapes, Domain domain) {
        return tensors(DType.FLOAT64, shapes, domain, true);
    }

    /**
     * FLOAT64 leaves that require grad, of one shape, with values in {@code domain}.
     *
     * @param shape  the shape
     * @param domain the values to draw
     * @return tensors ready for {@code GradCheck}
     */
    public static Arbitrary<Tensor> tensors(int[] shape, Domain domain) {
        return tensors(Arbitraries.just(shape.clone()), domain);
    }

    /**
     * Tensors of a dtype (FLOAT32 for agreement tests against FLOAT64), optionally requiring grad.
     *
     * @param dtype        the element type
     * @param shapes       the shapes to draw
     * @param domain       the values to draw
     * @param requiresGrad whether the tensors are leaves that require grad
     * @return the tensors
     */
    public static Arbitrary<Tensor> tensors(DType dtype, Arbitrary<int[]> shapes, Domain domain, boolean requiresGrad) {
        return shapes.flatMap(shape -> domain.values().list().ofSize(size(shape)).map(values -> {
            double[] data = new double[values.size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = values.get(i);
            }
            return Tensor.of(data, shape).to(dtype).requiresGrad(requiresGrad);
        }));
    }

    /**
     * Like {@link #tensors(Arbitrary, Domain)} but with all values distinct: no ties, for max, min, sorting
     * and pooling, whose gradient at a tie is a choice rather than a derivative.
     *
     * @param shapes the shapes to draw
     * @param domain the values to draw
     * @return tensors ready for {@code GradCheck}
     */
    public static Arbitrary<Tensor> distinctTensors(Arbitrary<int[]> shapes, Domain domain) {
        return shapes.flatMap(shape -> domain.values().list().ofSize(size(shape)).uniqueElements().map(values -> {
            double[] data = new double[values.size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = values.get(i);
            }
            return Tensor.of(data, shape).requiresGrad(true);
        }));
    }

    /**
     * Two FLOAT64 leaves requiring grad whose shapes broadcast together, for binary ops.
     *
     * @param maxRank   the most axes of the larger shape
     * @param maxExtent the largest extent
     * @param left      the values of the first tensor
     * @param right     the values of the second tensor
     * @return pairs {@code {a, b}}
     */
    public static Arbitrary<Tensor[]> broadcastPairs(int maxRank, int maxExtent, Domain left, Domain right) {
        return broadcastShapes(maxRank, maxExtent).flatMap(pair -> Combinators.combine(
                tensors(pair[0], left), tensors(pair[1], right)).as((a, b) -> new Tensor[] {a, b}));
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static int[] toArray(List<Integer> list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
