package dev.autograd.internal.kernel;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
 * the pool can never deadlock on itself; several application threads may submit at once, each doing its
 * own job's chunks too, so a submitter always makes progress even when every worker is busy elsewhere.
 *
 * <p>How a job reaches the workers: each worker has a mailbox of its own, a reference alone on its cache
 * line, which it polls while idle; a submitter posts the job into the mailboxes of the workers that are
 * free. The chunk counters of a job sit on cache lines of their own as well. Nothing that two cores write
 * shares a line with what a kernel reads in its loops: an earlier pool, whose idle workers polled one
 * shared queue, ran a 2-thread training step at 1.0 to 1.6 times its best time depending on where the
 * allocator happened to put its objects.
 */
public final class Parallel {

    private static final Logger LOG = LoggerFactory.getLogger(Parallel.class);

    /** Number of threads that run a job, the caller included; at least 1. */
    private static final int THREADS = configuredThreads();

    /**
     * How long an idle worker keeps polling for work before it parks, in nanoseconds (system property
     * {@code autograd.spinMicros}, default 1000). Waking a parked thread takes tens of microseconds, more
     * in a virtual machine, as long as a whole kernel of a training step: with a budget counted in pause
     * instructions instead (a few thousand), the worker parked between the kernels of one step as soon as
     * the pause got slower, and a 2-thread GEMM ran at 1.2 times one thread's speed instead of 1.8 times.
     * A millisecond covers the gaps between the kernels of a step and costs an idle core at most that
     * much spinning after the last one.
     */
    private static final long SPIN_NANOS = 1000L * Math.max(0, Integer.getInteger("autograd.spinMicros", 1000));

    /** The workers, each with its mailbox. */
    private static final Worker[] WORKERS = startWorkers(THREADS - 1);

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
        int helpers = Math.min(chunks - 1, WORKERS.length);
        for (Worker worker : WORKERS) {
            if (helpers > 0 && worker.offer(job)) {
                helpers--;
            }
        }
        IN_POOL.set(Boolean.TRUE);
        try {
            job.work();
        } finally {
            IN_POOL.set(Boolean.FALSE);
        }
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

    // ---------------------------------------------------------------- cache-line padding

    /**
     * Where the one used element of a padded atomic array sits: 16 slots of 4 bytes or more on each side,
     * never written, keep whatever else is on its cache line out.
     */
    private static final int SLOT = 16;
    private static final int PADDED_LENGTH = 2 * SLOT + 1;

    /** An atomic int alone on its cache line: the middle element of an array nobody else writes. */
    private static final class Counter {
        private final AtomicIntegerArray cell = new AtomicIntegerArray(PADDED_LENGTH);

        int getAndIncrement() {
            return cell.getAndIncrement(SLOT);
        }

        int incrementAndGet() {
            return cell.incrementAndGet(SLOT);
        }

        int get() {
            return cell.get(SLOT);
        }
    }

    /** A worker's mailbox: the job posted to it, or null; alone on its cache line, as {@link Counter}. */
    private static final class Mailbox {
        private final AtomicReferenceArray<Job> cell = new AtomicReferenceArray<>(PADDED_LENGTH);

        Job job() {
            return cell.get(SLOT);
        }

        boolean replace(Job expected, Job next) {
            return cell.compareAndSet(SLOT, expected, next);
        }
    }

    // ---------------------------------------------------------------- jobs and workers

    /** One call of {@link #forEach}: chunks claimed with an atomic counter, completion counted. */
    private static final class Job {
        final int chunks;
        final ChunkBody body;
        final Counter next = new Counter();
        final Counter done = new Counter();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread owner = Thread.currentThread();

        Job(int chunks, ChunkBody body) {
            this.chunks = chunks;
            this.body = body;
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
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
        }

        boolean exhausted() {
            return next.get() >= chunks;
        }

        void awaitDone() {
            long parkAfter = System.nanoTime() + SPIN_NANOS;
            while (done.get() < chunks) {
                if (System.nanoTime() < parkAfter) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }
    }

    /** A pool thread: polls its mailbox, runs what is posted there, parks when idle for long. */
    private static final class Worker extends Thread {
        private final Mailbox mailbox = new Mailbox();

        Worker(int index) {
            super("autograd-kernel-" + index);
            setDaemon(true);
        }

        /**
         * Posts {@code job} if this worker is free (its mailbox empty, or holding a job with no chunks left)
         * and wakes it if it parked.
         */
        boolean offer(Job job) {
            Job current = mailbox.job();
            if ((current == null || current.exhausted()) && mailbox.replace(current, job)) {
                LockSupport.unpark(this);
                return true;
            }
            return false;
        }

        @Override
        public void run() {
            IN_POOL.set(Boolean.TRUE);
            while (true) {
                waitAndWork();
            }
        }

        /**
         * Polls the mailbox until a job arrives (parking after {@link #SPIN_NANOS}), then runs it. A method of
         * its own, so that the JIT compiles it as a whole method, not only as an on-stack replacement of an
         * endless loop whose profile was taken while the worker was idle.
         */
        private void waitAndWork() {
            long parkAfter = System.nanoTime() + SPIN_NANOS;
            Job job;
            while ((job = mailbox.job()) == null) {
                if (System.nanoTime() < parkAfter) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                    parkAfter = System.nanoTime() + SPIN_NANOS;
                }
            }
            job.work();
            // Clear the mailbox unless a new job was posted over the finished one meanwhile.
            mailbox.replace(job, null);
        }
    }

    private static Worker[] startWorkers(int count) {
        Worker[] workers = new Worker[count];
        for (int i = 0; i < count; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
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
