package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Shapes at the edge of the integer range: every element count is exact, and one that a Java array cannot
 * hold is refused with a message naming the op, never wrapped around into a wrong tensor (each case here
 * once returned a tensor whose numel() disagreed with its shape, or failed deep inside a kernel).
 */
class IntegerEdgeTest {

    /** The largest array the JVM allocates (the JDK's own soft limit). */
    private static final int MAX = Integer.MAX_VALUE - 8;

    private static void refused(String op, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(op + ":"), () -> "message should start with '" + op + ":' but was: "
                + e.getMessage());
    }

    @Test
    void aCountBeyondTheLongRangeIsRefusedNotWrapped() {
        // 1056175639 * 177602 * 393365 wraps around a long to 6.
        refused("rand", () -> Tensor.rand(new Random(1), DType.FLOAT64, 1056175639, 177602, 393365));
        refused("of", () -> Tensor.of(new double[6], 177602, 393365, 1056175639));
        // 65536^4 = 2^64 wraps around to 0.
        refused("zeros", () -> Tensor.zeros(65536, 65536, 65536, 65536));
    }

    @Test
    void aCountAboveTheArrayLimitIsRefused() {
        refused("zeros", () -> Tensor.zeros(Integer.MAX_VALUE));
        refused("arange", () -> Tensor.arange(Integer.MAX_VALUE));
        refused("eye", () -> Tensor.eye(46341));
        refused("zeros", () -> Tensor.zeros(MAX + 1));
    }

    @Test
    void emptyTensorsWithHugeExtentsAreFine() {
        Tensor t = Tensor.zeros(0, Integer.MAX_VALUE);
        assertEquals(0, t.numel());
        assertArrayEquals(new int[] {0, Integer.MAX_VALUE}, t.shape());
        Tensor product = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> Tensor.zeros(0, Integer.MAX_VALUE).matmul(Tensor.zeros(Integer.MAX_VALUE, 0)));
        assertArrayEquals(new int[] {0, 0}, product.shape());
    }

    @Test
    void splittingAHugeEmptyAxisIntoMorePiecesThanTheHeapHoldsIsRefusedAtOnce() {
        // 2^30 pieces of [0, 1] are 2^30 tensor objects: over 100 GiB, an OutOfMemoryError after minutes.
        Tensor empty = Tensor.zeros(0, 1 << 30);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> empty.split(1, 1)));
        assertTrue(e.getMessage().startsWith("split: axis 1 of shape [0, 1073741824] makes 1073741824 pieces"),
                e.getMessage());
        assertTrue(e.getMessage().contains("GiB"), e.getMessage());
        refused("chunk", () -> Tensor.zeros(0, Integer.MAX_VALUE).chunk(Integer.MAX_VALUE, 1));
        // as many sizes as pieces: refused before a single piece is made, and the message stays short
        int[] ones = new int[1 << 27];
        java.util.Arrays.fill(ones, 1);
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().maxMemory() < 12L << 30, "heap below 12 GiB");
        IllegalArgumentException bySizes = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(0, 1 << 27).split(ones, 1));
        assertTrue(bySizes.getMessage().startsWith("split: axis 1 of shape [0, 134217728] makes 134217728 pieces"),
                bySizes.getMessage());
        assertTrue(bySizes.getMessage().length() < 400, bySizes.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(0, 5).split(new int[1 << 20], 1));
        assertTrue(negative.getMessage().length() < 300, negative.getMessage());
        // the same axis in a few big pieces is fine
        assertEquals(4, empty.chunk(4, 1).size());
        assertArrayEquals(new int[] {0, 1 << 28}, empty.chunk(4, 1).get(3).shape());
    }

    @Test
    void matmulRefusesAResultNoArrayHolds() {
        refused("matmul", () -> Tensor.zeros(65537, 0).matmul(Tensor.zeros(0, 65537)));
        refused("matmul", () -> Tensor.ones(50000, 1).matmul(Tensor.ones(1, 50000)));
    }

    @Test
    void broadcastingRefusesAResultNoArrayHolds() {
        refused("add", () -> Tensor.zeros(65537, 1).add(Tensor.zeros(1, 65537)));
        Tensor empty = Tensor.zeros(0, 1).add(Tensor.zeros(0, Integer.MAX_VALUE));
        assertArrayEquals(new int[] {0, Integer.MAX_VALUE}, empty.shape());
    }

    @Test
    void anExtentAboveTheIntRangeIsRefused() {
        refused("concat", () -> Tensor.concat(List.of(Tensor.zeros(0, Integer.MAX_VALUE),
                Tensor.zeros(0, Integer.MAX_VALUE)), 1));
        refused("flatten", () -> Tensor.zeros(0, 65536, 65536).flatten(1, 2));
        refused("pad", () -> Tensor.zeros(0, Integer.MAX_VALUE).pad(new int[] {0, 0, 1, 1}, 0));
        refused("reshape", () -> Tensor.zeros(0, 65536, 65536).reshape(0, -1));
    }

    @Test
    void aNullDtypeIsRefusedNamingTheOp() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Tensor.zeros((DType) null, 2));
        assertTrue(e.getMessage().startsWith("zeros:"), e.getMessage());
        NullPointerException to = assertThrows(NullPointerException.class, () -> Tensor.ones(2).to(null));
        assertTrue(to.getMessage().startsWith("to:"), to.getMessage());
        NullPointerException rand = assertThrows(NullPointerException.class,
                () -> Tensor.rand(new Random(1), null, 2));
        assertTrue(rand.getMessage().startsWith("rand:"), rand.getMessage());
    }

    @Test
    void infiniteArangeBoundsAreRefused() {
        refused("arange", () -> Tensor.arange(Double.NEGATIVE_INFINITY, 0, Double.NEGATIVE_INFINITY));
        refused("arange", () -> Tensor.arange(0, Double.POSITIVE_INFINITY, 1));
    }

    @Test
    void anEmptyTensorWithManyRowsPrintsBriefly() {
        String text = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> Tensor.zeros(100000, 100000, 0).toString());
        assertTrue(text.length() < 1000, () -> "printed " + text.length() + " characters");
        assertTrue(text.contains("[100000, 100000, 0]"), text);
        assertTrue(text.startsWith("tensor([]"), text);
    }

    @Test
    void reductionsOverHugeEmptyAxesCountExactly() {
        // The reduced extents multiply to (2^31 - 9)^3, which wraps around a long; the count saturates instead.
        Tensor x = Tensor.zeros(0, MAX, MAX, MAX);
        assertArrayEquals(new int[] {0}, x.mean(new int[] {1, 2, 3}, false).shape());
        assertArrayEquals(new int[] {0}, x.var(new int[] {1, 2, 3}, false, 1).shape());
        // Reducing a 0-length axis: the count is 0, so the correction check refuses any correction.
        refused("var", () -> Tensor.zeros(3, 0).var(new int[] {1}, false, 0));
    }
}
