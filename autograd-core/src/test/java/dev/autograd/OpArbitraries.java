package dev.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.autograd.TensorArbitraries.Sample;
import dev.autograd.TensorArbitraries.ShapePair;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators for the issue-3 gradient properties, on top of {@link TensorArbitraries}: values in a
 * range, values on grids that keep kinks and ties away, pairwise distinct values (for max/min and max
 * pooling), and axis choices.
 */
final class OpArbitraries {

    private OpArbitraries() {
    }

    /** A tensor, one axis in {@code [-rank, rank)} and keepDim. */
    record AxisCase(Sample x, int axis, boolean keepDim) {
        @Override
        public String toString() {
            return x + " axis=" + axis + " keepDim=" + keepDim;
        }
    }

    /** A tensor, a non-empty set of distinct axes (some written negatively), and keepDim. */
    record AxesCase(Sample x, int[] axes, boolean keepDim) {
        @Override
        public String toString() {
            return x + " axes=" + Arrays.toString(axes) + " keepDim=" + keepDim;
        }

        /** The number of elements reduced over. */
        int reducedCount() {
            int n = 1;
            for (int a : axes) {
                n *= x.shape()[a < 0 ? a + x.rank() : a];
            }
            return n;
        }
    }

    // ------------------------------------------------------------ values

    /** Values in {@code [lo, hi]} with two decimals. */
    static Arbitrary<Sample> samples(int[] shape, double lo, double hi) {
        int[] copy = shape.clone();
        return Arbitraries.doubles().between(lo, hi).ofScale(2).list().ofSize(TensorArbitraries.numel(copy))
                .map(l -> new Sample(copy, l.stream().mapToDouble(Double::doubleValue).toArray()));
    }

    static Arbitrary<Sample> samples(int minRank, int maxRank, double lo, double hi) {
        return TensorArbitraries.shapes(minRank, maxRank).flatMap(s -> samples(s, lo, hi));
    }

    /**
     * Values {@code k / 10} in [-3, 3] ({@code offset = 0}) or {@code k / 10 + 0.05} ({@code offset = true}):
     * a value of one grid is never closer than 0.05 to a value of the other, so maximum/minimum of a
     * grid tensor and an offset tensor never tie and clamp bounds on the offset grid are never hit.
     */
    static Arbitrary<Sample> gridSamples(int[] shape, boolean offset) {
        int[] copy = shape.clone();
        return Arbitraries.integers().between(-30, 29).list().ofSize(TensorArbitraries.numel(copy))
                .map(l -> new Sample(copy, l.stream().mapToDouble(k -> k / 10.0 + (offset ? 0.05 : 0)).toArray()));
    }

    /** A single value of the offset grid {@code k / 10 + 0.05} in [-3, 3]. */
    static Arbitrary<Double> offsetGridValue() {
        return Arbitraries.integers().between(-30, 29).map(k -> k / 10.0 + 0.05);
    }

    /**
     * Pairwise distinct values, a shuffled choice of {@code (k - span/2) * step}: with step 0.075 and the
     * default shapes (at most 64 elements) they lie in [-3, 3] and differ by at least 0.075, far beyond the
     * finite-difference step, so max/min reductions and max pooling have no ties.
     */
    static Arbitrary<Sample> distinctSamples(int[] shape) {
        int[] copy = shape.clone();
        int n = TensorArbitraries.numel(copy);
        int span = Math.max(n, 81);
        double step = n <= 81 ? 0.075 : 6.0 / span;
        return Arbitraries.shuffle(TensorArbitraries.range(span)).map(perm -> {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = (perm.get(i) - span / 2) * step;
            }
            return new Sample(copy, v);
        });
    }

    static Arbitrary<Sample> distinctSamples(int minRank, int maxRank) {
        return TensorArbitraries.shapes(minRank, maxRank).flatMap(OpArbitraries::distinctSamples);
    }

    // ------------------------------------------------------------ axes

    /** One axis of a sample of rank >= 1, written positively or negatively, and keepDim. */
    static Arbitrary<AxisCase> oneAxis(Arbitrary<Sample> samples) {
        return samples.flatMap(x -> Combinators.combine(
                Arbitraries.integers().between(-x.rank(), x.rank() - 1),
                Arbitraries.of(false, true)).as((axis, keep) -> new AxisCase(x, axis, keep)));
    }

    /** A non-empty subset of a sample's axes in random order, some written negatively, and keepDim. */
    static Arbitrary<AxesCase> axesSubsets(Arbitrary<Sample> samples) {
        return samples.flatMap(x -> {
            int rank = x.rank();
            Arbitrary<List<Integer>> axes = Arbitraries.subsetOf(TensorArbitraries.range(rank))
                    .ofMinSize(1)
                    .map(set -> set.stream().sorted().toList())
                    .flatMap(Arbitraries::shuffle);
            Arbitrary<List<Boolean>> negative = Arbitraries.of(false, true).list().ofSize(rank);
            return Combinators.combine(axes, negative, Arbitraries.of(false, true)).as((list, neg, keep) -> {
                int[] a = new int[list.size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = neg.get(i) ? list.get(i) - rank : list.get(i);
                }
                return new AxesCase(x, a, keep);
            });
        });
    }

    // ------------------------------------------------------------ shapes

    /** A broadcast pair of shapes of rank 0..3. */
    static Arbitrary<ShapePair> broadcastShapes() {
        return TensorArbitraries.broadcastShapePairs();
    }

    /**
     * A shape that broadcasts to {@code full}: some leading axes dropped, some extents set to 1.
     */
    static Arbitrary<int[]> broadcastableTo(int[] full) {
        int rank = full.length;
        return Combinators.combine(Arbitraries.integers().between(0, rank),
                Arbitraries.of(false, true).list().ofSize(rank)).as((drop, ones) -> {
                    List<Integer> s = new ArrayList<>();
                    for (int i = drop; i < rank; i++) {
                        s.add(ones.get(i) ? 1 : full[i]);
                    }
                    return TensorArbitraries.toIntArray(s);
                });
    }
}
