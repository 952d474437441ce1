package dev.autograd.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TreeSumTest {

    private static Contribution c(double v) {
        return new Contribution(new double[] {v}, 1, v, 1, 5, 5);
    }

    @Test
    void threePartitionsAddAsTheFixedTreeWhateverTheMergeOrder() {
        // Tree over 3 leaves: (p0 + p1) + p2. With 1e16, 1, -1e16 that is (1e16 + 1) - 1e16 = 0 in doubles
        // (1e16 + 1 rounds to 1e16), while the order p0, p2, p1 would give 1.
        double[] v = {1e16, 1, -1e16};
        int[][] orders = {{0, 1, 2}, {2, 1, 0}, {0, 2, 1}, {1, 2, 0}};
        for (int[] order : orders) {
            TreeSum total = new TreeSum(3);
            for (int p : order) {
                total.merge(new TreeSum(3).add(p, c(v[p])));
            }
            Contribution sum = total.total();
            assertArrayEquals(new double[] {0}, sum.values, 0.0);
            assertEquals(3, sum.vectors);
            assertEquals(3, sum.samples);
            assertEquals(5, sum.maxNanos);
            assertEquals(15, sum.sumNanos);
        }
    }

    @Test
    void fivePartitionsInPartialResultsGiveTheSameSum() {
        double[] v = {0.1, 0.2, 0.3, 1e17, -1e17};
        // The fixed tree: ((p0 + p1) + (p2 + p3)) + p4.
        double expected = ((v[0] + v[1]) + (v[2] + v[3])) + v[4];
        TreeSum a = new TreeSum(5).add(4, c(v[4])).add(1, c(v[1]));
        TreeSum b = new TreeSum(5).add(3, c(v[3])).add(0, c(v[0]));
        TreeSum d = new TreeSum(5).add(2, c(v[2]));
        assertArrayEquals(new double[] {expected}, d.merge(a).merge(b).total().values, 0.0);
    }

    @Test
    void anEmptyContributionIsAZero() {
        TreeSum t = new TreeSum(2).add(1, c(2.5)).add(0, Contribution.empty(7));
        assertArrayEquals(new double[] {2.5}, t.total().values, 0.0);
        assertEquals(1, t.total().samples);
        assertEquals(7, t.total().maxNanos);
    }

    @Test
    void float32VectorsAreSentAsFloatsAndAddedAsDoubles() {
        Contribution a = new Contribution(null, new float[] {0.1f, 3f}, 1, 0, 1, 1, 1, null);
        Contribution b = new Contribution(null, new float[] {0.2f, 1e-8f}, 1, 0, 1, 1, 1, null);
        TreeSum t = new TreeSum(2).add(1, b).add(0, a);
        assertArrayEquals(new double[] {(double) 0.1f + (double) 0.2f, 3.0 + (double) 1e-8f}, t.total().vector(), 0.0);
        // One partition: its float32 vector itself, widened exactly.
        assertArrayEquals(new double[] {(double) 0.1f, 3.0}, new TreeSum(1).add(0, a).total().vector(), 0.0);
    }

    @Test
    void aMissingPartitionIsReported() {
        TreeSum t = new TreeSum(3).add(0, c(1)).add(2, c(1));
        IllegalStateException e = assertThrows(IllegalStateException.class, t::total);
        assertEquals("SparkTrainer: the aggregate holds 2 partial sums instead of one; a partition's result is missing",
                e.getMessage());
    }

    @Test
    void localRowsAreTheBatchRowsInsideTheBlockInBatchOrder() {
        int[] batch = {9, 2, 5, 4, 11, 3};
        assertArrayEquals(new int[] {1, 0}, SparkTrainer.localRows(batch, 4, 4)); // rows 4..7: 5 and 4
        assertArrayEquals(new int[] {}, SparkTrainer.localRows(batch, 12, 3));
        assertArrayEquals(new int[] {2, 3}, SparkTrainer.localRows(batch, 0, 4)); // rows 0..3: 2 and 3
    }
}
