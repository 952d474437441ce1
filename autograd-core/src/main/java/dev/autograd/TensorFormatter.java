package dev.autograd;

import dev.autograd.internal.kernel.Kernels;
import java.util.Locale;

/**
 * Prints tensors the way NumPy and PyTorch do: nested brackets, values right-aligned to a common width
 * with 4 decimals (scientific notation when magnitudes call for it), and tensors of more than
 * {@value #THRESHOLD} elements summarised with {@code ...} keeping {@value #EDGE} items at each edge.
 */
final class TensorFormatter {

    static final int THRESHOLD = 1000;
    static final int EDGE = 3;
    private static final String PREFIX = "tensor(";

    private TensorFormatter() {
    }

    static String format(Tensor t) {
        int[] shape = t.shapeRef();
        Object array = t.storage.array;
        boolean summarise = t.numel() > THRESHOLD;
        boolean scientific = needsScientific(array);
        int width = 0;
        int n = t.numel();
        for (int i = 0; i < n; i++) {
            width = Math.max(width, number(Kernels.get(array, i), scientific).length());
        }
        StringBuilder sb = new StringBuilder(PREFIX);
        if (shape.length == 0) {
            sb.append(number(Kernels.get(array, 0), scientific));
        } else if (n == 0) {
            // No values: the shape says it all (walking 10^10 empty rows would not end).
            sb.append("[]");
        } else {
            appendAxis(sb, array, shape, 0, 0, width, scientific, summarise);
        }
        sb.append(", shape=").append(Shapes.format(shape)).append(", dtype=").append(t.dtype());
        if (t.name() != null) {
            sb.append(", name=").append(t.name());
        }
        if (t.gradFn != null) {
            sb.append(", gradFn=").append(t.gradFn.name());
        } else if (t.requiresGrad) {
            sb.append(", requiresGrad=true");
        }
        return sb.append(')').toString();
    }

    private static void appendAxis(StringBuilder sb, Object array, int[] shape, int axis, int offset, int width,
                                   boolean scientific, boolean summarise) {
        int extent = shape[axis];
        int stride = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            stride *= shape[d];
        }
        boolean last = axis == shape.length - 1;
        String indent = " ".repeat(PREFIX.length() + axis + 1);
        String separator = last ? ", " : "," + "\n".repeat(shape.length - axis - 1) + indent;
        sb.append('[');
        for (int i = 0; i < extent; i++) {
            if (summarise && extent > 2 * EDGE && i == EDGE) {
                sb.append("...").append(separator);
                i = extent - EDGE;
            }
            if (last) {
                String s = number(Kernels.get(array, offset + i), scientific);
                sb.append(" ".repeat(width - s.length())).append(s);
            } else {
                appendAxis(sb, array, shape, axis + 1, offset + i * stride, width, scientific, summarise);
            }
            if (i < extent - 1) {
                sb.append(separator);
            }
        }
        sb.append(']');
    }

    private static boolean needsScientific(Object array) {
        // Fixed notation unless it would print only zeros or overflow the column: a tensor whose largest
        // magnitude is tiny or huge. Small entries next to large ones print as 0.0000, as in NumPy.
        double max = 0;
        for (int i = 0, n = Kernels.length(array); i < n; i++) {
            double v = Math.abs(Kernels.get(array, i));
            if (Double.isFinite(v)) {
                max = Math.max(max, v);
            }
        }
        return max >= 1e8 || (max > 0 && max < 1e-4);
    }

    private static String number(double v, boolean scientific) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, scientific ? "%.4e" : "%.4f", v);
    }
}
