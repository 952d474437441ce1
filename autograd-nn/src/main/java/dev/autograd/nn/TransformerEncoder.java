package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A stack of {@link TransformerEncoderLayer}s with an optional final layer norm, like PyTorch's
 * {@code nn.TransformerEncoder(encoder_layer, num_layers, norm)}:
 *
 * <pre>
 * x_0 = src,   x_i = layer_i(x_{i-1}, srcMask, srcKeyPaddingMask),   output = norm(x_n)  (or x_n without norm)
 * </pre>
 *
 * <p>The layers are the children {@code layers.0}, {@code layers.1}, ... and the norm is {@code norm}, so
 * the state dict's names are PyTorch's ({@code layers.0.self_attn.in_proj_weight}, {@code norm.weight}).
 * A pre-norm stack wants the final norm (its last residual sum is not normalised otherwise); a post-norm
 * stack usually goes without. Unlike PyTorch, which deep-copies one layer (so that all start equal), the
 * layers are made by a supplier, each with its own initial values.
 */
public final class TransformerEncoder extends Module {

    private final Sequential layers;
    private final LayerNorm norm;

    /**
     * A stack of {@code numLayers} layers made by {@code layer}.
     *
     * @param layer     makes one fresh layer per call, e.g.
     *                  {@code () -> new TransformerEncoderLayer(64, 4, 128, 0.1, rng)}
     * @param numLayers the number of layers, at least 1
     * @param norm      the final layer norm, or {@code null} for none
     * @throws IllegalArgumentException when {@code numLayers < 1}, the supplier returns one layer twice, or
     *                                  the layers' widths differ
     */
    public TransformerEncoder(Supplier<TransformerEncoderLayer> layer, int numLayers, LayerNorm norm) {
        this(make(layer, numLayers), norm);
    }

    /**
     * A stack of the given layers.
     *
     * @param layers the layers, at least one, distinct, of the same width
     * @param norm   the final layer norm, or {@code null} for none
     * @throws IllegalArgumentException when the list is empty, a layer appears twice, or the widths differ
     */
    public TransformerEncoder(List<TransformerEncoderLayer> layers, LayerNorm norm) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("TransformerEncoder: need at least one layer");
        }
        int width = layers.get(0).dModel();
        for (int i = 0; i < layers.size(); i++) {
            TransformerEncoderLayer l = Objects.requireNonNull(layers.get(i), "TransformerEncoder: layer " + i + " is null");
            if (l.dModel() != width) {
                throw new IllegalArgumentException("TransformerEncoder: layer " + i + " has dModel=" + l.dModel()
                        + " but layer 0 has dModel=" + width + "; all layers must have the same width");
            }
            for (int j = 0; j < i; j++) {
                if (layers.get(j) == l) {
                    throw new IllegalArgumentException("TransformerEncoder: layers " + j + " and " + i + " are the same"
                            + " object, which would share its parameters; make a new layer for each position");
                }
            }
        }
        this.layers = registerModule("layers", new Sequential(layers));
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    private static List<TransformerEncoderLayer> make(Supplier<TransformerEncoderLayer> layer, int numLayers) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerEncoder: numLayers must be at least 1, got " + numLayers);
        }
        List<TransformerEncoderLayer> list = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            list.add(layer.get());
        }
        return list;
    }

    /**
     * The stack without masks.
     *
     * @param src {@code [N, L, dModel]}
     * @return {@code [N, L, dModel]}
     */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * The stack with masks, the same for every layer.
     *
     * @param src               {@code [N, L, dModel]}
     * @param srcMask           {@code [L, L]} or {@code [N * nHead, L, L]}, or {@code null}
     * @param srcKeyPaddingMask {@code [N, L]}, or {@code null}
     * @return {@code [N, L, dModel]}
     */
    public Tensor forward(Tensor src, AttentionMask srcMask, AttentionMask srcKeyPaddingMask) {
        Tensor x = src;
        for (int i = 0; i < layers.size(); i++) {
            x = layer(i).forward(x, srcMask, srcKeyPaddingMask);
        }
        return norm == null ? x : norm.forward(x);
    }

    /**
     * The attention weights of every layer for {@code src}, each computed from that layer's actual input.
     *
     * @param src               {@code [N, L, dModel]}
     * @param srcMask           as in {@link #forward(Tensor, AttentionMask, AttentionMask)}
     * @param srcKeyPaddingMask as in {@link #forward(Tensor, AttentionMask, AttentionMask)}
     * @param averageHeads      average over the heads ({@code [N, L, L]}) or not ({@code [N, nHead, L, L]})
     * @return one tensor per layer, in order
     */
    public List<Tensor> attentionWeights(Tensor src, AttentionMask srcMask, AttentionMask srcKeyPaddingMask,
                                         boolean averageHeads) {
        List<Tensor> out = new ArrayList<>();
        Tensor x = src;
        for (int i = 0; i < layers.size(); i++) {
            out.add(layer(i).attentionWeights(x, srcMask, srcKeyPaddingMask, averageHeads));
            x = layer(i).forward(x, srcMask, srcKeyPaddingMask);
        }
        return out;
    }

    /**
     * The layer at {@code index}.
     *
     * @param index from 0
     * @return the layer
     */
    public TransformerEncoderLayer layer(int index) {
        return (TransformerEncoderLayer) layers.get(index);
    }

    /** @return the number of layers */
    public int numLayers() {
        return layers.size();
    }

    /** @return the final norm, or {@code null} */
    public LayerNorm norm() {
        return norm;
    }
}
