package dev.autograd.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.autograd.DType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** TrainingRow, RowFormat, the block partitioner and the packing of rows into a Shard, without Spark. */
class RowsTest {

    @Test
    void blocksOfConsecutiveIndicesDifferInSizeByAtMostOne() {
        // 10 rows in 3 blocks: from(p) = floor(10 p / 3) = 0, 3, 6, 10.
        BlockPartitioner b = new BlockPartitioner(10, 3);
        int[] expected = {0, 0, 0, 1, 1, 1, 2, 2, 2, 2};
        for (int i = 0; i < 10; i++) {
            assertEquals(expected[i], b.getPartition((long) i), "row " + i);
        }
        assertEquals(6, BlockPartitioner.from(10, 3, 2));
        assertEquals(10, BlockPartitioner.from(10, 3, 3));
        assertEquals("SparkTrainer: row index 10 outside [0, 10)",
                assertThrows(IllegalArgumentException.class, () -> b.getPartition(10L)).getMessage());
        assertEquals(new BlockPartitioner(10, 3), b);
        assertNotEquals(new BlockPartitioner(11, 3), b);
    }

    @Test
    void theBlockOfAnIndexHoldsItAtTheEdgesOfTheIntRange() {
        long n = Integer.MAX_VALUE;
        for (int partitions : new int[] {1, 7, 1000, Integer.MAX_VALUE}) {
            BlockPartitioner b = new BlockPartitioner(n, partitions);
            Random random = new Random(partitions);
            for (int k = 0; k < 1000; k++) {
                long i = k < 2 ? k * (n - 1) : (long) (random.nextDouble() * n);
                int p = b.getPartition(i);
                long from = BlockPartitioner.from(n, partitions, p);
                long to = BlockPartitioner.from(n, partitions, p + 1);
                assertEquals(true, from <= i && i < to, "row " + i + " in block " + p + " = [" + from + ", " + to + ")");
            }
        }
        assertEquals("SparkTrainer: cannot cut 2 rows into 3 blocks",
                assertThrows(IllegalArgumentException.class, () -> new BlockPartitioner(2, 3)).getMessage());
    }

    @Test
    void rowsArrivingInAnyOrderArePackedByIndexAndConvertedToTheFormatsDtypes() {
        RowFormat format = RowFormat.of(DType.FLOAT32, new int[] {2}, DType.FLOAT64, new int[0]);
        // Rows 10..12 of a data set, arriving 12, 10, 11; float and double storage mixed.
        List<Tuple2<Long, TrainingRow>> rows = List.of(
                new Tuple2<>(12L, TrainingRow.of(new double[] {5, 6}, 0.25)),
                new Tuple2<>(10L, TrainingRow.of(new float[] {1, 2}, 1.5)),
                new Tuple2<>(11L, TrainingRow.of(new float[] {3, 4}, 2f)));
        Shard shard = Shard.pack(10, 3, format, rows.iterator());
        assertArrayEquals(new float[] {5, 6, 1, 2}, shard.features(new int[] {2, 0}).toFloatArray());
        assertEquals(DType.FLOAT32, shard.features(new int[] {1}).dtype());
        assertArrayEquals(new int[] {2, 2}, shard.features(new int[] {2, 0}).shape());
        assertArrayEquals(new double[] {2, 0.25}, shard.targets(new int[] {1, 2}).toDoubleArray(), 0.0);
        assertEquals(DType.FLOAT64, shard.targets(new int[] {1}).dtype());
        assertArrayEquals(new int[] {2}, shard.targets(new int[] {1, 2}).shape());
    }

    @Test
    void aMissingOrRepeatedRowIsReported() {
        RowFormat format = RowFormat.of(DType.FLOAT64, new int[] {1}, new int[0]);
        TrainingRow r = TrainingRow.of(new double[] {1}, 0);
        assertEquals("SparkTrainer.fit: the block of rows 0..2 received 2 rows instead of 3; the RDD must give its "
                + "rows in the same order every time it is computed (sort or persist it before fit)",
                assertThrows(IllegalArgumentException.class, () -> Shard.pack(0, 3, format,
                        List.of(new Tuple2<>(0L, r), new Tuple2<>(2L, r)).iterator())).getMessage());
        assertEquals("SparkTrainer.fit: row 1 arrived twice; the RDD must give its rows in the same order every time "
                + "it is computed (sort or persist it before fit)",
                assertThrows(IllegalArgumentException.class, () -> Shard.pack(0, 3, format,
                        List.of(new Tuple2<>(1L, r), new Tuple2<>(1L, r)).iterator())).getMessage());
    }

    @Test
    void formatsRefuseEmptyExtentsAndRowsBeyondAnInt() {
        assertEquals("RowFormat.of: the feature shape [3, 0] has an extent below 1",
                assertThrows(IllegalArgumentException.class,
                        () -> RowFormat.of(DType.FLOAT32, new int[] {3, 0}, new int[0])).getMessage());
        assertEquals("RowFormat.of: the target shape [65536, 32768] holds more than 2147483647 values per row",
                assertThrows(IllegalArgumentException.class,
                        () -> RowFormat.of(DType.FLOAT32, new int[] {1}, new int[] {65536, 32768})).getMessage());
        // 65536 * 32767 = 2147418112 values still fit.
        assertEquals(2147418112, RowFormat.of(DType.FLOAT32, new int[] {65536, 32767}, new int[0]).featureLength());
        assertEquals("RowFormat.of: the feature dtype is null", assertThrows(NullPointerException.class,
                () -> RowFormat.of(null, new int[] {1}, new int[0])).getMessage());
    }

    @Test
    void rowsAreValuesThatSayWhatTheyHold() {
        TrainingRow a = TrainingRow.of(new float[] {0.5f, 1, 2}, 1f);
        assertEquals(TrainingRow.of(new float[] {0.5f, 1, 2}, 1f), a);
        assertEquals(a.hashCode(), TrainingRow.of(new float[] {0.5f, 1, 2}, 1f).hashCode());
        assertNotEquals(TrainingRow.of(new float[] {0.5f, 1, 2}, 1.0), a, "a double target is another row");
        assertEquals("TrainingRow[features float[3] [0.5, 1.0, 2.0], target float[1] [1.0]]", a.toString());
        assertEquals("TrainingRow[features double[9] [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, ...], target double[0] []]",
                TrainingRow.of(new double[9]).toString());
        assertEquals(3, a.featureLength());
        assertEquals(1, a.targetLength());
        assertEquals("RowFormat[features FLOAT32 [1, 28, 28], target FLOAT64 []]",
                RowFormat.of(DType.FLOAT32, new int[] {1, 28, 28}, DType.FLOAT64, new int[0]).toString());
    }
}
