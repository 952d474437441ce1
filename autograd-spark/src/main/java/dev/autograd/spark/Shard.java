package dev.autograd.spark;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The rows {@code [start, start + rows)} of a data set as raw arrays: what one Spark partition holds. Data
 * travels as primitive arrays (never as serialized tensors) and becomes tensors once per executor JVM.
 */
final class Shard implements Serializable {

    private static final long serialVersionUID = 1L;

    final int start;
    final int rows;
    /** FLOAT64 rows are kept as double[], FLOAT32 ones as float[]: half the memory, the same values. */
    private final Object features;
    private final int[] featureShape;
    private final DType featureType;
    private final Object targets;
    private final int[] targetShape;
    private final DType targetType;

    private Shard(int start, int rows, Tensor features, Tensor targets) {
        this.start = start;
        this.rows = rows;
        this.features = raw(features);
        this.featureShape = features.shape();
        this.featureType = features.dtype();
        this.targets = raw(targets);
        this.targetShape = targets.shape();
        this.targetType = targets.dtype();
    }

    private static Object raw(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.toFloatArray() : t.toDoubleArray();
    }

    private static Tensor tensor(Object raw, int[] shape) {
        return raw instanceof float[] f ? Tensor.of(f, shape) : Tensor.of((double[]) raw, shape);
    }

    /** Rows {@code [start, end)} of {@code features} and {@code targets}. */
    static Shard of(Tensor features, Tensor targets, int start, int end) {
        return new Shard(start, end - start, features.slice(0, start, end, 1), targets.slice(0, start, end, 1));
    }

    Tensor features() {
        return tensor(features, featureShape).to(featureType);
    }

    Tensor targets() {
        return tensor(targets, targetShape).to(targetType);
    }

    @Override
    public String toString() {
        return "Shard[rows " + start + ".." + (start + rows) + ", features " + Arrays.toString(featureShape) + "]";
    }
}
