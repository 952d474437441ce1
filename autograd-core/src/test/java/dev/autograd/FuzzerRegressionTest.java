package dev.autograd;

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
 * <p>Every one of them was a null argument that failed deep inside the op with the JVM's helpful
 * NullPointerException ("Cannot invoke ... because "b" is null"), which names an internal variable and
 * not the op the user called.
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
}
