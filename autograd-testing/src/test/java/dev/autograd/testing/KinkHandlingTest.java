package dev.autograd.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.GradCheck;
import dev.autograd.Tensor;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * GradCheck's kink handling: inputs drawn from a coarse grid (-2, -1.5, ..., 2) land exactly on relu's and
 * abs's kink at 0 and on ties of max and maximum all the time. 4 x 2,500 = 10,000 such inputs must give no
 * false failure with kink handling on (the default), while the same points fail when kinks are failures.
 */
class KinkHandlingTest {

    @Provide
    Arbitrary<Tensor> onTheGrid() {
        return TensorArbitraries.shapes(1, 2, 3).flatMap(KinkHandlingTest::onTheGrid);
    }

    /** Two tensors of one shape, both on the grid (drawn together: filtering random pairs by shape starves). */
    @Provide
    Arbitrary<Tensor[]> pairsOnTheGrid() {
        return TensorArbitraries.shapes(1, 2, 3).flatMap(shape -> net.jqwik.api.Combinators
                .combine(onTheGrid(shape), onTheGrid(shape)).as((a, b) -> new Tensor[] {a, b}));
    }

    private static Arbitrary<Tensor> onTheGrid(int[] shape) {
        return Arbitraries.integers().between(-4, 4).map(i -> i / 2.0)
                .list().ofSize(java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)).map(values -> {
                    double[] data = values.stream().mapToDouble(Double::doubleValue).toArray();
                    return Tensor.of(data, shape).requiresGrad(true);
                });
    }

    @Property(tries = 2500)
    void reluHasNoFalseFailure(@ForAll("onTheGrid") Tensor x) {
        GradCheck.assertGradientsMatch(in -> in[0].relu(), x);
    }

    @Property(tries = 2500)
    void absHasNoFalseFailure(@ForAll("onTheGrid") Tensor x) {
        GradCheck.assertGradientsMatch(in -> in[0].abs(), x);
    }

    @Property(tries = 2500)
    void maxReductionHasNoFalseFailure(@ForAll("onTheGrid") Tensor x) {
        GradCheck.assertGradientsMatch(in -> in[0].max(), x);
    }

    @Property(tries = 2500)
    void maximumHasNoFalseFailure(@ForAll("pairsOnTheGrid") Tensor[] xy) {
        GradCheck.assertGradientsMatch(in -> in[0].maximum(in[1]), xy[0], xy[1]);
    }

    @Test
    void kinksAreReportedAndCanBeMadeFailures() {
        Tensor x = Tensor.of(new double[] {0, 1, -1}, 3).requiresGrad(true);
        Function<Tensor[], Tensor> relu = in -> in[0].relu();
        GradCheck.Report lenient = GradCheck.check(relu, x);
        assertTrue(lenient.passed(), lenient::toString);
        GradCheck.InputReport r = lenient.inputs().get(0);
        assertEquals(1, r.kinks());
        assertEquals(GradCheck.Status.KINK, r.elements().get(0).status());
        GradCheck.Report strict = GradCheck.options().failOnKinks(true).check(relu, x);
        assertTrue(!strict.passed(), strict::toString);
    }

    @Test
    void aWrongGradientAtAKinkIsStillAFailure() {
        // relu's one-sided derivatives at 0 are 0 and 1; a backward that says 2 there is no subgradient.
        dev.autograd.CustomFunction badRelu = new dev.autograd.CustomFunction() {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                ctx.saveForBackward(in[0]);
                return in[0].relu();
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                return new Tensor[] {g.mul(ctx.saved(0).ge(0)).mul(2)};
            }
        };
        Tensor x = Tensor.of(new double[] {0}, 1).requiresGrad(true);
        GradCheck.Report report = GradCheck.check(in -> badRelu.apply(in[0]), x);
        assertEquals(GradCheck.Status.FAILED, report.inputs().get(0).elements().get(0).status(), report::toString);
    }
}
