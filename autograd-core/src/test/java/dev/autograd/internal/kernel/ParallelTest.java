package dev.autograd.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

/** The kernel pool runs every chunk once, reports failures, nests without deadlock and serves many callers. */
class ParallelTest {

    @Test
    void everyChunkRunsExactlyOnce() {
        for (int chunks : new int[] {0, 1, 2, 3, 17, 1000}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(1, chunks));
            Parallel.forEach(chunks, c -> runs.incrementAndGet(c));
            for (int c = 0; c < chunks; c++) {
                assertEquals(1, runs.get(c), "chunk " + c + " of " + chunks);
            }
        }
    }

    @Test
    void rangesCoverTheIndicesWithoutOverlap() {
        for (int n : new int[] {0, 1, 5, 100_000, 1 << 20}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
            Parallel.range(n, 1000, (s, e) -> {
                for (int i = s; i < e; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, hits.get(i), "index " + i + " of " + n);
            }
        }
        assertEquals(0, Parallel.rangeStart(10, 3, 0));
        assertEquals(10, Parallel.rangeStart(10, 3, 3));
        assertEquals(1, Parallel.chunks(10, 100), "small work stays on the caller");
    }

    @Test
    void theFirstFailureReachesTheCaller() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Parallel.forEach(8, c -> {
            if (c == 5) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        assertThrows(AssertionError.class, () -> Parallel.forEach(4, c -> {
            throw new AssertionError("error " + c);
        }));
        // the pool still works afterwards
        AtomicIntegerArray runs = new AtomicIntegerArray(4);
        Parallel.forEach(4, runs::incrementAndGet);
        assertEquals(1, runs.get(3));
    }

    @Test
    void aKernelCalledFromInsideAChunkRunsInlineWithoutDeadlock() {
        AtomicIntegerArray runs = new AtomicIntegerArray(16);
        Parallel.forEach(4, outer -> Parallel.forEach(4, inner -> runs.incrementAndGet(outer * 4 + inner)));
        for (int i = 0; i < 16; i++) {
            assertEquals(1, runs.get(i));
        }
    }

    @Test
    void manyApplicationThreadsCanSubmitAtOnce() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Long>> tasks = new ArrayList<>();
            for (int t = 0; t < 24; t++) {
                int seed = t;
                tasks.add(() -> {
                    long[] sums = new long[64];
                    Parallel.forEach(64, c -> sums[c] = (long) c * seed);
                    long total = 0;
                    for (long s : sums) {
                        total += s;
                    }
                    return total;
                });
            }
            List<Future<Long>> results = callers.invokeAll(tasks);
            for (int t = 0; t < results.size(); t++) {
                assertEquals(2016L * t, results.get(t).get());
            }
        } finally {
            callers.shutdownNow();
        }
        assertTrue(Parallel.threads() >= 1);
    }
}
