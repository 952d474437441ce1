package dev.autograd;

import static dev.autograd.TensorAssertions.assertGrad;
import static dev.autograd.TensorAssertions.assertTensor;
import static dev.autograd.TensorAssertions.leaf;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * In-place ops ({@code addInPlace}, {@code subInPlace}, {@code mulInPlace}, {@code divInPlace}, {@code fill},
 * {@code copyFrom}): their values and broadcasting (the target never grows), the version counter that makes
 * a backward through a node whose saved tensor was overwritten fail with the op's name and the tensor's
 * shape (including writes through a {@code detach()} or a {@code reshape} sharing the storage), and the
 * refusals: a leaf that requires grad outside {@code noGrad}, a non-leaf of a graph, mismatched dtypes.
 */
@SuppressWarnings("try") // scopes are opened for their effect only
class InPlaceTest {

    private static Tensor m23() {
        return Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    }

    // ------------------------------------------------------------ values

    @Test
    void eachOpWritesIntoTheTargetAndReturnsIt() {
        Tensor other = Tensor.of(new double[] {2, 4, 8, 16, 32, 64}, 2, 3);
        Tensor t = m23();
        assertSame(t, t.addInPlace(other));
        assertTensor(t, shape(2, 3), 3, 6, 11, 20, 37, 70);
        t = m23();
        assertSame(t, t.subInPlace(other));
        assertTensor(t, shape(2, 3), -1, -2, -5, -12, -27, -58);
        t = m23();
        assertSame(t, t.mulInPlace(other));
        assertTensor(t, shape(2, 3), 2, 8, 24, 64, 160, 384);
        t = m23();
        assertSame(t, t.divInPlace(other));
        assertTensor(t, shape(2, 3), 0.5, 0.5, 0.375, 0.25, 5.0 / 32, 6.0 / 64);
        t = m23();
        assertSame(t, t.fill(7));
        assertTensor(t, shape(2, 3), 7, 7, 7, 7, 7, 7);
        t = m23();
        assertSame(t, t.copyFrom(other));
        assertTensor(t, shape(2, 3), 2, 4, 8, 16, 32, 64);
        other.fill(0);
        assertTensor(t, shape(2, 3), 2, 4, 8, 16, 32, 64);   // copyFrom copies, it does not alias
    }

    @Test
    void scalarOverloads() {
        assertTensor(m23().addInPlace(1.5), shape(2, 3), 2.5, 3.5, 4.5, 5.5, 6.5, 7.5);
        assertTensor(m23().subInPlace(1), shape(2, 3), 0, 1, 2, 3, 4, 5);
        assertTensor(m23().mulInPlace(-2), shape(2, 3), -2, -4, -6, -8, -10, -12);
        assertTensor(m23().divInPlace(4), shape(2, 3), 0.25, 0.5, 0.75, 1, 1.25, 1.5);
        assertTensor(Tensor.scalar(3).mulInPlace(2), shape(), 6);
    }

    @Test
    void addScaledIsOneAxpyWhenTheShapesMatchAndBroadcastsOtherwise() {
        // target += alpha * other, the optimizers' update
        Tensor t = m23();
        assertSame(t, t.addInPlace(Tensor.of(new double[] {1, 1, 1, 2, 2, 2}, 2, 3), -0.5));
        assertTensor(t, shape(2, 3), 0.5, 1.5, 2.5, 3, 4, 5);
        Tensor u = m23();
        assertSame(u, u.addInPlace(Tensor.of(new double[] {10, 20, 30}, 3), 0.1));
        assertTensor(u, shape(2, 3), 2, 4, 6, 5, 7, 9);
        Tensor f = Tensor.of(new float[] {1, 2}, 2);
        assertTensor(f.addInPlace(Tensor.of(new float[] {4, 8}, 2), 0.25), shape(2), 2, 4);
    }

    @Test
    void theOtherOperandBroadcastsToTheTarget() {
        Tensor row = Tensor.of(new double[] {10, 20, 30}, 3);
        Tensor column = Tensor.of(new double[] {100, 200}, 2, 1);
        assertTensor(m23().addInPlace(row), shape(2, 3), 11, 22, 33, 14, 25, 36);
        assertTensor(m23().mulInPlace(column), shape(2, 3), 100, 200, 300, 800, 1000, 1200);
        assertTensor(m23().copyFrom(row), shape(2, 3), 10, 20, 30, 10, 20, 30);
        assertTensor(m23().subInPlace(Tensor.scalar(1)), shape(2, 3), 0, 1, 2, 3, 4, 5);
        assertTensor(m23().divInPlace(Tensor.of(new double[] {2}, 1, 1)), shape(2, 3), 0.5, 1, 1.5, 2, 2.5, 3);
    }

    @Test
    void anInPlaceOpCannotGrowItsTarget() {
        Tensor row = Tensor.of(new double[] {1, 2, 3}, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> row.addInPlace(m23()));
        assertTrue(e.getMessage().startsWith("addInPlace:"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3]")
                && e.getMessage().contains("cannot grow"), e.getMessage());
        assertTensor(row, shape(3), 1, 2, 3);    // unchanged
        // [2, 1] with [1, 3] broadcasts to [2, 3]: bigger than either, refused too
        Tensor col = Tensor.of(new double[] {1, 2}, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> col.mulInPlace(Tensor.ones(1, 3)));
        assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1).copyFrom(Tensor.ones(2)));
    }

    @Test
    void shapesThatDoNotBroadcastAtAll() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m23().subInPlace(Tensor.ones(4)));
        assertTrue(e.getMessage().startsWith("subInPlace:"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    @Test
    void dtypeMismatchIsAnError() {
        Tensor t = m23();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.addInPlace(Tensor.ones(DType.FLOAT32, 3)));
        assertTrue(e.getMessage().startsWith("addInPlace:"), e.getMessage());
        assertTrue(e.getMessage().contains("FLOAT64") && e.getMessage().contains("FLOAT32")
                && e.getMessage().contains("to(DType)"), e.getMessage());
        Tensor f = Tensor.ones(DType.FLOAT32, 2);
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(Tensor.ones(2)));
        assertTensor(t, shape(2, 3), 1, 2, 3, 4, 5, 6);
    }

    @Test
    void float32Targets() {
        Tensor f = Tensor.of(new float[] {1, 2, 3}, 3);
        f.mulInPlace(2).addInPlace(Tensor.of(new float[] {0.5f}, 1));
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(new float[] {2.5f, 4.5f, 6.5f}, f.toFloatArray());
        f.fill(-1);
        assertArrayEquals(new float[] {-1, -1, -1}, f.toFloatArray());
    }

    @Test
    void aTensorCombinedWithItself() {
        Tensor t = Tensor.of(new double[] {1, 2, 3}, 3);
        t.addInPlace(t);
        assertTensor(t, shape(3), 2, 4, 6);
        t.mulInPlace(t);
        assertTensor(t, shape(3), 4, 16, 36);
    }

    @Test
    void writesThroughAReshapeOrADetachAreVisibleInTheOriginal() {
        Tensor t = m23();
        t.reshape(6).addInPlace(1);
        assertTensor(t, shape(2, 3), 2, 3, 4, 5, 6, 7);
        t.detach().mulInPlace(2);
        assertTensor(t, shape(2, 3), 4, 6, 8, 10, 12, 14);
    }

    // ------------------------------------------------------------ refusals

    @Test
    void inPlaceOnALeafThatRequiresGradIsRefusedOutsideNoGrad() {
        List<Consumer<Tensor>> ops = List.of(t -> t.addInPlace(1), t -> t.subInPlace(Tensor.ones(2)),
                t -> t.mulInPlace(2), t -> t.divInPlace(Tensor.ones(2)), t -> t.fill(0), t -> t.copyFrom(Tensor.ones(2)));
        for (Consumer<Tensor> op : ops) {
            Tensor w = leaf(new double[] {1, 2}, 2);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> op.accept(w));
            assertTrue(e.getMessage().contains("cannot modify in place a leaf that requires grad"), e.getMessage());
            assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("Autograd.noGrad()"), e.getMessage());
            assertTensor(w, shape(2), 1, 2);
        }
        Tensor w = leaf(new double[] {1, 2}, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.fill(0));
        assertTrue(e.getMessage().startsWith("copyFrom:") || e.getMessage().startsWith("fill:"), e.getMessage());
    }

    @Test
    void anSgdStepInsideNoGradIsAllowed() {
        Tensor w = leaf(new double[] {1, -2}, 2);
        Tensor x = Tensor.of(new double[] {3, 4}, 2);
        for (int step = 0; step < 3; step++) {
            Tensor loss = w.mul(x).sum().pow(2);   // (w . x)^2
            loss.backward();
            try (var scope = Autograd.noGrad()) {
                w.subInPlace(w.grad().mul(0.01));
                w.zeroGrad();
            }
        }
        assertTrue(w.isLeaf());
        assertTrue(w.requiresGrad(), "still a parameter after the update");
        // w . x starts at -5; each step multiplies it by (1 - 2 * 0.01 * |x|^2) = 0.5
        assertEquals(-5 * 0.125, w.mul(x).sum().item(), 1e-12);
        // and later graphs differentiate the updated values
        w.mul(w).sum().backward();
        assertArrayEquals(w.mul(2.0).toDoubleArray(), w.grad().toDoubleArray(), 0);
    }

    @Test
    void inPlaceOnANonLeafOfAGraphIsRefused() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor h = x.mul(2.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.addInPlace(1));
        assertTrue(e.getMessage().startsWith("addInPlace:"), e.getMessage());
        assertTrue(e.getMessage().contains("produced by 'mul'") && e.getMessage().contains("[2]"), e.getMessage());
        // a reshape of it shares storage and requires grad too: refused as well
        assertThrows(IllegalStateException.class, () -> h.reshape(2, 1).fill(0));
        h.sum().backward();
        assertGrad(x, shape(2), 2, 2);
    }

    @Test
    void tensorsThatDoNotRequireGradCanBeModifiedAnyTime() {
        Tensor c = Tensor.of(new double[] {1, 2}, 2);
        c.addInPlace(1);
        assertTensor(c, shape(2), 2, 3);
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y;
        try (var scope = Autograd.noGrad()) {
            y = x.mul(2.0);    // not recorded: a plain tensor
        }
        y.addInPlace(1);
        assertTensor(y, shape(2), 3, 5);
    }

    // ------------------------------------------------------------ version counter

    @Test
    void modifyingASavedTensorMakesBackwardFailNamingTheOpAndTheShape() {
        Tensor x = leaf(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor c = Tensor.of(new double[] {1, 2, 3}, 3);
        Tensor y = x.mul(c);           // mul saves c for x's gradient
        c.mulInPlace(10);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("mul:"), "names the op: " + e.getMessage());
        assertTrue(e.getMessage().contains("shape [3]"), "names the saved tensor's shape: " + e.getMessage());
        assertTrue(e.getMessage().contains("modified in place") && e.getMessage().contains("version 0, now 1"),
                e.getMessage());
        assertEquals(null, x.grad(), "no wrong gradient was accumulated");
    }

    @Test
    void everyInPlaceOpBumpsTheVersion() {
        List<Consumer<Tensor>> ops = List.of(t -> t.addInPlace(0), t -> t.subInPlace(0), t -> t.mulInPlace(1),
                t -> t.divInPlace(1), t -> t.fill(1), t -> t.copyFrom(Tensor.ones(3)),
                t -> t.addInPlace(Tensor.zeros(3), 2), t -> t.addInPlace(Tensor.zeros(1), 2));
        for (Consumer<Tensor> op : ops) {
            Tensor x = leaf(new double[] {1, 2, 3}, 3);
            Tensor c = Tensor.ones(3);
            Tensor y = x.mul(c);
            op.accept(c);   // even a write that leaves the values as they were
            assertThrows(IllegalStateException.class, () -> y.sum().backward());
        }
    }

    @Test
    void modifyingAnInputThroughDetachIsDetected() {
        // x * x saves x itself; detach() shares x's storage and does not require grad, so the write is allowed
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y = x.mul(x);
        x.detach().addInPlace(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("mul:") && e.getMessage().contains("shape [2]"), e.getMessage());
    }

    @Test
    void modifyingASavedOutputThroughDetachIsDetected() {
        // exp saves its output; overwriting it through a detached alias would make the gradient 0
        Tensor x = leaf(new double[] {0, 1}, 1, 2);
        Tensor y = x.exp();
        y.detach().fill(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("exp:") && e.getMessage().contains("shape [1, 2]"), e.getMessage());
    }

    @Test
    void modifyingThroughAReshapeSharingStorageIsDetected() {
        Tensor x = leaf(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor w = Tensor.of(new double[] {1, 0, 0, 1, 1, 1}, 3, 2);
        Tensor y = x.matmul(w);         // matmul saves x and w
        w.reshape(6).subInPlace(1);     // a view of w's storage, written through
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("matmul:"), e.getMessage());
        assertTrue(e.getMessage().contains("shape [3, 2]"), "names the saved tensor, not the view: " + e.getMessage());
    }

    @Test
    void modifyingASavedNonLeafThroughADetachedReshapeIsDetected() {
        Tensor x = leaf(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor h = x.tanh();            // tanh saves its output h
        Tensor y = h.mul(2.0).sum();
        h.detach().reshape(4).fill(0.5);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().startsWith("tanh:") && e.getMessage().contains("shape [2, 2]"), e.getMessage());
    }

    @Test
    void aModificationInsideNoGradIsDetectedToo() {
        Tensor w = leaf(new double[] {1, 2}, 2);
        Tensor y = w.mul(w).sum();
        try (var scope = Autograd.noGrad()) {
            w.subInPlace(0.1);          // the update came before backward: a classic bug
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().startsWith("mul:"), e.getMessage());
    }

    @Test
    void onlySavedTensorsAreChecked() {
        // add saves nothing: its gradient does not depend on the operands, so modifying one is harmless
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor c = Tensor.of(new double[] {5, 5}, 2);
        Tensor y = x.add(c);
        c.fill(100);
        y.sum().backward();
        assertGrad(x, shape(2), 1, 1);
        assertTensor(y, shape(2), 6, 7);    // y was computed before: its values are its own
    }

    @Test
    void aSecondBackwardAfterARetainedFirstOneChecksAgain() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor c = Tensor.of(new double[] {3, 4}, 2);
        Tensor y = x.mul(c).sum();
        y.backward(null, true, false);
        assertGrad(x, shape(2), 3, 4);
        c.addInPlace(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().startsWith("mul:"), e.getMessage());
        assertGrad(x, shape(2), 3, 4);
    }

    @Test
    void aNewGraphAfterTheModificationIsFine() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor c = Tensor.of(new double[] {3, 4}, 2);
        x.mul(c).sum().backward();
        c.addInPlace(1);
        x.zeroGrad();
        x.mul(c).sum().backward();
        assertGrad(x, shape(2), 4, 5);
    }

    @Test
    void autogradGradChecksVersionsToo() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor c = Tensor.of(new double[] {3, 4}, 2);
        Tensor y = x.mul(c).sum();
        c.fill(0);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Autograd.grad(List.of(y), List.of(x), null, false, false));
        assertTrue(e.getMessage().startsWith("mul:"), e.getMessage());
    }

    // ------------------------------------------------------------ engine bugs found by these tests

    @Test
    void aMaskModifiedInPlaceAfterWhereIsDetected() {
        Tensor a = leaf(new double[] {1, 2}, 2);
        Tensor b = leaf(new double[] {3, 4}, 2);
        Tensor mask = Tensor.of(new double[] {1, 0}, 2);
        Tensor y = Tensor.where(mask, a, b).sum();
        mask.fill(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward,
                () -> "a wrong gradient instead: a.grad = " + a.grad() + ", b.grad = " + b.grad());
        assertTrue(e.getMessage().startsWith("where:"), e.getMessage());
    }

    @Test
    void theOutputOfMaxModifiedInPlaceIsDetected() {
        Tensor x = leaf(new double[] {1, 3, 2}, 3);
        Tensor y = x.max();
        y.detach().fill(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward,
                () -> "a wrong gradient instead: x.grad = " + x.grad());
        assertTrue(e.getMessage().startsWith("max:"), e.getMessage());
    }

    @Test
    void theOutputOfExpModifiedInPlaceIsDetected() {
        // the contrast to the max case above: an op that save()s its output
        Tensor x = leaf(new double[] {1, 3, 2}, 3);
        Tensor y = x.exp();
        try (var scope = Autograd.noGrad()) {
            y.fill(0);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().startsWith("exp:"), e.getMessage());
    }

    @Test
    void theRefusalOfFillNamesFill() {
        Tensor w = leaf(new double[] {1, 2}, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.fill(0));
        assertTrue(e.getMessage().startsWith("fill:"), e.getMessage());
    }

    @Test
    void inPlaceOpsRecordNothing() {
        Tensor c = Tensor.of(new double[] {1, 2}, 2);
        c.addInPlace(1).mulInPlace(2);
        assertTrue(c.isLeaf());
        assertFalse(c.requiresGrad());
    }
}
