package dev.autograd.nn.optim;

import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;


/**
 * RMSprop (Hinton, Srivastava and Swersky, Neural Networks for Machine Learning, lecture 6e, 2012), as
 * PyTorch's {@code torch.optim.RMSprop}. For each parameter at each step:
 *
 * <pre>
 * g = g + weightDecay * p
 * s = alpha * s + (1 - alpha) * g^2                   running mean of squared gradients
 * a = alpha * a + (1 - alpha) * g;  d = sqrt(s - a^2) + eps     (centered)
 *                                   d = sqrt(s) + eps           (otherwise)
 * b = momentum * b + g / d;  p = p - lr * b           (momentum &gt; 0)
 * p = p - lr * g / d                                  (otherwise)
 * </pre>
 *
 * <p>Defaults: lr 0.01, alpha 0.99, eps 1e-8, weight decay 0, momentum 0, not centered. State per
 * parameter: {@code square_avg}, plus {@code grad_avg} when centered and {@code momentum_buffer} with
 * momentum.
 */
public final class RMSprop extends Optimizer {

    private final double alpha;
    private final double eps;
    private final double weightDecay;
    private final double momentum;
    private final boolean centered;

    /**
     * RMSprop with the defaults: lr 0.01, alpha 0.99, eps 1e-8.
     *
     * @param parameters the parameters to optimise
     */
    public RMSprop(Iterable<Tensor> parameters) {
        this(parameters, 0.01);
    }

    /**
     * RMSprop with the default alpha and eps.
     *
     * @param parameters   the parameters to optimise
     * @param learningRate the step size
     */
    public RMSprop(Iterable<Tensor> parameters, double learningRate) {
        this(parameters, learningRate, 0.99, 1e-8, 0, 0, false);
    }

    /**
     * RMSprop with every option.
     *
     * @param parameters   the parameters to optimise
     * @param learningRate the step size, at least 0
     * @param alpha        the decay of the squared-gradient average, in {@code [0, 1)}
     * @param eps          added to the denominator, at least 0
     * @param weightDecay  the L2 coefficient added to the gradient, at least 0
     * @param momentum     the momentum factor in {@code [0, 1)}
     * @param centered     whether to divide by an estimate of the gradient's variance instead of its second moment
     */
    public RMSprop(Iterable<Tensor> parameters, double learningRate, double alpha, double eps, double weightDecay,
                   double momentum, boolean centered) {
        super(parameters, learningRate);
        this.alpha = checkRange("alpha", alpha, 0, 1, false);
        this.eps = checkRange("eps", eps, 0, Double.MAX_VALUE, true);
        this.weightDecay = checkRange("weightDecay", weightDecay, 0, Double.MAX_VALUE, true);
        this.momentum = checkRange("momentum", momentum, 0, 1, false);
        this.centered = centered;
    }

    @Override
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> state, long step) {
        Tensor g = weightDecay != 0 ? grad.add(p.mul(weightDecay)) : grad;
        Tensor squareAvg = state.computeIfAbsent("square_avg", k -> zerosLike(p));
        squareAvg.mulInPlace(alpha).addInPlace(g.mul(g).mul(1 - alpha));
        Tensor denominator;
        if (centered) {
            Tensor gradAvg = state.computeIfAbsent("grad_avg", k -> zerosLike(p));
            gradAvg.mulInPlace(alpha).addInPlace(g, 1 - alpha);
            denominator = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt().add(eps);
        } else {
            denominator = squareAvg.sqrt().add(eps);
        }
        if (momentum > 0) {
            Tensor buf = state.computeIfAbsent("momentum_buffer", k -> zerosLike(p));
            buf.mulInPlace(momentum).addInPlace(g.div(denominator));
            p.addInPlace(buf, -learningRate());
        } else {
            p.subInPlace(g.div(denominator).mul(learningRate()));
        }
    }

    @Override
    protected List<String> stateNames() {
        List<String> names = new ArrayList<>();
        names.add("square_avg");
        if (centered) {
            names.add("grad_avg");
        }
        if (momentum > 0) {
            names.add("momentum_buffer");
        }
        return names;
    }

    @Override
    public String toString() {
        return "RMSprop(lr=" + learningRate() + ", alpha=" + alpha + ", eps=" + eps + ", weightDecay=" + weightDecay
                + ", momentum=" + momentum + ", centered=" + centered + ")";
    }
}
