package dev.autograd.nn;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import java.util.Arrays;

/**
 * Batch normalisation (Ioffe and Szegedy 2015) over a batch of feature vectors {@code [N, C]} or of
 * sequences {@code [N, C, L]}, like PyTorch's {@code nn.BatchNorm1d}:
 * {@code y = (x - mu) / sqrt(sigma^2 + eps) * gamma + beta} per channel {@code c}.
 *
 * <p>In training mode {@code mu} and {@code sigma^2} are the batch mean and the biased batch variance
 * (divided by {@code n}, the number of values per channel), and the running statistics are updated with
 * {@code running = (1 - momentum) running + momentum stat}, where the variance fed to the running estimate
 * is the unbiased one ({@code n / (n - 1)} times the batch variance), as in PyTorch. In evaluation mode the
 * running statistics are used. Parameters {@code weight} ({@code gamma}, ones) and {@code bias}
 * ({@code beta}, zeros) when affine; buffers {@code running_mean} (zeros) and {@code running_var} (ones),
 * saved with the model.
 */
public final class BatchNorm1d extends Module {

    private final int numFeatures;
    private final double eps;
    private final double momentum;
    private final boolean affine;

    /**
     * With PyTorch's defaults: eps 1e-5, momentum 0.1, affine.
     *
     * @param numFeatures the number of channels {@code C}
     */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true);
    }

    /**
     * Batch normalisation with all settings.
     *
     * @param numFeatures the number of channels {@code C}, at least 1
     * @param eps         added to the variance for stability, positive
     * @param momentum    the weight of the new batch in the running statistics, in {@code [0, 1]}
     * @param affine      whether to learn a per-channel scale and shift
     */
    public BatchNorm1d(int numFeatures, double eps, double momentum, boolean affine) {
        if (numFeatures < 1 || !(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm1d: need numFeatures >= 1, eps > 0 and momentum in [0, 1], got "
                    + numFeatures + ", " + eps + ", " + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        if (affine) {
            registerParameter("weight", Tensor.ones(numFeatures));
            registerParameter("bias", Tensor.zeros(numFeatures));
        }
        registerBuffer("running_mean", Tensor.zeros(numFeatures));
        registerBuffer("running_var", Tensor.ones(numFeatures));
    }

    /**
     * Normalises each channel.
     *
     * @param x {@code [N, C]} or {@code [N, C, L]}
     * @return a tensor of the same shape
     * @throws IllegalArgumentException when the shape does not fit, or in training mode when a channel
     *                                  has only one value (its variance is undefined)
     */
    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if ((s.length != 2 && s.length != 3) || s[1] != numFeatures) {
            throw new IllegalArgumentException("BatchNorm1d(" + numFeatures + "): expected input [N, " + numFeatures
                    + "] or [N, " + numFeatures + ", L], got " + Arrays.toString(s));
        }
        int[] axes = s.length == 2 ? new int[] {0} : new int[] {0, 2};
        int[] channelShape = s.length == 2 ? new int[] {numFeatures} : new int[] {numFeatures, 1};
        Tensor mean;
        Tensor var;
        if (isTraining()) {
            int n = s.length == 2 ? s[0] : s[0] * s[2];
            if (n < 2) {
                throw new IllegalArgumentException("BatchNorm1d: training needs more than one value per channel, got input "
                        + Arrays.toString(s) + "; use a larger batch or call eval()");
            }
            mean = x.mean(axes, true);
            var = x.var(axes, true, 0);
            try (var scope = Autograd.noGrad()) {
                Tensor runningMean = buffer("running_mean");
                Tensor runningVar = buffer("running_var");
                runningMean.mulInPlace(1 - momentum).addInPlace(mean.detach().reshape(numFeatures).mul(momentum));
                runningVar.mulInPlace(1 - momentum)
                        .addInPlace(var.detach().reshape(numFeatures).mul(momentum * n / (n - 1.0)));
            }
        } else {
            mean = buffer("running_mean").reshape(channelShape);
            var = buffer("running_var").reshape(channelShape);
        }
        Tensor y = x.sub(mean).div(var.add(eps).sqrt());
        if (affine) {
            y = y.mul(parameter("weight").reshape(channelShape)).add(parameter("bias").reshape(channelShape));
        }
        return y;
    }

    /** @return the running mean {@code [C]} (a buffer) */
    public Tensor runningMean() {
        return buffer("running_mean");
    }

    /** @return the running (unbiased) variance {@code [C]} (a buffer) */
    public Tensor runningVar() {
        return buffer("running_var");
    }

    /** @return the scale {@code gamma} {@code [C]}, or {@code null} when not affine */
    public Tensor weight() {
        return affine ? parameter("weight") : null;
    }

    /** @return the shift {@code beta} {@code [C]}, or {@code null} when not affine */
    public Tensor bias() {
        return affine ? parameter("bias") : null;
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + affine;
    }
}
