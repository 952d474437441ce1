package dev.autograd.spark;

import dev.autograd.Tensor;
import dev.autograd.nn.optim.Optimizer;
import java.io.Serializable;
import java.util.List;

/**
 * Builds the optimizer of a model's parameters: on the driver for synchronous training, and on every
 * partition for local SGD, so it must be serializable (a lambda capturing only numbers is).
 *
 * <pre>{@code
 * OptimizerFactory adam = params -> new Adam(params, 1e-3);
 * }</pre>
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {

    /**
     * A new optimizer over {@code parameters}.
     *
     * @param parameters the model's parameters, in {@code Module.parameters()} order
     * @return the optimizer
     */
    Optimizer create(List<Tensor> parameters);
}
