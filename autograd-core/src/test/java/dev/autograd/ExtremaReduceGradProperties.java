package dev.autograd;

import static dev.autograd.TensorArbitraries.Domain.ANY;

import dev.autograd.OpArbitraries.AxesCase;
import dev.autograd.OpArbitraries.AxisCase;
import dev.autograd.TensorArbitraries.Sample;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * GradCheck of max, min, logSumExp, var and std in all their forms (whole tensor, one axis, several
 * axes, keepDim, negative axes, corrections 0 and 1). max/min get pairwise distinct values (spacing
 * 0.075), so there are no ties, where the function is not differentiable; var/std with correction 1 need
 * at least two reduced elements, std a positive variance (distinct values again).
 */
class ExtremaReduceGradProperties {

    // ------------------------------------------------------------ max / min

    @Property
    void maxAll(@ForAll("distinct") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].max(), x.leaf());
    }

    @Property
    void minAll(@ForAll("distinct") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].min(), x.leaf());
    }

    @Property
    void maxAxis(@ForAll("distinctAxis") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].max(c.axis(), c.keepDim()), c.x().leaf());
    }

    @Property
    void minAxis(@ForAll("distinctAxis") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].min(c.axis(), c.keepDim()), c.x().leaf());
    }

    @Property
    void maxAxes(@ForAll("distinctAxes") AxesCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].max(c.axes(), c.keepDim()), c.x().leaf());
    }

    @Property
    void minAxes(@ForAll("distinctAxes") AxesCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].min(c.axes(), c.keepDim()), c.x().leaf());
    }

    // ------------------------------------------------------------ logSumExp

    @Property
    void logSumExpAll(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].logSumExp(), x.leaf());
    }

    @Property
    void logSumExpAxis(@ForAll("anyAxis") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].logSumExp(c.axis(), c.keepDim()), c.x().leaf());
    }

    @Property
    void logSumExpAxes(@ForAll("anyAxes") AxesCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].logSumExp(c.axes(), c.keepDim()), c.x().leaf());
    }

    @Property
    void logSumExpOfLargeLogits(@ForAll("anyAxis") AxisCase c) {
        // shifted by 500: a naive log(sum(exp(x))) would overflow; the gradient (softmax) must not change
        GradCheck.assertGradientsMatch(in -> in[0].add(500).logSumExp(c.axis(), c.keepDim()), c.x().leaf());
    }

    // ------------------------------------------------------------ var / std

    @Property
    void varAll(@ForAll("atLeastTwo") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].var(), x.leaf());
    }

    @Property
    void varAxis(@ForAll("distinctAxisAtLeastTwo") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].var(c.axis(), c.keepDim()), c.x().leaf());
    }

    @Property
    void varAxisCorrection(@ForAll("anyAxis") AxisCase c, @ForAll("corrections") int correction) {
        int n = c.x().shape()[c.axis() < 0 ? c.axis() + c.x().rank() : c.axis()];
        int k = Math.min(correction, n - 1);
        GradCheck.assertGradientsMatch(in -> in[0].var(c.axis(), c.keepDim(), k), c.x().leaf());
    }

    @Property
    void varAxesCorrection(@ForAll("anyAxes") AxesCase c, @ForAll("corrections") int correction) {
        int k = Math.min(correction, c.reducedCount() - 1);
        GradCheck.assertGradientsMatch(in -> in[0].var(c.axes(), c.keepDim(), k), c.x().leaf());
    }

    @Property
    void stdAll(@ForAll("atLeastTwo") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].std(), x.leaf());
    }

    @Property
    void stdAxis(@ForAll("distinctAxisAtLeastTwo") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].std(c.axis(), c.keepDim()), c.x().leaf());
    }

    @Property
    void stdAxisCorrection(@ForAll("distinctAxisAtLeastTwo") AxisCase c, @ForAll("corrections") int correction) {
        GradCheck.assertGradientsMatch(in -> in[0].std(c.axis(), c.keepDim(), correction), c.x().leaf());
    }

    @Property
    void stdAxesCorrection(@ForAll("distinctAxesAtLeastTwo") AxesCase c, @ForAll("corrections") int correction) {
        GradCheck.assertGradientsMatch(in -> in[0].std(c.axes(), c.keepDim(), correction), c.x().leaf());
    }

    // ------------------------------------------------------------ generators

    @Provide
    Arbitrary<Sample> any() {
        return TensorArbitraries.samples(ANY);
    }

    @Provide
    Arbitrary<Sample> distinct() {
        return OpArbitraries.distinctSamples(0, 3);
    }

    /** Distinct values, at least two elements (var, std of the whole tensor). */
    @Provide
    Arbitrary<Sample> atLeastTwo() {
        return OpArbitraries.distinctSamples(1, 3).filter(s -> s.values().length >= 2);
    }

    @Provide
    Arbitrary<AxisCase> distinctAxis() {
        return OpArbitraries.oneAxis(OpArbitraries.distinctSamples(1, 3));
    }

    @Provide
    Arbitrary<AxesCase> distinctAxes() {
        return OpArbitraries.axesSubsets(OpArbitraries.distinctSamples(1, 3));
    }

    @Provide
    Arbitrary<AxisCase> distinctAxisAtLeastTwo() {
        return TensorArbitraries.shapes(1, 3).filter(s -> maxDim(s) >= 2).flatMap(OpArbitraries::distinctSamples)
                .flatMap(x -> {
                    int[] candidates = java.util.stream.IntStream.range(0, x.rank())
                            .filter(d -> x.shape()[d] >= 2).toArray();
                    return Arbitraries.of(java.util.Arrays.stream(candidates).boxed().toList())
                            .flatMap(axis -> Arbitraries.of(false, true).flatMap(keep -> Arbitraries.of(false, true)
                                    .map(neg -> new AxisCase(x, neg ? axis - x.rank() : axis, keep))));
                });
    }

    @Provide
    Arbitrary<AxesCase> distinctAxesAtLeastTwo() {
        return OpArbitraries.axesSubsets(OpArbitraries.distinctSamples(1, 3)).filter(c -> c.reducedCount() >= 2);
    }

    @Provide
    Arbitrary<AxisCase> anyAxis() {
        return OpArbitraries.oneAxis(TensorArbitraries.samples(1, 3, ANY));
    }

    @Provide
    Arbitrary<AxesCase> anyAxes() {
        return OpArbitraries.axesSubsets(TensorArbitraries.samples(1, 3, ANY));
    }

    @Provide
    Arbitrary<Integer> corrections() {
        return Arbitraries.of(0, 1);
    }

    private static int maxDim(int[] s) {
        int m = 0;
        for (int d : s) {
            m = Math.max(m, d);
        }
        return m;
    }

    // the one-axis forms without keepDim (PyTorch's x.max(dim) values, x.var(dim), ...)

    @Property
    void maxAxisDropped(@ForAll("distinctAxis") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].max(c.axis()), c.x().leaf());
    }

    @Property
    void minAxisDropped(@ForAll("distinctAxis") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].min(c.axis()), c.x().leaf());
    }

    @Property
    void logSumExpAxisDropped(@ForAll("anyAxis") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].logSumExp(c.axis()), c.x().leaf());
    }

    @Property
    void varAxisDropped(@ForAll("distinctAxisAtLeastTwo") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].var(c.axis()), c.x().leaf());
    }

    @Property
    void stdAxisDropped(@ForAll("distinctAxisAtLeastTwo") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].std(c.axis()), c.x().leaf());
    }
}
