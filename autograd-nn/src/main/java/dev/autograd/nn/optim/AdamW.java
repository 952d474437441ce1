package dev.autograd.nn.optim;

import dev.autograd.Tensor;

/**
 * AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", ICLR 2019), as PyTorch's
 * {@code torch.optim.AdamW}: Adam whose weight decay shrinks the parameter directly instead of being added
 * to the gradient, so that it is not rescaled by the adaptive denominator. At step {@code t}:
 *
 * <pre>
 * p = p - lr * weightDecay * p                  decoupled decay, first
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g^2
 * p = p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
 * </pre>
 *
 * <p>Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01. State as {@link Adam}.
 */
public final class AdamW extends Adam {

    /**
     * AdamW with the defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
     *
     * @param parameters the parameters to optimise
     */
    public AdamW(Iterable<Tensor> parameters) {
        this(parameters, 1e-3);
    }

    /**
     * AdamW with the default betas, eps and weight decay 0.01.
     *
     * @param parameters   the parameters to optimise
     * @param learningRate the step size
     */
    public AdamW(Iterable<Tensor> parameters, double learningRate) {
        this(parameters, learningRate, 0.9, 0.999, 1e-8, 0.01);
    }

    /**
     * AdamW with every option.
     *
     * @param parameters   the parameters to optimise
     * @param learningRate the step size, at least 0
     * @param beta1        the decay of the first moment, in {@code [0, 1)}
     * @param beta2        the decay of the second moment, in {@code [0, 1)}
     * @param eps          added to the denominator, at least 0
     * @param weightDecay  the decoupled decay coefficient, at least 0
     */
    public AdamW(Iterable<Tensor> parameters, double learningRate, double beta1, double beta2, double eps,
                 double weightDecay) {
        super(parameters, learningRate, beta1, beta2, eps, weightDecay);
    }

    @Override
    Tensor decay(Tensor p, Tensor grad) {
        if (weightDecay() != 0) {
            p.mulInPlace(1 - learningRate() * weightDecay());
        }
        return grad;
    }
}
