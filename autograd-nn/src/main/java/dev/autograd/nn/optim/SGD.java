package dev.autograd.nn.optim;

import dev.autograd.Tensor;
import java.util.Map;
import java.util.List;

/**
 * Stochastic gradient descent with optional momentum (Polyak 1964), Nesterov momentum (Sutskever et al.
 * 2013) and L2 weight decay, with exactly the formulas of PyTorch's {@code torch.optim.SGD}. For each
 * parameter {@code p} with gradient {@code g}, at step {@code t}:
 *
 * <pre>
 * g = g + weightDecay * p                                 (if weightDecay != 0)
 * b = g                                  at t = 1         (if momentum != 0)
 * b = momentum * b + (1 - dampening) * g at t > 1
 * g = g + momentum * b   if nesterov,  else  g = b
 * p = p - lr * g
 * </pre>
 *
 * <p>Defaults: momentum 0, dampening 0, weight decay 0, no Nesterov. State per parameter:
 * {@code momentum_buffer} (when momentum is not 0).
 */
public final class SGD extends Optimizer {

    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;

    /**
     * Plain SGD, {@code p = p - lr g}.
     *
     * @param parameters   the parameters to optimise
     * @param learningRate the step size
     */
    public SGD(Iterable<Tensor> parameters, double learningRate) {
        this(parameters, learningRate, 0, 0, 0, false);
    }

    /**
     * SGD with (heavy-ball) momentum.
     *
     * @param parameters   the parameters to optimise
     * @param learningRate the step size
     * @param momentum     the momentum factor in {@code [0, 1)}, e.g. 0.9
     */
    public SGD(Iterable<Tensor> parameters, double learningRate, double momentum) {
        this(parameters, learningRate, momentum, 0, 0, false);
    }

    /**
     * SGD with every option.
     *
     * @param parameters   the parameters to optimise
     * @param learningRate the step size, at least 0
     * @param momentum     the momentum factor in {@code [0, 1)}
     * @param dampening    the dampening of new gradients in the buffer, in {@code [0, 1]}
     * @param weightDecay  the L2 coefficient added to the gradient, at least 0
     * @param nesterov     Nesterov momentum; needs momentum &gt; 0 and dampening 0
     * @throws IllegalArgumentException when a value is out of range or Nesterov is misconfigured
     */
    public SGD(Iterable<Tensor> parameters, double learningRate, double momentum, double dampening,
               double weightDecay, boolean nesterov) {
        super(parameters, learningRate);
        this.momentum = checkRange("momentum", momentum, 0, 1, false);
        this.dampening = checkRange("dampening", dampening, 0, 1, true);
        this.weightDecay = checkRange("weightDecay", weightDecay, 0, Double.MAX_VALUE, true);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0 and dampening 0, got momentum "
                    + momentum + " and dampening " + dampening);
        }
        this.nesterov = nesterov;
    }

    @Override
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> state, long step) {
        Tensor g = weightDecay != 0 ? grad.add(p.mul(weightDecay)) : grad;
        if (momentum != 0) {
            Tensor buf = state.get("momentum_buffer");
            if (buf == null) {
                buf = copyOf(g);
                state.put("momentum_buffer", buf);
            } else {
                buf.mulInPlace(momentum).addInPlace(g, 1 - dampening);
            }
            g = nesterov ? g.add(buf.mul(momentum)) : buf;
        }
        p.addInPlace(g, -learningRate());
    }

    @Override
    protected List<String> stateNames() {
        return momentum != 0 ? List.of("momentum_buffer") : List.of();
    }

    @Override
    public String toString() {
        return "SGD(lr=" + learningRate() + ", momentum=" + momentum + ", dampening=" + dampening + ", weightDecay="
                + weightDecay + ", nesterov=" + nesterov + ")";
    }
}
