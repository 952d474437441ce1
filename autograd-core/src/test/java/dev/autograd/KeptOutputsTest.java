package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which outputs a graph keeps for pictures and traces ({@link GradFn#output()}). */
class KeptOutputsTest {

    @Test
    void aSmallIntermediateNobodyHoldsIsStillInThePicture() {
        startBudget();
        Tensor x = Tensor.scalar(3).requiresGrad(true);
        // x * 2 is referenced by nothing but its node: add with a number saves nothing.
        Tensor y = x.mul(2).add(1);
        System.gc();
        Tensor product = ((Node) y.gradFn()).next[0].output();
        assertNotNull(product, "the small output of mul is kept");
        assertEquals(6.0, product.item(), 0.0);
        assertTrue(GraphExport.toText(y).contains("value 6"), GraphExport.toText(y));
    }

    @Test
    void aLargeOutputIsHeldOnlyWeakly() {
        Tensor x = Tensor.ones(1000).requiresGrad(true);
        Tensor y = x.mul(2).sum();
        Node mul = ((Node) y.gradFn()).next[0];
        assertTrue(mul.output instanceof java.lang.ref.WeakReference<?>, "an activation is never kept alive");
    }

    @Test
    void aLongTapeKeepsOnlyNamedOutputsUntilTheNextBackward() {
        startBudget();
        Tensor x = Tensor.scalar(1).requiresGrad(true);
        Tensor h = x;
        for (int i = 0; i < Node.KEPT_OUTPUTS; i++) {
            h = h.mul(1.0);
        }
        Tensor unnamed = h.add(1.0);
        Tensor named = unnamed.mul(3.0).name("late");
        Tensor retained = named.add(2.0).retainGrad();
        assertNull(((Node) unnamed.gradFn()).output, "past the budget an unnamed small output is not kept");
        assertSame(named, named.gradFn().output(), "a named tensor is kept");
        assertSame(retained, retained.gradFn().output(), "a tensor that retains its gradient is kept");
        retained.backward();
        assertEquals(3.0, x.grad().item(), 0.0);
        Tensor after = x.mul(5.0);
        assertSame(after, after.gradFn().output(), "the budget starts again after a backward");
    }

    /** A backward resets this thread's budget, whatever earlier tests recorded. */
    private static void startBudget() {
        Tensor.scalar(0).requiresGrad(true).mul(1.0).backward();
    }
}
