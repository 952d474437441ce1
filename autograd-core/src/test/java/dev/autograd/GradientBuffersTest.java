package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The engine writes gradients in place only into buffers nobody else can see: a leaf takes over a buffer
 * that no other consumer holds, accumulates later gradients into its grad in place (as PyTorch does), and
 * never lets one leaf's grad alias another's, a hook's, a listener's, a retained gradient or a result of
 * {@code Autograd.grad}.
 */
class GradientBuffersTest {

    private static Tensor leaf(double... values) {
        return Tensor.of(values, values.length).requiresGrad(true);
    }

    @Test
    void twoLeavesThatReceiveTheSameGradientGetSeparateBuffers() {
        Tensor a = leaf(1, 2);
        Tensor b = leaf(3, 4);
        a.add(b).tanh().sum().backward();
        assertNotSame(a.grad(), b.grad());
        double[] before = b.grad().toDoubleArray();
        try (var scope = Autograd.noGrad()) {
            a.grad().mulInPlace(100);
        }
        assertArrayEquals(before, b.grad().toDoubleArray(), "changing a's grad must not change b's");
    }

    @Test
    void aSecondBackwardAccumulatesIntoTheSameGradTensor() {
        Tensor x = leaf(1, 2, 3);
        x.mul(2).sum().backward();
        Tensor first = x.grad();
        x.mul(3).sum().backward();
        assertSame(first, x.grad(), "accumulated in place, as PyTorch does outside createGraph");
        assertArrayEquals(new double[] {5, 5, 5}, x.grad().toDoubleArray());
    }

    @Test
    void accumulatingIntoAGradThatAGraphSavedIsCaught() {
        Tensor w = leaf(1, 2);
        w.mul(2).sum().backward();
        Tensor v = leaf(3, 4);
        Tensor y = v.mul(w.grad()).sum();   // mul saves w.grad() for its backward
        w.mul(5).sum().backward();          // accumulates into w.grad() in place
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("modified in place"), e.getMessage());
    }

    @Test
    void aGradientAHookKeptIsNeverWrittenLater() {
        Tensor x = leaf(1, 2);
        List<Tensor> kept = new ArrayList<>();
        Tensor y = x.mul(3);
        y.registerHook(g -> {
            kept.add(g);
            return null;
        });
        y.sum().backward();
        double[] seen = kept.get(0).toDoubleArray();
        x.mul(7).sum().backward();
        assertArrayEquals(seen, kept.get(0).toDoubleArray());
        assertArrayEquals(new double[] {10, 10}, x.grad().toDoubleArray());
    }

    @Test
    void aLeafHookSeesTheFullShapeAndItsTensorIsNotTheLeafGrad() {
        Tensor x = leaf(1, 2, 3);
        List<Tensor> kept = new ArrayList<>();
        x.registerHook(g -> {
            kept.add(g);
            return null;
        });
        x.tanh().sum().backward();
        assertArrayEquals(new int[] {3}, kept.get(0).shape());
        x.sum().backward();
        assertTrue(kept.get(0).toDoubleArray()[0] < 1, "the hook's tensor kept its values");
    }

    @Test
    void listenersSeeFullShapesAndKeepWhatTheySaw() {
        Tensor x = leaf(1, 2, 3);
        List<BackwardStep> steps = new ArrayList<>();
        HookHandle handle = Autograd.addBackwardListener(steps::add);
        try {
            x.exp().sum().backward();
        } finally {
            handle.remove();
        }
        for (BackwardStep step : steps) {
            for (Tensor g : step.inputGradients()) {
                if (g != null) {
                    assertTrue(g.numel() == 3, () -> step.op() + " sent a gradient of shape "
                            + java.util.Arrays.toString(g.shape()));
                }
            }
        }
        double[] sent = steps.get(steps.size() - 1).upstream().toDoubleArray();
        x.exp().sum().backward();
        assertArrayEquals(sent, steps.get(steps.size() - 1).upstream().toDoubleArray());
    }

    @Test
    void autogradGradResultsAreNotTheLeafGrads() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(2).sum();
        Tensor g = Autograd.grad(List.of(y), List.of(x), null, true, false).get(0);
        y.backward();
        assertNotSame(g, x.grad());
        x.mul(3).sum().backward();
        assertArrayEquals(new double[] {2, 2}, g.toDoubleArray(), "a returned gradient is never written again");
    }

    @Test
    void aRetainedGradientIsItsOwnTensor() {
        Tensor x = leaf(1, 2);
        Tensor h = x.mul(2).retainGrad();
        h.sum().backward();
        assertArrayEquals(new double[] {1, 1}, h.grad().toDoubleArray());
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
        assertNotSame(h.grad(), x.grad());
    }

    @Test
    void aBroadcastGradientReachesTheLeafAsAFullTensor() {
        Tensor x = leaf(1, 2, 3);
        Tensor b = Tensor.of(new double[] {5}, 1).requiresGrad(true);
        x.add(b).sum().backward();
        assertArrayEquals(new int[] {3}, x.grad().shape());
        assertArrayEquals(new double[] {1, 1, 1}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {3}, b.grad().toDoubleArray(), "summed over the broadcast axis");
    }

    /**
     * add hands one gradient tensor to both of its inputs, so two pending slots of the pass hold the same
     * buffer; a later gradient for one of them must not be added into it in place, or the other slot sees
     * it too. d/dx of 2x + 3x + 5(2x) is 15, and 3 at the same x for the k branch alone.
     */
    @Test
    void aGradientPendingInTwoSlotsIsNeverAddedIntoInPlace() {
        for (int[] shape : new int[][] {{3}, {2, 3}}) {
            Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 6).reshape(-1).slice(0, 0, shape.length == 1 ? 3 : 6, 1)
                    .reshape(shape).detach().requiresGrad(true);
            Tensor h = x.mul(2);
            Tensor k = x.mul(3);
            h.add(k).add(h.mul(5)).sum().backward();
            for (double g : x.grad().toDoubleArray()) {
                assertTrue(g == 15, () -> "dx should be 15 everywhere, got " + java.util.Arrays.toString(x.grad().toDoubleArray()));
            }
            // the same shape through broadcasting: k's row gradient sums over the rows
            Tensor w = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor rows = Tensor.ones(4, 3);
            Tensor hw = w.mul(2);
            hw.add(rows.mul(w)).add(hw.mul(5)).sum().backward();
            assertArrayEquals(new double[] {4 * 2 + 4 + 4 * 10, 4 * 2 + 4 + 4 * 10, 4 * 2 + 4 + 4 * 10},
                    w.grad().toDoubleArray());
        }
    }

    /** Many consumers of one tensor: every path's gradient arrives, summed once each. */
    @Test
    void fanOutAccumulatesEveryPathOnce() {
        Tensor x = leaf(1, -2, 3);
        Tensor y = x.mul(1);
        Tensor total = y;
        for (int i = 2; i <= 6; i++) {
            total = total.add(y.mul(i));
        }
        total.sum().backward();
        // 1 + 2 + ... + 6 = 21
        assertArrayEquals(new double[] {21, 21, 21}, x.grad().toDoubleArray());
        x.zeroGrad();
        Tensor z = x.mul(1);
        z.add(z).add(z).sum().backward();
        assertArrayEquals(new double[] {3, 3, 3}, x.grad().toDoubleArray());
    }
}
