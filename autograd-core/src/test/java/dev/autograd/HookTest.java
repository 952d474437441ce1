package dev.autograd;

import static dev.autograd.TensorAssertions.assertGrad;
import static dev.autograd.TensorAssertions.assertTensor;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Tensor hooks ({@link Tensor#registerHook}): reading a gradient as it flows, replacing it (on leaves and on
 * non-leaves, where the replacement is what flows further), several hooks in order, removal through the
 * {@link HookHandle}, hooks with {@link Autograd#grad} and createGraph, and their errors; and
 * {@link Tensor#retainGrad()} on non-leaves.
 */
class HookTest {

    // ------------------------------------------------------------ reading

    @Test
    void aHookReadsTheGradientOfALeaf() {
        Tensor x = leaf(new double[] {1, -2, 3}, 3);
        List<Tensor> seen = new ArrayList<>();
        x.registerHook(g -> {
            seen.add(g);
            return null;   // keep the gradient
        });
        x.mul(x).sum().backward();
        assertEquals(1, seen.size());
        assertTensor(seen.get(0), shape(3), 2, -4, 6);
        assertGrad(x, shape(3), 2, -4, 6);
    }

    @Test
    void aHookReadsTheGradientOfANonLeafOnceWithTheSumOfItsUses() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor h = x.mul(3.0);
        List<Tensor> seen = new ArrayList<>();
        h.registerHook(g -> {
            seen.add(g);
            return g;
        });
        // h is used twice: the hook sees d/dh (h + h^2) = 1 + 2h once, not each use separately
        h.add(h.mul(h)).sum().backward();
        assertEquals(1, seen.size());
        assertTensor(seen.get(0), shape(2), 7, 13);
        assertGrad(x, shape(2), 21, 39);
    }

    @Test
    void aHookIsCalledOncePerBackward() {
        Tensor x = leaf(new double[] {1}, 1);
        int[] calls = new int[1];
        x.registerHook(g -> {
            calls[0]++;
            return null;
        });
        Tensor y = x.exp().sum();
        y.backward(null, true, false);
        y.backward();
        x.mul(2.0).sum().backward();
        assertEquals(3, calls[0]);
    }

    // ------------------------------------------------------------ replacing

    @Test
    void aHookOnALeafReplacesWhatIsAccumulated() {
        Tensor x = leaf(new double[] {1, -2, 3}, 3);
        x.registerHook(g -> g.mul(2.0));
        x.mul(x).sum().backward();
        assertGrad(x, shape(3), 4, -8, 12);
    }

    @Test
    void aHookOnANonLeafChangesWhatFlowsFurther() {
        Tensor x = leaf(new double[] {0.5, -1}, 2);
        Tensor h = x.mul(3.0);
        h.registerHook(g -> g.mul(2.0));
        h.sin().sum().backward();
        // dx = 3 * (2 * cos(h))
        assertArrayEquals(new double[] {6 * Math.cos(1.5), 6 * Math.cos(-3)}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void aClippingHookOnAHiddenActivation() {
        Tensor x = leaf(new double[] {1, 2, 3}, 3);
        Tensor h = x.mul(x);
        h.registerHook(g -> g.clamp(-1, 1));
        h.mul(Tensor.of(new double[] {0.5, 5, -5}, 3)).sum().backward();
        // dh = [0.5, 5, -5] clipped to [0.5, 1, -1], dx = 2 x dh
        assertGrad(x, shape(3), 1, 4, -6);
    }

    @Test
    void hooksRunInRegistrationOrderEachSeeingThePreviousResult() {
        Tensor x = leaf(new double[] {1}, 1);
        List<String> order = new ArrayList<>();
        x.registerHook(g -> {
            order.add("first " + g.item());
            return g.add(1.0);
        });
        x.registerHook(g -> {
            order.add("second " + g.item());
            return null;
        });
        x.registerHook(g -> {
            order.add("third " + g.item());
            return g.mul(10.0);
        });
        x.mul(3.0).sum().backward();
        assertEquals(List.of("first 3.0", "second 4.0", "third 4.0"), order);
        assertGrad(x, shape(1), 40);
    }

    @Test
    void aHookOnOneBranchDoesNotAffectTheOther() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor a = x.mul(2.0);
        Tensor b = x.mul(3.0);
        a.registerHook(g -> g.mul(0.0));
        a.add(b).sum().backward();
        assertGrad(x, shape(2), 3, 3);
    }

    // ------------------------------------------------------------ removal

    @Test
    void removingAHookStopsIt() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        int[] calls = new int[1];
        HookHandle handle = x.registerHook(g -> {
            calls[0]++;
            return g.mul(2.0);
        });
        x.sum().backward();
        assertGrad(x, shape(2), 2, 2);
        handle.remove();
        x.zeroGrad();
        x.sum().backward();
        assertGrad(x, shape(2), 1, 1);
        assertEquals(1, calls[0]);
        handle.remove();   // twice: harmless
    }

    @Test
    void removingOneHookKeepsTheOthers() {
        Tensor x = leaf(new double[] {1}, 1);
        HookHandle doubling = x.registerHook(g -> g.mul(2.0));
        x.registerHook(g -> g.add(1.0));
        doubling.remove();
        x.mul(3.0).sum().backward();
        assertGrad(x, shape(1), 4);
    }

    @Test
    void removingAHookOnANonLeafBeforeBackward() {
        Tensor x = leaf(new double[] {1}, 1);
        Tensor h = x.mul(3.0);
        HookHandle handle = h.registerHook(g -> g.mul(100.0));
        handle.remove();
        h.sum().backward();
        assertGrad(x, shape(1), 3);
    }

    @Test
    void theSameLambdaRegisteredTwiceIsRemovedOneAtATime() {
        Tensor x = leaf(new double[] {1}, 1);
        java.util.function.UnaryOperator<Tensor> doubling = g -> g.mul(2.0);
        HookHandle first = x.registerHook(doubling);
        x.registerHook(doubling);
        first.remove();
        x.sum().backward();
        assertGrad(x, shape(1), 2);
    }

    // ------------------------------------------------------------ with Autograd.grad and createGraph

    @Test
    void hooksApplyToTheGradientsAutogradGradReturns() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        x.registerHook(g -> g.mul(-1.0));
        Tensor g = Autograd.grad(List.of(x.mul(x).sum()), List.of(x), null, false, false).get(0);
        assertTensor(g, shape(2), -2, -4);
        assertNull(x.grad());
    }

    @Test
    void aHookSeesADifferentiableGradientUnderCreateGraph() {
        Tensor x = leaf(new double[] {2}, 1);
        boolean[] requiresGrad = new boolean[1];
        x.registerHook(g -> {
            requiresGrad[0] = g.requiresGrad();
            return null;
        });
        Tensor g = Autograd.grad(List.of(x.pow(3).sum()), List.of(x), null, true, true).get(0);
        assertTrue(requiresGrad[0], "under createGraph the hook receives a gradient on the graph");
        assertTensor(g, shape(1), 12);
    }

    @Test
    void aHookOnANonLeafTransformsTheSecondDerivativeToo() {
        // y = sin(h), h = x^2, with the hook g -> 2 g on h: dy/dx = 2x * 2 cos(h) = 4x cos(x^2)
        Tensor x = leaf(new double[] {0.7}, 1);
        Tensor h = x.mul(x);
        h.registerHook(g -> g.mul(2.0));
        Tensor dx = Autograd.grad(List.of(h.sin().sum()), List.of(x), null, true, true).get(0);
        assertEquals(4 * 0.7 * Math.cos(0.49), dx.item(), 1e-12);
        // differentiating again: d/dx 4x cos(h) = 4 cos(h) + 4x (-sin(h)) dh/dx, where the gradient reaching h
        // (-4x sin(h)) passes h's hook again (as in PyTorch, a hook fires for every gradient of its tensor):
        // 4 cos(h) + 2x * 2 * (-4x sin(h)) = 4 cos(h) - 16 x^2 sin(h)
        Tensor d2 = Autograd.grad(List.of(dx.sum()), List.of(x), null, false, false).get(0);
        assertEquals(4 * Math.cos(0.49) - 16 * 0.49 * Math.sin(0.49), d2.item(), 1e-12);
    }

    // ------------------------------------------------------------ errors

    @Test
    void aHookOnATensorThatDoesNotRequireGrad() {
        Tensor c = Tensor.of(new double[] {1, 2}, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.registerHook(g -> g));
        assertTrue(e.getMessage().startsWith("registerHook:"), e.getMessage());
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("does not require grad"), e.getMessage());
        Tensor x = leaf(new double[] {1, 2}, 2);
        assertThrows(IllegalStateException.class, () -> x.detach().registerHook(g -> g));
    }

    @Test
    void aHookReturningTheWrongShapeIsAClearError() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor h = x.mul(3.0);
        h.registerHook(g -> Tensor.ones(3));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.sum().backward());
        assertTrue(e.getMessage().startsWith("hook on the gradient of 'mul'"), e.getMessage());
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2]"), e.getMessage());
        assertTrue(e.getMessage().contains("keep shape and dtype"), e.getMessage());
    }

    @Test
    void aHookOnALeafReturningTheWrongShapeOrDtype() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        HookHandle handle = x.registerHook(g -> g.sum());
        IllegalStateException shapeError = assertThrows(IllegalStateException.class, () -> x.sum().backward());
        assertTrue(shapeError.getMessage().contains("AccumulateGrad") && shapeError.getMessage().contains("[]"),
                shapeError.getMessage());
        assertNull(x.grad(), "nothing was accumulated");
        handle.remove();
        x.registerHook(g -> g.to(DType.FLOAT32));
        IllegalStateException dtypeError = assertThrows(IllegalStateException.class, () -> x.sum().backward());
        assertTrue(dtypeError.getMessage().contains("FLOAT32") && dtypeError.getMessage().contains("FLOAT64"),
                dtypeError.getMessage());
    }

    @Test
    void anExceptionInAHookPropagates() {
        Tensor x = leaf(new double[] {1}, 1);
        x.registerHook(g -> {
            throw new IllegalArgumentException("from the hook");
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.sum().backward());
        assertEquals("from the hook", e.getMessage());
    }

    // ------------------------------------------------------------ retainGrad

    @Test
    void retainGradKeepsTheGradientOfNonLeaves() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor h = x.mul(x).retainGrad();
        Tensor k = h.sin();
        k.retainGrad();
        Tensor other = x.mul(5.0);
        k.add(other).sum().backward();
        assertTensor(k.grad(), shape(2), 1, 1);
        assertArrayEquals(new double[] {Math.cos(1), Math.cos(4)}, h.grad().toDoubleArray(), 1e-15);
        assertNull(other.grad(), "only tensors that asked keep their gradient");
        assertArrayEquals(new double[] {2 * Math.cos(1) + 5, 4 * Math.cos(4) + 5}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void retainGradReturnsTheSameTensorAndIsHarmlessOnALeaf() {
        Tensor x = leaf(new double[] {1}, 1);
        assertSame(x, x.retainGrad());
        Tensor h = x.mul(2.0);
        assertSame(h, h.retainGrad());
        h.sum().backward();
        assertGrad(x, shape(1), 2);
        assertGrad(h, shape(1), 1);
    }

    @Test
    void retainedGradientsAccumulateAcrossBackwardCallsUntilZeroGrad() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor h = x.mul(3.0).retainGrad();
        Tensor y = h.mul(h).sum();
        y.backward(null, true, false);
        assertTensor(h.grad(), shape(2), 6, 12);
        y.backward();
        assertTensor(h.grad(), shape(2), 12, 24);
        h.zeroGrad();
        assertNull(h.grad());
    }

    @Test
    void theRetainedGradientIsTheOneAfterHooks() {
        Tensor x = leaf(new double[] {1}, 1);
        Tensor h = x.mul(3.0).retainGrad();
        h.registerHook(g -> g.mul(2.0));
        h.mul(4.0).sum().backward();
        assertGrad(h, shape(1), 8);
        assertGrad(x, shape(1), 24);
    }

    @Test
    void autogradGradDoesNotFillRetainedGradients() {
        Tensor x = leaf(new double[] {1}, 1);
        Tensor h = x.mul(3.0).retainGrad();
        Tensor g = Autograd.grad(List.of(h.mul(h).sum()), List.of(x), null, false, false).get(0);
        assertTensor(g, shape(1), 18);
        assertNull(h.grad(), "Autograd.grad touches no .grad(), retained or not");
    }

    @Test
    void retainGradUnderCreateGraphKeepsADifferentiableGradient() {
        Tensor x = leaf(new double[] {2}, 1);
        Tensor h = x.pow(3).retainGrad();
        h.pow(2).sum().backward(null, true, true);
        assertNotNull(h.grad());
        assertTensor(h.grad(), shape(1), 16);          // 2 h
        assertTrue(h.grad().requiresGrad());
    }
}
