package dev.autograd.nn;

import dev.autograd.Tensor;
import java.util.Arrays;

/**
 * Layer normalisation (Ba, Kiros and Hinton 2016) over the last axes, like PyTorch's {@code nn.LayerNorm}:
 * each sample's trailing block of shape {@code normalizedShape} is normalised with its own mean and biased
 * variance, {@code y = (x - mu) / sqrt(sigma^2 + eps) * gamma + beta}, the same in training and evaluation.
 * Parameters {@code weight} ({@code gamma}, ones) and {@code bias} ({@code beta}, zeros) of shape
 * {@code normalizedShape} when affine.
 */
public final class LayerNorm extends Module {

    private final int[] normalizedShape;
    private final double eps;
    private final boolean affine;

    /**
     * With eps 1e-5 and a learned scale and shift.
     *
     * @param normalizedShape the trailing extents to normalise over, e.g. {@code 64} for {@code [N, 64]}
     */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    /**
     * Layer normalisation with all settings.
     *
     * @param normalizedShape the trailing extents, at least one, each positive
     * @param eps             added to the variance, positive
     * @param affine          whether to learn {@code gamma} and {@code beta}
     */
    public LayerNorm(int[] normalizedShape, double eps, boolean affine) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d < 1) || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: need a non-empty shape of positive extents and eps > 0, got "
                    + Arrays.toString(normalizedShape) + " and " + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.affine = affine;
        if (affine) {
            registerParameter("weight", Tensor.ones(normalizedShape));
            registerParameter("bias", Tensor.zeros(normalizedShape));
        }
    }

    /**
     * Normalises over the trailing axes.
     *
     * @param x {@code [..., normalizedShape]}
     * @return a tensor of the same shape
     * @throws IllegalArgumentException when the trailing extents differ from {@code normalizedShape}
     */
    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        int k = normalizedShape.length;
        if (s.length < k || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm(" + Arrays.toString(normalizedShape) + "): input shape "
                    + Arrays.toString(s) + " must end in " + Arrays.toString(normalizedShape));
        }
        int[] axes = new int[k];
        for (int i = 0; i < k; i++) {
            axes[i] = s.length - k + i;
        }
        Tensor mean = x.mean(axes, true);
        Tensor var = x.var(axes, true, 0);
        Tensor y = x.sub(mean).div(var.add(eps).sqrt());
        return affine ? y.mul(parameter("weight")).add(parameter("bias")) : y;
    }

    /** @return {@code gamma}, or {@code null} when not affine */
    public Tensor weight() {
        return affine ? parameter("weight") : null;
    }

    /** @return {@code beta}, or {@code null} when not affine */
    public Tensor bias() {
        return affine ? parameter("bias") : null;
    }

    @Override
    protected String extraRepr() {
        return Arrays.toString(normalizedShape) + ", eps=" + eps + ", affine=" + affine;
    }
}
