package dev.autograd;

import static dev.autograd.TensorArbitraries.Domain.ANY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.List;

import dev.autograd.TensorArbitraries.Sample;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** sum and mean gradients equal finite differences for random shapes, axis subsets (some negative) and keepDim. */
class ReduceGradProperties {

    /** A tensor, a non-empty set of distinct axes (each maybe written negatively) and keepDim. */
    record AxesCase(Sample x, int[] axes, boolean keepDim) {
        @Override
        public String toString() {
            return x + " axes=" + Arrays.toString(axes) + " keepDim=" + keepDim;
        }
    }

    /** A tensor, one axis in [-rank, rank) and keepDim. */
    record AxisCase(Sample x, int axis, boolean keepDim) {
        @Override
        public String toString() {
            return x + " axis=" + axis + " keepDim=" + keepDim;
        }
    }

    @Property
    void sumAll(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].sum(), x.leaf());
    }

    @Property
    void meanAll(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].mean(), x.leaf());
    }

    @Property
    void sumAxis(@ForAll("oneAxis") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].sum(c.axis(), c.keepDim()), c.x().leaf());
    }

    @Property
    void meanAxis(@ForAll("oneAxis") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].mean(c.axis(), c.keepDim()), c.x().leaf());
    }

    @Property
    void sumAxes(@ForAll("axesSubsets") AxesCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].sum(c.axes(), c.keepDim()), c.x().leaf());
    }

    @Property
    void meanAxes(@ForAll("axesSubsets") AxesCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].mean(c.axes(), c.keepDim()), c.x().leaf());
    }

    @Property
    void reductionOfProduct(@ForAll("axesSubsets") AxesCase c) {
        // reduce a non-linear function so that the upstream gradient of the reduction is not all ones
        GradCheck.assertGradientsMatch(
                in -> in[0].mul(in[0]).sum(c.axes(), c.keepDim()).tanh().mean(), c.x().leaf());
    }

    @Property
    void sumForwardMatchesALoop(@ForAll("axesSubsets") AxesCase c) {
        // GradCheck only checks that backward agrees with forward; this checks forward itself
        int[] shape = c.x().shape();
        int rank = shape.length;
        boolean[] reduced = new boolean[rank];
        for (int a : c.axes()) {
            reduced[a < 0 ? a + rank : a] = true;
        }
        int[] kept = new int[rank];
        int keptRank = 0;
        for (int d = 0; d < rank; d++) {
            if (!reduced[d] || c.keepDim()) {
                kept[keptRank++] = reduced[d] ? 1 : shape[d];
            }
        }
        int[] outShape = Arrays.copyOf(kept, keptRank);
        double[] expected = new double[TensorArbitraries.numel(outShape)];
        int count = 1;
        for (int d = 0; d < rank; d++) {
            count *= reduced[d] ? shape[d] : 1;
        }
        for (int flat = 0; flat < c.x().values().length; flat++) {
            int[] index = TensorArbitraries.unravel(flat, shape);
            int[] outIndex = new int[keptRank];
            for (int d = 0, o = 0; d < rank; d++) {
                if (!reduced[d] || c.keepDim()) {
                    outIndex[o++] = reduced[d] ? 0 : index[d];
                }
            }
            expected[TensorArbitraries.ravel(outIndex, outShape)] += c.x().values()[flat];
        }
        Tensor x = c.x().constant();
        Tensor sum = x.sum(c.axes(), c.keepDim());
        Tensor mean = x.mean(c.axes(), c.keepDim());
        assertArrayEquals(outShape, sum.shape(), "sum shape");
        assertArrayEquals(outShape, mean.shape(), "mean shape");
        assertArrayEquals(expected, sum.toDoubleArray(), 1e-12, "sum values");
        for (int i = 0; i < expected.length; i++) {
            expected[i] /= count;
        }
        assertArrayEquals(expected, mean.toDoubleArray(), 1e-12, "mean values");
    }

    @Provide
    Arbitrary<Sample> any() {
        return TensorArbitraries.samples(ANY);
    }

    @Provide
    Arbitrary<AxisCase> oneAxis() {
        return TensorArbitraries.samples(1, TensorArbitraries.MAX_RANK, ANY).flatMap(x -> Combinators.combine(
                Arbitraries.integers().between(-x.rank(), x.rank() - 1),
                Arbitraries.of(false, true)).as((axis, keep) -> new AxisCase(x, axis, keep)));
    }

    @Provide
    Arbitrary<AxesCase> axesSubsets() {
        return TensorArbitraries.samples(1, TensorArbitraries.MAX_RANK, ANY).flatMap(x -> {
            int rank = x.rank();
            Arbitrary<List<Integer>> axes = Arbitraries.subsetOf(TensorArbitraries.range(rank))
                    .ofMinSize(1)
                    .map(set -> set.stream().sorted().toList())
                    .flatMap(list -> Arbitraries.shuffle(list));
            Arbitrary<List<Boolean>> negative = Arbitraries.of(false, true).list().ofSize(rank);
            return Combinators.combine(axes, negative, Arbitraries.of(false, true)).as((list, neg, keep) -> {
                int[] a = new int[list.size()];
                for (int i = 0; i < a.length; i++) {
                    int axis = list.get(i);
                    a[i] = neg.get(i) ? axis - rank : axis; // e.g. axis 2 of rank 3 written as -1
                }
                return new AxesCase(x, a, keep);
            });
        });
    }

    // the one-axis forms without keepDim (PyTorch's x.sum(dim)): the same gradients, the axis dropped

    @Property
    void sumAxisDropped(@ForAll("oneAxis") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].sum(c.axis()), c.x().leaf());
    }

    @Property
    void meanAxisDropped(@ForAll("oneAxis") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].mean(c.axis()), c.x().leaf());
    }
}
