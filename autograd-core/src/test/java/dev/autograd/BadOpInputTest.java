package dev.autograd;

import static dev.autograd.TensorAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad inputs to the issue-3 ops fail fast with an {@link IllegalArgumentException} whose message starts
 * with the op's name ({@code "op:"}) and mentions the shapes or values involved: axes out of range, slices
 * past the end or with a non-positive step, indices out of bounds or not integers, conv and pool
 * geometries that do not fit, clamp bounds the wrong way round, var corrections too large, squeezing a
 * non-1 axis, concat/stack/split/pad misuse and mixed dtypes.
 */
class BadOpInputTest {

    private static Tensor zeros(int... shape) {
        return Tensor.zeros(shape);
    }

    private static IllegalArgumentException fails(Executable e) {
        return assertThrows(IllegalArgumentException.class, e);
    }

    // ------------------------------------------------------------ linear

    @Test
    void linearShapesThatDoNotFit() {
        assertMessage(fails(() -> zeros(2, 3).linear(zeros(3), null)), "linear", "[3]", "[out, in]");
        assertMessage(fails(() -> zeros(2, 3).linear(zeros(4, 2), null)), "linear", "[2, 3]", "[4, 2]");
        assertMessage(fails(() -> Tensor.scalar(1).linear(zeros(1, 1), null)), "linear", "[]");
        assertMessage(fails(() -> zeros(2, 3).linear(zeros(4, 3), zeros(3))), "linear", "bias", "[4]", "[3]");
        assertMessage(fails(() -> zeros(2, 3).linear(Tensor.zeros(DType.FLOAT32, 4, 3), null)), "linear",
                "FLOAT64", "FLOAT32");
    }

    // ------------------------------------------------------------ element-wise

    @Test
    void clampMinAboveMax() {
        assertMessage(fails(() -> zeros(2).clamp(2, 1)), "clamp", "min 2.0", "max 1.0");
        assertMessage(fails(() -> zeros(2).clamp(Double.NaN, 1)), "clamp", "NaN");
    }

    @Test
    void binaryOpsOfNonBroadcastableShapes() {
        assertMessage(fails(() -> zeros(2, 3).maximum(zeros(4))), "maximum", "[2, 3]", "[4]");
        assertMessage(fails(() -> zeros(2, 3).minimum(zeros(2))), "minimum", "[2, 3]", "[2]");
        assertMessage(fails(() -> zeros(3).pow(zeros(2))), "pow", "[3]", "[2]");
        assertMessage(fails(() -> zeros(3).gt(zeros(2))), "gt", "[3]", "[2]");
        assertMessage(fails(() -> zeros(3).eq(zeros(2))), "eq", "[3]", "[2]");
        assertMessage(fails(() -> Tensor.where(zeros(2), zeros(3), zeros(3))), "where", "[2]", "[3]");
    }

    @Test
    void mixedDtypesInBinaryOps() {
        Tensor f32 = Tensor.zeros(DType.FLOAT32, 2);
        assertMessage(fails(() -> zeros(2).maximum(f32)), "maximum", "FLOAT64", "FLOAT32");
        assertMessage(fails(() -> zeros(2).pow(f32)), "pow", "FLOAT64", "FLOAT32");
    }

    @Test
    void mixedDtypesInWhere() {
        Tensor f32 = Tensor.zeros(DType.FLOAT32, 2);
        assertMessage(fails(() -> Tensor.where(zeros(2), zeros(2), f32)), "where", "FLOAT64", "FLOAT32");
        assertMessage(fails(() -> Tensor.where(f32, zeros(2), zeros(2))), "where", "FLOAT32", "FLOAT64");
    }

    // ------------------------------------------------------------ reductions

    @Test
    void reductionAxisOutOfRange() {
        assertMessage(fails(() -> zeros(2, 3).max(2, false)), "max", "axis 2", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3).min(-3, false)), "min", "axis -3", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3).logSumExp(5, true)), "logSumExp", "axis 5", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3).var(2, false)), "var", "axis 2", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3).argmax(2, false)), "argmax", "axis 2", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3).argmin(-3, false)), "argmin", "axis -3", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3).max(new int[] {0, 0}, false)), "max", "axis 0", "twice");
    }

    @Test
    void varCorrectionNotBelowTheCount() {
        // 3 elements along axis 1: correction 3 leaves n - correction = 0
        assertMessage(fails(() -> zeros(2, 3).var(1, false, 3)), "var", "correction 3", "3 elements", "[2, 3]");
        assertMessage(fails(() -> zeros(1).var()), "var", "correction 1", "1 elements");
        assertMessage(fails(() -> zeros(2, 3).var(new int[] {0, 1}, false, -1)), "var", "correction -1");
    }

    @Test
    void stdCorrectionNotBelowTheCountNamesStd() {
        // the user called std, so the message should name std
        assertMessage(fails(() -> zeros(2, 3).std(1, false, 3)), "std", "correction 3", "[2, 3]");
    }

    @Test
    void stdAxisOutOfRangeNamesStd() {
        assertMessage(fails(() -> zeros(2, 3).std(2, false)), "std", "axis 2", "[2, 3]");
    }

    @Test
    void stdBadInputsAreRejectedWithTheValues() {
        // the op name in these messages is 'var' (see the disabled tests above); the values are there
        String m1 = fails(() -> zeros(2, 3).std(1, false, 3)).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(m1.contains("correction 3") && m1.contains("[2, 3]"), m1);
        String m2 = fails(() -> zeros(2, 3).std(new int[] {2}, false, 0)).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(m2.contains("axis 2") && m2.contains("[2, 3]"), m2);
    }

    @Test
    void extremaOfAnEmptyAxis() {
        assertMessage(fails(() -> zeros(0, 2).max(0, false)), "max", "[0, 2]", "empty");
        assertMessage(fails(() -> zeros(0).argmax()), "argmax", "[0]", "empty");
    }

    // ------------------------------------------------------------ shape ops

    @Test
    void squeezeOfANonUnitAxis() {
        assertMessage(fails(() -> zeros(2, 3).squeeze(0)), "squeeze", "axis 0", "[2, 3]", "size 2");
        assertMessage(fails(() -> zeros(2, 3).squeeze(2)), "squeeze", "axis 2", "[2, 3]");
    }

    @Test
    void unsqueezeFlattenExpandOutOfRange() {
        assertMessage(fails(() -> zeros(2, 3).unsqueeze(3)), "unsqueeze", "axis 3", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3).unsqueeze(-4)), "unsqueeze", "axis -4", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3).flatten(0, 2)), "flatten", "axis 2", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3, 4).flatten(2, 1)), "flatten", "2", "1", "[2, 3, 4]");
        assertMessage(fails(() -> zeros(2, 3).expand(2, 4)), "expand", "[2, 3]", "[2, 4]");
        assertMessage(fails(() -> zeros(2, 3).expand(3)), "expand", "[2, 3]", "[3]");
    }

    @Test
    void concatShapeAndDtypeMismatch() {
        assertMessage(fails(() -> Tensor.concat(List.of(zeros(2, 3), zeros(3, 3)), 1)), "concat", "[3, 3]", "[2, 3]");
        assertMessage(fails(() -> Tensor.concat(List.of(zeros(2, 3), zeros(2)), 0)), "concat", "[2]", "[2, 3]");
        assertMessage(fails(() -> Tensor.concat(List.of(zeros(2), Tensor.zeros(DType.FLOAT32, 2)), 0)), "concat",
                "FLOAT32", "FLOAT64");
        assertMessage(fails(() -> Tensor.concat(List.of(zeros(2, 3)), 2)), "concat", "axis 2", "[2, 3]");
        assertMessage(fails(() -> Tensor.concat(List.of(), 0)), "concat", "at least one");
    }

    @Test
    void stackShapeMismatch() {
        assertMessage(fails(() -> Tensor.stack(List.of(zeros(2, 3), zeros(3, 2)), 0)), "stack", "[3, 2]", "[2, 3]");
        assertMessage(fails(() -> Tensor.stack(List.of(), 0)), "stack", "at least one");
    }

    @Test
    void stackAxisOutOfRangeNamesStack() {
        // the result of stacking [2, 3] tensors has rank 3: valid axes -3..2
        assertMessage(fails(() -> Tensor.stack(List.of(zeros(2, 3), zeros(2, 3)), 3)), "stack", "axis 3");
    }

    @Test
    void stackMixedDtypesNamesStack() {
        assertMessage(fails(() -> Tensor.stack(List.of(zeros(2), Tensor.zeros(DType.FLOAT32, 2)), 0)), "stack",
                "FLOAT32", "FLOAT64");
    }

    @Test
    void stackMixedDtypesIsRejected() {
        // whatever op the message names, mixing dtypes is an error, not a silent conversion
        fails(() -> Tensor.stack(List.of(zeros(2), Tensor.zeros(DType.FLOAT32, 2)), 0));
    }

    @Test
    void splitAndChunkMisuse() {
        assertMessage(fails(() -> zeros(5).split(new int[] {2, 2}, 0)), "split", "[2, 2]", "4", "[5]");
        assertMessage(fails(() -> zeros(5).split(new int[] {6, -1}, 0)), "split", "-1");
        assertMessage(fails(() -> zeros(5).split(0, 0)), "split", "0");
        assertMessage(fails(() -> zeros(5).split(2, 1)), "split", "axis 1", "[5]");
        assertMessage(fails(() -> zeros(5).chunk(0, 0)), "chunk", "0");
        assertMessage(fails(() -> zeros(5).chunk(2, -2)), "chunk", "axis -2", "[5]");
    }

    @Test
    void padNegativeOddOrTooManyPads() {
        assertMessage(fails(() -> zeros(2, 2).pad(new int[] {1, -1}, 0)), "pad", "[1, -1]", "negative");
        assertMessage(fails(() -> zeros(2, 2).pad(new int[] {1, 1, 1}, 0)), "pad", "[1, 1, 1]", "pairs");
        assertMessage(fails(() -> zeros(2).pad(new int[] {1, 1, 1, 1}, 0)), "pad", "[1, 1, 1, 1]", "[2]");
    }

    // ------------------------------------------------------------ indexing

    @Test
    void sliceOutOfRange() {
        assertMessage(fails(() -> zeros(3).slice(0, 0, 5, 1)), "slice", "[0, 5)", "[3]");
        assertMessage(fails(() -> zeros(3).slice(0, 2, 1, 1)), "slice", "[2, 1)", "[3]");
        assertMessage(fails(() -> zeros(3).slice(0, -4, 2, 1)), "slice", "-4", "[3]");
        assertMessage(fails(() -> zeros(3).slice(1, 0, 1, 1)), "slice", "axis 1", "[3]");
    }

    @Test
    void sliceNonPositiveStep() {
        assertMessage(fails(() -> zeros(3).slice(0, 0, 3, -1)), "slice", "step", "-1");
        assertMessage(fails(() -> zeros(3).slice(0, 0, 3, 0)), "slice", "step", "0");
    }

    @Test
    void selectOutOfRange() {
        assertMessage(fails(() -> zeros(2, 3).select(1, 3)), "select", "index 3", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3).select(0, -3)), "select", "index -3", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3).select(2, 0)), "select", "axis 2", "[2, 3]");
    }

    @Test
    void indexSelectOutOfBounds() {
        assertMessage(fails(() -> zeros(3, 2).indexSelect(0, new int[] {0, 3})), "indexSelect", "index 3", "[3, 2]");
        assertMessage(fails(() -> zeros(3, 2).indexSelect(1, new int[] {-1})), "indexSelect", "index -1", "[3, 2]");
        assertMessage(fails(() -> zeros(3, 2).indexSelect(2, new int[] {0})), "indexSelect", "axis 2", "[3, 2]");
    }

    @Test
    void gatherOutOfBoundsNonIntegerOrBadShape() {
        Tensor x = zeros(2, 3);
        assertMessage(fails(() -> x.gather(1, Tensor.of(new double[] {0, 3}, 2, 1))), "gather", "3", "[2, 3]");
        assertMessage(fails(() -> x.gather(1, Tensor.of(new double[] {0, -1}, 2, 1))), "gather", "-1", "[2, 3]");
        assertMessage(fails(() -> x.gather(1, Tensor.of(new double[] {0, 0.5}, 2, 1))), "gather", "0.5", "integer");
        // rank differs; larger than x off the axis
        assertMessage(fails(() -> x.gather(1, Tensor.of(new double[] {0, 0}, 2))), "gather", "[2]", "[2, 3]");
        assertMessage(fails(() -> x.gather(1, Tensor.zeros(3, 1))), "gather", "[3, 1]", "[2, 3]");
        assertMessage(fails(() -> x.gather(2, Tensor.zeros(2, 1))), "gather", "axis 2", "[2, 3]");
    }

    @Test
    void scatterAddOutOfBoundsOrMismatched() {
        Tensor x = zeros(2, 3);
        assertMessage(fails(() -> x.scatterAdd(0, Tensor.of(new double[] {2}, 1, 1), zeros(1, 1))), "scatterAdd", "2",
                "[2, 3]");
        assertMessage(fails(() -> x.scatterAdd(0, Tensor.of(new double[] {0.5}, 1, 1), zeros(1, 1))), "scatterAdd",
                "0.5", "integer");
        assertMessage(fails(() -> x.scatterAdd(0, Tensor.zeros(1, 1), zeros(1, 2))), "scatterAdd", "[1, 1]", "[1, 2]");
        assertMessage(fails(() -> x.scatterAdd(0, Tensor.zeros(1, 1), Tensor.zeros(DType.FLOAT32, 1, 1))),
                "scatterAdd", "FLOAT64", "FLOAT32");
        assertMessage(fails(() -> x.scatterAdd(0, Tensor.zeros(1, 4), zeros(1, 4))), "scatterAdd", "[1, 4]", "[2, 3]");
    }

    // ------------------------------------------------------------ nn

    @Test
    void softmaxAxisOutOfRange() {
        assertMessage(fails(() -> zeros(2, 3).softmax(2)), "softmax", "axis 2", "[2, 3]");
        assertMessage(fails(() -> zeros(2, 3).logSoftmax(-3)), "logSoftmax", "axis -3", "[2, 3]");
    }

    @Test
    void conv2dWrongRank() {
        assertMessage(fails(() -> zeros(1, 3, 3).conv2d(zeros(1, 1, 2, 2), null)), "conv2d", "[1, 3, 3]");
        assertMessage(fails(() -> zeros(1, 1, 3, 3).conv2d(zeros(1, 2, 2), null)), "conv2d", "[1, 2, 2]");
    }

    @Test
    void conv2dChannelMismatch() {
        assertMessage(fails(() -> zeros(1, 3, 4, 4).conv2d(zeros(2, 2, 3, 3), null)), "conv2d", "[1, 3, 4, 4]",
                "[2, 2, 3, 3]");
    }

    @Test
    void conv2dGroupsNotDividing() {
        // C = 4 with groups 3; O = 3 with groups 2
        assertMessage(fails(() -> zeros(1, 4, 4, 4).conv2d(zeros(3, 1, 1, 1), null, new int[] {1, 1},
                new int[] {0, 0}, new int[] {1, 1}, 3)), "conv2d", "groups=3", "[1, 4, 4, 4]");
        assertMessage(fails(() -> zeros(1, 4, 4, 4).conv2d(zeros(3, 2, 1, 1), null, new int[] {1, 1},
                new int[] {0, 0}, new int[] {1, 1}, 2)), "conv2d", "groups=2", "[3, 2, 1, 1]");
        assertMessage(fails(() -> zeros(1, 2, 4, 4).conv2d(zeros(2, 2, 1, 1), null, new int[] {1, 1},
                new int[] {0, 0}, new int[] {1, 1}, 0)), "conv2d", "groups=0");
    }

    @Test
    void conv2dWindowLargerThanThePaddedInput() {
        assertMessage(fails(() -> zeros(1, 1, 3, 3).conv2d(zeros(1, 1, 5, 5), null)), "conv2d", "5x5", "3x3");
        // dilation 3 makes a 2x2 kernel span 4 > 3 + 0
        assertMessage(fails(() -> zeros(1, 1, 3, 3).conv2d(zeros(1, 1, 2, 2), null, new int[] {1, 1},
                new int[] {0, 0}, new int[] {3, 3}, 1)), "conv2d", "2x2", "[3, 3]");
    }

    @Test
    void conv2dBadParameters() {
        assertMessage(fails(() -> zeros(1, 1, 3, 3).conv2d(zeros(1, 1, 2, 2), null, 0, 0)), "conv2d", "stride", "0");
        assertMessage(fails(() -> zeros(1, 1, 3, 3).conv2d(zeros(1, 1, 2, 2), null, 1, -1)), "conv2d", "padding",
                "-1");
        assertMessage(fails(() -> zeros(1, 1, 3, 3).conv2d(zeros(2, 1, 2, 2), zeros(3))), "conv2d", "bias", "[2]",
                "[3]");
    }

    @Test
    void conv2dMixedDtypes() {
        Tensor x32 = Tensor.zeros(DType.FLOAT32, 1, 1, 3, 3);
        assertMessage(fails(() -> x32.conv2d(zeros(1, 1, 2, 2), null)), "conv2d", "FLOAT32", "FLOAT64");
        assertMessage(fails(() -> zeros(1, 1, 3, 3).conv2d(zeros(1, 1, 2, 2), Tensor.zeros(DType.FLOAT32, 1))),
                "conv2d", "FLOAT32", "FLOAT64");
    }

    @Test
    void poolPaddingAboveHalfTheKernel() {
        assertMessage(fails(() -> zeros(1, 1, 4, 4).maxPool2d(new int[] {2, 2}, new int[] {2, 2}, new int[] {2, 0})),
                "maxPool2d", "padding [2, 0]", "kernel [2, 2]");
        assertMessage(fails(() -> zeros(1, 1, 4, 4).avgPool2d(new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 2})),
                "avgPool2d", "padding [0, 2]", "kernel [3, 3]");
    }

    @Test
    void poolWrongRankOrWindowTooLarge() {
        assertMessage(fails(() -> zeros(4, 4).maxPool2d(2)), "maxPool2d", "[4, 4]");
        assertMessage(fails(() -> zeros(1, 4, 4).avgPool2d(2)), "avgPool2d", "[1, 4, 4]");
        assertMessage(fails(() -> zeros(1, 1, 2, 2).maxPool2d(3)), "maxPool2d", "3x3", "2x2");
        assertMessage(fails(() -> zeros(1, 1, 2, 2).avgPool2d(new int[] {0, 1}, new int[] {1, 1}, new int[] {0, 0})),
                "avgPool2d", "kernel", "[0, 1]");
        assertMessage(fails(() -> zeros(1, 1, 2, 2).maxPool2d(new int[] {1, 1}, new int[] {0, 1}, new int[] {0, 0})),
                "maxPool2d", "stride", "[0, 1]");
    }

    // ------------------------------------------------------------ engine bugs found by these tests

    @Test
    void softmaxOfAnEmptyAxisNamesSoftmaxOrReturnsAnEmptyTensor() {
        // PyTorch returns an empty tensor; an error is acceptable too, but it must name softmax
        try {
            Tensor y = zeros(2, 0).softmax(1);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 0}, y.shape());
        } catch (IllegalArgumentException e) {
            assertMessage(e, "softmax", "[2, 0]");
        }
    }

    @Test
    void logSumExpOfAnEmptyAxisNamesLogSumExpOrIsMinusInfinity() {
        // PyTorch gives -infinity (log of an empty sum); an error is acceptable too, but it must name logSumExp
        try {
            Tensor y = zeros(2, 0).logSumExp(1, false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, y.toDoubleArray());
        } catch (IllegalArgumentException e) {
            assertMessage(e, "logSumExp", "[2, 0]");
        }
    }

    @Test
    void sliceWithAHugeStepTakesTheFirstElement() {
        Tensor x = Tensor.arange(3);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0},
                x.slice(0, 0, 3, Integer.MAX_VALUE).toDoubleArray());
    }

    @Test
    void padThatOverflowsTheSizeNamesPad() {
        assertMessage(fails(() -> zeros(3).pad(new int[] {Integer.MAX_VALUE, 1}, 0)), "pad", "[3]");
    }

    @Test
    void splitSizesThatOverflowNameSplit() {
        assertMessage(fails(() -> zeros(3).split(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 5}, 0)), "split",
                "[3]");
    }

    @Test
    void conv2dWeightWithAnEmptyKernelIsRejected() {
        assertMessage(fails(() -> zeros(1, 1, 3, 3).conv2d(zeros(1, 1, 0, 1), null)), "conv2d", "[1, 1, 0, 1]");
    }

    @Test
    void conv2dHugeDilationOrPaddingNamesConv2d() {
        assertMessage(fails(() -> zeros(1, 1, 3, 3).conv2d(zeros(1, 1, 2, 2), null, new int[] {1, 1},
                new int[] {0, 0}, new int[] {Integer.MAX_VALUE, 1}, 1)), "conv2d", "dilation");
        assertMessage(fails(() -> zeros(1, 1, 3, 3).conv2d(zeros(1, 1, 2, 2), null, 1, Integer.MAX_VALUE)), "conv2d",
                "padding");
    }

    @Test
    void poolHugePaddingNamesThePool() {
        assertMessage(fails(() -> zeros(1, 1, 3, 3).maxPool2d(new int[] {2, 2}, new int[] {1, 1},
                new int[] {Integer.MAX_VALUE, 0})), "maxPool2d", "padding");
        assertMessage(fails(() -> zeros(1, 1, 3, 3).avgPool2d(new int[] {2, 2}, new int[] {1, 1},
                new int[] {0, 1 << 30})), "avgPool2d", "padding");
    }
}
