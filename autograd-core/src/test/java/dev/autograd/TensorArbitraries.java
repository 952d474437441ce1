package dev.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;

/**
 * Shared jqwik generators for the gradient properties.
 *
 * <p>Everything is built from jqwik's own {@link Arbitraries} (lists, integers, doubles, combinators) so
 * that a failing sample shrinks to a small shape with simple values. Generators produce immutable
 * {@link Sample}s (shape + values) rather than tensors: a tensor is a mutable graph node (it accumulates
 * {@code grad}), so each property makes fresh leaves with {@link Sample#leaf()}.
 */
final class TensorArbitraries {

    /** Shapes stay small so that the full-Jacobian GradCheck stays fast: rank 0..3, dims 1..4. */
    static final int MAX_RANK = 3;
    static final int MAX_DIM = 4;

    private TensorArbitraries() {
    }

    /** Where the values of a generated tensor lie. */
    enum Domain {
        /** Any value in [-3, 3]: for ops smooth everywhere (add, mul, exp, tanh, ...). */
        ANY,
        /** Values in [0.1, 3]: for log, sqrt and pow with a non-integer exponent. */
        POSITIVE,
        /** |x| in [0.1, 3]: away from the kinks of relu/abs and from the pole of div. */
        AWAY_FROM_ZERO
    }

    /** An immutable FLOAT64 tensor description: a shape and its row-major values. */
    record Sample(int[] shape, double[] values) {

        /** A fresh FLOAT64 leaf that requires grad. */
        Tensor leaf() {
            return Tensor.of(values.clone(), shape.clone()).requiresGrad(true);
        }

        /** A fresh FLOAT64 tensor that does not require grad (a constant). */
        Tensor constant() {
            return Tensor.of(values.clone(), shape.clone());
        }

        int rank() {
            return shape.length;
        }

        @Override
        public String toString() {
            return "Sample" + Arrays.toString(shape) + Arrays.toString(values);
        }
    }

    /** Two samples whose shapes broadcast together. */
    record SamplePair(Sample a, Sample b) {
        @Override
        public String toString() {
            return "a=" + a + ", b=" + b;
        }
    }

    /** Two shapes that broadcast together (NumPy rules). */
    record ShapePair(int[] a, int[] b) {
        @Override
        public String toString() {
            return Arrays.toString(a) + " with " + Arrays.toString(b);
        }
    }

    // ---------------------------------------------------------------- shapes

    /** Shapes of rank 0..3 with dims 1..4. */
    static Arbitrary<int[]> shapes() {
        return shapes(0, MAX_RANK);
    }

    /** Shapes of rank minRank..maxRank with dims 1..4; shrinks towards fewer and smaller dims. */
    static Arbitrary<int[]> shapes(int minRank, int maxRank) {
        // uniform rank: jqwik's default list sizes favour short lists, which would starve rank 3
        return Arbitraries.integers().between(1, MAX_DIM)
                .list().ofMinSize(minRank).ofMaxSize(maxRank)
                .withSizeDistribution(RandomDistribution.uniform())
                .map(TensorArbitraries::toIntArray);
    }

    /** Broadcast-compatible pairs with rank 0..3. */
    static Arbitrary<ShapePair> broadcastShapePairs() {
        return broadcastShapePairs(0, MAX_RANK);
    }

    /**
     * Broadcast-compatible shape pairs: take a full shape, derive the other by dropping some leading dims
     * and setting some dims to 1 (on either side, so that [2, 1] with [1, 3] also occurs), then randomly
     * choose which side gets the smaller one.
     */
    static Arbitrary<ShapePair> broadcastShapePairs(int minRank, int maxRank) {
        return shapes(minRank, maxRank).flatMap(full -> {
            int rank = full.length;
            // edge cases come from the full shape only; mixing in those of each choice crowds out rank 3
            Arbitrary<Integer> dropped = Arbitraries.integers().between(0, rank).withoutEdgeCases();
            // Per aligned dim: 0 = both keep it, 1 = the smaller side has 1, 2 = the bigger side has 1.
            Arbitrary<List<Integer>> ones = Arbitraries.integers().between(0, 2).list().ofSize(rank)
                    .withoutEdgeCases();
            Arbitrary<Boolean> swap = Arbitraries.of(false, true).withoutEdgeCases();
            return Combinators.combine(dropped, ones, swap).as((drop, choice, swapped) -> {
                int[] big = full.clone();
                int[] small = new int[rank - drop];
                for (int i = 0; i < rank; i++) {
                    if (i < drop) {
                        continue;
                    }
                    int c = choice.get(i);
                    small[i - drop] = c == 1 ? 1 : full[i];
                    if (c == 2) {
                        big[i] = 1;
                    }
                }
                return swapped ? new ShapePair(small, big) : new ShapePair(big, small);
            });
        });
    }

    /** The NumPy broadcast of two compatible shapes (test oracle). */
    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("not broadcastable");
            }
            // An extent 1 takes the other's, 0 included (the max would wrongly turn [] + [0] into [1]).
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    // ---------------------------------------------------------------- values and samples

    /** Doubles of the domain, two decimals so that shrunk samples read well. */
    static Arbitrary<Double> doubles(Domain domain) {
        switch (domain) {
            case ANY:
                return Arbitraries.doubles().between(-3.0, 3.0).ofScale(2);
            case POSITIVE:
                return Arbitraries.doubles().between(0.1, 3.0).ofScale(2);
            case AWAY_FROM_ZERO:
                return Arbitraries.oneOf(
                        Arbitraries.doubles().between(0.1, 3.0).ofScale(2),
                        Arbitraries.doubles().between(-3.0, -0.1).ofScale(2));
            default:
                throw new AssertionError(domain);
        }
    }

    static Arbitrary<double[]> values(int count, Domain domain) {
        return doubles(domain).list().ofSize(count)
                .map(list -> list.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static Arbitrary<Sample> samples(int[] shape, Domain domain) {
        int[] copy = shape.clone();
        return values(numel(copy), domain).map(v -> new Sample(copy, v));
    }

    static Arbitrary<Sample> samples(Domain domain) {
        return samples(0, MAX_RANK, domain);
    }

    static Arbitrary<Sample> samples(int minRank, int maxRank, Domain domain) {
        return shapes(minRank, maxRank).flatMap(shape -> samples(shape, domain));
    }

    /** Pairs of samples with broadcast-compatible shapes; each side has its own domain. */
    static Arbitrary<SamplePair> broadcastPairs(Domain domainA, Domain domainB) {
        return broadcastShapePairs().flatMap(p -> Combinators.combine(
                samples(p.a(), domainA), samples(p.b(), domainB)).as(SamplePair::new));
    }

    /** FLOAT64 leaf tensors (requiring grad) of random shape in the domain. */
    static Arbitrary<Tensor> tensors(Domain domain) {
        return samples(domain).map(Sample::leaf);
    }

    /** FLOAT64 leaf tensors (requiring grad) of the given shape in the domain. */
    static Arbitrary<Tensor> tensors(int[] shape, Domain domain) {
        return samples(shape, domain).map(Sample::leaf);
    }

    // ---------------------------------------------------------------- oracles

    /** The row-major multi-index of a flat position. */
    static int[] unravel(int flat, int[] shape) {
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    /** The row-major flat position of a multi-index. */
    static int ravel(int[] index, int[] shape) {
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            flat = flat * shape[d] + index[d];
        }
        return flat;
    }

    /** The value a sample contributes at an index of a shape it is broadcast to (NumPy rules). */
    static double broadcastValue(Sample s, int[] outIndex) {
        int[] shape = s.shape();
        int offset = outIndex.length - shape.length;
        int[] own = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            own[d] = shape[d] == 1 ? 0 : outIndex[d + offset];
        }
        return s.values()[ravel(own, shape)];
    }

    // ---------------------------------------------------------------- helpers

    static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * Shapes with the element count of {@code shape}: its extents shuffled, maybe two merged, up to two 1s
     * inserted, maybe one extent replaced by -1 (to be inferred).
     */
    static Arbitrary<int[]> reshapeTargets(int[] shape) {
        List<Integer> dims = new ArrayList<>();
        for (int d : shape) {
            dims.add(d);
        }
        return Combinators.combine(Arbitraries.shuffle(dims), Arbitraries.of(false, true),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(-1, 3))
                .as((shuffled, merge, ones, inferred) -> {
                    List<Integer> target = new ArrayList<>(shuffled);
                    if (merge && target.size() >= 2) {
                        target.set(0, target.get(0) * target.remove(1));
                    }
                    for (int i = 0; i < ones; i++) {
                        target.add(i % (target.size() + 1), 1);
                    }
                    if (inferred >= 0 && inferred < target.size()) {
                        target.set(inferred, -1);
                    }
                    return toIntArray(target);
                });
    }

    static int[] toIntArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<Integer> range(int n) {
        return new ArrayList<>(IntStream.range(0, n).boxed().toList());
    }
}
