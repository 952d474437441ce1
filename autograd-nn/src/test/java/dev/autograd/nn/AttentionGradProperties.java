package dev.autograd.nn;

import dev.autograd.GradCheck;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * GradCheck (FLOAT64, full Jacobian against central differences) of {@link MultiheadAttention} and
 * {@link TransformerEncoderLayer} with respect to the input and every parameter, on small random sizes,
 * with and without masks; and the second-order check (gradients of the gradients) of each.
 *
 * <p>Masks never ignore key 0, so no query has every key masked (that is refused). Dropout is 0 so that the
 * function is deterministic. A check costs {@code O(n)} forward and backward passes for {@code n} input and
 * parameter elements, hence the tiny sizes and few tries.
 */
class AttentionGradProperties {

    private static final int TRIES = 12;

    /** Self-attention with an ignore key-padding mask and an additive attention mask, both random. */
    static final class MaskedSelfAttention extends Module {
        private final MultiheadAttention mha;
        private final AttentionMask padding;
        private final AttentionMask attn;
        private final boolean returnWeights;

        MaskedSelfAttention(MultiheadAttention mha, AttentionMask padding, AttentionMask attn, boolean returnWeights) {
            this.mha = registerModule("mha", mha);
            this.padding = padding;
            this.attn = attn;
            this.returnWeights = returnWeights;
        }

        @Override
        public Tensor forward(Tensor x) {
            MultiheadAttention.Result r = mha.forward(x, x, x, padding, attn, returnWeights, false);
            // The weights alone would leave out_proj unchecked: return both, flattened.
            return returnWeights ? Tensor.concat(List.of(r.output().flatten(), r.weights().flatten()), 0) : r.output();
        }
    }

    /** Cross-attention: the first {@code l} positions of the input are the queries, the rest keys and values. */
    static final class CrossAttention extends Module {
        private final MultiheadAttention mha;
        private final int l;
        private final AttentionMask padding;

        CrossAttention(MultiheadAttention mha, int l, AttentionMask padding) {
            this.mha = registerModule("mha", mha);
            this.l = l;
            this.padding = padding;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor q = x.slice(1, 0, l, 1);
            Tensor kv = x.slice(1, l, x.size(1), 1);
            return mha.forward(q, kv, kv.mul(0.5).add(0.1), padding, null, false, true).output();
        }
    }

    /** An encoder layer called with masks. */
    static final class MaskedLayer extends Module {
        private final TransformerEncoderLayer layer;
        private final AttentionMask mask;
        private final AttentionMask padding;

        MaskedLayer(TransformerEncoderLayer layer, AttentionMask mask, AttentionMask padding) {
            this.layer = registerModule("layer", layer);
            this.mask = mask;
            this.padding = padding;
        }

        @Override
        public Tensor forward(Tensor x) {
            return layer.forward(x, mask, padding);
        }
    }

    // ------------------------------------------------------------------------------------ MultiheadAttention

    @Property(tries = TRIES)
    void selfAttentionWithoutMasks(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int l,
                                   @ForAll @IntRange(min = 1, max = 2) int heads, @ForAll @IntRange(min = 1, max = 2) int headDim,
                                   @ForAll @IntRange(min = 0, max = 1000) int seed) {
        MultiheadAttention mha = new MultiheadAttention(heads * headDim, heads, new Random(seed));
        AttentionTest.perturb(mha, seed + 1);
        assertGradients(mha, NnTestSupport.randn(seed + 2, n, l, heads * headDim));
    }

    @Property(tries = TRIES)
    void selfAttentionWithPaddingAndAdditiveMasksAndItsWeights(
            @ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 2, max = 3) int l,
            @ForAll @IntRange(min = 1, max = 2) int heads, @ForAll @IntRange(min = 1, max = 2) int headDim,
            @ForAll @IntRange(min = 0, max = 1000) int seed, @ForAll boolean returnWeights) {
        Random rng = new Random(seed);
        MultiheadAttention mha = new MultiheadAttention(heads * headDim, heads, rng);
        AttentionTest.perturb(mha, seed + 1);
        Module m = new MaskedSelfAttention(mha, AttentionMask.ignore(randomIgnore(rng, n, l)),
                AttentionMask.additive(Tensor.randn(rng, l, l)), returnWeights);
        assertGradients(m, NnTestSupport.randn(seed + 2, n, l, heads * headDim));
    }

    @Property(tries = TRIES)
    void crossAttentionWithCausalStyleMaskPerSequenceAndHead(
            @ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int l,
            @ForAll @IntRange(min = 1, max = 3) int s, @ForAll @IntRange(min = 1, max = 2) int heads,
            @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Random rng = new Random(seed);
        MultiheadAttention mha = new MultiheadAttention(heads * 2, heads, rng);
        AttentionTest.perturb(mha, seed + 1);
        Module m = new CrossAttention(mha, l, AttentionMask.ignore(randomIgnore(rng, n, s)));
        assertGradients(m, NnTestSupport.randn(seed + 2, n, l + s, heads * 2));
    }

    @Property(tries = 3)
    void multiheadAttentionSecondOrder(@ForAll @IntRange(min = 0, max = 1000) int seed, @ForAll boolean masked) {
        Random rng = new Random(seed);
        MultiheadAttention mha = new MultiheadAttention(4, 2, rng);
        AttentionTest.perturb(mha, seed + 1);
        Module m = masked ? new MaskedSelfAttention(mha, AttentionMask.ignore(randomIgnore(rng, 2, 3)),
                AttentionMask.causal(3), false) : mha;
        assertSecondOrder(m, NnTestSupport.randn(seed + 2, 2, 3, 4));
    }

    // ------------------------------------------------------------------------------------ TransformerEncoderLayer

    @Property(tries = TRIES, seed = "2642481857731236302")
    void encoderLayerPreAndPostNorm(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 2, max = 3) int l,
                                    @ForAll @IntRange(min = 1, max = 2) int heads, @ForAll boolean normFirst,
                                    @ForAll boolean gelu, @ForAll boolean masked, @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Random rng = new Random(seed);
        // Width 3 per head: a layer norm over 2 features maps every row to +-gamma + beta whatever the row's
        // scale, a degenerate case.
        int d = 3 * heads;
        TransformerEncoderLayer layer = new TransformerEncoderLayer(d, heads, 4, 0.0,
                gelu ? TransformerEncoderLayer.Activation.GELU : TransformerEncoderLayer.Activation.RELU, normFirst, 1e-5, rng);
        AttentionTest.perturb(layer, seed + 1);
        Module m = masked ? new MaskedLayer(layer, AttentionMask.causal(l), AttentionMask.ignore(randomIgnore(rng, n, l))) : layer;
        Tensor x = NnTestSupport.randn(seed + 2, n, l, d);
        // With ReLU, all 4 feed-forward units can be off for every one of the n * l tokens (seen once: n = 1, l = 2,
        // seed 2): linear2.weight then has no influence at this input, which is the layer's math, not a bug, and
        // leaves nothing to check for it. Such a sample is discarded; GELU samples, never all off, keep the check.
        Assume.that(gelu || influences(m, x, m.namedParameters().keySet().stream()
                .filter(name -> name.endsWith("linear2.weight")).findFirst().orElseThrow(), new Random(99)));
        assertGradients(m, x);
    }

    @Property(tries = 2)
    void encoderLayerSecondOrder(@ForAll boolean normFirst, @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Random rng = new Random(seed);
        TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 3, 0.0, TransformerEncoderLayer.Activation.GELU,
                normFirst, 1e-5, rng);
        AttentionTest.perturb(layer, seed + 1);
        assertSecondOrder(new MaskedLayer(layer, AttentionMask.causal(3), null), NnTestSupport.randn(seed + 2, 1, 3, 4));
    }

    @Property(tries = 2)
    void encoderStackWithFinalNormAndPositionalEncoding(@ForAll @IntRange(min = 0, max = 1000) int seed) {
        Random rng = new Random(seed);
        TransformerEncoder enc = new TransformerEncoder(() -> new TransformerEncoderLayer(4, 2, 3, 0.0,
                TransformerEncoderLayer.Activation.GELU, true, 1e-5, rng), 2, new LayerNorm(4));
        AttentionTest.perturb(enc, seed + 1);
        Module m = new Sequential(new SinusoidalPositionalEncoding(5, 4), enc);
        assertGradients(m, NnTestSupport.randn(seed + 2, 2, 3, 4));
    }

    // ------------------------------------------------------------------------------------ helpers

    /** A random ignore mask {@code [n, s]} that never ignores key 0. */
    private static Tensor randomIgnore(Random rng, int n, int s) {
        double[] v = new double[n * s];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % s != 0 && rng.nextBoolean() ? 1 : 0;
        }
        return Tensor.of(v, n, s);
    }

    /**
     * GradCheck of a module as a function of its input and all its parameters. Like
     * {@link NnTestSupport#assertModuleGradients}, but the guard against a vacuous pass moves each parameter
     * in a random direction: the shared helper's uniform shift (+0.5 everywhere) is invisible behind a layer
     * norm (it shifts every feature of a row alike, which the norm subtracts), so post-norm layers failed it.
     */
    private static void assertGradients(Module module, Tensor input) {
        Check c = check(module, input);
        GradCheck.assertGradientsMatch(c.f(), c.inputs());
    }

    /** The second-order check of a module as a function of its input and all its parameters. */
    private static void assertSecondOrder(Module module, Tensor input) {
        Check c = check(module, input);
        GradCheck.assertSecondOrderGradientsMatch(c.f(), c.inputs());
    }

    private record Check(Function<Tensor[], Tensor> f, Tensor[] inputs) {
    }

    /** Whether moving parameter {@code name} by a standard-normal step changes the module's output at {@code input}. */
    private static boolean influences(Module module, Tensor input, String name, Random rng) {
        Tensor p = module.namedParameters().get(name);
        double[] base = module.functionalCall(Map.of(), input.detach()).toDoubleArray();
        Tensor moved = p.detach().add(Tensor.randn(rng, p.shape()));
        return !java.util.Arrays.equals(base, module.functionalCall(Map.of(name, moved), input.detach()).toDoubleArray());
    }

    private static Check check(Module module, Tensor input) {
        Map<String, Tensor> params = module.namedParameters();
        List<String> names = new ArrayList<>(params.keySet());
        Random rng = new Random(99);
        for (String name : names) {
            if (!influences(module, input, name, rng)) {
                throw new AssertionError("parameter '" + name + "' does not influence the output of " + module);
            }
        }
        Tensor[] inputs = new Tensor[1 + names.size()];
        inputs[0] = input.detach().requiresGrad(true);
        for (int i = 0; i < names.size(); i++) {
            inputs[i + 1] = params.get(names.get(i)).detach().requiresGrad(true);
        }
        Function<Tensor[], Tensor> f = in -> {
            Map<String, Tensor> replacements = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                replacements.put(names.get(i), in[i + 1]);
            }
            return module.functionalCall(replacements, in[0]);
        };
        return new Check(f, inputs);
    }
}
