package dev.autograd.nn;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What {@link RNN}, {@link LSTM} and {@link GRU} share: the parameters, the shape contract, the loop over
 * layers and time steps. Each subclass supplies only its cell, the update of one step.
 *
 * <p><b>Shapes</b> (batch first, as PyTorch's {@code batch_first=True}): input {@code [N, T, F]} with
 * {@code N} sequences of {@code T} steps of {@code F = inputSize} features; output {@code [N, T, H]}, the top
 * layer's hidden state at every step; initial and final states {@code [L, N, H]} for {@code L = numLayers}
 * layers. Layer {@code k > 0} reads the output sequence of layer {@code k - 1}.
 *
 * <p><b>Parameters</b>, named as in PyTorch's {@code state_dict()} so that weights move between the two
 * (through {@link SafeTensors}, say) without renaming: for each layer {@code k},
 * {@code weight_ih_l{k}} {@code [G H, in_k]}, {@code weight_hh_l{k}} {@code [G H, H]} and, with bias,
 * {@code bias_ih_l{k}} and {@code bias_hh_l{k}} {@code [G H]}, where {@code G} is the number of gate blocks
 * stacked in one matrix (1 for an RNN, 4 for an LSTM, 3 for a GRU), {@code in_0 = inputSize} and
 * {@code in_k = H} above. All are initialised from {@code U(-1/sqrt(H), 1/sqrt(H))}, as PyTorch does.
 *
 * <p><b>How it is computed.</b> Only core ops ({@code linear}, {@code sigmoid}, {@code tanh}, {@code mul},
 * {@code add}, {@code slice}, {@code select}, {@code stack}), so backpropagation through time, second
 * derivatives and gradient checks come from core's autograd. Measured and left out: computing the input's
 * share of every step, {@code x_t W_ih^T + b_ih}, for all {@code T} steps in one product before the loop
 * (the classic speed-up, as in cuDNN). Each step then cuts its share out of the joint product with
 * {@code select}, whose backward writes into a zero tensor of the whole {@code [N, T, G H]} product at every
 * step; for an LSTM (32 to 64 sequences of 32 to 40 steps, 5 to 256 inputs, 32 to 128 units) the forward was
 * 5% faster at best and the backward twice as slow, so each step computes its own product. Layers above the first
 * take the steps of the layer below as they are, without stacking them and selecting them back.
 *
 * <p>Not implemented (PyTorch has them): dropout between layers, bidirectional layers, LSTM projections
 * ({@code proj_size}), time-first input, unbatched {@code [T, F]} input (use {@code x.unsqueeze(0)}).
 */
public abstract sealed class RecurrentLayer extends Module permits RNN, LSTM, GRU {

    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean hasBias;

    /**
     * Registers the parameters of every layer, drawn from {@code U(-1/sqrt(H), 1/sqrt(H))}.
     *
     * @param inputSize  features per step of the input, at least 1
     * @param hiddenSize the hidden size {@code H}, at least 1
     * @param numLayers  stacked layers, at least 1
     * @param bias       whether to learn {@code b_ih} and {@code b_hh}
     * @param gates      gate blocks per weight matrix
     * @param random     the source of the initial values
     */
    RecurrentLayer(int inputSize, int hiddenSize, int numLayers, boolean bias, int gates, Random random) {
        if (inputSize < 1 || hiddenSize < 1 || numLayers < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": inputSize, hiddenSize and numLayers must"
                    + " be positive, got inputSize=" + inputSize + ", hiddenSize=" + hiddenSize + ", numLayers=" + numLayers);
        }
        java.util.Objects.requireNonNull(random, getClass().getSimpleName() + ": the Random is null");
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.hasBias = bias;
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int k = 0; k < numLayers; k++) {
            int in = k == 0 ? inputSize : hiddenSize;
            registerParameter("weight_ih_l" + k, Init.uniform(Tensor.zeros(gates * hiddenSize, in), -bound, bound, random));
            registerParameter("weight_hh_l" + k,
                    Init.uniform(Tensor.zeros(gates * hiddenSize, hiddenSize), -bound, bound, random));
            if (bias) {
                registerParameter("bias_ih_l" + k, Init.uniform(Tensor.zeros(gates * hiddenSize), -bound, bound, random));
                registerParameter("bias_hh_l" + k, Init.uniform(Tensor.zeros(gates * hiddenSize), -bound, bound, random));
            }
        }
    }

    /**
     * One step of one layer's cell.
     *
     * @param inputPart {@code x_t W_ih^T + b_ih}, {@code [N, G H]}
     * @param h         the previous hidden state {@code [N, H]}
     * @param c         the previous cell state {@code [N, H]} (LSTM), or {@code null}
     * @param wHh       {@code W_hh} {@code [G H, H]}
     * @param bHh       {@code b_hh} {@code [G H]}, or {@code null} without bias
     * @return the new {@code {h, c}} ({@code c} is {@code null} except for an LSTM)
     */
    abstract Tensor[] cell(Tensor inputPart, Tensor h, Tensor c, Tensor wHh, Tensor bHh);

    /** @return whether the cell has a cell state besides the hidden state (LSTM) */
    boolean hasCellState() {
        return false;
    }

    /**
     * The output sequence, starting from zero states; the same as {@code forwardWithState(input).output()}.
     *
     * @param input {@code [N, T, inputSize]}
     * @return {@code [N, T, hiddenSize]}, the top layer's hidden state at every step
     * @throws IllegalArgumentException when the input is not {@code [N, T, inputSize]} with {@code N, T >= 1}
     *                                  or its dtype differs from the parameters'
     */
    @Override
    public final Tensor forward(Tensor input) {
        return run(input, null, null).output();
    }

    /**
     * The output sequence and the final states, starting from zero states.
     *
     * @param input {@code [N, T, inputSize]}
     * @return the output {@code [N, T, H]} and the final states {@code [numLayers, N, H]}
     * @throws IllegalArgumentException when the input is not {@code [N, T, inputSize]} with {@code N, T >= 1}
     *                                  or its dtype differs from the parameters'
     */
    public final RecurrentOutput forwardWithState(Tensor input) {
        return run(input, null, null);
    }

    /**
     * Runs every layer over the sequence.
     *
     * @param input {@code [N, T, inputSize]}
     * @param h0    {@code [L, N, H]} or {@code null} for zeros
     * @param c0    {@code [L, N, H]} or {@code null} for zeros (LSTM only)
     * @return the output and final states
     */
    final RecurrentOutput run(Tensor input, Tensor h0, Tensor c0) {
        java.util.Objects.requireNonNull(input, () -> describe() + ": the input is null");
        int[] s = input.shape();
        if (s.length != 3 || s[2] != inputSize || s[0] < 1 || s[1] < 1) {
            throw new IllegalArgumentException(describe() + ": input shape " + Arrays.toString(s) + " must be [N, T, "
                    + inputSize + "] (batch first: N sequences of T >= 1 steps of " + inputSize + " features)"
                    + (s.length == 2 && s[1] == inputSize ? "; for a single sequence [T, " + inputSize
                    + "] pass input.unsqueeze(0)" : ""));
        }
        DType dtype = weightIh(0).dtype();
        if (input.dtype() != dtype) {
            throw new IllegalArgumentException(describe() + ": the input is " + input.dtype() + " but the parameters are "
                    + dtype + "; convert the input with to(DType." + dtype + ") or the layer with to(DType." + input.dtype()
                    + ")");
        }
        int n = s[0];
        checkState("h0", h0, n, dtype);
        checkState("c0", c0, n, dtype);
        int length = s[1];
        // The steps of the current layer's input, kept as a list so that layers above the first read their
        // input without slicing it back out of a stacked tensor (see the class comment on select's backward).
        List<Tensor> steps = new ArrayList<>(length);
        for (int t = 0; t < length; t++) {
            steps.add(input.select(1, t));
        }
        List<Tensor> lastH = new ArrayList<>(numLayers);
        List<Tensor> lastC = new ArrayList<>(numLayers);
        for (int k = 0; k < numLayers; k++) {
            Tensor wIh = weightIh(k);
            Tensor bIh = biasIh(k);
            Tensor wHh = weightHh(k);
            Tensor bHh = biasHh(k);
            Tensor h = h0 == null ? Tensor.zeros(dtype, n, hiddenSize) : h0.select(0, k);
            Tensor c = !hasCellState() ? null : c0 == null ? Tensor.zeros(dtype, n, hiddenSize) : c0.select(0, k);
            List<Tensor> outputs = new ArrayList<>(length);
            for (int t = 0; t < length; t++) {
                Tensor[] next = cell(steps.get(t).linear(wIh, bIh), h, c, wHh, bHh);
                h = next[0];
                c = next[1];
                outputs.add(h);
            }
            steps = outputs;
            lastH.add(h);
            lastC.add(c);
        }
        Tensor x = Tensor.stack(steps, 1);
        return new RecurrentOutput(x, Tensor.stack(lastH, 0), hasCellState() ? Tensor.stack(lastC, 0) : null);
    }

    private void checkState(String name, Tensor state, int n, DType dtype) {
        if (state == null) {
            return;
        }
        int[] expected = {numLayers, n, hiddenSize};
        if (!Arrays.equals(state.shape(), expected)) {
            throw new IllegalArgumentException(describe() + ": " + name + " shape " + Arrays.toString(state.shape())
                    + " must be " + Arrays.toString(expected) + " ([numLayers, N, hiddenSize], N = the input's batch size)");
        }
        if (state.dtype() != dtype) {
            throw new IllegalArgumentException(describe() + ": " + name + " is " + state.dtype() + " but the parameters are "
                    + dtype + "; convert it with to(DType." + dtype + ")");
        }
    }

    /** @return e.g. {@code "LSTM(inputSize=3, hiddenSize=4, numLayers=2)"}, the prefix of every error message */
    final String describe() {
        return getClass().getSimpleName() + "(inputSize=" + inputSize + ", hiddenSize=" + hiddenSize + ", numLayers="
                + numLayers + ")";
    }

    /**
     * The rows of gate block {@code gate} of a stacked pre-activation {@code [N, G H]}.
     *
     * @param z    {@code [N, G H]}
     * @param gate the block index
     * @return {@code [N, H]}
     */
    final Tensor block(Tensor z, int gate) {
        return z.slice(1, gate * hiddenSize, (gate + 1) * hiddenSize, 1);
    }

    /**
     * Blocks {@code from} (included) to {@code to} (excluded) of a stacked pre-activation.
     *
     * @param z    {@code [N, G H]}
     * @param from the first block
     * @param to   the bound
     * @return {@code [N, (to - from) H]}
     */
    final Tensor blocks(Tensor z, int from, int to) {
        return z.slice(1, from * hiddenSize, to * hiddenSize, 1);
    }

    /**
     * The input-to-hidden weights of a layer.
     *
     * @param layer the layer, from 0
     * @return {@code weight_ih_l{layer}}, {@code [G H, in]}
     * @throws IllegalArgumentException when there is no such layer
     */
    public final Tensor weightIh(int layer) {
        return parameter("weight_ih_l" + checkLayer(layer));
    }

    /**
     * The hidden-to-hidden weights of a layer.
     *
     * @param layer the layer, from 0
     * @return {@code weight_hh_l{layer}}, {@code [G H, H]}
     * @throws IllegalArgumentException when there is no such layer
     */
    public final Tensor weightHh(int layer) {
        return parameter("weight_hh_l" + checkLayer(layer));
    }

    /**
     * The input-to-hidden bias of a layer.
     *
     * @param layer the layer, from 0
     * @return {@code bias_ih_l{layer}}, {@code [G H]}, or {@code null} for a layer without bias
     * @throws IllegalArgumentException when there is no such layer
     */
    public final Tensor biasIh(int layer) {
        checkLayer(layer);
        return hasBias ? parameter("bias_ih_l" + layer) : null;
    }

    /**
     * The hidden-to-hidden bias of a layer.
     *
     * @param layer the layer, from 0
     * @return {@code bias_hh_l{layer}}, {@code [G H]}, or {@code null} for a layer without bias
     * @throws IllegalArgumentException when there is no such layer
     */
    public final Tensor biasHh(int layer) {
        checkLayer(layer);
        return hasBias ? parameter("bias_hh_l" + layer) : null;
    }

    private int checkLayer(int layer) {
        if (layer < 0 || layer >= numLayers) {
            throw new IllegalArgumentException(describe() + ": there is no layer " + layer + "; layers are 0 to "
                    + (numLayers - 1));
        }
        return layer;
    }

    /** @return the number of features per step of the input */
    public final int inputSize() {
        return inputSize;
    }

    /** @return the hidden size {@code H} */
    public final int hiddenSize() {
        return hiddenSize;
    }

    /** @return the number of stacked layers */
    public final int numLayers() {
        return numLayers;
    }

    /** @return whether the layers have the biases {@code b_ih} and {@code b_hh} */
    public final boolean hasBias() {
        return hasBias;
    }

    @Override
    protected String extraRepr() {
        return "inputSize=" + inputSize + ", hiddenSize=" + hiddenSize + ", numLayers=" + numLayers + ", bias=" + hasBias;
    }
}
