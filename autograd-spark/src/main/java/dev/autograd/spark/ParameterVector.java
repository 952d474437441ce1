package dev.autograd.spark;

import dev.autograd.Tensor;
import java.util.List;

/**
 * Parameters (or gradients, or optimizer state) laid end to end in one {@code double[]}, in list order, each
 * row-major: the form in which they are broadcast and aggregated. FLOAT32 values convert to double and back
 * exactly.
 */
final class ParameterVector {

    private ParameterVector() {
    }

    static int length(List<Tensor> tensors) {
        long n = 0;
        for (Tensor t : tensors) {
            n += t.numel();
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("SparkTrainer: the model has " + n
                    + " parameter values, more than one Java array holds (" + (Integer.MAX_VALUE - 8) + ")");
        }
        return (int) n;
    }

    /** Writes the tensors' values into {@code out} from {@code offset}; returns the offset after them. */
    static int flattenInto(List<Tensor> tensors, double[] out, int offset) {
        for (Tensor t : tensors) {
            double[] v = t.toDoubleArray();
            System.arraycopy(v, 0, out, offset, v.length);
            offset += v.length;
        }
        return offset;
    }

    static double[] flatten(List<Tensor> tensors) {
        double[] out = new double[length(tensors)];
        flattenInto(tensors, out, 0);
        return out;
    }

    /**
     * The tensors' gradients laid end to end as {@link #flatten} lays their values: what a partition sends back.
     * A tensor without a gradient (unused by the loss) contributes zeros.
     */
    static double[] gradients(List<Tensor> tensors) {
        double[] out = new double[length(tensors)];
        int offset = 0;
        for (Tensor t : tensors) {
            if (t.grad() != null) {
                flattenInto(List.of(t.grad()), out, offset);
            }
            offset += t.numel();
        }
        return out;
    }

    /** Copies values from {@code flat} into the tensors, in place (call inside {@code noGrad}); returns the offset after them. */
    static int unflattenInto(double[] flat, int offset, List<Tensor> tensors) {
        for (Tensor t : tensors) {
            int n = t.numel();
            double[] v = new double[n];
            System.arraycopy(flat, offset, v, 0, n);
            t.copyFrom(Tensor.of(v, t.shape()).to(t.dtype()));
            offset += n;
        }
        return offset;
    }
}
