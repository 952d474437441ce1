package dev.autograd;

import static dev.autograd.TensorArbitraries.Domain.ANY;


import dev.autograd.OpArbitraries.AxisCase;
import dev.autograd.NnCases.ConvCase;
import dev.autograd.NnCases.PoolCase;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * GradCheck of softmax, logSoftmax, conv2d (every overload: bias or none, stride, padding, dilation,
 * groups) and max/avg pooling on small random shapes: N <= 2, C <= 3 (groups dividing C and O),
 * H, W <= 6, kernels <= 3, stride <= 2, padding <= 1, dilation <= 2, every output at least 1x1. Max
 * pooling gets pairwise distinct values so that no window has a tie. The conv and pool properties run
 * 30 tries each: a full-Jacobian check of a conv costs hundreds of forward and backward passes.
 */
class NnGradProperties {

    // ------------------------------------------------------------ softmax

    @Property
    void softmax(@ForAll("axes") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].softmax(c.axis()), c.x().leaf());
    }

    @Property
    void logSoftmax(@ForAll("axes") AxisCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].logSoftmax(c.axis()), c.x().leaf());
    }

    @Property
    void softmaxOfLargeLogits(@ForAll("axes") AxisCase c) {
        // logits near 1000: the same gradient as without the shift (softmax is shift-invariant)
        GradCheck.assertGradientsMatch(in -> in[0].add(1000).softmax(c.axis()), c.x().leaf());
    }

    // ------------------------------------------------------------ conv2d

    @Property(tries = 30)
    void conv2dFull(@ForAll("fullConvCases") ConvCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].conv2d(in[1], c.b() == null ? null : in[2], c.stride(),
                c.padding(), c.dilation(), c.groups()), c.leaves());
    }

    @Property(tries = 30)
    void conv2dStridePadding(@ForAll("squareConvCases") ConvCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].conv2d(in[1], c.b() == null ? null : in[2], c.stride()[0],
                c.padding()[0]), c.leaves());
    }

    @Property(tries = 30)
    void conv2dPlain(@ForAll("plainConvCases") ConvCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].conv2d(in[1], c.b() == null ? null : in[2]), c.leaves());
    }

    // ------------------------------------------------------------ pooling

    @Property(tries = 30)
    void maxPool2d(@ForAll("distinctPoolCases") PoolCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].maxPool2d(c.kernel(), c.stride(), c.padding()), c.x().leaf());
    }

    @Property(tries = 30)
    void maxPool2dSquare(@ForAll("distinctSquarePoolCases") PoolCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].maxPool2d(c.kernel()[0]), c.x().leaf());
    }

    @Property(tries = 30)
    void avgPool2d(@ForAll("poolCases") PoolCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].avgPool2d(c.kernel(), c.stride(), c.padding()), c.x().leaf());
    }

    @Property(tries = 30)
    void avgPool2dSquare(@ForAll("squarePoolCases") PoolCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].avgPool2d(c.kernel()[0]), c.x().leaf());
    }

    // ------------------------------------------------------------ generators

    @Provide
    Arbitrary<AxisCase> axes() {
        return OpArbitraries.oneAxis(TensorArbitraries.samples(1, 3, ANY));
    }

    @Provide
    Arbitrary<ConvCase> fullConvCases() {
        return NnCases.convCases(NnCases.FIRST_ORDER, true, false);
    }

    @Provide
    Arbitrary<ConvCase> squareConvCases() {
        return NnCases.convCases(NnCases.FIRST_ORDER, false, false);
    }

    @Provide
    Arbitrary<ConvCase> plainConvCases() {
        return NnCases.convCases(NnCases.FIRST_ORDER, false, true);
    }

    @Provide
    Arbitrary<PoolCase> distinctPoolCases() {
        return NnCases.poolCases(NnCases.FIRST_ORDER, false, true);
    }

    @Provide
    Arbitrary<PoolCase> distinctSquarePoolCases() {
        return NnCases.poolCases(NnCases.FIRST_ORDER, true, true);
    }

    @Provide
    Arbitrary<PoolCase> poolCases() {
        return NnCases.poolCases(NnCases.FIRST_ORDER, false, false);
    }

    @Provide
    Arbitrary<PoolCase> squarePoolCases() {
        return NnCases.poolCases(NnCases.FIRST_ORDER, true, false);
    }
}
