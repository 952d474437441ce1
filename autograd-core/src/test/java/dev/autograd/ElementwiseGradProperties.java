package dev.autograd;

import static dev.autograd.TensorArbitraries.Domain.ANY;
import static dev.autograd.TensorArbitraries.Domain.AWAY_FROM_ZERO;
import static dev.autograd.TensorArbitraries.Domain.POSITIVE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import dev.autograd.TensorArbitraries.Sample;
import dev.autograd.TensorArbitraries.SamplePair;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Analytic gradients of the element-wise ops equal finite differences (GradCheck, full Jacobian) on random
 * shapes, broadcast pairs for binary ops, and values inside each op's smooth domain.
 */
class ElementwiseGradProperties {

    // ------------------------------------------------------------ binary, broadcast pairs

    @Property
    void add(@ForAll("anyPairs") SamplePair p) {
        GradCheck.assertGradientsMatch(in -> in[0].add(in[1]), p.a().leaf(), p.b().leaf());
    }

    @Property
    void sub(@ForAll("anyPairs") SamplePair p) {
        GradCheck.assertGradientsMatch(in -> in[0].sub(in[1]), p.a().leaf(), p.b().leaf());
    }

    @Property
    void mul(@ForAll("anyPairs") SamplePair p) {
        GradCheck.assertGradientsMatch(in -> in[0].mul(in[1]), p.a().leaf(), p.b().leaf());
    }

    @Property
    void div(@ForAll("divPairs") SamplePair p) {
        // the denominator stays away from its pole at 0
        GradCheck.assertGradientsMatch(in -> in[0].div(in[1]), p.a().leaf(), p.b().leaf());
    }

    @Property
    void binaryWithOneConstantSide(@ForAll("anyPairs") SamplePair p) {
        // only the input that requires grad is checked; the constant must not break backward
        GradCheck.assertGradientsMatch(in -> in[0].mul(p.b().constant()).add(p.b().constant()), p.a().leaf());
    }

    // One property per op with a number, each squared so that its gradient depends on the op's own result:
    // checked together in one expression, an error in mul's backward could cancel one in div's.

    @Property
    void addNumber(@ForAll("any") Sample x, @ForAll("awayFromZeroScalar") double c) {
        GradCheck.assertGradientsMatch(in -> in[0].add(c).pow(2.0), x.leaf());
    }

    @Property
    void subNumber(@ForAll("any") Sample x, @ForAll("awayFromZeroScalar") double c) {
        GradCheck.assertGradientsMatch(in -> in[0].sub(c).pow(2.0), x.leaf());
    }

    @Property
    void mulNumber(@ForAll("any") Sample x, @ForAll("awayFromZeroScalar") double c) {
        GradCheck.assertGradientsMatch(in -> in[0].mul(c).pow(2.0), x.leaf());
    }

    @Property
    void divNumber(@ForAll("any") Sample x, @ForAll("awayFromZeroScalar") double c) {
        GradCheck.assertGradientsMatch(in -> in[0].div(c).pow(2.0), x.leaf());
    }

    // ------------------------------------------------------------ unary

    @Property
    void neg(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].neg(), x.leaf());
    }

    @Property
    void powInteger(@ForAll("any") Sample x, @ForAll("smallIntegerExponents") int e) {
        GradCheck.assertGradientsMatch(in -> in[0].pow(e), x.leaf());
    }

    @Property
    void powNegativeInteger(@ForAll("awayFromZero") Sample x, @ForAll("negativeIntegerExponents") int e) {
        GradCheck.assertGradientsMatch(in -> in[0].pow(e), x.leaf());
    }

    @Property
    void powFractional(@ForAll("positive") Sample x, @ForAll("fractionalExponents") double e) {
        // a non-integer power is only real for a positive base
        GradCheck.assertGradientsMatch(in -> in[0].pow(e), x.leaf());
    }

    @Property
    void exp(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].exp(), x.leaf());
    }

    @Property
    void log(@ForAll("positive") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].log(), x.leaf());
    }

    @Property
    void sqrt(@ForAll("positive") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].sqrt(), x.leaf());
    }

    @Property
    void abs(@ForAll("awayFromZero") Sample x) {
        // away from the kink at 0, where finite differences are meaningless
        GradCheck.assertGradientsMatch(in -> in[0].abs(), x.leaf());
    }

    @Property
    void tanh(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].tanh(), x.leaf());
    }

    @Property
    void sigmoid(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].sigmoid(), x.leaf());
    }

    @Property
    void relu(@ForAll("awayFromZero") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].relu(), x.leaf());
    }

    @Property
    void composition(@ForAll("anyPairs") SamplePair p) {
        // a small expression that reuses an input: tanh(a * b) + sigmoid(a) * a
        GradCheck.assertGradientsMatch(
                in -> in[0].mul(in[1]).tanh().add(in[0].sigmoid().mul(in[0])), p.a().leaf(), p.b().leaf());
    }

    // ------------------------------------------------------------ forward oracle

    @Property
    void binaryForwardMatchesABroadcastLoop(@ForAll("divPairs") SamplePair p) {
        // GradCheck only checks that backward agrees with forward; this checks forward itself
        Tensor a = p.a().constant();
        Tensor b = p.b().constant();
        int[] out = TensorArbitraries.broadcast(p.a().shape(), p.b().shape());
        Tensor[] results = {a.add(b), a.sub(b), a.mul(b), a.div(b), a.gt(b)};
        for (Tensor r : results) {
            assertArrayEquals(out, r.shape(), () -> "shape of " + r);
        }
        for (int flat = 0; flat < TensorArbitraries.numel(out); flat++) {
            int[] index = TensorArbitraries.unravel(flat, out);
            double x = TensorArbitraries.broadcastValue(p.a(), index);
            double y = TensorArbitraries.broadcastValue(p.b(), index);
            String where = "at " + Arrays.toString(index);
            assertEquals(x + y, results[0].get(index), 0.0, where);
            assertEquals(x - y, results[1].get(index), 0.0, where);
            assertEquals(x * y, results[2].get(index), 0.0, where);
            assertEquals(x / y, results[3].get(index), 1e-15 * Math.abs(x / y), where);
            assertEquals(x > y ? 1.0 : 0.0, results[4].get(index), 0.0, where);
        }
    }

    // ------------------------------------------------------------ providers

    @Provide
    Arbitrary<SamplePair> anyPairs() {
        return TensorArbitraries.broadcastPairs(ANY, ANY);
    }

    @Provide
    Arbitrary<SamplePair> divPairs() {
        return TensorArbitraries.broadcastPairs(ANY, AWAY_FROM_ZERO);
    }

    @Provide
    Arbitrary<Sample> any() {
        return TensorArbitraries.samples(ANY);
    }

    @Provide
    Arbitrary<Sample> positive() {
        return TensorArbitraries.samples(POSITIVE);
    }

    @Provide
    Arbitrary<Sample> awayFromZero() {
        return TensorArbitraries.samples(AWAY_FROM_ZERO);
    }

    @Provide
    Arbitrary<Double> awayFromZeroScalar() {
        return TensorArbitraries.doubles(AWAY_FROM_ZERO);
    }

    @Provide
    Arbitrary<Integer> smallIntegerExponents() {
        return Arbitraries.integers().between(0, 4);
    }

    @Provide
    Arbitrary<Integer> negativeIntegerExponents() {
        return Arbitraries.integers().between(-2, -1);
    }

    @Provide
    Arbitrary<Double> fractionalExponents() {
        return Arbitraries.of(-1.5, -0.5, 0.5, 1.5, 2.5, 0.3, 3.7);
    }

    @Property
    void square(@ForAll("any") Sample x) {
        GradCheck.assertGradientsMatch(in -> in[0].square(), x.leaf());
    }
}
