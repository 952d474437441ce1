package dev.autograd;

import static dev.autograd.TensorArbitraries.Domain.ANY;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.autograd.TensorArbitraries.Sample;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * GradCheck of slice, select, indexSelect (and the embedding lookup through it), gather and scatterAdd on
 * random shapes, random slice parameters (negative start/end forms, steps 1..3, empty ranges) and random
 * indices with repeats, so that overlapping uses must add up.
 */
class IndexingGradProperties {

    record SliceCase(Sample x, int axis, int start, int end, int step) {
    }

    record SelectCase(Sample x, int axis, int index) {
    }

    record IndexSelectCase(Sample x, int axis, int[] indices) {
        @Override
        public String toString() {
            return x + " axis=" + axis + " indices=" + Arrays.toString(indices);
        }
    }

    /** x, an axis, an index tensor of x's rank (no larger than x off the axis), and src of the index shape. */
    record GatherCase(Sample x, int axis, Sample index, Sample src) {
    }

    @Property
    void slice(@ForAll("sliceCases") SliceCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].slice(c.axis(), c.start(), c.end(), c.step()).sin(), c.x().leaf());
    }

    @Property
    void select(@ForAll("selectCases") SelectCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].select(c.axis(), c.index()).sin(), c.x().leaf());
    }

    @Property
    void indexSelect(@ForAll("indexSelectCases") IndexSelectCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].indexSelect(c.axis(), c.indices()).sin(), c.x().leaf());
    }

    @Property
    void embeddingLookup(@ForAll("embeddingCases") IndexSelectCase c) {
        // weight [vocab, dim], ids with repeats: rows used twice receive the sum of both gradients
        GradCheck.assertGradientsMatch(in -> in[0].indexSelect(0, c.indices()).tanh().sum(1, false), c.x().leaf());
    }

    @Property
    void gather(@ForAll("gatherCases") GatherCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].gather(c.axis(), c.index().constant()).sin(), c.x().leaf());
    }

    @Property
    void scatterAdd(@ForAll("gatherCases") GatherCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].scatterAdd(c.axis(), c.index().constant(), in[1]).sin(),
                c.x().leaf(), c.src().leaf());
    }

    // ------------------------------------------------------------ generators

    @Provide
    Arbitrary<SliceCase> sliceCases() {
        return TensorArbitraries.samples(1, 3, ANY).flatMap(x -> Arbitraries.integers().between(0, x.rank() - 1)
                .flatMap(axis -> {
                    int n = x.shape()[axis];
                    return Arbitraries.integers().between(0, n).flatMap(s -> Combinators.combine(
                            Arbitraries.integers().between(s, n), Arbitraries.integers().between(1, 3),
                            Arbitraries.of(false, true), Arbitraries.of(false, true), Arbitraries.of(false, true))
                            .as((e, step, negStart, negEnd, negAxis) -> new SliceCase(x,
                                    negAxis ? axis - x.rank() : axis,
                                    negStart && s < n ? s - n : s,
                                    negEnd && e < n ? e - n : e, step)));
                }));
    }

    @Provide
    Arbitrary<SelectCase> selectCases() {
        return TensorArbitraries.samples(1, 3, ANY).flatMap(x -> Arbitraries.integers().between(-x.rank(), x.rank() - 1)
                .flatMap(axis -> {
                    int n = x.shape()[axis < 0 ? axis + x.rank() : axis];
                    return Arbitraries.integers().between(-n, n - 1).map(i -> new SelectCase(x, axis, i));
                }));
    }

    @Provide
    Arbitrary<IndexSelectCase> indexSelectCases() {
        return TensorArbitraries.samples(1, 3, ANY).flatMap(x -> Arbitraries.integers().between(0, x.rank() - 1)
                .flatMap(axis -> Arbitraries.integers().between(0, x.shape()[axis] - 1).list().ofMinSize(0).ofMaxSize(5)
                        .map(l -> new IndexSelectCase(x, axis, TensorArbitraries.toIntArray(l)))));
    }

    @Provide
    Arbitrary<IndexSelectCase> embeddingCases() {
        return TensorArbitraries.shapes(2, 2).flatMap(s -> TensorArbitraries.samples(s, ANY))
                .flatMap(w -> Arbitraries.integers().between(0, w.shape()[0] - 1).list().ofMinSize(1).ofMaxSize(6)
                        .map(l -> new IndexSelectCase(w, 0, TensorArbitraries.toIntArray(l))));
    }

    @Provide
    Arbitrary<GatherCase> gatherCases() {
        return TensorArbitraries.samples(1, 3, ANY).flatMap(x -> Arbitraries.integers().between(0, x.rank() - 1)
                .flatMap(axis -> {
                    List<Arbitrary<Integer>> dims = new ArrayList<>();
                    for (int d = 0; d < x.rank(); d++) {
                        dims.add(Arbitraries.integers().between(1, d == axis ? 4 : x.shape()[d]));
                    }
                    return Combinators.combine(dims).as(TensorArbitraries::toIntArray).flatMap(indexShape -> {
                        int n = TensorArbitraries.numel(indexShape);
                        Arbitrary<Sample> index = Arbitraries.integers().between(0, x.shape()[axis] - 1).list()
                                .ofSize(n).map(l -> new Sample(indexShape,
                                        l.stream().mapToDouble(Integer::doubleValue).toArray()));
                        return Combinators.combine(index, TensorArbitraries.samples(indexShape, ANY))
                                .as((i, src) -> new GatherCase(x, axis, i, src));
                    });
                }));
    }
}
