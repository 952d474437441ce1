package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Locale;

/** Small assertions shared by the example tests. */
final class TensorAssertions {

    /** Hand-computed FLOAT64 values are compared to this tolerance. */
    static final double TOL64 = 1e-12;
    /** FLOAT32 values are compared relative to this tolerance. */
    static final double TOL32 = 1e-6;

    private TensorAssertions() {
    }

    /** Asserts shape, FLOAT64 dtype and values (to 1e-12). */
    static void assertTensor(Tensor actual, int[] shape, double... expected) {
        assertNotNull(actual, "tensor is null");
        assertArrayEquals(shape, actual.shape(), () -> "shape of " + actual);
        assertArrayEquals(expected, actual.toDoubleArray(), TOL64, () -> "values of " + actual);
    }

    /** Asserts shape, FLOAT32 dtype and values (relative 1e-6). */
    static void assertTensor32(Tensor actual, int[] shape, double... expected) {
        assertNotNull(actual, "tensor is null");
        assertEquals(DType.FLOAT32, actual.dtype(), () -> "dtype of " + actual);
        assertArrayEquals(shape, actual.shape(), () -> "shape of " + actual);
        float[] values = actual.toFloatArray();
        assertEquals(expected.length, values.length, () -> "numel of " + actual);
        for (int i = 0; i < expected.length; i++) {
            double tol = TOL32 * Math.max(1.0, Math.abs(expected[i]));
            assertEquals(expected[i], values[i], tol, "element " + i + " of " + actual);
        }
    }

    /** Asserts that the tensor's accumulated gradient has the given shape and values. */
    static void assertGrad(Tensor leaf, int[] shape, double... expected) {
        Tensor g = leaf.grad();
        assertNotNull(g, () -> "grad is null for " + leaf);
        assertTensor(g, shape, expected);
    }

    static int[] shape(int... dims) {
        return dims;
    }

    static Tensor leaf(double[] data, int... shape) {
        return Tensor.of(data, shape).requiresGrad(true);
    }

    /** Asserts the message of an op error names the op (prefix "op:") and mentions each fragment. */
    static void assertMessage(RuntimeException e, String op, String... fragments) {
        String msg = e.getMessage();
        assertNotNull(msg, "exception has no message");
        assertTrue(msg.startsWith(op + ":"), () -> "message should start with '" + op + ":' but was: " + msg);
        for (String f : fragments) {
            assertTrue(msg.toLowerCase(Locale.ROOT).contains(f.toLowerCase(Locale.ROOT)),
                    () -> "message should mention '" + f + "' but was: " + msg);
        }
    }

    static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
