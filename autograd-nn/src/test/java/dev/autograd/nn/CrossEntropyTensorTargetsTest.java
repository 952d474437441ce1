package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.DType;
import dev.autograd.Tensor;
import org.junit.jupiter.api.Test;

/** Losses.crossEntropy with a tensor of class indices, as PyTorch's cross_entropy(logits, targets). */
class CrossEntropyTensorTargetsTest {

    private static final double LN3 = Math.log(3);

    private static void assertMessage(RuntimeException e, String... fragments) {
        String msg = e.getMessage();
        assertTrue(msg.startsWith("crossEntropy:"), msg);
        for (String f : fragments) {
            assertTrue(msg.contains(f), () -> "should mention '" + f + "': " + msg);
        }
    }

    @Test
    void handComputedLossAndGradient() {
        // rows [0, 0] with target 1: softmax [1/2, 1/2], loss ln 2; [ln 3, 0] with target 0: softmax [3/4, 1/4],
        // loss ln(4/3). Mean (ln 2 + ln(4/3)) / 2 = ln(8/3) / 2.
        // d/dlogits = (softmax - onehot) / N = [[1/4, -1/4], [-1/8, 1/8]]
        Tensor logits = Tensor.of(new double[][] {{0, 0}, {LN3, 0}}).requiresGrad(true);
        Tensor loss = Losses.crossEntropy(logits, Tensor.of(new double[] {1, 0}, 2));
        assertEquals(Math.log(8.0 / 3) / 2, loss.item(), 1e-15);
        loss.backward();
        assertArrayEquals(new double[] {0.25, -0.25, -0.125, 0.125}, logits.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void equalsTheIntArrayForm() {
        Tensor logits = Tensor.randn(new java.util.Random(3), 4, 5);
        int[] t = {4, 0, 2, 2};
        assertEquals(Losses.crossEntropy(logits, t).item(),
                Losses.crossEntropy(logits, Tensor.of(new double[] {4, 0, 2, 2}, 4)).item());
        // float32 targets with float32 logits work too
        Tensor l32 = logits.to(DType.FLOAT32);
        assertEquals(Losses.crossEntropy(l32, t).item(),
                Losses.crossEntropy(l32, Tensor.of(new float[] {4, 0, 2, 2}, 4)).item());
    }

    @Test
    void nonIntegerTargetsAreRefused() {
        Tensor logits = Tensor.zeros(2, 3);
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new double[] {1, 0.5}, 2))), "0.5", "position 1", "class index");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new double[] {Double.NaN, 0}, 2))), "NaN", "position 0");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new double[] {0, Double.NEGATIVE_INFINITY}, 2))),
                "Infinity", "position 1");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new double[] {0, 4e9}, 2))), "position 1", "class index");
    }

    @Test
    void outOfRangeTargetsAreRefused() {
        Tensor logits = Tensor.zeros(2, 3);
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new double[] {3, 0}, 2))), "target 3", "[0, 3)");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new double[] {0, -1}, 2))), "target -1", "position 1");
    }

    @Test
    void wrongShapesAreRefused() {
        Tensor logits = Tensor.zeros(2, 3);
        // one-hot rows (or probabilities) are not class indices
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new double[][] {{0, 1, 0}, {1, 0, 0}}))),
                "1-d", "[2, 3]", "argmax(1)");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.scalar(1))), "1-d", "[]");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new double[] {0, 1, 2}, 3))), "3 targets", "2 rows");
        assertMessage(assertThrows(NullPointerException.class, () -> Losses.crossEntropy(logits, (Tensor) null)),
                "targets");
        assertMessage(assertThrows(NullPointerException.class,
                () -> Losses.crossEntropy(null, Tensor.of(new double[] {0}, 1))), "logits");
    }
}
