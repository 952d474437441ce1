package dev.autograd;

import static dev.autograd.TensorAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.junit.jupiter.api.Test;

/** Bad shapes, axes and dtypes fail fast with a message that names the op and the shapes involved. */
class BadInputTest {

    private static Tensor zeros(int... shape) {
        return Tensor.zeros(shape);
    }

    @Test
    void addOfNonBroadcastableShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> zeros(2, 3).add(zeros(4)));
        assertMessage(e, "add", "[2, 3]", "[4]");
    }

    @Test
    void otherBinaryOpsOfNonBroadcastableShapes() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(2, 3).mul(zeros(2))),
                "mul", "[2, 3]", "[2]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(3, 2).sub(zeros(2, 3))),
                "sub", "[3, 2]", "[2, 3]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(5).div(zeros(4))),
                "div", "[5]", "[4]");
    }

    @Test
    void matmulInnerDimensionMismatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> zeros(2, 3).matmul(zeros(4, 5)));
        assertMessage(e, "matmul", "[2, 3]", "[4, 5]");
    }

    @Test
    void matmulOfScalarOrMismatchedVectors() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(3).matmul(zeros(4))),
                "matmul", "[3]", "[4]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(2).matmul(zeros(2))),
                "matmul");
        // batch dims 2 and 3 do not broadcast
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> zeros(2, 1, 2).matmul(zeros(3, 2, 1))), "matmul", "[2, 1, 2]", "[3, 2, 1]");
    }

    @Test
    void reshapeCountMismatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> zeros(2, 3).reshape(4));
        assertMessage(e, "reshape", "[2, 3]", "[4]");
    }

    @Test
    void reshapeWithTwoInferredDimsOrIndivisible() {
        // an error in the argument alone names that argument
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(2, 3).reshape(-1, -1)),
                "reshape", "[-1, -1]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(2, 3).reshape(4, -1)),
                "reshape", "[2, 3]", "[4, -1]");
    }

    @Test
    void sumAxisOutOfRange() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(2, 3).sum(2, false)),
                "sum", "[2, 3]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(2, 3).sum(-3, false)),
                "sum", "[2, 3]");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> zeros(2, 3).sum(new int[] {0, 5}, true)), "sum", "[2, 3]");
    }

    @Test
    void sumRepeatedAxis() {
        // 1 and -1 are the same axis of a rank-2 tensor
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> zeros(2, 3).sum(new int[] {1, -1}, false)), "sum", "[1, -1]");
    }

    @Test
    void meanAxisOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> zeros(2, 3).mean(2, false));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void mixedDtypesInABinaryOp() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2);
        Tensor b = Tensor.zeros(DType.FLOAT32, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertMessage(e, "add", "float64", "float32");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.matmul(a)),
                "matmul", "float64", "float32");
    }

    @Test
    void backwardFromATensorThatDoesNotRequireGrad() {
        Tensor y = Tensor.ones(2).mul(3.0).sum();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertNotNull(e.getMessage());
    }

    @Test
    void permuteWithABadPermutation() {
        Tensor x = zeros(2, 3, 4);
        // a repeated axis: the message shows the bad order
        assertMessage(assertThrows(IllegalArgumentException.class, () -> x.permute(0, 0, 1)),
                "permute", "[0, 0, 1]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> x.permute(0, 1)),
                "permute", "[2, 3, 4]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> x.permute(0, 1, 3)),
                "permute", "[2, 3, 4]");
    }

    @Test
    void transposeOfBadAxesOrRank() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(2, 3, 4).t()),
                "t", "[2, 3, 4]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(2, 3).transpose(0, 2)),
                "transpose", "[2, 3]");
    }

    @Test
    void expandToAnIncompatibleShape() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(2, 3).expand(4, 3)),
                "expand", "[2, 3]", "[4, 3]");
        // expand cannot drop dims
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(1, 3).expand(3)),
                "expand", "[1, 3]");
    }

    @Test
    void ofWithDataLengthNotMatchingShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new double[5], 2, 3));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        assertTrue(e.getMessage().contains("5"), e.getMessage());
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[7], 2, 3)), "of",
                "7", "[2, 3]");
    }

    @Test
    void negativeDims() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1)), "zeros",
                "[2, -1]", "negative");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.ones(-3)), "ones", "[-3]",
                "negative");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.full(1.0, -2, 2)), "full",
                "[-2, 2]", "negative");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[] {1, 2}, -1, -2)),
                "of", "[-1, -2]", "negative");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> zeros(2, 3).expand(2, -3)), "expand",
                "[2, -3]");
    }

    @Test
    void itemOfAMultiElementTensor() {
        assertMessage(assertThrows(RuntimeException.class, () -> zeros(2).item()), "item", "[2]");
    }

    @Test
    void getWithABadIndex() {
        assertMessage(assertThrows(RuntimeException.class, () -> zeros(2, 3).get(2, 0)), "get", "[2, 3]");
        assertMessage(assertThrows(RuntimeException.class, () -> zeros(2, 3).get(0)), "get", "[2, 3]");
    }

    @Test
    void backwardWithAGradientOfTheWrongShape() {
        Tensor x = Tensor.ones(2, 2).requiresGrad(true);
        Tensor y = x.mul(2.0);
        RuntimeException e = assertThrows(RuntimeException.class, () -> y.backward(Tensor.ones(3)));
        assertTrue(e instanceof IllegalArgumentException || e instanceof IllegalStateException,
                "expected a clear argument/state error but got " + e);
    }

    @Test
    void gradCheckRefusesFloat32() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.check(in -> in[0].mul(in[0]), x));
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains("float32"), e.getMessage());
    }
}
