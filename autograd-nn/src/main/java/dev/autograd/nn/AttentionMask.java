package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Objects;

/**
 * A mask for the scores of {@link MultiheadAttention}, in one of PyTorch's two forms. This engine has no
 * boolean dtype, so the form is said by the factory rather than read from the tensor's dtype:
 *
 * <ul>
 *   <li>{@link #ignore(Tensor)}: PyTorch's boolean mask. A non-zero entry means "ignore": the key at that
 *       position gets no attention (its score becomes {@code -inf} before the softmax, so its weight is
 *       exactly 0).</li>
 *   <li>{@link #additive(Tensor)}: PyTorch's float mask, added to the scores before the softmax
 *       ({@code -inf} ignores a key, a finite value biases it). It is used as given, in the graph, so a learned
 *       additive bias (relative positions, ALiBi slopes) receives a gradient.</li>
 * </ul>
 *
 * <p>{@link #causal(int)} builds the mask of a decoder-style (autoregressive) self-attention: position
 * {@code i} may attend to positions {@code j <= i} only.
 */
public sealed interface AttentionMask permits AttentionMask.Ignore, AttentionMask.Additive {

    /**
     * The mask's values.
     *
     * @return the tensor, as given to the factory
     */
    Tensor values();

    /**
     * PyTorch's boolean mask: non-zero entries are ignored.
     *
     * @param mask 0 (attend) and non-zero (ignore) values, of any dtype
     * @return the mask
     */
    static AttentionMask ignore(Tensor mask) {
        return new Ignore(mask);
    }

    /**
     * PyTorch's float mask, added to the scores.
     *
     * @param mask values to add; {@code -inf} ignores a key; of the attention's dtype; NaN and {@code +inf}
     *             are refused at the forward
     * @return the mask
     */
    static AttentionMask additive(Tensor mask) {
        return new Additive(mask);
    }

    /**
     * The causal mask {@code [size, size]}: entry {@code (i, j)} ignores key {@code j} for query {@code i}
     * when {@code j > i} (the strict upper triangle), so position {@code i} sees only itself and the
     * positions before it. PyTorch's {@code nn.Transformer.generate_square_subsequent_mask(size)} in boolean
     * form.
     *
     * @param size the sequence length, at least 1
     * @return an {@link #ignore} mask
     * @throws IllegalArgumentException when {@code size < 1}
     */
    static AttentionMask causal(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("AttentionMask.causal: the size must be at least 1, got " + size);
        }
        double[] v = new double[size * size];
        for (int i = 0; i < size; i++) {
            for (int j = i + 1; j < size; j++) {
                v[i * size + j] = 1;
            }
        }
        return new Ignore(Tensor.of(v, size, size));
    }

    /**
     * A key-padding mask {@code [N, S]} from the true lengths of the sequences of a padded batch: entry
     * {@code (n, s)} ignores key {@code s} of sequence {@code n} when {@code s >= lengths[n]}.
     *
     * @param lengths the length of each sequence, each in {@code [1, maxLength]}
     * @param maxLength the padded length {@code S}
     * @return an {@link #ignore} mask
     * @throws IllegalArgumentException when a length is out of range
     */
    static AttentionMask padding(int[] lengths, int maxLength) {
        double[] v = new double[lengths.length * maxLength];
        for (int n = 0; n < lengths.length; n++) {
            if (lengths[n] < 1 || lengths[n] > maxLength) {
                throw new IllegalArgumentException("AttentionMask.padding: length " + lengths[n] + " of sequence " + n
                        + " is not in [1, " + maxLength + "]");
            }
            for (int s = lengths[n]; s < maxLength; s++) {
                v[n * maxLength + s] = 1;
            }
        }
        return new Ignore(Tensor.of(v, lengths.length, maxLength));
    }

    /**
     * A boolean mask: non-zero entries are ignored.
     *
     * @param values 0 (attend) and non-zero (ignore)
     */
    record Ignore(Tensor values) implements AttentionMask {
        /**
         * Checks that there is a tensor.
         *
         * @param values the mask
         */
        public Ignore {
            Objects.requireNonNull(values, "AttentionMask.ignore: the mask tensor is null");
        }
    }

    /**
     * A float mask added to the scores.
     *
     * @param values the values to add
     */
    record Additive(Tensor values) implements AttentionMask {
        /**
         * Checks that there is a tensor.
         *
         * @param values the mask
         */
        public Additive {
            Objects.requireNonNull(values, "AttentionMask.additive: the mask tensor is null");
        }
    }
}
