package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Objects;

/**
 * What a recurrent layer ({@link RNN}, {@link LSTM}, {@link GRU}) returns from
 * {@code forwardWithState}: PyTorch's {@code output, h_n} (and {@code (h_n, c_n)} for an LSTM) as one value,
 * since Java has no tuples.
 *
 * <p>With {@code N} sequences of {@code T} steps, {@code L} layers and hidden size {@code H}:
 *
 * @param output the last layer's hidden state at every step, {@code [N, T, H]}: {@code output[:, t, :] = h_t}
 *               of the top layer; this is what {@link Module#forward} returns
 * @param hidden the hidden state after the last step, per layer, {@code [L, N, H]} (PyTorch's {@code h_n});
 *               {@code hidden[L - 1]} equals {@code output[:, T - 1, :]}
 * @param cell   the LSTM's cell state after the last step, per layer, {@code [L, N, H]} (PyTorch's
 *               {@code c_n}); {@code null} for {@link RNN} and {@link GRU}, which have no cell state
 */
public record RecurrentOutput(Tensor output, Tensor hidden, Tensor cell) {

    /**
     * Checks that the output and the hidden state are present.
     *
     * @param output the output sequence
     * @param hidden the final hidden states
     * @param cell   the final cell states, or {@code null}
     */
    public RecurrentOutput {
        Objects.requireNonNull(output, "RecurrentOutput: output");
        Objects.requireNonNull(hidden, "RecurrentOutput: hidden");
    }
}
