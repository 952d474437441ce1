package dev.autograd;

import static dev.autograd.TensorAssertions.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The names added for PyTorch users (issue 14): nested-array creation, linspace, size(axis), the one-axis
 * reductions without keepDim, square and clone. Values and gradients are computed by hand in the comments.
 */
class TorchNamesTest {

    @Nested
    class NestedArrays {

        @Test
        void rowsBecomeAMatrix() {
            Tensor m = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
            assertArrayEquals(new int[] {2, 3}, m.shape());
            assertEquals(DType.FLOAT64, m.dtype());
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, m.toDoubleArray());
            assertEquals(6, m.get(1, 2));
        }

        @Test
        void theValuesAreCopied() {
            double[][] rows = {{1, 2}, {3, 4}};
            Tensor m = Tensor.of(rows);
            rows[0][0] = 99;
            assertEquals(1, m.get(0, 0));
        }

        @Test
        void floatRowsGiveFloat32() {
            Tensor m = Tensor.of(new float[][] {{1.5f}, {-2}});
            assertArrayEquals(new int[] {2, 1}, m.shape());
            assertEquals(DType.FLOAT32, m.dtype());
            assertArrayEquals(new float[] {1.5f, -2}, m.toFloatArray());
        }

        @Test
        void blocksBecomeA3dTensor() {
            Tensor t = Tensor.of(new double[][][] {{{1, 2}, {3, 4}, {5, 6}}, {{7, 8}, {9, 10}, {11, 12}}});
            assertArrayEquals(new int[] {2, 3, 2}, t.shape());
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, t.toDoubleArray());
            assertEquals(10, t.get(1, 1, 1));
            Tensor f = Tensor.of(new float[][][] {{{1}}, {{2}}});
            assertArrayEquals(new int[] {2, 1, 1}, f.shape());
            assertEquals(DType.FLOAT32, f.dtype());
        }

        @Test
        void aFlatArrayWithoutAShapeIsRefusedWithTheFix() {
            // torch.tensor([1, 2, 3]) is a vector; here the shape follows the data, and none means 0-d
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[] {1, 2, 3})),
                    "of", "3 values", "shape []", "of(data, 3)");
            assertArrayEquals(new int[] {3}, Tensor.of(new double[] {1, 2, 3}, 3).shape());
        }

        @Test
        void emptyRowsAndNoRowsAreFine() {
            assertArrayEquals(new int[] {2, 0}, Tensor.of(new double[][] {{}, {}}).shape());
            assertArrayEquals(new int[] {0, 0}, Tensor.of(new double[0][]).shape());
            assertArrayEquals(new int[] {2, 0, 0}, Tensor.of(new double[][][] {{}, {}}).shape());
            assertArrayEquals(new int[] {1, 2, 0}, Tensor.of(new float[][][] {{{}, {}}}).shape());
            assertArrayEquals(new int[] {0, 0, 0}, Tensor.of(new double[0][][]).shape());
        }

        @Test
        void raggedRowsAreRefusedNamingTheRowAndLengths() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.of(new double[][] {{1, 2}, {3, 4}, {5, 6, 7}}));
            assertMessage(e, "of", "ragged", "row 2 has 3 values", "row 0 has 2");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[][] {{1}, {}})),
                    "of", "row 1 has 0 values", "row 0 has 1");
        }

        @Test
        void raggedBlocksAreRefusedNamingTheBlockOrRow() {
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> Tensor.of(new double[][][] {{{1}, {2}}, {{3}}})), "of", "block 1 has 1 rows", "block 0 has 2");
            // the second block's rows are longer than the first block's
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> Tensor.of(new double[][][] {{{1, 2}}, {{3, 4, 5}}})), "of", "row [1][0] has 3 values",
                    "row [0][0] has 2");
            // ragged inside one block
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> Tensor.of(new float[][][] {{{1, 2}, {3}}})), "of", "row [0][1] has 1 values", "row [0][0] has 2");
        }

        @Test
        void nullRowsAreRefusedNamingThem() {
            assertMessage(assertThrows(NullPointerException.class, () -> Tensor.of((double[][]) null)), "of", "rows");
            assertMessage(assertThrows(NullPointerException.class, () -> Tensor.of(new double[][] {{1}, null})),
                    "of", "row 1 is null");
            assertMessage(assertThrows(NullPointerException.class, () -> Tensor.of(new double[][][] {{{1}}, {null}})),
                    "of", "row [1][0] is null");
            assertMessage(assertThrows(NullPointerException.class, () -> Tensor.of(new float[][][] {null})),
                    "of", "block 0 is null");
        }
    }

    @Nested
    class Linspace {

        @Test
        void evenlySpacedWithBothEndsIncluded() {
            // (end - start) / (steps - 1) = (1 - 0) / 4 = 0.25
            assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, Tensor.linspace(0, 1, 5).toDoubleArray());
            assertArrayEquals(new double[] {3, 1, -1}, Tensor.linspace(3, -1, 3).toDoubleArray());
            assertArrayEquals(new int[] {5}, Tensor.linspace(0, 1, 5).shape());
        }

        @Test
        void theLastValueIsExactlyTheEnd() {
            // 0.1 * 9 is not 0.9 in binary floating point; the last value is end itself
            Tensor t = Tensor.linspace(0, 0.9, 10);
            assertEquals(0.9, t.get(9));
            assertEquals(0.1, t.get(1), 1e-15);
        }

        @Test
        void oneStepIsTheStartAndZeroStepsIsEmpty() {
            assertArrayEquals(new double[] {2}, Tensor.linspace(2, 7, 1).toDoubleArray());
            assertArrayEquals(new int[] {0}, Tensor.linspace(2, 7, 0).shape());
        }

        @Test
        void badArgumentsAreRefusedNamingLinspace() {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.linspace(0, 1, -1)), "linspace", "-1");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.linspace(Double.NaN, 1, 3)),
                    "linspace", "NaN");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> Tensor.linspace(0, Double.POSITIVE_INFINITY, 3)), "linspace", "Infinity");
        }
    }

    @Nested
    class Size {

        @Test
        void theExtentOfOneAxisNegativeFromTheEnd() {
            Tensor t = Tensor.zeros(2, 3, 4);
            assertEquals(2, t.size(0));
            assertEquals(4, t.size(2));
            assertEquals(4, t.size(-1));
            assertEquals(2, t.size(-3));
        }

        @Test
        void anAxisOutOfRangeIsRefusedNamingSize() {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).size(2)),
                    "size", "axis 2", "[2, 3]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).size(-3)),
                    "size", "axis -3");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1).size(0)),
                    "size", "0-d");
        }
    }

    @Nested
    class OneAxisReductions {

        // x = [[1, 5, 3], [4, 2, 6]]
        private final Tensor x = Tensor.of(new double[][] {{1, 5, 3}, {4, 2, 6}});

        @Test
        void sumAndMeanDropTheAxis() {
            assertArrayEquals(new double[] {5, 7, 9}, x.sum(0).toDoubleArray());
            assertArrayEquals(new int[] {3}, x.sum(0).shape());
            assertArrayEquals(new double[] {9, 12}, x.sum(-1).toDoubleArray());
            assertArrayEquals(new double[] {3, 4}, x.mean(1).toDoubleArray());
            assertArrayEquals(new int[] {2}, x.mean(1).shape());
        }

        @Test
        void extremaAndTheirIndicesDropTheAxis() {
            assertArrayEquals(new double[] {4, 5, 6}, x.max(0).toDoubleArray());
            assertArrayEquals(new double[] {5, 6}, x.max(1).toDoubleArray());
            assertArrayEquals(new double[] {1, 2}, x.min(-1).toDoubleArray());
            assertArrayEquals(new double[] {1, 2}, x.argmax(1).toDoubleArray());
            assertArrayEquals(new double[] {0, 1}, x.argmin(1).toDoubleArray());
            assertArrayEquals(new double[] {1, 0, 1}, x.argmax(0).toDoubleArray());
            assertArrayEquals(new int[] {3}, x.argmin(0).shape());
            assertFalse(x.requiresGrad() || x.argmax(0).requiresGrad());
        }

        @Test
        void logSumExpVarAndStdDropTheAxis() {
            // logSumExp of [0, ln 3] = ln(1 + 3) = ln 4
            Tensor l = Tensor.of(new double[][] {{0, Math.log(3)}}).logSumExp(1);
            assertArrayEquals(new int[] {1}, l.shape());
            assertEquals(Math.log(4), l.item(), 1e-15);
            // rows [1, 5, 3] and [4, 2, 6]: means 3 and 4, squared deviations 4+4+0 = 8 and 0+4+4 = 8, / (3 - 1) = 4
            assertArrayEquals(new double[] {4, 4}, x.var(1).toDoubleArray(), 1e-15);
            assertArrayEquals(new double[] {2, 2}, x.std(-1).toDoubleArray(), 1e-15);
            assertArrayEquals(new int[] {3}, x.var(0).shape());
        }

        @Test
        void eachEqualsItsKeepDimFalseForm() {
            Tensor t = Tensor.randn(new java.util.Random(7), 3, 4, 2);
            for (int axis = -3; axis < 3; axis++) {
                assertArrayEquals(t.sum(axis, false).toDoubleArray(), t.sum(axis).toDoubleArray());
                assertArrayEquals(t.mean(axis, false).toDoubleArray(), t.mean(axis).toDoubleArray());
                assertArrayEquals(t.max(axis, false).toDoubleArray(), t.max(axis).toDoubleArray());
                assertArrayEquals(t.min(axis, false).toDoubleArray(), t.min(axis).toDoubleArray());
                assertArrayEquals(t.logSumExp(axis, false).toDoubleArray(), t.logSumExp(axis).toDoubleArray());
                assertArrayEquals(t.var(axis, false).toDoubleArray(), t.var(axis).toDoubleArray());
                assertArrayEquals(t.std(axis, false).toDoubleArray(), t.std(axis).toDoubleArray());
                assertArrayEquals(t.argmax(axis, false).toDoubleArray(), t.argmax(axis).toDoubleArray());
                assertArrayEquals(t.argmin(axis, false).toDoubleArray(), t.argmin(axis).toDoubleArray());
                assertArrayEquals(t.sum(axis, false).shape(), t.sum(axis).shape());
            }
        }

        @Test
        void gradientsOfTheDroppedAxisForms() {
            Tensor a = Tensor.of(new double[][] {{1, 5, 3}, {4, 2, 6}}).requiresGrad(true);
            // d sum(a, 1)[i] / d a[i, j] = 1, weighted by the upstream [1, 2]
            a.sum(1).mul(Tensor.of(new double[] {1, 2}, 2)).sum().backward();
            assertArrayEquals(new double[] {1, 1, 1, 2, 2, 2}, a.grad().toDoubleArray());
            a.zeroGrad();
            // max along axis 0 is [4, 5, 6] taken from a[1,0], a[0,1], a[1,2]
            a.max(0).sum().backward();
            assertArrayEquals(new double[] {0, 1, 0, 1, 0, 1}, a.grad().toDoubleArray());
            a.zeroGrad();
            // mean along axis 0: 1/2 to every element
            a.mean(0).sum().backward();
            assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, a.grad().toDoubleArray());
        }

        @Test
        void badAxesAreRefusedNamingTheOp() {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x.sum(2)), "sum", "axis 2", "[2, 3]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x.mean(-3)), "mean", "axis -3");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x.max(5)), "max", "axis 5");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x.min(5)), "min", "axis 5");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x.argmax(2)), "argmax", "axis 2");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x.argmin(2)), "argmin", "axis 2");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x.logSumExp(2)), "logSumExp", "axis 2");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x.var(2)), "var", "axis 2");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x.std(2)), "std", "axis 2");
        }
    }

    @Nested
    class Square {

        @Test
        void valuesAndGradient() {
            // x = [-3, 0.5, 2]: x^2 = [9, 0.25, 4]; d x^2 / dx = 2x = [-6, 1, 4], times upstream [1, 2, 3] = [-6, 2, 12]
            Tensor x = Tensor.of(new double[] {-3, 0.5, 2}, 3).requiresGrad(true);
            Tensor y = x.square();
            assertArrayEquals(new double[] {9, 0.25, 4}, y.toDoubleArray());
            y.backward(Tensor.of(new double[] {1, 2, 3}, 3));
            assertArrayEquals(new double[] {-6, 2, 12}, x.grad().toDoubleArray());
        }

        @Test
        void secondDerivativeIsTwo() {
            Tensor x = Tensor.of(new double[] {-1, 4}, 2).requiresGrad(true);
            Tensor g = Autograd.grad(java.util.List.of(x.square().sum()), java.util.List.of(x), null, true, true).get(0);
            assertArrayEquals(new double[] {-2, 8}, g.toDoubleArray());
            g.sum().backward();
            assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
        }

        @Test
        void float32StaysFloat32() {
            Tensor y = Tensor.of(new float[] {1.5f, -2}, 2).square();
            assertEquals(DType.FLOAT32, y.dtype());
            assertArrayEquals(new float[] {2.25f, 4}, y.toFloatArray());
        }
    }

    @Nested
    class Clone {

        @Test
        void aCopyWithStorageOfItsOwn() {
            Tensor x = Tensor.of(new double[][] {{1, 2}, {3, 4}});
            Tensor c = x.clone();
            assertNotSame(x, c);
            assertArrayEquals(x.shape(), c.shape());
            assertArrayEquals(x.toDoubleArray(), c.toDoubleArray());
            c.fill(7);
            assertArrayEquals(new double[] {1, 2, 3, 4}, x.toDoubleArray());
            x.fill(0);
            assertArrayEquals(new double[] {7, 7, 7, 7}, c.toDoubleArray());
        }

        @Test
        void differentiableUnlikeDetach() {
            // y = clone(x) * [2, 3]: dy/dx = [2, 3]
            Tensor x = Tensor.of(new double[] {1, -1}, 2).requiresGrad(true);
            Tensor c = x.clone();
            assertTrue(c.requiresGrad());
            assertFalse(c.isLeaf());
            assertEquals("copy", c.gradFn().name());
            c.mul(Tensor.of(new double[] {2, 3}, 2)).sum().backward();
            assertArrayEquals(new double[] {2, 3}, x.grad().toDoubleArray());
            assertFalse(x.detach().requiresGrad());
        }

        @Test
        void keepsTheDtype() {
            assertEquals(DType.FLOAT32, Tensor.of(new float[] {1}, 1).clone().dtype());
        }
    }

    @Nested
    class NoViewNeeded {

        @Test
        void reshapeNeverCopiesSoItIsAlreadyTorchsView() {
            // Storage is always dense and row-major here, so reshape shares it: what torch's view guarantees.
            Tensor x = Tensor.arange(6);
            assertSame(x.storage, x.reshape(2, 3).storage);
            assertSame(x.storage, x.reshape(3, -1).flatten().storage);
            // and a transposed tensor is a fresh dense copy, so reshaping it shares that copy's storage
            Tensor t = x.reshape(2, 3).t();
            assertSame(t.storage, t.reshape(6).storage);
        }
    }
}
