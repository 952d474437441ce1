package dev.autograd;

import java.util.List;
import java.util.Random;

/**
 * Started in JVMs of their own by {@link DeterminismTest}: runs a forward and backward pass through large
 * ops (GEMMs, long sums, convolution, pooling, softmax) and prints a fingerprint of every result's bits.
 */
public final class DeterminismProbe {

    private DeterminismProbe() {
    }

    /**
     * Prints {@code fingerprint=<hex>} for a fixed workload in both dtypes.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        long fingerprint = 17;
        for (DType dtype : DType.values()) {
            Random random = new Random(5);
            Tensor x = Tensor.randn(random, dtype, 300, 257).requiresGrad(true);
            Tensor w = Tensor.randn(random, dtype, 129, 257).requiresGrad(true);
            Tensor b = Tensor.randn(random, dtype, 129).requiresGrad(true);
            Tensor images = Tensor.randn(random, dtype, 9, 3, 17, 17).requiresGrad(true);
            Tensor kernels = Tensor.randn(random, dtype, 8, 3, 3, 3).requiresGrad(true);
            Tensor h = x.linear(w, b).tanh();
            Tensor loss = h.softmax(1).mul(h).sum().add(h.matmul(h.t()).sum(0, false).logSumExp())
                    .add(images.conv2d(kernels, null, 1, 1).relu().maxPool2d(2).sum())
                    .add(Tensor.randn(random, dtype, 1 << 20).mul(x.sum()).sum());
            loss.backward();
            for (Tensor t : List.of(loss, x.grad(), w.grad(), b.grad(), images.grad(), kernels.grad())) {
                for (double v : t.toDoubleArray()) {
                    fingerprint = fingerprint * 31 + Double.doubleToLongBits(v);
                }
            }
        }
        System.out.println("fingerprint=" + Long.toHexString(fingerprint));
    }
}
