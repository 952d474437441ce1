package dev.autograd.spark;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * The sum of the partitions' contributions over a fixed binary tree of partition indices, whatever order
 * Spark merges them in. {@code treeAggregate} combines partial results in the order tasks finish, and
 * floating-point addition is not associative, so a plain running sum would differ in its last bits from run
 * to run with three partitions or more. Here a partial result keeps one piece per complete subtree
 * ({@code level}, {@code index}) and adds two pieces only when they are siblings, left then right: every
 * run adds the same numbers in the same order, so a retried step, a resumed run and an uninterrupted one
 * agree bit for bit. A partial result holds at most {@code log2(partitions) + 1} pieces.
 */
final class TreeSum implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int partitions;
    private final Map<Long, Contribution> pieces = new HashMap<>();

    TreeSum(int partitions) {
        this.partitions = partitions;
    }

    /** Adds partition {@code partition}'s contribution (Spark's seqOp). */
    TreeSum add(int partition, Contribution c) {
        insert(0, partition, c);
        return this;
    }

    /** Adds another partial result (Spark's combOp). */
    TreeSum merge(TreeSum other) {
        for (var e : other.pieces.entrySet()) {
            insert((int) (e.getKey() >>> 32), (int) (long) e.getKey(), e.getValue());
        }
        return this;
    }

    private void insert(int level, int index, Contribution c) {
        while (!(index == 0 && (1L << level) >= partitions)) {
            int sibling = index ^ 1;
            // A sibling subtree that holds no partition leaves this piece its parent's whole sum.
            if (((long) sibling << level) < partitions) {
                Contribution s = pieces.remove(key(level, sibling));
                if (s == null) {
                    pieces.put(key(level, index), c);
                    return;
                }
                c = (index & 1) == 0 ? Contribution.sum(c, s) : Contribution.sum(s, c);
            }
            level++;
            index >>= 1;
        }
        pieces.put(key(level, 0), c);
    }

    private static long key(int level, int index) {
        return ((long) level << 32) | (index & 0xFFFFFFFFL);
    }

    /** The sum over all partitions, once every partition was added. */
    Contribution total() {
        if (pieces.size() != 1) {
            throw new IllegalStateException("SparkTrainer: the aggregate holds " + pieces.size()
                    + " partial sums instead of one; a partition's result is missing");
        }
        return pieces.values().iterator().next();
    }
}
