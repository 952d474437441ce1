package dev.autograd.nn.optim;

import dev.autograd.Tensor;
import java.util.Map;
import java.util.List;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015), as PyTorch's
 * {@code torch.optim.Adam}. For each parameter {@code p} with gradient {@code g}, at step {@code t}:
 *
 * <pre>
 * g = g + weightDecay * p                       (L2 penalty folded into the gradient; see AdamW)
 * m = beta1 * m + (1 - beta1) * g               first-moment estimate
 * v = beta2 * v + (1 - beta2) * g^2             second-moment estimate
 * mHat = m / (1 - beta1^t),  vHat = v / (1 - beta2^t)    bias corrections
 * p = p - lr * mHat / (sqrt(vHat) + eps)
 * </pre>
 *
 * <p>Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0. State per parameter:
 * {@code exp_avg} ({@code m}) and {@code exp_avg_sq} ({@code v}).
 */
public class Adam extends Optimizer {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;

    /**
     * Adam with the paper's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8.
     *
     * @param parameters the parameters to optimise
     */
    public Adam(Iterable<Tensor> parameters) {
        this(parameters, 1e-3);
    }

    /**
     * Adam with the default betas and eps.
     *
     * @param parameters   the parameters to optimise
     * @param learningRate the step size
     */
    public Adam(Iterable<Tensor> parameters, double learningRate) {
        this(parameters, learningRate, 0.9, 0.999, 1e-8, 0);
    }

    /**
     * Adam with every option.
     *
     * @param parameters   the parameters to optimise
     * @param learningRate the step size, at least 0
     * @param beta1        the decay of the first moment, in {@code [0, 1)}
     * @param beta2        the decay of the second moment, in {@code [0, 1)}
     * @param eps          added to the denominator, at least 0
     * @param weightDecay  the L2 coefficient added to the gradient, at least 0
     */
    public Adam(Iterable<Tensor> parameters, double learningRate, double beta1, double beta2, double eps,
                double weightDecay) {
        super(parameters, learningRate);
        this.beta1 = checkRange("beta1", beta1, 0, 1, false);
        this.beta2 = checkRange("beta2", beta2, 0, 1, false);
        this.eps = checkRange("eps", eps, 0, Double.MAX_VALUE, true);
        this.weightDecay = checkRange("weightDecay", weightDecay, 0, Double.MAX_VALUE, true);
    }

    /**
     * Applies the weight decay of this variant; Adam folds it into the gradient.
     *
     * @param p     the parameter, which AdamW decays in place
     * @param grad  the gradient
     * @return the gradient the moments are computed from
     */
    Tensor decay(Tensor p, Tensor grad) {
        return weightDecay != 0 ? grad.add(p.mul(weightDecay)) : grad;
    }

    @Override
    protected final void update(Tensor p, Tensor grad, Map<String, Tensor> state, long step) {
        Tensor g = decay(p, grad);
        Tensor m = state.computeIfAbsent("exp_avg", k -> zerosLike(p));
        Tensor v = state.computeIfAbsent("exp_avg_sq", k -> zerosLike(p));
        m.mulInPlace(beta1).addInPlace(g, 1 - beta1);
        v.mulInPlace(beta2).addInPlace(g.mul(g).mul(1 - beta2));
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        Tensor denominator = v.div(bc2).sqrt().add(eps);
        p.subInPlace(m.div(denominator).mul(learningRate() / bc1));
    }

    @Override
    protected final List<String> stateNames() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    /** @return the weight decay coefficient */
    final double weightDecay() {
        return weightDecay;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(lr=" + learningRate() + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps
                + ", weightDecay=" + weightDecay + ")";
    }
}
