package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Locale;
import java.util.Random;

/**
 * An Elman recurrent network, like PyTorch's {@code nn.RNN} with {@code batch_first=True}: at each step
 * {@code t} each layer updates its hidden state from its input {@code x_t} and its previous state,
 *
 * <pre>
 *   h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)        act = tanh (default) or relu
 * </pre>
 *
 * <p>with rows as samples ({@code x_t} is {@code [N, in]}, {@code h_t} is {@code [N, H]}; in column-vector
 * notation {@code h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)}). {@code h_0} is zero unless given.
 * Layer {@code k > 0} takes layer {@code k - 1}'s {@code h_t} as its {@code x_t}.
 *
 * <p><b>Gradients through time.</b> Backpropagation through time multiplies, for every step the gradient
 * travels back, by the Jacobian {@code dh_t/dh_{t-1} = diag(act'(z_t)) W_hh}. Over {@code T} steps that is a
 * product of {@code T} such matrices: when their norms are below 1 (tanh' is at most 1, and small weights)
 * the gradient of the loss with respect to early steps shrinks geometrically, it vanishes, and the network
 * cannot learn to use what it saw long ago; above 1 it grows geometrically, it explodes (clip it with
 * {@link GradClip#clipGradNorm}). {@link LSTM} and {@link GRU} add a path through time whose Jacobian is
 * a gate the network can hold near 1.
 *
 * <p>Parameters (see {@link RecurrentLayer}): {@code weight_ih_l{k}} {@code [H, in]}, {@code weight_hh_l{k}}
 * {@code [H, H]}, {@code bias_ih_l{k}} and {@code bias_hh_l{k}} {@code [H]}, PyTorch's names and shapes, so
 * a PyTorch state dict loads as it is. All drawn from {@code U(-1/sqrt(H), 1/sqrt(H))}.
 *
 * <pre>{@code
 * RNN rnn = new RNN(8, 16, 2, RNN.Nonlinearity.TANH, true, new Random(0));
 * RecurrentOutput r = rnn.forwardWithState(x);     // x: [N, T, 8]
 * r.output();                                      // [N, T, 16]
 * r.hidden();                                      // [2, N, 16], the last step of each layer
 * }</pre>
 */
public final class RNN extends RecurrentLayer {

    /** The activation of an {@link RNN}'s update. */
    public enum Nonlinearity {
        /** {@code tanh}, PyTorch's default. */
        TANH,
        /** {@code relu}: no saturation, but nothing bounds the state, so gradients explode more easily. */
        RELU
    }

    private final Nonlinearity nonlinearity;

    /**
     * An RNN with all settings.
     *
     * @param inputSize    features per step of the input, at least 1
     * @param hiddenSize   the hidden size {@code H}, at least 1
     * @param numLayers    stacked layers, at least 1
     * @param nonlinearity {@code TANH} or {@code RELU}
     * @param bias         whether to learn {@code b_ih} and {@code b_hh}
     * @param random       the source of the initial values
     * @throws IllegalArgumentException when a size is not positive
     */
    public RNN(int inputSize, int hiddenSize, int numLayers, Nonlinearity nonlinearity, boolean bias, Random random) {
        super(inputSize, hiddenSize, numLayers, bias, 1, random);
        this.nonlinearity = java.util.Objects.requireNonNull(nonlinearity, "RNN: the nonlinearity is null");
    }

    /**
     * A one-layer tanh RNN with biases.
     *
     * @param inputSize  features per step of the input
     * @param hiddenSize the hidden size {@code H}
     * @param random     the source of the initial values
     */
    public RNN(int inputSize, int hiddenSize, Random random) {
        this(inputSize, hiddenSize, 1, Nonlinearity.TANH, true, random);
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
        Tensor z = inputPart.add(h.linear(wHh, bHh));
        return new Tensor[] {nonlinearity == Nonlinearity.TANH ? z.tanh() : z.relu(), null};
    }

    /** @return the activation of the update */
    public Nonlinearity nonlinearity() {
        return nonlinearity;
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", nonlinearity=" + nonlinearity.name().toLowerCase(Locale.ROOT);
    }
}
