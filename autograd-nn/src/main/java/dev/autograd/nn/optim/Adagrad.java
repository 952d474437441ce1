package dev.autograd.nn.optim;

import dev.autograd.Tensor;
import java.util.Map;
import java.util.List;

/**
 * Adagrad (Duchi, Hazan and Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization", JMLR 2011), as PyTorch's {@code torch.optim.Adagrad}: each coordinate's step shrinks with
 * the sum of its squared gradients. At step {@code t}:
 *
 * <pre>
 * lr_t = lr / (1 + (t - 1) * lrDecay)
 * g = g + weightDecay * p
 * s = s + g^2                        (s starts at initialAccumulatorValue)
 * p = p - lr_t * g / (sqrt(s) + eps)
 * </pre>
 *
 * <p>Defaults: lr 0.01, lr decay 0, weight decay 0, initial accumulator 0, eps 1e-10. State per
 * parameter: {@code sum}.
 */
public final class Adagrad extends Optimizer {

    private final double lrDecay;
    private final double weightDecay;
    private final double initialAccumulatorValue;
    private final double eps;

    /**
     * Adagrad with the defaults: lr 0.01, eps 1e-10.
     *
     * @param parameters the parameters to optimise
     */
    public Adagrad(Iterable<Tensor> parameters) {
        this(parameters, 0.01);
    }

    /**
     * Adagrad with the default settings and the given learning rate.
     *
     * @param parameters   the parameters to optimise
     * @param learningRate the step size
     */
    public Adagrad(Iterable<Tensor> parameters, double learningRate) {
        this(parameters, learningRate, 0, 0, 0, 1e-10);
    }

    /**
     * Adagrad with every option.
     *
     * @param parameters              the parameters to optimise
     * @param learningRate            the step size, at least 0
     * @param lrDecay                 the learning-rate decay, at least 0
     * @param weightDecay             the L2 coefficient added to the gradient, at least 0
     * @param initialAccumulatorValue the starting value of the squared-gradient sum, at least 0
     * @param eps                     added to the denominator, at least 0
     */
    public Adagrad(Iterable<Tensor> parameters, double learningRate, double lrDecay, double weightDecay,
                   double initialAccumulatorValue, double eps) {
        super(parameters, learningRate);
        this.lrDecay = checkRange("lrDecay", lrDecay, 0, Double.MAX_VALUE, true);
        this.weightDecay = checkRange("weightDecay", weightDecay, 0, Double.MAX_VALUE, true);
        this.initialAccumulatorValue = checkRange("initialAccumulatorValue", initialAccumulatorValue, 0,
                Double.MAX_VALUE, true);
        this.eps = checkRange("eps", eps, 0, Double.MAX_VALUE, true);
    }

    @Override
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> state, long step) {
        Tensor g = weightDecay != 0 ? grad.add(p.mul(weightDecay)) : grad;
        Tensor sum = state.computeIfAbsent("sum", k -> Tensor.zerosLike(p).fill(initialAccumulatorValue));
        sum.addInPlace(g.mul(g));
        double clr = learningRate() / (1 + (step - 1) * lrDecay);
        p.subInPlace(g.div(sum.sqrt().add(eps)).mul(clr));
    }

    @Override
    protected List<String> stateNames() {
        return List.of("sum");
    }

    @Override
    public String toString() {
        return "Adagrad(lr=" + learningRate() + ", lrDecay=" + lrDecay + ", weightDecay=" + weightDecay
                + ", initialAccumulatorValue=" + initialAccumulatorValue + ", eps=" + eps + ")";
    }
}
