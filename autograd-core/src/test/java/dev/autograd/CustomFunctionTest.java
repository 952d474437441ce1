package dev.autograd;

import static dev.autograd.TensorAssertions.assertGrad;
import static dev.autograd.TensorAssertions.assertTensor;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * User-defined differentiable functions ({@link CustomFunction}): a numerically stable softplus end to end
 * (values, gradient, GradCheck, second order, its name on the graph), an op with two inputs that skips
 * the gradient nobody needs, non-tensor context values, and the errors: a saved tensor modified in place,
 * backward returning the wrong number, shape or dtype of gradients, forward returning null.
 */
@SuppressWarnings("try") // scopes are opened for their effect only
class CustomFunctionTest {

    /** log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x; derivative sigmoid(x). */
    static final class StableSoftplus extends CustomFunction {
        final AtomicInteger backwardCalls = new AtomicInteger();

        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            Tensor x = in[0];
            ctx.saveForBackward(x);
            return x.relu().add(x.abs().neg().exp().log1p());
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            backwardCalls.incrementAndGet();
            return new Tensor[] {grad.mul(ctx.saved(0).sigmoid())};
        }
    }

    /** a * b with a backward that computes only the gradients that are needed, and records which. */
    static final class Product extends CustomFunction {
        final List<String> computed = new ArrayList<>();

        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.saveForBackward(in[0], in[1]);
            return in[0].mul(in[1]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            Tensor ga = null;
            Tensor gb = null;
            if (ctx.needsInputGrad(0)) {
                computed.add("a");
                ga = grad.mul(ctx.saved(1));
            }
            if (ctx.needsInputGrad(1)) {
                computed.add("b");
                gb = grad.mul(ctx.saved(0));
            }
            return new Tensor[] {ga, gb};
        }

        @Override
        public String name() {
            return "product";
        }
    }

    /** x^p with p kept in the context as a plain value. */
    static final class Power extends CustomFunction {
        private final double p;

        Power(double p) {
            this.p = p;
        }

        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.saveForBackward(in[0]);
            ctx.put("p", p);
            ctx.put("shape", in[0].shape());
            return in[0].pow(p);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            double exponent = ctx.get("p");
            int[] shape = ctx.get("shape");
            assertArrayEquals(shape, grad.shape(), "the context keeps plain values for backward");
            return new Tensor[] {grad.mul(ctx.saved(0).pow(exponent - 1).mul(exponent))};
        }
    }

    /** A backward that returns whatever the test wants, to provoke the engine's checks. */
    static final class Returns extends CustomFunction {
        private final java.util.function.Function<Tensor, Tensor[]> backward;

        Returns(java.util.function.Function<Tensor, Tensor[]> backward) {
            this.backward = backward;
        }

        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            return in[0].mul(2.0);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            return backward.apply(grad);
        }
    }

    // ------------------------------------------------------------ stable softplus end to end

    @Test
    void stableSoftplusValuesAreFiniteWhereTheNaiveFormulaOverflows() {
        Tensor x = Tensor.of(new double[] {-1000, -2, 0, 3, 1000}, 5);
        Tensor y = new StableSoftplus().apply(x);
        assertArrayEquals(new double[] {0, Math.log1p(Math.exp(-2)), Math.log(2), 3 + Math.log1p(Math.exp(-3)), 1000},
                y.toDoubleArray(), 1e-12);
        Tensor naive = x.exp().add(1).log();
        assertEquals(Double.POSITIVE_INFINITY, naive.get(4), "the naive log(1 + e^x) overflows at 1000");
        // and it agrees with the built-in softplus
        assertArrayEquals(x.softplus().toDoubleArray(), y.toDoubleArray(), 1e-12);
    }

    @Test
    void stableSoftplusBackwardIsTheSigmoid() {
        double[] xs = {-1000, -2, 0, 3, 1000};
        Tensor x = leaf(xs.clone(), 5);
        StableSoftplus f = new StableSoftplus();
        f.apply(x).sum().backward();
        assertEquals(1, f.backwardCalls.get());
        double[] expected = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            expected[i] = 1 / (1 + Math.exp(-xs[i]));
        }
        assertGrad(x, shape(5), expected);
        assertEquals(1.0, x.grad().get(4), 0, "finite at x = 1000");
        assertEquals(0.0, x.grad().get(0), 1e-300, "finite at x = -1000");
    }

    @Test
    void stableSoftplusRecordsAsOneNamedNode() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = new StableSoftplus().apply(x);
        assertTrue(y.requiresGrad());
        assertFalse(y.isLeaf());
        assertEquals("StableSoftplus", y.gradFn().name());
        assertTrue(y.gradFn().formula().contains("StableSoftplus"), y.gradFn().formula());
        List<GradFn> next = y.gradFn().nextFunctions();
        assertEquals(1, next.size());
        assertEquals("AccumulateGrad", next.get(0).name(), "forward ran unrecorded: nothing between the op and x");
        assertSame(x, next.get(0).output());
        assertSame(y, y.gradFn().output());
        // and in a longer graph
        Tensor z = new StableSoftplus().apply(x.mul(3.0)).sum();
        assertEquals("sum", z.gradFn().name());
        assertEquals("StableSoftplus", z.gradFn().nextFunctions().get(0).name());
        assertEquals("mul", z.gradFn().nextFunctions().get(0).nextFunctions().get(0).name());
    }

    @Test
    void gradCheckPassesOnStableSoftplus() {
        Tensor x = leaf(new double[] {-30, -2.5, -0.1, 0.3, 4, 25}, 2, 3);
        GradCheck.assertGradientsMatch(in -> new StableSoftplus().apply(in[0]), x);
        GradCheck.assertGradientsMatch(in -> new StableSoftplus().apply(in[0].mul(in[0])).sum(), x);
    }

    @Test
    void secondOrderWorksBecauseTheBackwardUsesTensorOps() {
        Tensor x = leaf(new double[] {-3, -0.5, 0.2, 2}, 4);
        GradCheck.assertSecondOrderGradientsMatch(in -> new StableSoftplus().apply(in[0]), x);
        // the Hessian of sum(softplus(x)) is diag(sigmoid(x) (1 - sigmoid(x)))
        Tensor h = Functional.hessian(t -> new StableSoftplus().apply(t).sum(), x.detach());
        double[] expected = new double[16];
        double[] xs = x.toDoubleArray();
        for (int i = 0; i < 4; i++) {
            double s = 1 / (1 + Math.exp(-xs[i]));
            expected[i * 4 + i] = s * (1 - s);
        }
        assertArrayEquals(expected, h.toDoubleArray(), 1e-12);
    }

    @Test
    void customFunctionWorksInFunctionalTransforms() {
        Tensor x = Tensor.of(new double[] {0.5, -1}, 2);
        Tensor u = Tensor.of(new double[] {2, 3}, 2);
        double s0 = 1 / (1 + Math.exp(-0.5));
        double s1 = 1 / (1 + Math.exp(1));
        assertArrayEquals(new double[] {2 * s0, 3 * s1},
                Functional.jvp(t -> new StableSoftplus().apply(t), x, u).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {2 * s0, 3 * s1},
                Functional.vjp(t -> new StableSoftplus().apply(t), x, u).toDoubleArray(), 1e-12);
    }

    @Test
    void noGraphIsRecordedWhenNoInputRequiresGradOrInsideNoGrad() {
        Tensor c = Tensor.of(new double[] {1, 2}, 2);
        Tensor y = new StableSoftplus().apply(c);
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        Tensor x = leaf(new double[] {1, 2}, 2);
        try (var scope = Autograd.noGrad()) {
            Tensor z = new StableSoftplus().apply(x);
            assertFalse(z.requiresGrad());
            assertNull(z.gradFn());
        }
    }

    @Test
    void forwardRunsWithRecordingOff() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        boolean[] seen = new boolean[2];
        Tensor y = new CustomFunction() {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                seen[0] = Autograd.isGradEnabled();
                Tensor inner = in[0].mul(2.0);
                seen[1] = inner.requiresGrad();
                return inner;
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor grad) {
                return new Tensor[] {grad.mul(2.0)};
            }
        }.apply(x);
        assertFalse(seen[0], "grad mode is off inside forward");
        assertFalse(seen[1], "ops inside forward are not recorded");
        assertEquals("CustomFunction", y.gradFn().name(), "an anonymous class is named CustomFunction");
        y.sum().backward();
        assertGrad(x, shape(2), 2, 2);
    }

    @Test
    void forwardReturningItsInputGetsItsOwnNode() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = new CustomFunction() {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return in[0];
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor grad) {
                return new Tensor[] {grad.mul(5.0)};
            }
        }.apply(x);
        assertTrue(x.isLeaf(), "the input stays a leaf");
        assertFalse(y.isLeaf());
        y.sum().backward();
        assertGrad(x, shape(2), 5, 5);
    }

    // ------------------------------------------------------------ several inputs, needsInputGrad, context

    @Test
    void onlyTheNeededGradientIsComputed() {
        Tensor a = leaf(new double[] {1, 2, 3}, 3);
        Tensor b = Tensor.of(new double[] {4, 5, 6}, 3);
        Product f = new Product();
        Tensor y = f.apply(a, b);
        assertEquals("product", y.gradFn().name(), "name() overridden");
        y.sum().backward();
        assertEquals(List.of("a"), f.computed, "needsInputGrad(1) is false for a constant");
        assertGrad(a, shape(3), 4, 5, 6);
        assertNull(b.grad());
        // the other way round
        Product g = new Product();
        Tensor a2 = Tensor.of(new double[] {1, 2, 3}, 3);
        Tensor b2 = leaf(new double[] {4, 5, 6}, 3);
        g.apply(a2, b2).sum().backward();
        assertEquals(List.of("b"), g.computed);
        assertGrad(b2, shape(3), 1, 2, 3);
        // both
        Product h = new Product();
        Tensor a3 = leaf(new double[] {1, 2, 3}, 3);
        Tensor b3 = leaf(new double[] {4, 5, 6}, 3);
        h.apply(a3, b3).sum().backward();
        assertEquals(List.of("a", "b"), h.computed);
        GradCheck.assertGradientsMatch(in -> new Product().apply(in[0], in[1]), a3, b3);
        GradCheck.assertSecondOrderGradientsMatch(in -> new Product().apply(in[0], in[1]), a3, b3);
    }

    @Test
    void needsInputGradIsFalseForEveryInputInsideNoGrad() {
        boolean[] needs = new boolean[2];
        CustomFunction probe = new CustomFunction() {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                needs[0] = ctx.needsInputGrad(0);
                needs[1] = ctx.needsInputGrad(1);
                return in[0].add(in[1]);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor grad) {
                return new Tensor[] {grad, grad};
            }
        };
        Tensor a = leaf(new double[] {1}, 1);
        Tensor b = Tensor.of(new double[] {2}, 1);
        probe.apply(a, b);
        assertTrue(needs[0]);
        assertFalse(needs[1]);
        try (var scope = Autograd.noGrad()) {
            probe.apply(a, b);
        }
        assertFalse(needs[0]);
        assertFalse(needs[1]);
    }

    @Test
    void contextKeepsPlainValues() {
        Tensor x = leaf(new double[] {1, 2, 3}, 3);
        new Power(3).apply(x).sum().backward();
        assertGrad(x, shape(3), 3, 12, 27);
        GradCheck.assertGradientsMatch(in -> new Power(2.5).apply(in[0]), leaf(new double[] {0.5, 1, 2}, 3));
    }

    @Test
    void aBroadcastGradientIsSummedBackToTheInputsShape() {
        // the backward may return the gradient in the broadcast shape: the engine sums it like a built-in op
        Tensor bias = leaf(new double[] {1, 2, 3}, 3);
        Tensor y = new CustomFunction() {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return in[0].expand(2, 3).mul(1.0);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor grad) {
                return new Tensor[] {grad};
            }
        }.apply(bias);
        assertArrayEquals(new int[] {2, 3}, y.shape());
        y.backward(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertGrad(bias, shape(3), 5, 7, 9);
    }

    @Test
    void theSameFunctionObjectCanBeAppliedSeveralTimes() {
        StableSoftplus f = new StableSoftplus();
        Tensor x = leaf(new double[] {0}, 1);
        f.apply(x).add(f.apply(x.mul(2.0))).sum().backward();
        // sigmoid(0) + 2 sigmoid(0) = 1.5: each application has its own context
        assertGrad(x, shape(1), 1.5);
        assertEquals(2, f.backwardCalls.get());
    }

    // ------------------------------------------------------------ errors

    @Test
    void aSavedTensorModifiedInPlaceIsAClearError() {
        Tensor a = leaf(new double[] {1, 2, 3}, 3);
        Tensor b = Tensor.of(new double[] {4, 5, 6, 7, 8, 9}, 2, 3);
        Tensor y = new Product().apply(a, b);
        b.mulInPlace(2.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("product:"), "names the function: " + e.getMessage());
        assertTrue(e.getMessage().contains("[2, 3]"), "names the tensor's shape: " + e.getMessage());
        assertTrue(e.getMessage().contains("modified in place"), e.getMessage());
    }

    @Test
    void aSavedInputModifiedInsideNoGradIsDetectedToo() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = new StableSoftplus().apply(x);
        try (var scope = Autograd.noGrad()) {
            x.addInPlace(1.0);    // allowed (an optimizer step), but the op saved x
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("StableSoftplus:") && e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void backwardReturningTooManyGradients() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = new Returns(g -> new Tensor[] {g, g}).apply(x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("Returns:"), "names the function: " + e.getMessage());
        assertTrue(e.getMessage().contains("2 gradients") && e.getMessage().contains("1 inputs"), e.getMessage());
    }

    @Test
    void backwardReturningNoGradientsOrNull() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> new Returns(g -> new Tensor[0]).apply(x).sum().backward());
        assertTrue(none.getMessage().contains("Returns:") && none.getMessage().contains("0 gradients"), none.getMessage());
        IllegalStateException isNull = assertThrows(IllegalStateException.class,
                () -> new Returns(g -> null).apply(x).sum().backward());
        assertTrue(isNull.getMessage().contains("Returns:") && isNull.getMessage().contains("returned null"),
                isNull.getMessage());
    }

    @Test
    void backwardReturningAGradientOfTheWrongShape() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = new Returns(g -> new Tensor[] {Tensor.ones(3)}).apply(x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("Returns:"), e.getMessage());
        assertTrue(e.getMessage().contains("input 0 has shape [2]") && e.getMessage().contains("gradient has shape [3]"),
                e.getMessage());
    }

    @Test
    void backwardReturningAGradientOfTheWrongDtype() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = new Returns(g -> new Tensor[] {g.to(DType.FLOAT32)}).apply(x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("Returns:") && e.getMessage().contains("FLOAT32"), e.getMessage());
    }

    @Test
    void backwardReturningNullForAnInputThatNeedsAGradientGivesItNone() {
        // null means "no gradient for this input": the leaf keeps grad() == null rather than a wrong value
        Tensor x = leaf(new double[] {1, 2}, 2);
        new Returns(g -> new Tensor[] {null}).apply(x).sum().backward();
        assertNull(x.grad());
    }

    @Test
    void forwardReturningNull() {
        CustomFunction f = new CustomFunction() {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return null;
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor grad) {
                return new Tensor[] {grad};
            }

            @Override
            public String name() {
                return "broken";
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.apply(Tensor.ones(2)));
        assertEquals("broken: forward returned null", e.getMessage());
    }

    @Test
    void aFreedGraphThroughACustomFunction() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = new StableSoftplus().apply(x).sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
        assertNotNull(x.grad());
        assertTensor(x.grad(), shape(2), 1 / (1 + Math.exp(-1)), 1 / (1 + Math.exp(-2)));
    }

    // ------------------------------------------------------------ engine bugs found by these tests

    /** exp that saves its output for backward, as one naturally writes it. */
    static final class SavedOutputExp extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            Tensor out = in[0].exp();
            ctx.saveForBackward(out);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            return new Tensor[] {grad.mul(ctx.saved(0))};
        }
    }

    @Test
    void aSavedOutputGivesTheRightFirstDerivative() {
        Tensor x = leaf(new double[] {0.5, -1}, 2);
        GradCheck.assertGradientsMatch(in -> new SavedOutputExp().apply(in[0]), x);
    }

    @Test
    void aSavedOutputIsDifferentiableInBackward() {
        Tensor x = leaf(new double[] {0.5, -1}, 2);
        Tensor h = Functional.hessian(t -> new SavedOutputExp().apply(t).sum(), x.detach());
        assertArrayEquals(new double[] {Math.exp(0.5), 0, 0, Math.exp(-1)}, h.toDoubleArray(), 1e-12);
        GradCheck.assertSecondOrderGradientsMatch(in -> new SavedOutputExp().apply(in[0]), x);
    }

    /** A forward that writes into its input: refused, since the leaf's value would change under its gradient. */
    static final class ScalesItsInput extends CustomFunction {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            return in[0].mulInPlace(2.0);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            return new Tensor[] {grad.mul(2.0)};
        }
    }

    @Test
    void aForwardThatModifiesAnInputThatRequiresGradIsRefused() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ScalesItsInput().apply(x));
        assertTrue(e.getMessage().contains("forward modified input 0"), e.getMessage());
        Tensor constant = Tensor.of(new double[] {1, 2}, 2);
        assertArrayEquals(new double[] {2, 4}, new ScalesItsInput().apply(constant).toDoubleArray(), 0.0,
                "an input that needs no gradient may be written");
    }
}
