package dev.autograd.nn;

import dev.autograd.Autograd;
import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017, "Attention Is All You Need"), like PyTorch's
 * {@code nn.MultiheadAttention(embed_dim, num_heads, dropout, bias, batch_first=True)}, built from core ops
 * only, so that its gradients, second derivatives and gradient checks come from the engine.
 *
 * <h2>The math</h2>
 * With {@code E = embedDim}, {@code h = numHeads} heads of size {@code d = E / h}, a query {@code [N, L, E]}
 * and keys and values {@code [N, S, E]}:
 *
 * <pre>
 * Q = query W_q^T + b_q,   K = key W_k^T + b_k,   V = value W_v^T + b_v            (in_proj_weight = [W_q; W_k; W_v])
 * for each head i (columns i*d .. (i+1)*d - 1 of Q, K, V):
 *     A_i    = softmax(Q_i K_i^T / sqrt(d) + M)          [N, L, S], softmax over the keys (last axis)
 *     head_i = dropout(A_i) V_i                           [N, L, d]
 * output = concat(head_1, ..., head_h) W_o^T + b_o        [N, L, E]    (out_proj)
 * </pre>
 *
 * <p>{@code M} is the sum of the attention mask ({@code [L, S]}, shared by the batch, or
 * {@code [N * h, L, S]}, one per sequence and head as in PyTorch) and the key-padding mask ({@code [N, S]},
 * one per sequence, the same for every query), each in either form of {@link AttentionMask}: an
 * {@linkplain AttentionMask#ignore ignore} mask contributes {@code -inf} where it is non-zero and 0
 * elsewhere; an {@linkplain AttentionMask#additive additive} mask contributes its values. An ignored key
 * gets weight exactly 0, and no gradient flows through its score.
 *
 * <h2>Fully masked rows are refused</h2>
 * When every key of some query is ignored, the softmax of a row of {@code -inf} is {@code 0/0}: PyTorch
 * returns NaN there (which then spreads through the loss). This layer refuses such masks instead, with an
 * {@link IllegalArgumentException} naming the sequence, the head and the query position, so that the bug
 * (typically left padding combined with a causal mask, or a sequence of length 0) is found where it is made.
 * Where such rows are wanted (padded queries whose outputs are ignored anyway), use an additive mask with a
 * large finite negative value such as {@code -1e9} instead of {@code -inf}: a constant added to every score of a
 * row cancels in the softmax, so a fully masked row gets finite weights (those it would have without the mask,
 * up to rounding), while in a partly masked row the masked keys still get weight 0 in floating point.
 *
 * <h2>Parameters, as PyTorch names them (state dicts port both ways)</h2>
 * {@code in_proj_weight [3E, E]} (Xavier uniform), {@code in_proj_bias [3E]} (zeros), {@code out_proj.weight
 * [E, E]} ({@link Linear}'s default) and {@code out_proj.bias [E]} (zeros); without bias, only the two
 * weights. Keys and values of another width than {@code E} (PyTorch's {@code kdim}, {@code vdim}),
 * {@code add_bias_kv} and {@code add_zero_attn} are not supported. Inputs are always batch first.
 *
 * <h2>Dropout</h2>
 * In training mode, with {@code dropout > 0}, the attention weights are dropped (inverted dropout, see
 * {@link Dropout}) before they multiply the values, as in PyTorch; the weights returned by
 * {@link #forward(Tensor, Tensor, Tensor, AttentionMask, AttentionMask, boolean, boolean)} are those
 * dropped weights, as PyTorch's are. The dropout module is the child {@code "dropout"}, which holds no state.
 */
public final class MultiheadAttention extends Module {

    private final int embedDim;
    private final int numHeads;
    private final int headDim;
    private final boolean hasBias;
    private final Linear outProj;
    private final Dropout dropout;

    /**
     * The attention's output and, when asked for, its weights.
     *
     * @param output  {@code [N, L, E]}
     * @param weights {@code [N, L, S]} (averaged over the heads) or {@code [N, numHeads, L, S]} (per head), or
     *                {@code null} when not asked for
     */
    public record Result(Tensor output, Tensor weights) {
    }

    /**
     * Attention with biases and without dropout.
     *
     * @param embedDim the model width {@code E}
     * @param numHeads the number of heads, dividing {@code E}
     * @param random   the source of the initial values
     */
    public MultiheadAttention(int embedDim, int numHeads, Random random) {
        this(embedDim, numHeads, 0.0, true, random);
    }

    /**
     * Attention with all settings.
     *
     * @param embedDim the model width {@code E}, at least 1
     * @param numHeads the number of heads {@code h}, at least 1, dividing {@code E}
     * @param dropout  the probability of dropping an attention weight in training mode, in {@code [0, 1)}
     * @param bias     whether the projections have biases ({@code in_proj_bias}, {@code out_proj.bias})
     * @param random   the source of the initial values and of the dropout masks
     * @throws IllegalArgumentException when a size is not positive, {@code h} does not divide {@code E}, or
     *                                  the dropout probability is outside {@code [0, 1)}
     */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, Random random) {
        if (embedDim < 1 || numHeads < 1) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim and numHeads must be positive, got embedDim="
                    + embedDim + ", numHeads=" + numHeads);
        }
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim=" + embedDim + " is not divisible by numHeads="
                    + numHeads + "; each head takes embedDim / numHeads columns. Choose numHeads among the divisors of "
                    + embedDim);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1), got " + dropout);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.headDim = embedDim / numHeads;
        this.hasBias = bias;
        registerParameter("in_proj_weight", Init.xavierUniform(Tensor.zeros(3 * embedDim, embedDim), 1, random));
        if (bias) {
            registerParameter("in_proj_bias", Tensor.zeros(3 * embedDim));
        }
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, random));
        if (bias) {
            Init.zeros(outProj.bias());
        }
        this.dropout = registerModule("dropout", new Dropout(dropout, new Random(random.nextLong())));
    }

    /**
     * Self-attention without masks: {@code forward(x, x, x)}.
     *
     * @param x {@code [N, L, E]}
     * @return {@code [N, L, E]}
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, null, false, true).output();
    }

    /**
     * Attention without masks.
     *
     * @param query {@code [N, L, E]}
     * @param key   {@code [N, S, E]}
     * @param value {@code [N, S, E]}
     * @return {@code [N, L, E]}
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value) {
        return forward(query, key, value, null, null, false, true).output();
    }

    /**
     * Attention with masks, and the weights when asked for: PyTorch's
     * {@code forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights)}
     * with batch-first inputs. See the class comment for the formulas.
     *
     * @param query          {@code [N, L, E]}
     * @param key            {@code [N, S, E]}
     * @param value          {@code [N, S, E]}
     * @param keyPaddingMask {@code [N, S]}: keys to ignore in each sequence (padding), or {@code null}
     * @param attnMask       {@code [L, S]} or {@code [N * numHeads, L, S]}: keys each query may not attend to
     *                       (e.g. {@link AttentionMask#causal}), or {@code null}
     * @param needWeights    whether to return the attention weights
     * @param averageWeights whether the weights are averaged over the heads ({@code [N, L, S]}) or returned
     *                       per head ({@code [N, numHeads, L, S]})
     * @return the output {@code [N, L, E]} and the weights or {@code null}
     * @throws IllegalArgumentException when a shape or dtype does not fit (the message names the layer and the
     *                                  shapes), or some query has every key masked (see the class comment)
     */
    public Result forward(Tensor query, Tensor key, Tensor value, AttentionMask keyPaddingMask, AttentionMask attnMask,
                          boolean needWeights, boolean averageWeights) {
        checkInputs(query, key, value);
        int n = query.size(0);
        int l = query.size(1);
        int s = key.size(1);
        Tensor w = parameter("in_proj_weight");
        Tensor b = hasBias ? parameter("in_proj_bias") : null;
        Tensor q;
        Tensor k;
        Tensor v;
        if (query == key && key == value) {
            // Self-attention: one [N*L, E] x [E, 3E] product instead of three.
            List<Tensor> qkv = query.linear(w, b).chunk(3, -1);
            q = qkv.get(0);
            k = qkv.get(1);
            v = qkv.get(2);
        } else {
            q = query.linear(rows(w, 0), rows(b, 0));
            k = key.linear(rows(w, 1), rows(b, 1));
            v = value.linear(rows(w, 2), rows(b, 2));
        }
        // [N, L, E] -> [N, h, L, d]; keys straight to [N, h, d, S] for the product.
        Tensor qh = q.reshape(n, l, numHeads, headDim).permute(0, 2, 1, 3).mul(1 / Math.sqrt(headDim));
        Tensor kt = k.reshape(n, s, numHeads, headDim).permute(0, 2, 3, 1);
        Tensor vh = v.reshape(n, s, numHeads, headDim).permute(0, 2, 1, 3);
        Tensor scores = qh.matmul(kt);                                   // [N, h, L, S]
        Tensor bias = maskBias(keyPaddingMask, attnMask, n, l, s, query.dtype());
        if (bias != null) {
            scores = scores.add(bias);
        }
        Tensor weights = dropout.forward(scores.softmax(-1));
        Tensor heads = weights.matmul(vh);                               // [N, h, L, d]
        Tensor out = outProj.forward(heads.permute(0, 2, 1, 3).reshape(n, l, embedDim));
        Tensor returned = needWeights ? (averageWeights ? weights.mean(1, false) : weights) : null;
        return new Result(out, returned);
    }

    /** Rows {@code part * E .. (part + 1) * E - 1} of the packed projection (q, k or v). */
    private Tensor rows(Tensor packed, int part) {
        return packed == null ? null : packed.slice(0, part * embedDim, (part + 1) * embedDim, 1);
    }

    private String name() {
        return "MultiheadAttention(embedDim=" + embedDim + ", numHeads=" + numHeads + ")";
    }

    private void checkInputs(Tensor query, Tensor key, Tensor value) {
        checkRank3(query, "query", "L");
        checkRank3(key, "key", "S");
        checkRank3(value, "value", "S");
        if (key.size(0) != query.size(0) || value.size(0) != query.size(0) || key.size(1) != value.size(1)) {
            throw new IllegalArgumentException(name() + ": query " + Arrays.toString(query.shape()) + ", key "
                    + Arrays.toString(key.shape()) + " and value " + Arrays.toString(value.shape())
                    + " must be [N, L, E], [N, S, E] and [N, S, E]: the same batch size N, and as many keys as values");
        }
        DType dtype = parameter("in_proj_weight").dtype();
        if (query.dtype() != dtype || key.dtype() != dtype || value.dtype() != dtype) {
            throw new IllegalArgumentException(name() + ": the inputs are " + query.dtype() + ", " + key.dtype() + " and "
                    + value.dtype() + " but the parameters are " + dtype + "; convert the inputs or the layer (to(DType))");
        }
    }

    private void checkRank3(Tensor t, String what, String length) {
        int[] shape = t.shape();
        if (shape.length != 3 || shape[2] != embedDim) {
            throw new IllegalArgumentException(name() + ": " + what + " has shape " + Arrays.toString(shape) + " but must be [N, "
                    + length + ", " + embedDim + "] (batch first, embedDim last)"
                    + (shape.length == 2 && shape[1] == embedDim ? "; for a single sequence use unsqueeze(0)" : ""));
        }
    }

    /**
     * The sum of both masks as one additive tensor broadcastable to {@code [N, h, L, S]}, or {@code null}
     * without masks; refuses rows where every key is ignored.
     */
    private Tensor maskBias(AttentionMask keyPadding, AttentionMask attn, int n, int l, int s, DType dtype) {
        Tensor padBias = null;
        if (keyPadding != null) {
            int[] shape = keyPadding.values().shape();
            if (!Arrays.equals(shape, new int[] {n, s})) {
                throw new IllegalArgumentException(name() + ": keyPaddingMask has shape " + Arrays.toString(shape)
                        + " but must be [N, S] = [" + n + ", " + s + "] for key " + "[N, S, E] = [" + n + ", " + s + ", "
                        + embedDim + "]");
            }
            padBias = additive(keyPadding, "keyPaddingMask", dtype).reshape(n, 1, 1, s);
        }
        Tensor attnBias = null;
        if (attn != null) {
            int[] shape = attn.values().shape();
            if (Arrays.equals(shape, new int[] {l, s})) {
                attnBias = additive(attn, "attnMask", dtype).reshape(1, 1, l, s);
            } else if (Arrays.equals(shape, new int[] {n * numHeads, l, s})) {
                attnBias = additive(attn, "attnMask", dtype).reshape(n, numHeads, l, s);
            } else {
                throw new IllegalArgumentException(name() + ": attnMask has shape " + Arrays.toString(shape)
                        + " but must be [L, S] = [" + l + ", " + s + "] or [N * numHeads, L, S] = [" + n * numHeads + ", "
                        + l + ", " + s + "] for query length L = " + l + " and key length S = " + s);
            }
        }
        Tensor bias = padBias == null ? attnBias : attnBias == null ? padBias : padBias.add(attnBias);
        if (bias != null) {
            refuseFullyMaskedRows(bias);
        }
        return bias;
    }

    /** An ignore mask as constant 0 / -inf values of {@code dtype}; an additive mask as given (checked). */
    private Tensor additive(AttentionMask mask, String what, DType dtype) {
        double[] values = mask.values().toDoubleArray();
        if (mask instanceof AttentionMask.Ignore) {
            double[] bias = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                bias[i] = values[i] != 0 ? Double.NEGATIVE_INFINITY : 0;
            }
            return Tensor.of(bias, mask.values().shape()).to(dtype);
        }
        if (mask.values().dtype() != dtype) {
            throw new IllegalArgumentException(name() + ": the additive " + what + " is " + mask.values().dtype()
                    + " but the attention is " + dtype + "; convert it with to(DType)");
        }
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i]) || values[i] == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException(name() + ": the additive " + what + " holds " + values[i]
                        + " at flat position " + i + "; a score of NaN or +inf makes the softmax NaN. Use -inf to ignore a key");
            }
        }
        return mask.values();
    }

    private void refuseFullyMaskedRows(Tensor bias) {
        double[] v;
        try (var scope = Autograd.noGrad()) {
            v = bias.toDoubleArray();
        }
        int[] shape = bias.shape();                 // [N or 1, h or 1, L or 1, S]
        int s = shape[3];
        for (int row = 0; row * s < v.length; row++) {
            boolean allMasked = true;
            for (int j = 0; j < s && allMasked; j++) {
                allMasked = v[row * s + j] == Double.NEGATIVE_INFINITY;
            }
            if (allMasked) {
                int q = row % shape[2];
                int head = row / shape[2] % shape[1];
                int seq = row / shape[2] / shape[1];
                String where = (shape[0] > 1 ? "sequence " + seq : "every sequence")
                        + (shape[1] > 1 ? ", head " + head : "") + ", query position " + (shape[2] > 1 ? q : "(all)");
                throw new IllegalArgumentException(name() + ": the masks ignore every key for " + where
                        + "; the softmax of a row of -inf is NaN (PyTorch returns NaN there). Leave at least one key"
                        + " unmasked for every query (e.g. let a padded query attend to itself), or use an additive mask"
                        + " with a large finite negative value (e.g. -1e9) instead of -inf, which keeps such rows finite");
            }
        }
    }

    /** @return the model width {@code E} */
    public int embedDim() {
        return embedDim;
    }

    /** @return the number of heads */
    public int numHeads() {
        return numHeads;
    }

    /** @return the width of one head, {@code E / numHeads} */
    public int headDim() {
        return headDim;
    }

    /** @return the packed input projection {@code [3E, E]}: rows of {@code W_q}, then {@code W_k}, then {@code W_v} */
    public Tensor inProjWeight() {
        return parameter("in_proj_weight");
    }

    /** @return the packed input bias {@code [3E]}, or {@code null} without biases */
    public Tensor inProjBias() {
        return hasBias ? parameter("in_proj_bias") : null;
    }

    /** @return the output projection ({@code out_proj}) */
    public Linear outProj() {
        return outProj;
    }

    @Override
    protected String extraRepr() {
        return "embedDim=" + embedDim + ", numHeads=" + numHeads + ", dropout=" + dropout.p() + ", bias=" + hasBias;
    }
}
