package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.GradCheck.Element;
import dev.autograd.GradCheck.InputReport;
import dev.autograd.GradCheck.Report;
import dev.autograd.GradCheck.Status;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * GradCheck's verdict rules at their exact boundaries. Every case uses a step that is a power of two and
 * piecewise-linear functions, so the finite differences are exact in binary floating point and each
 * comparison can be put exactly on its boundary: an off-by-one ({@code <} for {@code <=}), a sign or a swapped
 * term in a rule changes a verdict here.
 */
class GradCheckVerdictTest {

    /** 2^-20: x +- EPS and the differences below are exact. */
    private static final double EPS = 0x1p-20;

    /** An op with a given forward and an analytic derivative we choose, possibly wrong: grad * slope. */
    private static final class Chosen extends CustomFunction {
        private final UnaryOperator<Tensor> forward;
        private final Tensor slope;

        Chosen(UnaryOperator<Tensor> forward, double... slope) {
            this.forward = forward;
            this.slope = Tensor.of(slope, slope.length);
        }

        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            return forward.apply(in[0]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            return new Tensor[] {grad.mul(slope)};
        }
    }

    private static Report check(GradCheck.Options options, UnaryOperator<Tensor> forward, double[] at,
                                double... analytic) {
        Tensor x = Tensor.of(at, at.length).requiresGrad(true);
        return options.check(in -> new Chosen(forward, analytic).apply(in[0]), x);
    }

    private static GradCheck.Options exact(double atol, double rtol) {
        return GradCheck.options().eps(EPS).atol(atol).rtol(rtol).mode(GradCheck.Mode.FULL);
    }

    private static Status verdict(Report report) {
        return report.elements().get(0).status();
    }

    @Nested
    class WithinTolerance {

        @Test
        void theAbsoluteToleranceIsInclusive() {
            // f(x) = x at 0: numeric is exactly (EPS - -EPS) / (2 EPS) = 1
            assertEquals(1.0, check(exact(0.5, 0), t -> t.mul(1), new double[] {0}, 1.5).elements().get(0).numeric());
            assertEquals(Status.PASSED, verdict(check(exact(0.5, 0), t -> t.mul(1), new double[] {0}, 1.5)));
            assertEquals(Status.FAILED, verdict(check(exact(0.5, 0), t -> t.mul(1), new double[] {0}, Math.nextUp(1.5))));
            assertEquals(Status.PASSED, verdict(check(exact(0.5, 0), t -> t.mul(1), new double[] {0}, 0.5)));
            assertEquals(Status.FAILED, verdict(check(exact(0.5, 0), t -> t.mul(1), new double[] {0}, 0.5 - 0x1p-20)));
        }

        @Test
        void theRelativeToleranceScalesWithTheNumericValue() {
            // f(x) = 2x: numeric 2, so rtol 0.25 allows 0.5 (and 0.25 / 2 would allow only 0.125)
            assertEquals(Status.PASSED, verdict(check(exact(0, 0.25), t -> t.mul(2), new double[] {0}, 2.5)));
            assertEquals(Status.FAILED, verdict(check(exact(0, 0.25), t -> t.mul(2), new double[] {0}, Math.nextUp(2.5))));
            // atol and rtol add up: 0.25 + 0.25 * 2
            assertEquals(Status.PASSED, verdict(check(exact(0.25, 0.25), t -> t.mul(2), new double[] {0}, 1.25)));
            assertEquals(Status.FAILED, verdict(check(exact(0.25, 0.25), t -> t.mul(2), new double[] {0}, 1.2)));
        }

        @Test
        void theErrorsAreReportedExactly() {
            Element e = check(exact(0, 0), t -> t.mul(2), new double[] {0}, 3).elements().get(0);
            assertEquals(3.0, e.analytic());
            assertEquals(2.0, e.numeric());
            assertEquals(1.0, e.absError());
            assertEquals(0.5, e.relError());
            assertEquals(2 * EPS, e.fPlus());
            assertEquals(-2 * EPS, e.fMinus());
        }
    }

    /** relu at 0: right slope (plus - center) / EPS = 1, left slope (center - minus) / EPS = 0, central 0.5. */
    @Nested
    class Kinks {

        private Status reluAtZero(double atol, double rtol, double analytic) {
            return verdict(check(exact(atol, rtol), Tensor::relu, new double[] {0}, analytic));
        }

        @Test
        void anAnalyticValueBetweenTheOneSidedSlopesIsAKink() {
            // |analytic - 0.5| > 0.25, the one-sided slopes differ by 1 > 0.25, analytic within [0 - 0.25, 1 + 0.25]
            assertEquals(Status.KINK, reluAtZero(0.25, 0, 0.0));
            assertEquals(Status.KINK, reluAtZero(0.25, 0, 1.0));
            assertEquals(Status.KINK, reluAtZero(0.25, 0, -0.25));
            assertEquals(Status.KINK, reluAtZero(0.25, 0, 1.25));
        }

        @Test
        void anAnalyticValueOutsideTheOneSidedSlopesFails() {
            assertEquals(Status.FAILED, reluAtZero(0.25, 0, Math.nextDown(-0.25)));
            assertEquals(Status.FAILED, reluAtZero(0.25, 0, Math.nextUp(1.25)));
            assertEquals(Status.FAILED, reluAtZero(0.25, 0, 7));
        }

        @Test
        void oneSidedSlopesThatAgreeWithinToleranceAreNoKink() {
            // rtol 1: central tolerance 0.5; the kink tolerance is rtol * max(|left|, |right|) = 1, and the
            // slopes differ by exactly 1, which is not more: no kink, so 1.5 fails
            assertEquals(Status.FAILED, reluAtZero(0, 1, 1.5));
            // a hair less tolerance and the same slopes are a kink, with 1.5 inside [0 - 0.99, 1 + 0.99]
            assertEquals(Status.KINK, reluAtZero(0, 0.99, 1.5));
            assertEquals(Status.FAILED, reluAtZero(0, 0.99, 2.0));
        }

        @Test
        void kinksPassUnlessFailOnKinks() {
            Report lenient = check(exact(0.25, 0), Tensor::relu, new double[] {0}, 0);
            assertTrue(lenient.passed());
            assertEquals(1, lenient.inputs().get(0).kinks());
            Tensor x = Tensor.of(new double[] {0}, 1).requiresGrad(true);
            Report strict = exact(0.25, 0).failOnKinks(true).check(in -> new Chosen(Tensor::relu, 0).apply(in[0]), x);
            assertFalse(strict.passed());
            assertEquals(0, strict.inputs().get(0).failed());
        }
    }

    @Nested
    class Summaries {

        /** relu at [0, 1, 2] with slopes [0, 1, 5]: a kink, a pass and a failure (|5 - 1| = 4). */
        private Report mixed() {
            return check(exact(0.25, 0), Tensor::relu, new double[] {0, 1, 2}, 0, 1, 5);
        }

        @Test
        void countsEachVerdictOnce() {
            // the full Jacobian: 3 x 3 elements, the 6 off the diagonal are 0 = 0
            InputReport r = mixed().inputs().get(0);
            assertEquals(9, r.checked());
            assertEquals(1, r.failed());
            assertEquals(1, r.kinks());
            assertFalse(r.passed());
            assertEquals(4.0, r.maxAbsError());
            // relative errors: 0.5 / 0.5 = 1 at the kink, 4 / 1 = 4 at the failure
            assertEquals(4.0, r.maxRelError());
            assertEquals(
                    "GradCheck gradient FAILED (full mode): 9 elements checked, 7 passed, 1 failed, 1 at kinks;"
                            + " largest relative error 4.000e+00 at input 0 index [2]",
                    mixed().summary());
        }

        @Test
        void theWorstElementIsTheFailureFurthestOutsideTolerance() {
            // two failures: |1.5 - 1| = 0.5 at index 0 and |3 - 1| = 2 at index 1, both over atol 0.25
            Report r = check(exact(0.25, 0), t -> t.mul(1), new double[] {4, 5}, 1.5, 3);
            InputReport input = r.inputs().get(0);
            assertArrayEquals(new int[] {1}, input.worstIndex());
            assertEquals(3.0, input.analytic());
            assertEquals(1.0, input.numeric());
            List<Element> worst = r.worst(2);
            assertArrayEquals(new int[] {1}, worst.get(0).index());
            assertArrayEquals(new int[] {0}, worst.get(1).index());
            assertEquals(1, r.worst(1).size());
            // failures outrank kinks, kinks outrank passes, whatever their distance
            List<Element> ranked = mixed().worst(3);
            assertEquals(List.of(Status.FAILED, Status.KINK, Status.PASSED), ranked.stream().map(Element::status).toList());
            // among the passes, the closest to its tolerance comes first: none is off by more than 0 here,
            // and worst(n) never returns more than there are
            assertEquals(9, mixed().worst(100).size());
        }

        @Test
        void theFailureMessageNamesTheInputTheWorstElementAndTheTolerances() {
            String message = mixed().failureMessage();
            assertTrue(message.startsWith(mixed().summary() + "\n"), message);
            assertTrue(message.contains("input 0 (shape [3]): 2 of 9 elements out of tolerance; worst at index [2]"
                    + " (output element [2]): analytic 5.00000000 vs numeric 1.00000000, |difference| 4.000e+00 >"
                    + " atol 2.5e-01 + rtol 0.0e+00 * |numeric|"), message);
            assertTrue(message.contains("worst elements:"), message);
        }

        @Test
        void aNamedInputIsQuotedByName() {
            Tensor w = Tensor.of(new double[] {4}, 1).requiresGrad(true).name("w");
            Report r = exact(0.25, 0).check(in -> new Chosen(t -> t.mul(1), 3).apply(in[0]), w);
            assertTrue(r.summary().endsWith("at input 'w' index [0]"), r.summary());
            assertTrue(r.failureMessage().contains("input 0 'w' (shape [1])"), r.failureMessage());
            assertEquals("input w index [0] output [0]: analytic 3.00000000, numeric 1.00000000 (FAILED)",
                    r.elements().get(0).toString());
        }

        @Test
        void elementsOfLaterOutputsSayWhichOutput() {
            Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
            Report r = exact(1e-6, 0).checkOutputs(in -> List.of(in[0].mul(2), in[0].sum().reshape(1, 1)), x);
            assertTrue(r.passed());
            // outputs: [2] then [1, 1]; the last element of the flat comparison is output 1 at [0, 0]
            Element last = r.elements().get(r.elements().size() - 1);
            assertEquals(1, last.output());
            assertArrayEquals(new int[] {0, 0}, last.outputIndex());
            assertTrue(last.toString().contains("output 1 [0, 0]"), last.toString());
            assertEquals(6, r.elements().size());
        }
    }

    @Nested
    class Richardson {

        @Test
        void extrapolationCancelsTheSecondOrderErrorOfTheCentralDifference() {
            // x^3 at 1 with eps 2^-10: central = 3 + eps^2, extrapolated (4 fine - coarse) / 3 = 3
            double eps = 0x1p-10;
            Tensor x = Tensor.of(new double[] {1}, 1).requiresGrad(true);
            double plain = GradCheck.options().eps(eps).check(in -> in[0].pow(3), x).elements().get(0).numeric();
            double extrapolated = GradCheck.options().eps(eps).richardson(true).check(in -> in[0].pow(3), x)
                    .elements().get(0).numeric();
            assertEquals(3 + eps * eps, plain, 1e-12);
            assertEquals(3, extrapolated, 1e-12);
        }
    }
}
