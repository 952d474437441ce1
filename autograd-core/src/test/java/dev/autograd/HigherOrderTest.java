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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Gradients of gradients: {@code backward(.., createGraph = true)} and {@link Autograd#grad} with
 * createGraph record the backward pass, so the gradients they return can be differentiated again; the
 * options of {@code Autograd.grad} (allowUnused, retainGraph, gradOutputs) and their errors.
 */
@SuppressWarnings("try") // scopes are opened for their effect only
class HigherOrderTest {

    private static Tensor scalarLeaf(double v) {
        return Tensor.scalar(v).requiresGrad(true);
    }

    private static Tensor grad(Tensor y, Tensor x, boolean createGraph) {
        return Autograd.grad(List.of(y), List.of(x), null, createGraph, createGraph).get(0);
    }

    // ------------------------------------------------------------ createGraph through backward()

    @Test
    void secondDerivativeOfXCubedByBackwardTwice() {
        Tensor x = scalarLeaf(2);
        Tensor y = x.pow(3);
        y.backward(null, false, true);
        Tensor dy = x.grad();
        assertTensor(dy, shape(), 12);                       // 3 x^2
        assertTrue(dy.requiresGrad(), "createGraph: the gradient is itself on the graph");
        assertNotNull(dy.gradFn(), "createGraph: the gradient has a gradFn");

        x.zeroGrad();
        dy.backward();
        assertGrad(x, shape(), 12);                          // 6 x
        assertFalse(x.grad().requiresGrad(), "the second backward did not record: a plain value");
    }

    @Test
    void secondBackwardWithoutZeroGradAccumulatesIntoTheFirstGradient() {
        Tensor x = scalarLeaf(2);
        x.pow(3).backward(null, false, true);
        Tensor dy = x.grad();
        dy.backward();
        // as in PyTorch: x.grad = 3 x^2 + 6 x
        assertGrad(x, shape(), 24);
    }

    @Test
    void thirdAndFourthDerivativesOfXCubed() {
        Tensor x = scalarLeaf(-1.5);
        Tensor d1 = grad(x.pow(3), x, true);
        Tensor d2 = grad(d1, x, true);
        Tensor d3 = grad(d2, x, true);
        assertTensor(d1, shape(), 3 * 2.25);
        assertTensor(d2, shape(), -9);
        assertTensor(d3, shape(), 6);
        // d3 = 6 is a constant: it still depends on x on the graph (through 6 * 1), the next derivative is 0
        List<Tensor> d4 = Autograd.grad(List.of(d3), List.of(x), null, false, false, true);
        assertTrue(d4.get(0) == null || d4.get(0).item() == 0.0, "the fourth derivative of x^3 is 0: " + d4);
    }

    @Test
    void withoutCreateGraphGradientsArePlainValues() {
        Tensor x = scalarLeaf(2);
        x.pow(3).backward();
        assertFalse(x.grad().requiresGrad());
        assertNull(x.grad().gradFn());
        Tensor g = grad(x.pow(3), x, false);
        assertFalse(g.requiresGrad());
        assertThrows(IllegalStateException.class, g::backward, "a plain gradient cannot be differentiated");
    }

    @Test
    void secondDerivativesOfSmoothFunctions() {
        double[] xs = {-1.3, 0.2, 0.9};
        Tensor x = leaf(xs.clone(), 3);
        // tanh'' = -2 tanh (1 - tanh^2), sin'' = -sin, exp'' = exp, log'' = -1/x^2 (on |x|+1)
        Tensor y = x.tanh().add(x.sin()).add(x.exp()).add(x.abs().add(1).log()).sum();
        Tensor g = grad(y, x, true);
        Tensor h = Autograd.grad(List.of(g), List.of(x), List.of(Tensor.ones(3)), false, false).get(0);
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) {
            double t = Math.tanh(xs[i]);
            double a = Math.abs(xs[i]) + 1;
            expected[i] = -2 * t * (1 - t * t) - Math.sin(xs[i]) + Math.exp(xs[i]) - 1 / (a * a);
        }
        assertArrayEquals(expected, h.toDoubleArray(), 1e-12);
    }

    @Test
    void mixedPartialsAreEqualAndMatchTheHandValue() {
        // f(x, y) = x^2 y^3 + sin(x y):  d2f/dxdy = 6 x y^2 + cos(x y) - x y sin(x y)
        double xv = 0.7;
        double yv = -1.2;
        Tensor x = scalarLeaf(xv);
        Tensor y = scalarLeaf(yv);
        Tensor f = x.pow(2).mul(y.pow(3)).add(x.mul(y).sin());
        List<Tensor> first = Autograd.grad(List.of(f), List.of(x, y), null, true, true);
        double dfdx = 2 * xv * Math.pow(yv, 3) + yv * Math.cos(xv * yv);
        double dfdy = 3 * xv * xv * yv * yv + xv * Math.cos(xv * yv);
        assertEquals(dfdx, first.get(0).item(), 1e-12);
        assertEquals(dfdy, first.get(1).item(), 1e-12);

        Tensor dxdy = Autograd.grad(List.of(first.get(0)), List.of(y), null, true, false).get(0);
        Tensor dydx = Autograd.grad(List.of(first.get(1)), List.of(x), null, true, false).get(0);
        double expected = 6 * xv * yv * yv + Math.cos(xv * yv) - xv * yv * Math.sin(xv * yv);
        assertEquals(expected, dxdy.item(), 1e-12);
        assertEquals(expected, dydx.item(), 1e-12);

        // the pure second derivatives too: d2f/dx2 = 2 y^3 - y^2 sin(x y), d2f/dy2 = 6 x^2 y - x^2 sin(x y)
        Tensor dxdx = Autograd.grad(List.of(first.get(0)), List.of(x), null, true, false).get(0);
        Tensor dydy = Autograd.grad(List.of(first.get(1)), List.of(y), null, false, false).get(0);
        assertEquals(2 * Math.pow(yv, 3) - yv * yv * Math.sin(xv * yv), dxdx.item(), 1e-12);
        assertEquals(6 * xv * xv * yv - xv * xv * Math.sin(xv * yv), dydy.item(), 1e-12);
    }

    @Test
    void secondDerivativeThroughMatmulAndBroadcasting() {
        // f(W) = sum((x W + b)^2) with x [2, 2], W [2, 1], b [1]: d2f/dW2 = 2 x^T x (b broadcast over the rows)
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor w = leaf(new double[] {0.5, -1}, 2, 1);
        Tensor b = leaf(new double[] {0.25}, 1);
        Tensor f = x.matmul(w).add(b).pow(2).sum();
        List<Tensor> g = Autograd.grad(List.of(f), List.of(w, b), null, true, true);
        // row j of the Hessian in W: d/dW (dW_j)
        Tensor row0 = Autograd.grad(List.of(g.get(0).select(0, 0).sum()), List.of(w, b), null, true, false).get(0);
        Tensor row1 = Autograd.grad(List.of(g.get(0).select(0, 1).sum()), List.of(w, b), null, true, false).get(0);
        // x^T x = [[10, 14], [14, 20]]
        assertTensor(row0, shape(2, 1), 20, 28);
        assertTensor(row1, shape(2, 1), 28, 40);
        // d2f/db2 = 2 * (number of rows) = 4, d2f/db dW = 2 * column sums of x = [8, 12]
        List<Tensor> fromB = Autograd.grad(List.of(g.get(1).sum()), List.of(w, b), null, false, false);
        assertTensor(fromB.get(0), shape(2, 1), 8, 12);
        assertTensor(fromB.get(1), shape(1), 4);
    }

    @Test
    void createGraphOnAFloat32GraphStaysFloat32() {
        Tensor x = Tensor.of(new float[] {1.5f, -2f}, 2).requiresGrad(true);
        Tensor g = grad(x.pow(3).sum(), x, true);
        assertEquals(DType.FLOAT32, g.dtype());
        Tensor h = grad(g.sum(), x, false);
        assertEquals(DType.FLOAT32, h.dtype());
        assertArrayEquals(new float[] {9f, -12f}, h.toFloatArray(), 1e-5f);
    }

    @Test
    void gradModeIsRestoredAfterACreateGraphBackward() {
        Tensor x = scalarLeaf(1);
        try (var scope = Autograd.noGrad()) {
            Tensor y;
            try (var on = Autograd.enableGrad()) {
                y = x.exp();
            }
            y.backward(null, false, true);
            assertFalse(Autograd.isGradEnabled(), "the backward switched grad mode on only for itself");
        }
        assertTrue(Autograd.isGradEnabled());
        assertTrue(x.grad().requiresGrad(), "createGraph records the backward even inside noGrad");
    }

    // ------------------------------------------------------------ Autograd.grad

    @Test
    void autogradGradWithCreateGraphLeavesGradUntouched() {
        Tensor x = leaf(new double[] {1, -2}, 2);
        Tensor y = x.pow(3).sum();
        Tensor g = Autograd.grad(List.of(y), List.of(x), null, true, true).get(0);
        assertTensor(g, shape(2), 3, 12);
        Tensor h = Autograd.grad(List.of(g.sum()), List.of(x), null, false, false).get(0);
        assertTensor(h, shape(2), 6, -12);
        assertNull(x.grad(), "Autograd.grad never accumulates into .grad, with or without createGraph");
    }

    @Test
    void autogradGradSumsOverSeveralOutputsWithTheirUpstreamGradients() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor a = x.mul(x);     // da/dx = 2x
        Tensor b = x.mul(3.0);   // db/dx = 3
        List<Tensor> g = Autograd.grad(List.of(a, b), List.of(x),
                List.of(Tensor.of(new double[] {1, 10}, 2), Tensor.of(new double[] {100, 1000}, 2)), false, false);
        assertTensor(g.get(0), shape(2), 2 * 1 + 300, 10 * 4 + 3000);
    }

    @Test
    void allowUnusedIsAnErrorByDefaultNamingTheInput() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor unused = leaf(new double[] {3, 4, 5}, 3);
        Tensor y = x.mul(x).sum();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(List.of(y), List.of(x, unused), null, true, false));
        assertTrue(e.getMessage().startsWith("Autograd.grad:"), e.getMessage());
        assertTrue(e.getMessage().contains("input 1"), e.getMessage());
        assertTrue(e.getMessage().contains("[3]"), "names the unused input's shape: " + e.getMessage());
        assertTrue(e.getMessage().contains("allowUnused"), "says the fix: " + e.getMessage());
    }

    @Test
    void allowUnusedGivesNullForTheUnusedInputAndTheGradientForTheOthers() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor unused = leaf(new double[] {3, 4, 5}, 3);
        Tensor y = x.mul(x).sum();
        List<Tensor> g = Autograd.grad(List.of(y), List.of(unused, x), null, false, false, true);
        assertEquals(2, g.size());
        assertNull(g.get(0));
        assertTensor(g.get(1), shape(2), 2, 4);
    }

    @Test
    void allowUnusedForAnInputThatOnlyReachesTheOutputThroughANonDifferentiablePath() {
        // the mask x > 0 carries no gradient: y does not depend on x in the sense of the graph
        Tensor x = leaf(new double[] {1, -2}, 2);
        Tensor w = leaf(new double[] {3, 4}, 2);
        Tensor y = Tensor.where(x.gt(0), w, w.neg()).sum();
        assertThrows(IllegalArgumentException.class, () -> Autograd.grad(List.of(y), List.of(x), null, true, false));
        List<Tensor> g = Autograd.grad(List.of(y), List.of(x, w), null, false, false, true);
        assertNull(g.get(0));
        assertTensor(g.get(1), shape(2), 1, -1);
    }

    @Test
    void anInputThatDoesNotRequireGradIsAnError() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor c = Tensor.of(new double[] {1, 2}, 2);
        Tensor y = x.mul(c).sum();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(List.of(y), List.of(c), null, false, false, true));
        assertTrue(e.getMessage().contains("input 0") && e.getMessage().contains("does not require grad"),
                e.getMessage());
    }

    @Test
    void aSecondGradCallNeedsRetainGraph() {
        Tensor x = leaf(new double[] {0.5, 1.5}, 2);
        Tensor y = x.exp().mul(x).sum();
        Tensor first = Autograd.grad(List.of(y), List.of(x), null, false, false).get(0);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Autograd.grad(List.of(y), List.of(x), null, false, false));
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
        assertTrue(e.getMessage().contains("second time"), e.getMessage());

        Tensor x2 = leaf(new double[] {0.5, 1.5}, 2);
        Tensor y2 = x2.exp().mul(x2).sum();
        Tensor a = Autograd.grad(List.of(y2), List.of(x2), null, true, false).get(0);
        Tensor b = Autograd.grad(List.of(y2), List.of(x2), null, false, false).get(0);
        assertArrayEquals(first.toDoubleArray(), a.toDoubleArray(), 0.0);
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
        // (x + 1) e^x
        assertArrayEquals(new double[] {1.5 * Math.exp(0.5), 2.5 * Math.exp(1.5)}, a.toDoubleArray(), 1e-12);
    }

    @Test
    void createGraphWithoutRetainGraphFreesTheFirstGraphThatTheGradientStillUses() {
        // y = x^2 * x: dy/dx = x^2 + x * 2x is recorded on top of the forward graph (it reads the pow node's
        // output), so differentiating it again walks the forward graph a second time. PyTorch defaults
        // retain_graph to create_graph; here both are explicit: without retainGraph, a clear error.
        Tensor x = scalarLeaf(3);
        Tensor y = x.pow(2).mul(x);
        Tensor g = Autograd.grad(List.of(y), List.of(x), null, false, true).get(0);
        assertEquals(27, g.item(), 1e-12);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> grad(g, x, false));
        assertTrue(e.getMessage().startsWith("pow:") && e.getMessage().contains("retainGraph=true"), e.getMessage());

        Tensor x2 = scalarLeaf(3);
        Tensor y2 = x2.pow(2).mul(x2);
        Tensor g2 = Autograd.grad(List.of(y2), List.of(x2), null, true, true).get(0);
        assertEquals(18, grad(g2, x2, false).item(), 1e-12);   // 6 x
    }

    @Test
    void gradOutputsMustMatchTheOutputs() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = x.mul(2.0);
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(List.of(y), List.of(x), List.of(Tensor.ones(2), Tensor.ones(2)), true, false));
        assertTrue(count.getMessage().contains("1 outputs but 2 gradOutputs"), count.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(List.of(y), List.of(x), List.of(Tensor.ones(3)), true, false));
        assertTrue(shape.getMessage().contains("[3]") && shape.getMessage().contains("[2]"), shape.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> Autograd.grad(List.of(y), List.of(x), null, true, false));
        assertTrue(none.getMessage().contains("single-element"), none.getMessage());
        // a matching upstream gradient works and the graph was kept by the failed calls
        assertTensor(Autograd.grad(List.of(y), List.of(x), List.of(Tensor.of(new double[] {1, 3}, 2)), false, false)
                .get(0), shape(2), 2, 6);
    }

    @Test
    void gradWithRespectToANonLeafInTheMiddleOfTheGraph() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor h = x.mul(x);              // h = x^2
        Tensor y = h.sin().sum();
        List<Tensor> g = Autograd.grad(List.of(y), List.of(h, x), null, true, true);
        assertArrayEquals(new double[] {Math.cos(1), Math.cos(4)}, g.get(0).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {2 * Math.cos(1), 4 * Math.cos(4)}, g.get(1).toDoubleArray(), 1e-12);
        // d/dx of dy/dh = -sin(x^2) 2x
        Tensor d = Autograd.grad(List.of(g.get(0).sum()), List.of(x), null, false, false).get(0);
        assertArrayEquals(new double[] {-Math.sin(1) * 2, -Math.sin(4) * 4}, d.toDoubleArray(), 1e-12);
    }

    @Test
    void theReturnedGradientDoesNotAliasTheUpstreamGradient() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor v = Tensor.of(new double[] {5, 6}, 2);
        // the output is the input itself: the gradient is the upstream gradient, as a copy
        Tensor g = Autograd.grad(List.of(x), List.of(x), List.of(v), false, false).get(0);
        assertTensor(g, shape(2), 5, 6);
        v.fill(0);
        assertTensor(g, shape(2), 5, 6);
    }

    // ------------------------------------------------------------ engine bugs found by these tests

    @Test
    void mixedSecondDerivativeOfPowAtExponentZero() {
        Tensor a = scalarLeaf(2);
        Tensor b = scalarLeaf(0);
        Tensor f = a.pow(b);
        Tensor dfda = Autograd.grad(List.of(f), List.of(a), null, true, true).get(0);
        assertEquals(0, dfda.item(), 0, "d(a^b)/da = b a^(b-1) = 0 at b = 0");
        List<Tensor> mixed = Autograd.grad(List.of(dfda), List.of(b), null, false, false, true);
        assertNotNull(mixed.get(0), "d2(a^b)/da db must reach b");
        assertEquals(0.5, mixed.get(0).item(), 1e-12, "d2(a^b)/da db = 1/a at b = 0");
    }

    @Test
    void mixedSecondDerivativeOfPowAwayFromExponentZero() {
        // the same derivative at b = 0.5 is right: a^(b-1) (1 + b ln a)
        Tensor a = scalarLeaf(2);
        Tensor b = scalarLeaf(0.5);
        Tensor dfda = Autograd.grad(List.of(a.pow(b)), List.of(a), null, true, true).get(0);
        Tensor mixed = Autograd.grad(List.of(dfda), List.of(b), null, false, false).get(0);
        assertEquals(Math.pow(2, -0.5) * (1 + 0.5 * Math.log(2)), mixed.item(), 1e-12);
    }
}
