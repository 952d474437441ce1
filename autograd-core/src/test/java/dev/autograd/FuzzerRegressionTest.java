package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The shrunk examples of the bugs {@link FuzzProperties} found, one test each, so that each stays fixed
 * even when the fuzzer's random programs no longer reach it.
 *
 * <p>Most were null arguments that failed deep inside the op with the JVM's helpful NullPointerException
 * ("Cannot invoke ... because "b" is null"), which names an internal variable and not the op the user
 * called. The others are empty tensors with a huge axis: reductions and linear whose result is too large
 * refused without the op's name, and chunk overflowing an int.
 */
class FuzzerRegressionTest {

    private static final Tensor X = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);

    /** Asserts a NullPointerException whose message starts with {@code op + ":"}. */
    private static void refusesNaming(String op, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().startsWith(op + ":"), () -> "message: " + e.getMessage());
    }

    @Test
    void binaryOpWithNullOperand() {
        refusesNaming("add", () -> X.add(null));
        refusesNaming("pow", () -> X.pow((Tensor) null));
        refusesNaming("gt", () -> X.gt(null));
        refusesNaming("maximum", () -> X.maximum(null));
    }

    @Test
    void reductionWithNullAxes() {
        refusesNaming("sum", () -> X.sum(null, false));
        refusesNaming("mean", () -> X.mean(null, true));
        refusesNaming("max", () -> X.max(null, false));
        refusesNaming("logSumExp", () -> X.logSumExp(null, false));
        refusesNaming("std", () -> X.std(null, false, 1));
        refusesNaming("argmin", () -> X.argmin(null, true));
    }

    @Test
    void inPlaceWithNullOperand() {
        Tensor t = Tensor.zeros(2, 3);
        refusesNaming("copyFrom", () -> t.copyFrom(null));
        refusesNaming("mulInPlace", () -> t.mulInPlace(null));
        refusesNaming("addInPlace", () -> t.addInPlace(null));
    }

    @Test
    void linearAlgebraWithNullOperand() {
        refusesNaming("matmul", () -> X.matmul(null));
        refusesNaming("linear", () -> Tensor.scalar(1).linear(null, Tensor.scalar(1)));
        refusesNaming("conv2d", () -> X.conv2d(null, null, new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 1}, -1));
    }

    @Test
    void whereWithNullArgument() {
        refusesNaming("where", () -> Tensor.where(null, X, X));
        refusesNaming("where", () -> Tensor.where(X, null, X));
        refusesNaming("where", () -> Tensor.where(X, X, null));
    }

    @Test
    void creationWithNullArgument() {
        refusesNaming("of", () -> Tensor.of((double[]) null, 2));
        refusesNaming("of", () -> Tensor.of((float[]) null));
        refusesNaming("zerosLike", () -> Tensor.zerosLike(null));
        refusesNaming("onesLike", () -> Tensor.onesLike(null));
    }

    @Test
    void indexingWithNullArgument() {
        refusesNaming("get", () -> X.get((int[]) null));
        refusesNaming("indexSelect", () -> X.indexSelect(1, null));
        refusesNaming("permute", () -> X.permute((int[]) null));
        refusesNaming("reshape", () -> X.reshape((int[]) null));
        refusesNaming("pad", () -> X.pad(null, 0));
        refusesNaming("split", () -> X.split((int[]) null, 0));
        refusesNaming("gather", () -> X.gather(0, null));
        refusesNaming("scatterAdd", () -> X.scatterAdd(0, null, X));
        refusesNaming("scatterAdd", () -> X.scatterAdd(0, Tensor.zeros(2, 3), null));
    }

    @Test
    void joinsWithNullListOrElement() {
        refusesNaming("concat", () -> Tensor.concat(null, 0));
        refusesNaming("concat", () -> Tensor.concat(Arrays.asList(X, null), 0));
        refusesNaming("stack", () -> Tensor.stack(null, 1));
        refusesNaming("stack", () -> Tensor.stack(Arrays.asList(null, X), 1));
        // a null first element is refused by index, not confused with an empty list
        refusesNaming("stack", () -> Tensor.stack(Arrays.asList((Tensor) null), 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.concat(List.of(), 0));
    }

    /** Asserts an IllegalArgumentException whose message starts with {@code op + ":"}. */
    private static void refusesLargeNaming(String op, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().startsWith(op + ":"), () -> "message: " + e.getMessage());
    }

    @Test
    void reductionOfAnEmptyAxisWithAResultTooLargeNamesTheReduction() {
        // reducing the 0 axis leaves [2, 1, 2^30]: 2^31 elements; the refusal came from the shared kernel
        // ("shape [...] has ...") or, for logSumExp, from zeros and mean/var/std from sum
        Tensor x = Tensor.zeros(2, 0, 1 << 30);
        refusesLargeNaming("sum", () -> x.sum(-2, false));
        refusesLargeNaming("mean", () -> x.mean(1, false));
        refusesLargeNaming("mean", () -> x.mean(new int[] {1}, true));
        refusesLargeNaming("var", () -> x.var(1, true, 0));
        refusesLargeNaming("std", () -> x.std(1, false, 0));
        refusesLargeNaming("logSumExp", () -> Tensor.zeros(0, 4, 6, Integer.MAX_VALUE, 2).logSumExp(0, true));
        refusesLargeNaming("max", () -> Tensor.zeros(2, 0, 1 << 30).max(1, true));
        // a small enough result of the same kind is made: the sum of nothing is 0
        assertArrayEquals(new double[] {0, 0, 0}, Tensor.zeros(3, 0, Integer.MAX_VALUE).sum(new int[] {1, 2}, false).toDoubleArray());
    }

    @Test
    void linearOfAnEmptyInputWithMoreRowsThanAnIntNamesLinearOrReturnsEmpty() {
        // x [6, 2^30, 0], weight [0, 0]: the result [6, 2^30, 0] is empty and was refused, unnamed
        Tensor empty = Tensor.zeros(DType.FLOAT32, 6, 1 << 30, 0)
                .linear(Tensor.zeros(DType.FLOAT32, 0, 0), Tensor.zeros(DType.FLOAT32, 0));
        assertArrayEquals(new int[] {6, 1 << 30, 0}, empty.shape());
        assertEquals(0, empty.numel());
        // and its backward has nothing to compute either (it looped over 6 * 2^30 empty rows)
        Tensor x = Tensor.zeros(6, 1 << 30, 0).requiresGrad(true);
        Tensor w = Tensor.zeros(0, 0).requiresGrad(true);
        x.linear(w, null).sum().backward();
        assertArrayEquals(new int[] {6, 1 << 30, 0}, x.grad().shape());
        assertArrayEquals(new int[] {0, 0}, w.grad().shape());
        // with out-features the result would have 6 * 2^30 * 2 elements: refused, naming linear
        refusesLargeNaming("linear", () -> Tensor.zeros(6, 1 << 30, 0).linear(Tensor.zeros(2, 0), null));
    }

    @Test
    void chunkOfAnAxisNearTheIntLimit() {
        // (2^31 - 1) + 2 - 1 overflowed: 2 chunks became 2^31 - 1 pieces of 1 and an OutOfMemoryError
        List<Tensor> pieces = Tensor.zeros(0, Integer.MAX_VALUE).chunk(2, 1);
        assertEquals(2, pieces.size());
        assertArrayEquals(new int[] {0, 1 << 30}, pieces.get(0).shape());
        assertArrayEquals(new int[] {0, (1 << 30) - 1}, pieces.get(1).shape());
        List<Tensor> halves = Tensor.zeros(0, Integer.MAX_VALUE).split(1 << 30, 1);
        assertEquals(2, halves.size());
        refusesLargeNaming("split", () -> Tensor.zeros(0, Integer.MAX_VALUE).split(1, 1));
    }

    @Test
    void conv2dWithAStrideNearTheIntLimit() {
        // the first column inside the input was computed as (2 + (2^31 - 1) - 1) / (2^31 - 1), which wrapped
        // to -1: an ArrayIndexOutOfBoundsException at index 2^31 - 1, without the op's name
        int[] stride = {1, Integer.MAX_VALUE};
        int[] padding = {0, 2};
        int[] dilation = {1, 1};
        Tensor empty = Tensor.zeros(1, 1, 1, 0).conv2d(Tensor.zeros(0, 1, 1, 1), null, stride, padding, dilation, 1);
        assertArrayEquals(new int[] {1, 0, 1, 1}, empty.shape());
        // one output column, entirely in the padding: 0 plus the bias
        Tensor y = Tensor.ones(1, 1, 1, 1).conv2d(Tensor.ones(1, 1, 1, 1), Tensor.full(0.5, 1), stride, padding, dilation, 1);
        assertArrayEquals(new int[] {1, 1, 1, 1}, y.shape());
        assertArrayEquals(new double[] {0.5}, y.toDoubleArray());
        Tensor f = Tensor.ones(DType.FLOAT32, 1, 1, 1, 1).conv2d(Tensor.ones(DType.FLOAT32, 1, 1, 1, 1), null, stride, padding, dilation, 1);
        assertArrayEquals(new double[] {0}, f.toDoubleArray());
    }
}
