package dev.autograd.nn;

import dev.autograd.GradCheck;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Backpropagation through time checked by GradCheck (full Jacobian against central differences, FLOAT64) for
 * {@link RNN}, {@link LSTM} and {@link GRU}: with respect to the input, the initial states and every
 * parameter, of the output sequence and the final states together, over drawn sizes (batch, 3 or 4 steps,
 * features, hidden size, one or two layers, bias on or off, with or without initial states); and a
 * second-order check (the gradients' own gradients) of each layer.
 */
class RecurrentGradProperties {

    /**
     * A recurrent layer seen as a module whose parameters include its initial states, so that
     * {@link NnTestSupport#assertModuleGradients} checks {@code h0} and {@code c0} with the weights; its
     * forward returns the output sequence, {@code h_n} and (LSTM) {@code c_n}, flattened and joined, so all
     * three outputs are checked.
     */
    static final class WithStates extends Module {
        private final RecurrentLayer layer;
        private final boolean initialState;

        WithStates(RecurrentLayer layer, int batch, boolean initialState, long seed) {
            this.layer = registerModule("rnn", layer);
            this.initialState = initialState;
            if (initialState) {
                int[] shape = {layer.numLayers(), batch, layer.hiddenSize()};
                registerParameter("h0", Tensor.randn(new Random(seed), shape).mul(0.5));
                if (layer instanceof LSTM) {
                    registerParameter("c0", Tensor.randn(new Random(seed + 1), shape));
                }
            }
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h0 = initialState ? parameter("h0") : null;
            RecurrentOutput r;
            if (layer instanceof LSTM lstm) {
                r = lstm.forwardWithState(x, h0, initialState ? parameter("c0") : null);
            } else if (layer instanceof GRU gru) {
                r = gru.forwardWithState(x, h0);
            } else {
                r = ((RNN) layer).forwardWithState(x, h0);
            }
            List<Tensor> parts = new ArrayList<>(List.of(r.output().flatten(), r.hidden().flatten()));
            if (r.cell() != null) {
                parts.add(r.cell().flatten());
            }
            return Tensor.concat(parts, 0);
        }
    }

    private static Tensor input(long seed, int n, int t, int features) {
        return Tensor.randn(new Random(seed), n, t, features);
    }

    /**
     * With relu, an element whose pre-activation sits at the kink is reported as a kink, not failed; a relu
     * unit can also be dead for the whole drawn sequence, so a parameter may not move the output, and the
     * check that every parameter influences the output is made for tanh only.
     */
    @Property(tries = 30)
    void rnnGradientsThroughTime(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 3, max = 4) int t,
                                 @ForAll @IntRange(min = 1, max = 3) int features, @ForAll @IntRange(min = 1, max = 3) int hidden,
                                 @ForAll @IntRange(min = 1, max = 2) int layers, @ForAll boolean bias,
                                 @ForAll boolean relu, @ForAll boolean initialState,
                                 @ForAll @IntRange(min = 0, max = 1_000_000) int seed) {
        RNN rnn = new RNN(features, hidden, layers, relu ? RNN.Nonlinearity.RELU : RNN.Nonlinearity.TANH, bias,
                new Random(seed));
        WithStates module = new WithStates(rnn, n, initialState, seed + 1);
        if (relu) {
            assertOrder(module, input(seed + 3, n, t, features), false);
        } else {
            NnTestSupport.assertModuleGradients(module, input(seed + 3, n, t, features), true);
        }
    }

    @Property(tries = 30)
    void lstmGradientsThroughTime(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 3, max = 4) int t,
                                  @ForAll @IntRange(min = 1, max = 3) int features, @ForAll @IntRange(min = 1, max = 3) int hidden,
                                  @ForAll @IntRange(min = 1, max = 2) int layers, @ForAll boolean bias,
                                  @ForAll boolean initialState, @ForAll @IntRange(min = 0, max = 1_000_000) int seed) {
        LSTM lstm = new LSTM(features, hidden, layers, bias, new Random(seed));
        NnTestSupport.assertModuleGradients(new WithStates(lstm, n, initialState, seed + 1), input(seed + 3, n, t, features),
                true);
    }

    @Property(tries = 30)
    void gruGradientsThroughTime(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 3, max = 4) int t,
                                 @ForAll @IntRange(min = 1, max = 3) int features, @ForAll @IntRange(min = 1, max = 3) int hidden,
                                 @ForAll @IntRange(min = 1, max = 2) int layers, @ForAll boolean bias,
                                 @ForAll boolean initialState, @ForAll @IntRange(min = 0, max = 1_000_000) int seed) {
        GRU gru = new GRU(features, hidden, layers, bias, new Random(seed));
        NnTestSupport.assertModuleGradients(new WithStates(gru, n, initialState, seed + 1), input(seed + 3, n, t, features),
                true);
    }

    // ------------------------------------------------------------------ second order

    /**
     * The second-order check of a module as a function of its input and all its parameters (here including
     * the initial states): the gradients, computed with {@code createGraph}, against finite differences of
     * the gradients.
     */
    private static void assertSecondOrder(Module module, Tensor input) {
        assertOrder(module, input, true);
    }

    /** GradCheck of the first or second order of a module as a function of its input and all its parameters. */
    private static void assertOrder(Module module, Tensor input, boolean second) {
        Map<String, Tensor> params = module.namedParameters();
        List<String> names = new ArrayList<>(params.keySet());
        Tensor[] inputs = new Tensor[1 + names.size()];
        inputs[0] = input.detach().requiresGrad(true);
        for (int i = 0; i < names.size(); i++) {
            inputs[i + 1] = params.get(names.get(i)).detach().requiresGrad(true);
        }
        java.util.function.Function<Tensor[], Tensor> f = in -> {
            Map<String, Tensor> replacements = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                replacements.put(names.get(i), in[i + 1]);
            }
            return module.functionalCall(replacements, in[0]);
        };
        if (second) {
            GradCheck.assertSecondOrderGradientsMatch(f, inputs);
        } else {
            GradCheck.assertGradientsMatch(f, inputs);
        }
    }

    @Test
    void rnnSecondOrderTanhStacked() {
        RNN rnn = new RNN(2, 2, 2, RNN.Nonlinearity.TANH, true, new Random(11));
        assertSecondOrder(new WithStates(rnn, 2, true, 12), input(13, 2, 3, 2));
    }

    @Test
    void rnnSecondOrderRelu() {
        // relu'' is 0 away from the kink: the second derivatives come from the products alone.
        RNN rnn = new RNN(2, 2, 1, RNN.Nonlinearity.RELU, true, new Random(14));
        assertSecondOrder(new WithStates(rnn, 2, true, 15), input(16, 2, 3, 2));
    }

    @Test
    void lstmSecondOrderStacked() {
        LSTM lstm = new LSTM(2, 2, 2, true, new Random(17));
        assertSecondOrder(new WithStates(lstm, 2, true, 18), input(19, 2, 3, 2));
    }

    @Test
    void gruSecondOrderStacked() {
        GRU gru = new GRU(2, 2, 2, true, new Random(20));
        assertSecondOrder(new WithStates(gru, 2, true, 21), input(22, 2, 3, 2));
    }

    @Test
    void gradientsWithoutBiasAndFromZeroStatesOverFourSteps() {
        NnTestSupport.assertModuleGradients(new WithStates(new LSTM(3, 2, 1, false, new Random(23)), 2, false, 24),
                input(25, 2, 4, 3), true);
        NnTestSupport.assertModuleGradients(new WithStates(new GRU(3, 2, 1, false, new Random(26)), 2, false, 27),
                input(28, 2, 4, 3), true);
    }
}
