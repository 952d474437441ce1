package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Objects;
import java.util.Random;

/**
 * One layer of a transformer encoder, like PyTorch's {@code nn.TransformerEncoderLayer(d_model, nhead,
 * dim_feedforward, dropout, activation, layer_norm_eps, batch_first=True, norm_first)}: self-attention and a
 * position-wise feed-forward network, each with a residual connection and a layer norm.
 *
 * <h2>The math</h2>
 * With {@code SA(x) = dropout1(MultiheadAttention(x, x, x))} and
 * {@code FF(x) = dropout2(linear2(dropout(act(linear1(x)))))}, {@code act} ReLU or GELU:
 *
 * <pre>
 * post-norm (normFirst = false, the original transformer and PyTorch's default):
 *     x = norm1(x + SA(x))
 *     x = norm2(x + FF(x))
 * pre-norm (normFirst = true, easier to train deep; Xiong et al. 2020):
 *     x = x + SA(norm1(x))
 *     x = x + FF(norm2(x))
 * </pre>
 *
 * <p>Shapes: input and output {@code [N, L, dModel]} (batch first). The masks are those of
 * {@link MultiheadAttention}: {@code srcMask} {@code [L, L]} or {@code [N * nHead, L, L]} (e.g.
 * {@link AttentionMask#causal}), {@code srcKeyPaddingMask} {@code [N, L]}.
 *
 * <p>Parameters, named as PyTorch's so that state dicts port: {@code self_attn.in_proj_weight},
 * {@code self_attn.in_proj_bias}, {@code self_attn.out_proj.weight}, {@code self_attn.out_proj.bias},
 * {@code linear1.weight}, {@code linear1.bias}, {@code linear2.weight}, {@code linear2.bias},
 * {@code norm1.weight}, {@code norm1.bias}, {@code norm2.weight}, {@code norm2.bias}. The dropouts
 * ({@code dropout} inside the feed-forward network, {@code dropout1}, {@code dropout2}, and the attention
 * weights' dropout) all use the same probability and act in training mode only.
 */
public final class TransformerEncoderLayer extends Module {

    /** The feed-forward network's activation. */
    public enum Activation {
        /** {@code max(x, 0)}, PyTorch's default. */
        RELU,
        /** The exact GELU, {@code x Phi(x)}. */
        GELU
    }

    private final int dModel;
    private final int nHead;
    private final int dimFeedforward;
    private final double dropoutP;
    private final Activation activation;
    private final boolean normFirst;
    private final double layerNormEps;
    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;

    /**
     * A post-norm layer with ReLU and layer-norm eps 1e-5, PyTorch's defaults.
     *
     * @param dModel         the model width
     * @param nHead          the number of attention heads, dividing {@code dModel}
     * @param dimFeedforward the feed-forward network's hidden width (PyTorch's default is 2048)
     * @param dropout        the dropout probability (PyTorch's default is 0.1)
     * @param random         the source of the initial values and of the dropout masks
     */
    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward, double dropout, Random random) {
        this(dModel, nHead, dimFeedforward, dropout, Activation.RELU, false, 1e-5, random);
    }

    /**
     * A layer with all settings.
     *
     * @param dModel         the model width, at least 1
     * @param nHead          the number of attention heads, dividing {@code dModel}
     * @param dimFeedforward the feed-forward network's hidden width, at least 1
     * @param dropout        the dropout probability, in {@code [0, 1)}
     * @param activation     the feed-forward network's activation
     * @param normFirst      {@code true} for pre-norm, {@code false} for post-norm (see the class comment)
     * @param layerNormEps   the layer norms' eps, positive
     * @param random         the source of the initial values and of the dropout masks
     * @throws IllegalArgumentException when a size or probability is out of range, or {@code nHead} does not
     *                                  divide {@code dModel}
     */
    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward, double dropout, Activation activation,
                                   boolean normFirst, double layerNormEps, Random random) {
        if (dModel < 1 || nHead < 1 || dimFeedforward < 1) {
            throw new IllegalArgumentException("TransformerEncoderLayer: dModel, nHead and dimFeedforward must be positive, got "
                    + dModel + ", " + nHead + ", " + dimFeedforward);
        }
        if (dModel % nHead != 0) {
            throw new IllegalArgumentException("TransformerEncoderLayer: dModel=" + dModel + " is not divisible by nHead="
                    + nHead + "; choose nHead among the divisors of " + dModel);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("TransformerEncoderLayer: dropout must be in [0, 1), got " + dropout);
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("TransformerEncoderLayer: layerNormEps must be positive, got " + layerNormEps);
        }
        this.dModel = dModel;
        this.nHead = nHead;
        this.dimFeedforward = dimFeedforward;
        this.dropoutP = dropout;
        this.activation = Objects.requireNonNull(activation, "TransformerEncoderLayer: activation");
        this.normFirst = normFirst;
        this.layerNormEps = layerNormEps;
        // Registration order as in PyTorch, so that the state dicts list the same names in the same order.
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nHead, dropout, true, random));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, random));
        this.dropout = registerModule("dropout", new Dropout(dropout, new Random(random.nextLong())));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, random));
        this.norm1 = registerModule("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.norm2 = registerModule("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, new Random(random.nextLong())));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout, new Random(random.nextLong())));
    }

    /**
     * The layer without masks.
     *
     * @param src {@code [N, L, dModel]}
     * @return {@code [N, L, dModel]}
     */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * The layer with masks; see the class comment for the formulas.
     *
     * @param src               {@code [N, L, dModel]}
     * @param srcMask           {@code [L, L]} or {@code [N * nHead, L, L]}, or {@code null}
     * @param srcKeyPaddingMask {@code [N, L]}, or {@code null}
     * @return {@code [N, L, dModel]}
     * @throws IllegalArgumentException when a shape does not fit (see {@link MultiheadAttention})
     */
    public Tensor forward(Tensor src, AttentionMask srcMask, AttentionMask srcKeyPaddingMask) {
        checkInput(src);
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttentionBlock(norm1.forward(x), srcMask, srcKeyPaddingMask));
            return x.add(feedForwardBlock(norm2.forward(x)));
        }
        x = norm1.forward(x.add(selfAttentionBlock(x, srcMask, srcKeyPaddingMask)));
        return norm2.forward(x.add(feedForwardBlock(x)));
    }

    /**
     * The weights of this layer's self-attention for input {@code src} (after {@code norm1} when pre-norm),
     * e.g. to draw an attention map. In training mode with dropout they are the dropped weights (see
     * {@link MultiheadAttention}); call {@link #eval()} first for the plain ones.
     *
     * @param src               {@code [N, L, dModel]}, this layer's input
     * @param srcMask           as in {@link #forward(Tensor, AttentionMask, AttentionMask)}
     * @param srcKeyPaddingMask as in {@link #forward(Tensor, AttentionMask, AttentionMask)}
     * @param averageHeads      average over the heads ({@code [N, L, L]}) or not ({@code [N, nHead, L, L]})
     * @return the weights; row {@code i} holds how much query {@code i} attends to each position
     */
    public Tensor attentionWeights(Tensor src, AttentionMask srcMask, AttentionMask srcKeyPaddingMask,
                                   boolean averageHeads) {
        checkInput(src);
        Tensor x = normFirst ? norm1.forward(src) : src;
        return selfAttn.forward(x, x, x, srcKeyPaddingMask, srcMask, true, averageHeads).weights();
    }

    private Tensor selfAttentionBlock(Tensor x, AttentionMask mask, AttentionMask keyPadding) {
        Tensor attended;
        try {
            attended = selfAttn.forward(x, x, x, keyPadding, mask, false, true).output();
        } catch (IllegalArgumentException e) {
            // The masks are the user's arguments to this layer: say so, keep the attention's details.
            throw new IllegalArgumentException(name() + ": " + e.getMessage(), e);
        }
        return dropout1.forward(attended);
    }

    private void checkInput(Tensor src) {
        int[] s = src.shape();
        if (s.length != 3 || s[2] != dModel) {
            throw new IllegalArgumentException(name() + ": src has shape " + java.util.Arrays.toString(s)
                    + " but must be [N, L, " + dModel + "] (batch first, dModel last)"
                    + (s.length == 2 && s[1] == dModel ? "; for a single sequence use unsqueeze(0)" : ""));
        }
    }

    private String name() {
        return "TransformerEncoderLayer(dModel=" + dModel + ", nHead=" + nHead + ")";
    }

    private Tensor feedForwardBlock(Tensor x) {
        Tensor h = linear1.forward(x);
        h = activation == Activation.RELU ? h.relu() : h.gelu();
        return dropout2.forward(linear2.forward(dropout.forward(h)));
    }

    /** @return the self-attention ({@code self_attn}) */
    public MultiheadAttention selfAttention() {
        return selfAttn;
    }

    /** @return the model width */
    public int dModel() {
        return dModel;
    }

    /** @return whether this layer is pre-norm */
    public boolean normFirst() {
        return normFirst;
    }

    @Override
    protected String extraRepr() {
        return "dModel=" + dModel + ", nHead=" + nHead + ", dimFeedforward=" + dimFeedforward + ", dropout=" + dropoutP
                + ", activation=" + activation + ", normFirst=" + normFirst + ", layerNormEps=" + layerNormEps;
    }
}
