package dev.autograd.spark;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.Module;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The models of the partitions an executor JVM computes, with their rows, kept between steps so that a model
 * is built from its factory once, not every step. Nothing depends on a replica surviving:
 * every step loads the broadcast parameters into it, so a missing one (a new executor, a retried task on
 * another host, an eviction) is simply rebuilt. Keyed by run and partition; two tasks never share a replica
 * because Spark runs one attempt of a partition's task at a time (speculation aside, which the trainer
 * refuses). The least recently used replicas beyond {@link #MAX_REPLICAS} are dropped, which bounds the
 * memory of a long-lived executor that serves many runs.
 */
final class Replicas {

    static final int MAX_REPLICAS = 64;

    private static final Map<String, Replica> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Replica> eldest) {
            return size() > MAX_REPLICAS;
        }
    };

    private Replicas() {
    }

    /** One partition's model, its parameters in order, and its rows. */
    static final class Replica {
        final Module model;
        final List<Tensor> parameters;
        /**
         * The partition's rows. The very object of Spark's cached block while it is in memory (deserialized
         * storage hands out its objects), so an executor holds its rows once, not as a block and tensors besides.
         */
        final Shard shard;

        Replica(Module model, Shard shard) {
            this.model = model;
            this.parameters = model.parameters();
            this.shard = shard;
        }

        /** Overwrites the parameters with {@code flat} (the layout of {@link ParameterVector}). */
        void load(double[] flat) {
            try (var scope = Autograd.noGrad()) {
                ParameterVector.unflattenInto(flat, 0, parameters);
            }
        }
    }

    /**
     * The replica of {@code partition} in {@code run}, built on first use. {@code shard} is asked only then: a
     * task whose replica exists does not read its cached partition at all.
     */
    static Replica get(String run, int partition, Supplier<Shard> shard, SerializableSupplier<Module> factory) {
        String key = run + "/" + partition;
        synchronized (CACHE) {
            Replica r = CACHE.get(key);
            if (r != null) {
                return r;
            }
        }
        // Built outside the lock: a model factory may be slow, and other partitions' tasks should not wait.
        Replica built = new Replica(SparkTrainer.buildModel(factory, "executor"), shard.get());
        synchronized (CACHE) {
            CACHE.put(key, built);
        }
        return built;
    }

    /** Drops the replicas of {@code run} held by this JVM (the driver's, in local mode). */
    static void forget(String run) {
        synchronized (CACHE) {
            CACHE.keySet().removeIf(k -> k.startsWith(run + "/"));
        }
    }

    /** Drops every replica of this JVM, as the loss of an executor does. */
    static void clear() {
        synchronized (CACHE) {
            CACHE.clear();
        }
    }

    static int size() {
        synchronized (CACHE) {
            return CACHE.size();
        }
    }
}
