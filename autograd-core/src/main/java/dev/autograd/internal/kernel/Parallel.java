package dev.autograd.internal.kernel;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's fixed pool of kernel threads: {@link #threads()} workers in all, the calling thread being
 * one of them, created once and kept for the life of the JVM (daemon threads).
 *
 * <p>Work is cut into chunks by the caller, and the cut depends only on the problem size and
 * {@link #threads()}, never on timing: threads claim chunks in whatever order they come, but each chunk
 * computes the same thing whoever runs it, and callers that reduce combine the per-chunk results in chunk
 * order. So results are bit-identical from run to run for a given thread count.
 *
 * <p>The size comes from the system property {@code autograd.threads} (default: the number of available
 * processors). A kernel called from inside a pool thread runs on that thread alone (no nested forking), so
 * the pool can never deadlock on itself; several application threads may submit at once, each helping
 * with its own job, so a submitter always makes progress even when the workers are busy elsewhere.
 */
public final class Parallel {

    private static final Logger LOG = LoggerFactory.getLogger(Parallel.class);

    /** Number of threads that run a job, the caller included; at least 1. */
    private static final int THREADS = configuredThreads();

    /** Jobs waiting for helpers; a job stays here until all of its chunks are claimed. */
    private static final ConcurrentLinkedQueue<Job> QUEUE = new ConcurrentLinkedQueue<>();

    /** Workers that parked for lack of work, to be unparked when a job arrives. */
    private static final Thread[] WORKERS = startWorkers(THREADS - 1);

    /** Spins before parking: a job arriving within this many polls is picked up without a wake-up. */
    private static final int SPINS = 2_000;

    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private Parallel() {
    }

    /** A body of work over the chunk indices {@code [0, chunks)}. */
    @FunctionalInterface
    public interface ChunkBody {
        /**
         * Runs one chunk.
         *
         * @param chunk the chunk index
         */
        void run(int chunk);
    }

    /** A body of work over a range of indices. */
    @FunctionalInterface
    public interface RangeBody {
        /**
         * Runs the indices {@code [start, end)}.
         *
         * @param start first index
         * @param end   one past the last index
         */
        void run(int start, int end);
    }

    /** @return the number of threads a parallel kernel uses, the caller included */
    public static int threads() {
        return THREADS;
    }

    /**
     * How many chunks to cut {@code work} units into so that each has at least {@code minWork} of them:
     * 1 below the threshold, else up to {@code 4 * threads()} (a few per thread, so that an uneven chunk
     * does not leave a core idle). Depends only on its arguments and the thread count.
     *
     * @param work    the total amount of work, in any unit
     * @param minWork the least work worth a chunk of its own
     * @return the number of chunks, at least 1
     */
    public static int chunks(long work, long minWork) {
        if (THREADS == 1 || work < 2 * minWork) {
            return 1;
        }
        return (int) Math.max(1, Math.min(4L * THREADS, work / minWork));
    }

    /**
     * Runs {@code body} for every chunk in {@code [0, chunks)}, spread over the pool, and returns when
     * all have finished. The first exception thrown by a chunk is rethrown here (the other chunks still
     * finish or fail first).
     *
     * @param chunks the number of chunks, at least 0
     * @param body   the work of one chunk
     */
    public static void forEach(int chunks, ChunkBody body) {
        if (chunks <= 1 || THREADS == 1 || IN_POOL.get()) {
            for (int c = 0; c < chunks; c++) {
                body.run(c);
            }
            return;
        }
        Job job = new Job(chunks, body);
        QUEUE.add(job);
        for (Thread worker : WORKERS) {
            LockSupport.unpark(worker);
        }
        IN_POOL.set(Boolean.TRUE);
        try {
            job.work();
        } finally {
            IN_POOL.set(Boolean.FALSE);
        }
        QUEUE.remove(job);
        job.awaitDone();
        Throwable failure = job.failure.get();
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    /**
     * Runs {@code body} over {@code [0, n)} cut into {@link #chunks(long, long)} contiguous ranges of
     * (nearly) equal size; a range boundary depends only on {@code n}, the grain and the thread count.
     *
     * @param n     the number of indices
     * @param grain the least number of indices worth a range of its own
     * @param body  the work of one range
     */
    public static void range(int n, int grain, RangeBody body) {
        int chunks = chunks(n, Math.max(1, grain));
        if (chunks == 1) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        forEach(chunks, c -> body.run(rangeStart(n, chunks, c), rangeStart(n, chunks, c + 1)));
    }

    /**
     * The start of range {@code c} of {@code chunks} near-equal ranges over {@code [0, n)}.
     *
     * @param n      the number of indices
     * @param chunks the number of ranges
     * @param c      the range, {@code 0 <= c <= chunks}
     * @return its first index ({@code n} for {@code c == chunks})
     */
    public static int rangeStart(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    /** One call of {@link #forEach}: chunks claimed with an atomic counter, completion counted. */
    private static final class Job {
        final int chunks;
        final ChunkBody body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread owner = Thread.currentThread();

        Job(int chunks, ChunkBody body) {
            this.chunks = chunks;
            this.body = body;
        }

        /** Claims and runs chunks until none is left; returns whether it ran any. */
        boolean work() {
            boolean ran = false;
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                ran = true;
                try {
                    body.run(c);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (done.incrementAndGet() == chunks) {
                        LockSupport.unpark(owner);
                    }
                }
            }
            return ran;
        }

        boolean exhausted() {
            return next.get() >= chunks;
        }

        void awaitDone() {
            int spins = 0;
            while (done.get() < chunks) {
                if (++spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }
    }

    private static void workerLoop() {
        IN_POOL.set(Boolean.TRUE);
        int idle = 0;
        while (true) {
            Job job = QUEUE.peek();
            if (job != null) {
                if (job.exhausted()) {
                    QUEUE.remove(job);
                } else {
                    job.work();
                }
                idle = 0;
            } else if (++idle < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(Parallel.class);
                idle = 0;
            }
        }
    }

    private static Thread[] startWorkers(int count) {
        Thread[] workers = new Thread[count];
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(Parallel::workerLoop, "autograd-kernel-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
        return workers;
    }

    private static int configuredThreads() {
        int available = Runtime.getRuntime().availableProcessors();
        String property = System.getProperty("autograd.threads");
        if (property == null || property.isBlank()) {
            return Math.max(1, available);
        }
        try {
            int value = Integer.parseInt(property.trim());
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warn("autograd.threads={} is not a positive integer; using {} threads (the available processors)",
                property, available);
        return Math.max(1, available);
    }
}
