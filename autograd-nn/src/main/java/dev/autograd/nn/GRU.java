package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Random;

/**
 * A gated recurrent unit (Cho et al. 2014), like PyTorch's {@code nn.GRU} with {@code batch_first=True}. At
 * each step, with {@code sigma} the logistic sigmoid and {@code *} the element-wise product:
 *
 * <pre>
 *   r_t = sigma(x_t W_ir^T + b_ir + h_{t-1} W_hr^T + b_hr)            reset gate
 *   z_t = sigma(x_t W_iz^T + b_iz + h_{t-1} W_hz^T + b_hz)            update gate
 *   n_t =  tanh(x_t W_in^T + b_in + r_t * (h_{t-1} W_hn^T + b_hn))    candidate state
 *   h_t = (1 - z_t) * n_t + z_t * h_{t-1}
 * </pre>
 *
 * <p>The reset gate multiplies {@code h_{t-1} W_hn^T + b_hn}, bias included, as in PyTorch (and cuDNN); the
 * original paper applies it to {@code h_{t-1}} before the product. {@code h_0} is zero unless given; layer
 * {@code k > 0} takes layer {@code k - 1}'s {@code h_t} as its {@code x_t}.
 *
 * <p><b>Why it remembers.</b> {@code h_t} is a convex mix of the old state and a candidate: where the update
 * gate {@code z_t} is near 1 the state is copied, {@code dh_t/dh_{t-1}} is near the identity, and the
 * gradient passes back through many steps without vanishing, as along an {@link LSTM}'s cell state.
 *
 * <p>Parameters (see {@link RecurrentLayer}), PyTorch's names and shapes and gate order {@code r, z, n}:
 * {@code weight_ih_l{k}} {@code [3H, in]} is {@code W_ir; W_iz; W_in} stacked by rows, {@code weight_hh_l{k}}
 * {@code [3H, H]} is {@code W_hr; W_hz; W_hn}, and {@code bias_ih_l{k}}, {@code bias_hh_l{k}} {@code [3H]}
 * likewise; so a PyTorch state dict loads as it is. All drawn from {@code U(-1/sqrt(H), 1/sqrt(H))}.
 *
 * <pre>{@code
 * GRU gru = new GRU(8, 16, 2, true, new Random(0));
 * RecurrentOutput r = gru.forwardWithState(x, h0);   // x: [N, T, 8], h0: [2, N, 16] or null
 * }</pre>
 */
public final class GRU extends RecurrentLayer {

    /**
     * A GRU with all settings.
     *
     * @param inputSize  features per step of the input, at least 1
     * @param hiddenSize the hidden size {@code H}, at least 1
     * @param numLayers  stacked layers, at least 1
     * @param bias       whether to learn {@code b_ih} and {@code b_hh}
     * @param random     the source of the initial values
     * @throws IllegalArgumentException when a size is not positive
     */
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, Random random) {
        super(inputSize, hiddenSize, numLayers, bias, 3, random);
    }

    /**
     * A one-layer GRU with biases.
     *
     * @param inputSize  features per step of the input
     * @param hiddenSize the hidden size {@code H}
     * @param random     the source of the initial values
     */
    public GRU(int inputSize, int hiddenSize, Random random) {
        this(inputSize, hiddenSize, 1, true, random);
    }

    /**
     * The output sequence and the final hidden states, from the given initial states.
     *
     * @param input {@code [N, T, inputSize]}
     * @param h0    the initial hidden states {@code [numLayers, N, H]}, or {@code null} for zeros
     * @return the output {@code [N, T, H]} and {@code h_n} {@code [numLayers, N, H]} ({@code cell} is {@code null})
     * @throws IllegalArgumentException when a shape or dtype does not fit
     */
    public RecurrentOutput forwardWithState(Tensor input, Tensor h0) {
        return run(input, h0, null);
    }

    @Override
    Tensor[] cell(Tensor inputPart, Tensor h, Tensor c, Tensor wHh, Tensor bHh) {
        Tensor hidden = h.linear(wHh, bHh);                                       // [N, 3H]: r, z, n parts
        Tensor resetAndUpdate = blocks(inputPart, 0, 2).add(blocks(hidden, 0, 2)).sigmoid();   // one op for r, z
        Tensor r = block(resetAndUpdate, 0);
        Tensor z = block(resetAndUpdate, 1);
        Tensor candidate = block(inputPart, 2).add(r.mul(block(hidden, 2))).tanh();
        // (1 - z) * n + z * h written as n + z * (h - n): one op fewer, the same function.
        return new Tensor[] {candidate.add(z.mul(h.sub(candidate))), null};
    }
}
