package dev.autograd;

import static dev.autograd.TensorArbitraries.Domain.ANY;
import static dev.autograd.TensorArbitraries.Domain.AWAY_FROM_ZERO;

import dev.autograd.TensorArbitraries.Sample;
import dev.autograd.TensorArbitraries.SamplePair;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * GradCheck (full Jacobian against central differences) of the issue-3 element-wise ops on random shapes
 * of rank 0..3: the unary functions and activations on their smooth domains (kinks kept at least 0.05
 * away), and maximum/minimum/pow(Tensor)/where on broadcast pairs. maximum/minimum draw one operand from
 * the grid {@code k/10} and the other from {@code k/10 + 0.05}, so no element pair ties.
 */
class ActivationGradProperties {

    /** A triple for {@code where}: the mask broadcasts with a and b. */
    record WhereCase(Sample mask, Sample a, Sample b) {
    }

    /** A tensor and clamp bounds; the values stay at least 0.05 away from both bounds. */
    record ClampCase(Sample x, double min, double max) {
    }

    // ------------------------------------------------------------ unary

    @Property
    void sin(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].sin(), x.leaf());
    }

    @Property
    void cos(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].cos(), x.leaf());
    }

    @Property
    void log1p(@ForAll("aboveMinusOne") Sample x) {
        // domain x > -1; kept >= -0.9 so that 1 / (1 + x) stays moderate
        GradCheck.assertGradientsMatch(in -> in[0].log1p(), x.leaf());
    }

    @Property
    void expm1(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].expm1(), x.leaf());
    }

    @Property
    void reciprocal(@ForAll("awayFromZero") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].reciprocal(), x.leaf());
    }

    @Property
    void erf(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].erf(), x.leaf());
    }

    @Property
    void geluExact(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].gelu(), x.leaf());
    }

    @Property
    void geluTanh(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].gelu(true), x.leaf());
    }

    @Property
    void geluExactFlag(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].gelu(false), x.leaf());
    }

    @Property
    void softplus(@ForAll("wide") Sample x) {
        // [-30, 30]: includes the range where a naive log(1 + e^x) loses precision
        GradCheck.assertGradientsMatch(in -> in[0].softplus(), x.leaf());
    }

    @Property
    void leakyRelu(@ForAll("awayFromZero") Sample x, @ForAll("slopes") double slope) {
        GradCheck.assertGradientsMatch(in -> in[0].leakyRelu(slope), x.leaf());
    }

    @Property
    void clamp(@ForAll("clampCases") ClampCase c) {
        GradCheck.assertGradientsMatch(in -> in[0].clamp(c.min(), c.max()), c.x().leaf());
    }

    // ------------------------------------------------------------ binary, broadcast

    @Property
    void maximum(@ForAll("tieFreePairs") SamplePair p) {
        GradCheck.assertGradientsMatch(in -> in[0].maximum(in[1]), p.a().leaf(), p.b().leaf());
    }

    @Property
    void minimum(@ForAll("tieFreePairs") SamplePair p) {
        GradCheck.assertGradientsMatch(in -> in[0].minimum(in[1]), p.a().leaf(), p.b().leaf());
    }

    // With ties: where a == b each operand receives half of g (PyTorch's rule), which is also what a
    // central difference measures there: (max(a + h, b) - max(a - h, b)) / 2h = 1/2.

    @Property
    void maximumWithTies(@ForAll("pairsWithTies") SamplePair p) {
        // failOnKinks: a tie passes only with the 1/2 share, not as a subgradient at a kink.
        GradCheck.options().failOnKinks(true).assertGradientsMatch(in -> in[0].maximum(in[1]), p.a().leaf(),
                p.b().leaf());
    }

    @Property
    void minimumWithTies(@ForAll("pairsWithTies") SamplePair p) {
        GradCheck.options().failOnKinks(true).assertGradientsMatch(in -> in[0].minimum(in[1]), p.a().leaf(),
                p.b().leaf());
    }

    /** Two operands of one shape, equal on a random part of the elements (at least one) and apart elsewhere. */
    @Provide
    Arbitrary<SamplePair> pairsWithTies() {
        return OpArbitraries.broadcastShapes().flatMap(p -> Combinators.combine(
                OpArbitraries.gridSamples(p.a(), false), Arbitraries.longs()).as((a, seed) -> {
                    java.util.Random random = new java.util.Random(seed);
                    double[] b = a.values().clone();
                    for (int i = 0; i < b.length; i++) {
                        if (i > 0 && random.nextBoolean()) {
                            b[i] += random.nextBoolean() ? 0.5 : -0.5;
                        }
                    }
                    return new SamplePair(a, new Sample(a.shape(), b));
                }));
    }

    @Property
    void maximumScalar(@ForAll("grid") Sample x, @ForAll("offsetValue") double c) {
        GradCheck.assertGradientsMatch(in -> in[0].maximum(c), x.leaf());
    }

    @Property
    void minimumScalar(@ForAll("grid") Sample x, @ForAll("offsetValue") double c) {
        GradCheck.assertGradientsMatch(in -> in[0].minimum(c), x.leaf());
    }

    @Property
    void powTensor(@ForAll("powPairs") SamplePair p) {
        // base in [0.5, 2] (real, away from 0), exponent in [-2, 2]
        GradCheck.assertGradientsMatch(in -> in[0].pow(in[1]), p.a().leaf(), p.b().leaf());
    }

    @Property
    void where(@ForAll("whereCases") WhereCase c) {
        GradCheck.assertGradientsMatch(in -> Tensor.where(c.mask().constant(), in[0], in[1]),
                c.a().leaf(), c.b().leaf());
    }

    @Property
    void whereWithMaskFromComparison(@ForAll("tieFreePairs") SamplePair p) {
        // the usual idiom: where(a > b, f(a), g(b)); the mask itself is a constant of the graph
        GradCheck.assertGradientsMatch(in -> Tensor.where(in[0].gt(in[1]), in[0].sin(), in[1].mul(in[1])),
                p.a().leaf(), p.b().leaf());
    }

    // ------------------------------------------------------------ generators

    @Provide
    Arbitrary<Sample> any() {
        return TensorArbitraries.samples(ANY);
    }

    @Provide
    Arbitrary<Sample> awayFromZero() {
        return TensorArbitraries.samples(AWAY_FROM_ZERO);
    }

    @Provide
    Arbitrary<Sample> aboveMinusOne() {
        return OpArbitraries.samples(0, 3, -0.9, 3.0);
    }

    @Provide
    Arbitrary<Sample> wide() {
        return OpArbitraries.samples(0, 3, -30.0, 30.0);
    }

    @Provide
    Arbitrary<Double> slopes() {
        return Arbitraries.doubles().between(0.0, 0.5).ofScale(2);
    }

    @Provide
    Arbitrary<Sample> grid() {
        return TensorArbitraries.shapes().flatMap(s -> OpArbitraries.gridSamples(s, false));
    }

    @Provide
    Arbitrary<Double> offsetValue() {
        return OpArbitraries.offsetGridValue();
    }

    @Provide
    Arbitrary<ClampCase> clampCases() {
        return Combinators.combine(grid(), offsetValue(), offsetValue())
                .as((x, a, b) -> new ClampCase(x, Math.min(a, b), Math.max(a, b)));
    }

    @Provide
    Arbitrary<SamplePair> tieFreePairs() {
        return OpArbitraries.broadcastShapes().flatMap(p -> Combinators.combine(
                OpArbitraries.gridSamples(p.a(), false), OpArbitraries.gridSamples(p.b(), true),
                Arbitraries.of(false, true)).as((a, b, swap) -> {
                    // which operand sits on the offset grid is random too
                    return swap
                            ? new SamplePair(new Sample(a.shape(), shift(a.values())),
                                    new Sample(b.shape(), unshift(b.values())))
                            : new SamplePair(a, b);
                }));
    }

    @Provide
    Arbitrary<SamplePair> powPairs() {
        return OpArbitraries.broadcastShapes().flatMap(p -> Combinators.combine(
                OpArbitraries.samples(p.a(), 0.5, 2.0), OpArbitraries.samples(p.b(), -2.0, 2.0))
                .as(SamplePair::new));
    }

    @Provide
    Arbitrary<WhereCase> whereCases() {
        return OpArbitraries.broadcastShapes().flatMap(p -> {
            int[] full = TensorArbitraries.broadcast(p.a(), p.b());
            return OpArbitraries.broadcastableTo(full).flatMap(maskShape -> Combinators.combine(
                    Arbitraries.of(0.0, 1.0).list().ofSize(TensorArbitraries.numel(maskShape))
                            .map(l -> new Sample(maskShape, l.stream().mapToDouble(Double::doubleValue).toArray())),
                    TensorArbitraries.samples(p.a(), ANY), TensorArbitraries.samples(p.b(), ANY))
                    .as(WhereCase::new));
        });
    }

    private static double[] shift(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += 0.05;
        }
        return out;
    }

    private static double[] unshift(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] -= 0.05;
        }
        return out;
    }
}
