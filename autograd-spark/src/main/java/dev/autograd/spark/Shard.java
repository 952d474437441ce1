package dev.autograd.spark;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import scala.Tuple2;

/**
 * The rows {@code [start, start + rows)} of the training data packed into two primitive arrays: what one Spark
 * partition of the trainer's persisted RDD holds, as its single element. Packing once makes the cached block
 * compact (no object per row) and lets every step gather its batch rows with plain array copies.
 */
final class Shard implements Serializable {

    private static final long serialVersionUID = 1L;

    final int start;
    final int rows;
    private final RowFormat format;
    /** FLOAT32 data is kept as float[], other dtypes as double[]: half the memory for float32, the same values. */
    private final Object features;
    private final Object targets;

    private Shard(int start, int rows, RowFormat format, Object features, Object targets) {
        this.start = start;
        this.rows = rows;
        this.format = format;
        this.features = features;
        this.targets = targets;
    }

    private static Object storage(DType type, int length) {
        return type == DType.FLOAT32 ? new float[length] : new double[length];
    }

    /**
     * Packs the rows of the block {@code [start, start + rows)}, which arrive in any order as (global index, row)
     * pairs, checking that each has the format's lengths and that every index of the block arrives once.
     *
     * @throws IllegalArgumentException naming the row's index and lengths, or the indices missing or repeated
     */
    static Shard pack(int start, int rows, RowFormat format, Iterator<Tuple2<Long, TrainingRow>> indexed) {
        int f = format.featureLength();
        int t = format.targetLength();
        Object features = storage(format.featureType(), rows * f);
        Object targets = storage(format.targetType(), rows * t);
        boolean[] seen = new boolean[rows];
        int count = 0;
        while (indexed.hasNext()) {
            Tuple2<Long, TrainingRow> pair = indexed.next();
            long index = pair._1();
            TrainingRow row = pair._2();
            if (row == null) {
                throw new IllegalArgumentException("SparkTrainer.fit: row " + index + " of the RDD is null");
            }
            if (row.featureLength() != f || row.targetLength() != t) {
                throw new IllegalArgumentException("SparkTrainer.fit: row " + index + " has " + row.featureLength()
                        + " feature values and " + row.targetLength() + " target values; the " + format + " wants "
                        + f + " and " + t);
            }
            int local = (int) (index - start);
            if (local < 0 || local >= rows || seen[local]) {
                throw new IllegalArgumentException("SparkTrainer.fit: row " + index + " arrived "
                        + (local < 0 || local >= rows ? "in the block of rows " + start + ".." + (start + rows - 1)
                        : "twice") + "; the RDD must give its rows in the same order every time it is computed "
                        + "(sort or persist it before fit)");
            }
            seen[local] = true;
            row.copyFeatures(features, local * f);
            row.copyTarget(targets, local * t);
            count++;
        }
        if (count != rows) {
            throw new IllegalArgumentException("SparkTrainer.fit: the block of rows " + start + ".." + (start + rows - 1)
                    + " received " + count + " rows instead of " + rows + "; the RDD must give its rows in the same "
                    + "order every time it is computed (sort or persist it before fit)");
        }
        return new Shard(start, rows, format, features, targets);
    }

    /** The features of the block's rows {@code local} (positions in the block), {@code [local.length, shape...]}. */
    Tensor features(int[] local) {
        return gather(features, format.featureLength(), format.featureShape(), format.featureType(), local);
    }

    /** The targets of the block's rows {@code local}, {@code [local.length, shape...]}. */
    Tensor targets(int[] local) {
        return gather(targets, format.targetLength(), format.targetShape(), format.targetType(), local);
    }

    private static Tensor gather(Object from, int width, int[] sampleShape, DType type, int[] local) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = local.length;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Object out = from instanceof float[] ? new float[local.length * width] : new double[local.length * width];
        for (int i = 0; i < local.length; i++) {
            System.arraycopy(from, local[i] * width, out, i * width, width);
        }
        Tensor t = out instanceof float[] f ? Tensor.of(f, shape) : Tensor.of((double[]) out, shape);
        return t.dtype() == type ? t : t.to(type);
    }

    @Override
    public String toString() {
        return "Shard[rows " + start + ".." + (start + rows - 1) + ", " + format + "]";
    }
}
