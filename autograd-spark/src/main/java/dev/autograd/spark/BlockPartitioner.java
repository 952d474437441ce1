package dev.autograd.spark;

import org.apache.spark.Partitioner;

/**
 * Places row {@code i} of {@code n} into the partition whose block of consecutive indices holds it: partition
 * {@code p} holds {@code [from(p), from(p + 1))} with {@code from(p) = floor(p * n / partitions)}, blocks that
 * differ in size by at most one row. Contiguous blocks let a partition find its rows of a global batch by a range
 * test, and a task know its block from its partition index alone.
 */
final class BlockPartitioner extends Partitioner {

    private static final long serialVersionUID = 1L;

    private final long n;
    private final int partitions;

    BlockPartitioner(long n, int partitions) {
        if (n < partitions || partitions < 1) {
            throw new IllegalArgumentException("SparkTrainer: cannot cut " + n + " rows into " + partitions + " blocks");
        }
        this.n = n;
        this.partitions = partitions;
    }

    /** The first row of block {@code p}; {@code from(partitions) = n}. */
    static long from(long n, int partitions, int p) {
        // n and partitions are at most 2^31 - 1: the product fits a long.
        return (long) p * n / partitions;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    /**
     * The largest {@code p} with {@code from(p) <= i}: {@code floor(p n / P) <= i} iff {@code p n < (i + 1) P},
     * so {@code p = floor(((i + 1) P - 1) / n)}.
     */
    @Override
    public int getPartition(Object key) {
        long i = (Long) key;
        if (i < 0 || i >= n) {
            throw new IllegalArgumentException("SparkTrainer: row index " + i + " outside [0, " + n + ")");
        }
        return (int) (((i + 1) * partitions - 1) / n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockPartitioner b && b.n == n && b.partitions == partitions;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(n) * 31 + partitions;
    }
}
