package dev.autograd;

import static dev.autograd.TensorArbitraries.Domain.ANY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import dev.autograd.TensorArbitraries.Sample;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * reshape, transpose, permute and expand move values without arithmetic, so their Jacobians are 0/1
 * matrices; GradCheck compares all of them. Each function is followed by a multiplication with fixed
 * weights so that a gradient routed to the wrong element is caught even when the values are symmetric.
 */
class MovementGradProperties {

    /** A tensor and the argument of a movement op. */
    record Case(Sample x, int[] arg) {
        @Override
        public String toString() {
            return x + " arg=" + Arrays.toString(arg);
        }
    }

    @Property
    void reshape(@ForAll("reshapes") Case c) {
        GradCheck.assertGradientsMatch(in -> weighted(in[0].reshape(c.arg())), c.x().leaf());
    }

    @Property
    void transposeMatrix(@ForAll("matrices") Sample x) {
        GradCheck.assertGradientsMatch(in -> weighted(in[0].t()), x.leaf());
    }

    @Property
    void transposeTwoAxes(@ForAll("transposes") Case c) {
        GradCheck.assertGradientsMatch(in -> weighted(in[0].transpose(c.arg()[0], c.arg()[1])), c.x().leaf());
    }

    @Property
    void permute(@ForAll("permutations") Case c) {
        GradCheck.assertGradientsMatch(in -> weighted(in[0].permute(c.arg())), c.x().leaf());
    }

    @Property
    void expand(@ForAll("expansions") Case c) {
        GradCheck.assertGradientsMatch(in -> weighted(in[0].expand(c.arg())), c.x().leaf());
    }

    @Property
    void permuteAndExpandForwardMatchALoop(@ForAll("permutations") Case p, @ForAll("expansions") Case e) {
        // GradCheck only checks that backward agrees with forward; this checks forward itself
        int[] order = p.arg();
        int[] in = p.x().shape();
        Tensor y = p.x().constant().permute(order);
        int[] out = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            out[i] = in[order[i]];
        }
        assertArrayEquals(out, y.shape(), "permuted shape");
        for (int flat = 0; flat < TensorArbitraries.numel(out); flat++) {
            int[] index = TensorArbitraries.unravel(flat, out);
            int[] source = new int[in.length];
            for (int i = 0; i < order.length; i++) {
                source[order[i]] = index[i];
            }
            assertEquals(p.x().values()[TensorArbitraries.ravel(source, in)], y.get(index), 0.0);
        }

        Tensor z = e.x().constant().expand(e.arg());
        assertArrayEquals(e.arg(), z.shape(), "expanded shape");
        for (int flat = 0; flat < TensorArbitraries.numel(e.arg()); flat++) {
            int[] index = TensorArbitraries.unravel(flat, e.arg());
            assertEquals(TensorArbitraries.broadcastValue(e.x(), index), z.get(index), 0.0);
        }
    }

    /** Multiplies by distinct constants 1, 2, 3, ... in row-major order of the result. */
    private static Tensor weighted(Tensor y) {
        int n = y.numel();
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = i + 1;
        }
        return y.mul(Tensor.of(w, y.shape()));
    }

    // ------------------------------------------------------------ providers

    @Provide
    Arbitrary<Sample> matrices() {
        return TensorArbitraries.samples(2, 2, ANY);
    }

    /** A shape with the same element count: the dims shuffled, maybe two merged, 1s inserted, maybe one -1. */
    @Provide
    Arbitrary<Case> reshapes() {
        return TensorArbitraries.samples(ANY).flatMap(x -> TensorArbitraries.reshapeTargets(x.shape()).map(t -> new Case(x, t)));
    }

    @Provide
    Arbitrary<Case> transposes() {
        // Two distinct axes: transposing an axis with itself records nothing worth checking.
        return TensorArbitraries.samples(2, TensorArbitraries.MAX_RANK, ANY).flatMap(x -> Combinators.combine(
                Arbitraries.integers().between(0, x.rank() - 1),
                Arbitraries.integers().between(1, x.rank() - 1)
        ).as((a, step) -> new Case(x, new int[] {a, (a + step) % x.rank()})));
    }

    @Provide
    Arbitrary<Case> permutations() {
        // Rank 2 and up, never the identity (a shuffle that left every axis in place gets its first two
        // swapped): the identity records no permutation.
        return TensorArbitraries.samples(2, TensorArbitraries.MAX_RANK, ANY).flatMap(x ->
                Arbitraries.shuffle(TensorArbitraries.range(x.rank()))
                        .map(p -> new Case(x, notIdentity(TensorArbitraries.toIntArray(p)))));
    }

    private static int[] notIdentity(int[] permutation) {
        for (int i = 0; i < permutation.length; i++) {
            if (permutation[i] != i) {
                return permutation;
            }
        }
        int[] swapped = permutation.clone();
        swapped[0] = 1;
        swapped[1] = 0;
        return swapped;
    }

    /** A target shape and a source made from it by dropping leading dims and setting some dims to 1. */
    @Provide
    Arbitrary<Case> expansions() {
        return TensorArbitraries.shapes().flatMap(target -> {
            int rank = target.length;
            return Combinators.combine(
                    Arbitraries.integers().between(0, rank),
                    Arbitraries.of(false, true).list().ofSize(rank)
            ).flatAs((drop, ones) -> {
                int[] source = new int[rank - drop];
                for (int i = drop; i < rank; i++) {
                    source[i - drop] = ones.get(i) ? 1 : target[i];
                }
                return TensorArbitraries.samples(source, ANY).map(x -> new Case(x, target.clone()));
            });
        });
    }
}
