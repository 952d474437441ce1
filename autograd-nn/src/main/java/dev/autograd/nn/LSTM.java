package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Random;

/**
 * Long short-term memory (Hochreiter and Schmidhuber 1997, with the forget gate of Gers et al. 2000), like
 * PyTorch's {@code nn.LSTM} with {@code batch_first=True}. Each layer carries a hidden state {@code h} and a
 * cell state {@code c}; at each step, with {@code sigma} the logistic sigmoid and {@code *} the element-wise
 * product:
 *
 * <pre>
 *   i_t = sigma(x_t W_ii^T + b_ii + h_{t-1} W_hi^T + b_hi)      input gate
 *   f_t = sigma(x_t W_if^T + b_if + h_{t-1} W_hf^T + b_hf)      forget gate
 *   g_t =  tanh(x_t W_ig^T + b_ig + h_{t-1} W_hg^T + b_hg)      candidate cell
 *   o_t = sigma(x_t W_io^T + b_io + h_{t-1} W_ho^T + b_ho)      output gate
 *   c_t = f_t * c_{t-1} + i_t * g_t
 *   h_t = o_t * tanh(c_t)
 * </pre>
 *
 * <p>{@code h_0} and {@code c_0} are zero unless given; layer {@code k > 0} takes layer {@code k - 1}'s
 * {@code h_t} as its {@code x_t}.
 *
 * <p><b>Why it remembers.</b> Along the cell state the Jacobian of one step is {@code dc_t/dc_{t-1} =
 * diag(f_t)} (plus terms through the gates): no weight matrix and no squashing derivative, just the forget
 * gate. A network that learns {@code f_t} near 1 keeps both the memory and its gradient over many steps,
 * where a plain {@link RNN} multiplies the gradient by {@code diag(tanh'(z)) W_hh} at every step and loses
 * it. A forget-gate bias of 1 or more at initialisation (Jozefowicz et al. 2015) helps on long sequences:
 * fill the second quarter ({@code [H, 2H)}) of {@code bias_ih_l{k}} or {@code bias_hh_l{k}}.
 *
 * <p>Parameters (see {@link RecurrentLayer}), PyTorch's names and shapes and gate order {@code i, f, g, o}:
 * {@code weight_ih_l{k}} {@code [4H, in]} is {@code W_ii; W_if; W_ig; W_io} stacked by rows,
 * {@code weight_hh_l{k}} {@code [4H, H]} is {@code W_hi; W_hf; W_hg; W_ho}, and {@code bias_ih_l{k}},
 * {@code bias_hh_l{k}} {@code [4H]} likewise; so a PyTorch state dict loads as it is. All drawn from
 * {@code U(-1/sqrt(H), 1/sqrt(H))}.
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(8, 16, 2, true, new Random(0));
 * RecurrentOutput r = lstm.forwardWithState(x, null, null);   // x: [N, T, 8]; zero initial states
 * r.output();    // [N, T, 16]
 * r.hidden();    // h_n: [2, N, 16]
 * r.cell();      // c_n: [2, N, 16]
 * }</pre>
 */
public final class LSTM extends RecurrentLayer {

    /**
     * An LSTM with all settings.
     *
     * @param inputSize  features per step of the input, at least 1
     * @param hiddenSize the hidden size {@code H}, at least 1
     * @param numLayers  stacked layers, at least 1
     * @param bias       whether to learn {@code b_ih} and {@code b_hh}
     * @param random     the source of the initial values
     * @throws IllegalArgumentException when a size is not positive
     */
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, Random random) {
        super(inputSize, hiddenSize, numLayers, bias, 4, random);
    }

    /**
     * A one-layer LSTM with biases.
     *
     * @param inputSize  features per step of the input
     * @param hiddenSize the hidden size {@code H}
     * @param random     the source of the initial values
     */
    public LSTM(int inputSize, int hiddenSize, Random random) {
        this(inputSize, hiddenSize, 1, true, random);
    }

    /**
     * The output sequence and the final hidden and cell states, from the given initial states.
     *
     * @param input {@code [N, T, inputSize]}
     * @param h0    the initial hidden states {@code [numLayers, N, H]}, or {@code null} for zeros
     * @param c0    the initial cell states {@code [numLayers, N, H]}, or {@code null} for zeros
     * @return the output {@code [N, T, H]}, {@code h_n} and {@code c_n} {@code [numLayers, N, H]}
     * @throws IllegalArgumentException when a shape or dtype does not fit
     */
    public RecurrentOutput forwardWithState(Tensor input, Tensor h0, Tensor c0) {
        return run(input, h0, c0);
    }

    @Override
    boolean hasCellState() {
        return true;
    }

    @Override
    Tensor[] cell(Tensor inputPart, Tensor h, Tensor c, Tensor wHh, Tensor bHh) {
        Tensor z = inputPart.add(h.linear(wHh, bHh));           // [N, 4H]: i, f, g, o pre-activations
        Tensor inputAndForget = blocks(z, 0, 2).sigmoid();      // one op for i and f
        Tensor i = block(inputAndForget, 0);
        Tensor f = block(inputAndForget, 1);
        Tensor g = block(z, 2).tanh();
        Tensor o = block(z, 3).sigmoid();
        Tensor cNext = f.mul(c).add(i.mul(g));
        return new Tensor[] {o.mul(cNext.tanh()), cNext};
    }
}
