package dev.autograd.spark;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * A {@link Supplier} that Spark can ship to executors: the model factory of {@link SparkTrainer}. A lambda
 * assigned to this type is serializable when everything it captures is (capture seeds and sizes, not
 * tensors or modules).
 *
 * <pre>{@code
 * SerializableSupplier<Module> factory = () -> MLP.builder(784, 256, 10).build(new Random(42));
 * }</pre>
 *
 * @param <T> the supplied type
 */
@FunctionalInterface
public interface SerializableSupplier<T> extends Supplier<T>, Serializable {
}
