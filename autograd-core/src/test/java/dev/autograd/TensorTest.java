package dev.autograd;

import static dev.autograd.TensorAssertions.assertGrad;
import static dev.autograd.TensorAssertions.assertTensor;
import static dev.autograd.TensorAssertions.assertTensor32;
import static dev.autograd.TensorAssertions.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Creation functions, accessors, dtype conversion and toString. */
class TensorTest {

    @Test
    void ofKeepsShapeAndRowMajorValues() {
        Tensor t = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(shape(2, 3), t.shape());
        assertEquals(2, t.dim());
        assertEquals(6, t.numel());
        assertEquals(DType.FLOAT64, t.dtype());
        assertEquals(6, t.get(1, 2));
        assertEquals(2, t.get(0, 1));
        assertEquals(4, t.get(1, 0));
        assertFalse(t.requiresGrad());
        assertTrue(t.isLeaf());
        assertNull(t.grad());
        assertNull(t.gradFn());
    }

    @Test
    void ofFloatIsFloat32() {
        Tensor t = Tensor.of(new float[] {1.5f, -2f}, 2);
        assertEquals(DType.FLOAT32, t.dtype());
        assertArrayEquals(new float[] {1.5f, -2f}, t.toFloatArray());
        assertArrayEquals(new double[] {1.5, -2}, t.toDoubleArray());
        assertEquals(-2, t.get(1));
    }

    @Test
    void scalars() {
        Tensor s = Tensor.scalar(3.5);
        assertArrayEquals(shape(), s.shape());
        assertEquals(0, s.dim());
        assertEquals(1, s.numel());
        assertEquals(3.5, s.item());
        assertEquals(3.5, s.get());
        assertEquals(DType.FLOAT64, s.dtype());
        Tensor s32 = Tensor.scalar(0.25, DType.FLOAT32);
        assertEquals(DType.FLOAT32, s32.dtype());
        assertEquals(0.25, s32.item());
        // item works on any single-element tensor
        assertEquals(7, Tensor.of(new double[] {7}, 1, 1).item());
    }

    @Test
    void zerosOnesFull() {
        assertTensor(Tensor.zeros(2, 2), shape(2, 2), 0, 0, 0, 0);
        assertTensor(Tensor.ones(3), shape(3), 1, 1, 1);
        assertTensor(Tensor.full(2.5, 1, 2), shape(1, 2), 2.5, 2.5);
        assertTensor(Tensor.zeros(), shape(), 0);
        assertTensor32(Tensor.zeros(DType.FLOAT32, 2), shape(2), 0, 0);
        assertTensor32(Tensor.ones(DType.FLOAT32, 2, 1), shape(2, 1), 1, 1);
        assertTensor32(Tensor.full(DType.FLOAT32, -1.5, 3), shape(3), -1.5, -1.5, -1.5);
    }

    @Test
    void arangeAndEye() {
        assertTensor(Tensor.arange(5), shape(5), 0, 1, 2, 3, 4);
        assertTensor(Tensor.arange(0, 1, 0.25), shape(4), 0, 0.25, 0.5, 0.75);
        assertTensor(Tensor.arange(3, 0, -1), shape(3), 3, 2, 1);
        assertTensor(Tensor.eye(3), shape(3, 3), 1, 0, 0, 0, 1, 0, 0, 0, 1);
    }

    @Test
    void likeKeepsShapeAndDtype() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        assertTensor32(Tensor.zerosLike(t), shape(3, 2), 0, 0, 0, 0, 0, 0);
        assertTensor32(Tensor.onesLike(t), shape(3, 2), 1, 1, 1, 1, 1, 1);
        assertTensor(Tensor.onesLike(Tensor.scalar(9)), shape(), 1);
    }

    @Test
    void randIsSeededAndInTheUnitInterval() {
        Tensor a = Tensor.rand(new Random(42), 10, 10);
        Tensor b = Tensor.rand(new Random(42), 10, 10);
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0, "same seed, same values");
        assertNotEquals(a.toDoubleArray()[0], Tensor.rand(new Random(43), 10, 10).toDoubleArray()[0]);
        for (double v : a.toDoubleArray()) {
            assertTrue(v >= 0 && v < 1, "rand value " + v);
        }
        Tensor f = Tensor.rand(new Random(1), DType.FLOAT32, 4);
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(shape(4), f.shape());
    }

    @Test
    void randnHasZeroMeanAndUnitVariance() {
        double[] v = Tensor.randn(new Random(7), 100, 100).toDoubleArray();
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= v.length;
        double var = 0;
        for (double x : v) {
            var += (x - mean) * (x - mean);
        }
        var /= v.length;
        // 10,000 samples: the standard error of the mean is 0.01
        assertEquals(0, mean, 0.05);
        assertEquals(1, var, 0.05);
        Tensor f = Tensor.randn(new Random(1), DType.FLOAT32, 2, 2);
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(shape(2, 2), f.shape());
    }

    @Test
    void toDoubleArrayAndShapeAreCopies() {
        Tensor t = Tensor.of(new double[] {1, 2, 3}, 3);
        double[] values = t.toDoubleArray();
        values[0] = 100;
        assertEquals(1, t.get(0), "mutating the returned array must not change the tensor");
        int[] s = t.shape();
        s[0] = 99;
        assertArrayEquals(shape(3), t.shape());
        Tensor f = Tensor.of(new float[] {1, 2}, 2);
        f.toFloatArray()[0] = 50;
        assertEquals(1, f.get(0));
    }

    @Test
    void ofCopiesItsInput() {
        double[] data = {1, 2};
        Tensor t = Tensor.of(data, 2);
        data[0] = 100;
        assertEquals(1, t.get(0), "the tensor must not alias the caller's array");
    }

    @Test
    void castIsDifferentiable() {
        Tensor x = Tensor.of(new double[] {1.5, -2}, 2).requiresGrad(true);
        Tensor x32 = x.to(DType.FLOAT32);
        assertTensor32(x32, shape(2), 1.5, -2);
        Tensor back = x32.mul(2.0).to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, back.dtype());
        back.sum().backward();
        // d/dx of 2x through two casts; the grad has the leaf's dtype
        assertGrad(x, shape(2), 2, 2);
        assertEquals(DType.FLOAT64, x.grad().dtype());
    }

    @Test
    void toStringOfASmallTensor() {
        Tensor t = Tensor.of(new double[] {1.5, 2.25, -7.125, 0, 1, 2}, 2, 3);
        String s = t.toString();
        assertTrue(s.contains("[2, 3]"), s);
        assertTrue(s.toLowerCase(Locale.ROOT).contains("float64"), s);
        assertTrue(s.contains("1.5"), s);
        assertTrue(s.contains("2.25"), s);
        assertTrue(s.contains("-7.125"), s);
        assertTrue(Tensor.of(new float[] {1.5f}, 1).toString().toLowerCase(Locale.ROOT).contains("float32"));
    }

    @Test
    void toStringOfALargeTensorIsAbbreviated() {
        String s = Tensor.arange(2000).toString();
        assertTrue(s.contains("..."), s);
        assertTrue(s.contains("[2000]"), s);
        assertTrue(s.length() < 2000, () -> "toString of 2000 elements is " + s.length() + " chars long");
    }

    @Test
    void toStringOfAScalar() {
        String s = Tensor.scalar(3.5).toString();
        assertTrue(s.contains("3.5"), s);
        assertTrue(s.contains("[]"), s);
    }

    @Test
    void toStringShowsTheProducingOp() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        assertTrue(a.mul(a).toString().contains("mul"), a.mul(a).toString());
        assertTrue(a.sum().toString().contains("sum"), a.sum().toString());
    }

    @Test
    void requiresGradIsFluent() {
        Tensor t = Tensor.zeros(2);
        assertTrue(t.requiresGrad(true) == t);
        assertTrue(t.requiresGrad());
        t.requiresGrad(false);
        assertFalse(t.requiresGrad());
    }
}
