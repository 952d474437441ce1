package dev.autograd.spark;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.Module;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models of the partitions an executor JVM computes, kept between steps so that a model is built from
 * its factory and a shard turned into tensors once, not every step. Nothing depends on a replica surviving:
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

    /** One partition's model, its parameters in order, and its rows as tensors. */
    static final class Replica {
        final Module model;
        final List<Tensor> parameters;
        final Tensor features;
        final Tensor targets;
        final int start;
        final int rows;

        Replica(Module model, Shard shard) {
            this.model = model;
            this.parameters = model.parameters();
            this.features = shard.features();
            this.targets = shard.targets();
            this.start = shard.start;
            this.rows = shard.rows;
        }

        /** Overwrites the parameters with {@code flat} (the layout of {@link ParameterVector}). */
        void load(double[] flat) {
            try (var scope = Autograd.noGrad()) {
                ParameterVector.unflattenInto(flat, 0, parameters);
            }
        }
    }

    static Replica get(String run, int partition, Shard shard, SerializableSupplier<Module> factory) {
        String key = run + "/" + partition;
        synchronized (CACHE) {
            Replica r = CACHE.get(key);
            if (r != null) {
                return r;
            }
        }
        // Built outside the lock: a model factory may be slow, and other partitions' tasks should not wait.
        Replica built = new Replica(SparkTrainer.buildModel(factory, "executor"), shard);
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

    static int size() {
        synchronized (CACHE) {
            return CACHE.size();
        }
    }
}
