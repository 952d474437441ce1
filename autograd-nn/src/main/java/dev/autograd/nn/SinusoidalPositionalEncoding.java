package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Arrays;

/**
 * The fixed sinusoidal positional encoding of "Attention Is All You Need" (Vaswani et al. 2017, section
 * 3.5), added to a sequence of embeddings so that attention, which is blind to order, can tell positions
 * apart:
 *
 * <pre>
 * PE(pos, 2i)     = sin(pos / 10000^(2i / dModel))
 * PE(pos, 2i + 1) = cos(pos / 10000^(2i / dModel))
 * forward(x)[n, pos, :] = x[n, pos, :] + PE(pos, :)
 * </pre>
 *
 * <p>The table {@code [maxLen, dModel]} is the buffer {@code "pe"} (saved with the model, converted by
 * {@link Module#to}, never trained). The paper also multiplies the embeddings by {@code sqrt(dModel)} before
 * adding the encoding; do that in the model if wanted. A learned positional encoding is an
 * {@link Embedding}{@code (maxLen, dModel)} looked up with the positions {@code 0..L-1}.
 */
public final class SinusoidalPositionalEncoding extends Module {

    private final int maxLen;
    private final int dModel;

    /**
     * The encoding of positions {@code 0..maxLen-1}.
     *
     * @param maxLen the longest sequence, at least 1
     * @param dModel the model width, at least 1 (odd widths get one more sine column than cosine columns)
     * @throws IllegalArgumentException when a size is not positive
     */
    public SinusoidalPositionalEncoding(int maxLen, int dModel) {
        this.maxLen = maxLen;
        this.dModel = dModel;
        registerBuffer("pe", table(maxLen, dModel));
    }

    /**
     * The table {@code PE} of the class comment.
     *
     * @param maxLen the number of positions, at least 1
     * @param dModel the width, at least 1
     * @return a FLOAT64 tensor {@code [maxLen, dModel]}
     * @throws IllegalArgumentException when a size is not positive
     */
    public static Tensor table(int maxLen, int dModel) {
        if (maxLen < 1 || dModel < 1) {
            throw new IllegalArgumentException("SinusoidalPositionalEncoding: maxLen and dModel must be positive, got "
                    + maxLen + " and " + dModel);
        }
        double[] v = new double[maxLen * dModel];
        for (int pos = 0; pos < maxLen; pos++) {
            for (int c = 0; c < dModel; c++) {
                int i2 = c - (c % 2);                          // 2i, shared by a sine and its cosine
                double angle = pos / Math.pow(10000, (double) i2 / dModel);
                v[pos * dModel + c] = c % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
            }
        }
        return Tensor.of(v, maxLen, dModel);
    }

    /**
     * Adds the encoding of positions {@code 0..L-1}.
     *
     * @param x {@code [N, L, dModel]} or {@code [L, dModel]}, with {@code L <= maxLen}
     * @return {@code x + PE[0:L]}, of {@code x}'s shape
     * @throws IllegalArgumentException when the shape does not fit or the dtype is not the table's
     */
    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if (s.length < 2 || s.length > 3 || s[s.length - 1] != dModel || s[s.length - 2] > maxLen) {
            throw new IllegalArgumentException("SinusoidalPositionalEncoding(maxLen=" + maxLen + ", dModel=" + dModel
                    + "): input shape " + Arrays.toString(s) + " must be [N, L, " + dModel + "] or [L, " + dModel
                    + "] with L <= " + maxLen);
        }
        Tensor pe = buffer("pe");
        if (pe.dtype() != x.dtype()) {
            throw new IllegalArgumentException("SinusoidalPositionalEncoding(maxLen=" + maxLen + ", dModel=" + dModel
                    + "): the input is " + x.dtype() + " but the table is " + pe.dtype()
                    + "; convert the module (or the model holding it) with to(" + x.dtype() + ")");
        }
        return x.add(pe.slice(0, 0, s[s.length - 2], 1));
    }

    /** @return the longest sequence this encoding covers */
    public int maxLen() {
        return maxLen;
    }

    @Override
    protected String extraRepr() {
        return "maxLen=" + maxLen + ", dModel=" + dModel;
    }
}
