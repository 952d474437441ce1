package dev.autograd.examples;

import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.Conv2d;
import dev.autograd.nn.Flatten;
import dev.autograd.nn.Linear;
import dev.autograd.nn.Losses;
import dev.autograd.nn.MaxPool2d;
import dev.autograd.nn.ReLU;
import dev.autograd.nn.Sequential;
import dev.autograd.nn.Tanh;
import dev.autograd.nn.optim.SGD;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The reference workloads of the benchmark command (W1, W2, W4, W7, as the project's performance notes define
 * them), the rule that times them and the measure of what they allocate. The numpy script
 * {@code src/main/python/numpy_bench.py} builds the same cases under the same ids and times them by the same
 * rule.
 */
final class BenchWorkloads {

    /** The workloads the command knows, in table order. */
    static final List<String> ALL = List.of("W1", "W2", "W3", "W4", "W5", "W6", "W7");

    private BenchWorkloads() {
    }

    /**
     * The problem sizes.
     *
     * @param matmul    the n of the square W1 cases
     * @param mlpBatch  the batch of W2 (and so of the W2 forward shapes in W1)
     * @param elements  the number of elements of W4
     * @param convBatch the batch of W7
     * @param points    the points of W5
     * @param chains    the n of each W6 case
     */
    record Sizes(List<Integer> matmul, int mlpBatch, int elements, int convBatch, int points, List<Integer> chains) {
        /** The reference sizes. */
        static final Sizes FULL = new Sizes(List.of(256, 512, 1024), 128, 1 << 20, 32, 100, List.of(100_000,
                1_000_000));
        /** Tiny sizes for a smoke run. */
        static final Sizes QUICK = new Sizes(List.of(32, 64), 8, 1 << 12, 2, 4, List.of(1_000, 10_000));

        /** @return the arguments that give numpy_bench.py these sizes */
        List<String> pythonArgs() {
            return List.of("--matmul-sizes", String.join(",", matmul.stream().map(String::valueOf).toList()),
                    "--mlp-batch", String.valueOf(mlpBatch), "--elements", String.valueOf(elements));
        }
    }

    /**
     * How a case is timed, the same for the engine and numpy: the step runs for at least {@code warmUpRuns}
     * runs and {@code warmUpSeconds} (so that the JIT has compiled the hot paths and the caches and allocator
     * are warm); then single runs are timed until there are at least {@code minRuns} of them and they took at
     * least {@code minSeconds}, stopping at {@code maxRuns}; the figure is the median, {@code sorted[n / 2]}.
     * This is the rule of the numpy anchor script for W1, applied to every workload, with a warm-up of 2 s
     * rather than 0.5 s: the engine's JVM is still compiling its kernels after half a second (a W2 step
     * takes 2 ms at 1 s and settles after about 1.5 s), and numpy loses nothing by waiting longer.
     *
     * @param warmUpRuns    least number of warm-up runs
     * @param warmUpSeconds least warm-up time
     * @param minRuns       least number of timed runs
     * @param minSeconds    least total time of the timed runs
     * @param maxRuns       most timed runs
     */
    record Timing(int warmUpRuns, double warmUpSeconds, int minRuns, double minSeconds, int maxRuns) {
        /** The rule of a real run. */
        static final Timing FULL = new Timing(3, 2.0, 10, 1.0, 200);
        /** A few milliseconds per case, for a smoke run. */
        static final Timing QUICK = new Timing(1, 0.02, 3, 0.02, 20);

        /** @return the arguments that give numpy_bench.py this rule */
        List<String> pythonArgs() {
            return List.of("--warmup-runs", String.valueOf(warmUpRuns), "--warmup-seconds", String.valueOf(warmUpSeconds),
                    "--min-runs", String.valueOf(minRuns), "--min-seconds", String.valueOf(minSeconds),
                    "--max-runs", String.valueOf(maxRuns));
        }

        /** @return the rule in words, for the command's output */
        String describe() {
            return String.format(Locale.ROOT, "warm-up >= %d runs and >= %s s, then the median of >= %d timed runs"
                    + " and >= %s s (at most %d runs)", warmUpRuns, warmUpSeconds, minRuns, minSeconds, maxRuns);
        }
    }

    /**
     * One row of the table.
     *
     * @param id          the key shared with numpy_bench.py, also the row's label
     * @param workload    W1, W2, W4 or W7
     * @param chartLabel  a short label for the chart's axis
     * @param flops       floating-point operations of one step (W1), else 0
     * @param arrayBytes  the size of one input array, the unit W4's allocation is counted in, else 0
     * @param referenceMs PyTorch eager's documented time for this case on the reference machine, or NaN
     * @param setup       builds the inputs and returns the step (run in the measuring JVM only)
     * @param microgradMs micrograd's documented time for this case on the reference machine, or NaN
     * @param recordedOps the ops one step records (W5, W6: scalar ops), else 0
     * @param retained    W6: measures the heap one recorded op keeps alive while its graph is alive; W3: the
     *                    growth of the used heap over a loop of {@link #LOOP_STEPS} steps; else null
     */
    record Case(String id, String workload, String chartLabel, double flops, double arrayBytes, double referenceMs,
            Supplier<Supplier<Object>> setup, double microgradMs, long recordedOps, LongSupplier retained) {

        Case(String id, String workload, String chartLabel, double flops, double arrayBytes, double referenceMs,
             Supplier<Supplier<Object>> setup) {
            this(id, workload, chartLabel, flops, arrayBytes, referenceMs, setup, Double.NaN, 0, null);
        }
    }

    /**
     * What one side measured for one case.
     *
     * @param medianNanos       median time of one step
     * @param minNanos          the fastest step, or NaN when not reported
     * @param samples           number of timed runs
     * @param allocBytesPerStep Java heap bytes allocated per step by all threads, or -1 when not measured (numpy)
     * @param retainedBytesPerOp heap a recorded op keeps alive while its graph lives (W6), or -1
     */
    record Measurement(double medianNanos, double minNanos, int samples, long allocBytesPerStep,
                       long retainedBytesPerOp) {

        Measurement(double medianNanos, double minNanos, int samples, long allocBytesPerStep) {
            this(medianNanos, minNanos, samples, allocBytesPerStep, -1);
        }

        /**
         * Whether the runs were disturbed: a median more than twice the fastest run means that many runs were
         * held up, most often by another process competing for the cores (a quiet machine gives a tight spread).
         *
         * @return whether the median is more than twice the fastest run
         */
        boolean disturbed() {
            return medianNanos > 2 * minNanos;
        }
    }

    /**
     * The cases of the chosen workloads, in table order. Building them costs nothing: the tensors are made
     * by {@link Case#setup()}.
     *
     * @param sizes     the problem sizes
     * @param workloads any of {@link #ALL}
     * @return the cases
     */
    static List<Case> cases(Sizes sizes, Collection<String> workloads) {
        List<Case> cases = new ArrayList<>();
        List<DType> dtypes = List.of(DType.FLOAT32, DType.FLOAT64);
        int batch = sizes.mlpBatch();
        boolean reference = sizes.equals(Sizes.FULL);
        if (workloads.contains("W1")) {
            for (DType dtype : dtypes) {
                for (int n : sizes.matmul()) {
                    cases.add(matmul(n, n, n, dtype, "W1 n=" + n + " " + shortName(dtype)));
                }
            }
            int[][] forwardShapes = {{784, 256}, {256, 128}, {128, 10}};
            for (DType dtype : dtypes) {
                for (int[] kn : forwardShapes) {
                    cases.add(matmul(batch, kn[0], kn[1], dtype,
                            "W1 " + batch + "x" + kn[0] + "x" + kn[1] + " " + shortName(dtype)));
                }
            }
        }
        if (workloads.contains("W2")) {
            for (DType dtype : dtypes) {
                double pytorch = !reference ? Double.NaN : dtype == DType.FLOAT32 ? 1.80 : 4.1;
                cases.add(new Case("W2 MLP 784-256-128-10 batch " + batch + " " + name(dtype), "W2",
                        "W2 MLP " + shortName(dtype), 0, 0, pytorch, () -> mlpStep(batch, dtype)));
            }
        }
        if (workloads.contains("W3")) {
            for (DType dtype : dtypes) {
                double pytorch = !reference ? Double.NaN : dtype == DType.FLOAT32 ? 0.155 : 0.159;
                cases.add(new Case("W3 MLP 2-16-16-1 batch 32 " + name(dtype), "W3", "W3 MLP " + shortName(dtype), 0,
                        0, pytorch, () -> smallMlpStep(dtype), Double.NaN, 0, () -> heapGrowth(smallMlpStep(dtype),
                        reference ? LOOP_STEPS : LOOP_STEPS / 100)));
            }
        }
        if (workloads.contains("W4")) {
            int n = sizes.elements();
            cases.add(new Case("W4 sum(tanh(x*w+b)) " + n + " float32", "W4", "W4 tanh f32", 0, 4.0 * n,
                    reference ? 2.8 : Double.NaN, () -> elementwiseStep(n)));
        }
        if (workloads.contains("W5")) {
            int points = sizes.points();
            long ops = micrograd.recordedOps(points);
            cases.add(new Case("W5 micrograd demo, " + ops + " scalar ops", "W5", "W5 scalars", 0, 0,
                    reference ? 535 : Double.NaN, () -> micrograd.step(points), reference ? 1265 : Double.NaN, ops,
                    null));
        }
        if (workloads.contains("W6")) {
            for (int n : sizes.chains()) {
                boolean first = n == sizes.chains().get(0);
                cases.add(new Case("W6 chain of " + n + " steps (" + 2L * n + " scalar ops)", "W6", "W6 n=" + n, 0, 0,
                        reference && first ? 1606 : Double.NaN, () -> () -> chain(n),
                        reference && first ? 2988 : Double.NaN, 2L * n, () -> retainedPerChainOp(n)));
            }
        }
        if (workloads.contains("W7")) {
            int b = sizes.convBatch();
            cases.add(new Case("W7 CNN 1x28x28 batch " + b + " float32", "W7", "W7 CNN f32", 0, 0,
                    reference ? 4.8 : Double.NaN, () -> cnnStep(b)));
        }
        return cases;
    }

    private static String name(DType dtype) {
        return dtype.name().toLowerCase(Locale.ROOT);
    }

    private static String shortName(DType dtype) {
        return dtype == DType.FLOAT32 ? "f32" : "f64";
    }

    // W1: a plain product of standard-normal matrices; nothing requires grad, so nothing is recorded.
    private static Case matmul(int m, int k, int n, DType dtype, String chartLabel) {
        String id = "W1 matmul " + m + "x" + k + " @ " + k + "x" + n + " " + name(dtype);
        return new Case(id, "W1", chartLabel, 2.0 * m * k * n, 0, Double.NaN, () -> {
            Random random = new Random((long) m * k * n);
            Tensor a = Tensor.randn(random, dtype, m, k);
            Tensor b = Tensor.randn(random, dtype, k, n);
            return () -> a.matmul(b);
        });
    }

    // W2 written as a user would write it with autograd-nn; input and targets are fixed, as in numpy_mlp.py.
    private static Supplier<Object> mlpStep(int batch, DType dtype) {
        Random random = new Random(0);
        Sequential model = new Sequential(new Linear(784, 256, random), new ReLU(), new Linear(256, 128, random),
                new ReLU(), new Linear(128, 10, random));
        model.to(dtype);
        return trainingStep(model, Tensor.randn(random, dtype, batch, 784), targets(random, batch, 10));
    }

    // W3: a small MLP, where the per-op cost of recording and backward weighs more than the arithmetic.
    private static Supplier<Object> smallMlpStep(DType dtype) {
        Random random = new Random(3);
        Sequential model = new Sequential(new Linear(2, 16, random), new Tanh(), new Linear(16, 16, random),
                new Tanh(), new Linear(16, 1, random));
        model.to(dtype);
        Tensor x = Tensor.randn(random, dtype, 32, 2);
        Tensor target = Tensor.randn(random, dtype, 32, 1);
        return trainingStep(model, () -> Losses.mse(model.forward(x), target));
    }

    /** The length of the training loop whose heap W3 checks. */
    static final int LOOP_STEPS = 10_000;

    /**
     * How much the used heap grows over {@code steps} steps of a training loop: used heap after a full
     * collection at the end minus at the start (after 100 steps of warm-up), 0 when it shrank; a loop that
     * keeps nothing from step to step stays near 0.
     */
    private static long heapGrowth(Supplier<Object> step, int steps) {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 100; i++) {
            step.get();
        }
        System.gc();
        long before = runtime.totalMemory() - runtime.freeMemory();
        Object sink = null;
        for (int i = 0; i < steps; i++) {
            sink = step.get();
        }
        System.gc();
        long after = runtime.totalMemory() - runtime.freeMemory();
        java.lang.ref.Reference.reachabilityFence(sink);
        return Math.max(0, after - before);
    }

    // W6: h = h * 0.999 + 0.001 from one 0-d leaf, forward and backward: a tape of 2n scalar ops.
    private static Object chain(int n) {
        Tensor x = Tensor.scalar(1.0).requiresGrad(true);
        Tensor h = x;
        for (int i = 0; i < n; i++) {
            h = h.mul(0.999).add(0.001);
        }
        h.backward();
        return x.grad();
    }

    /**
     * The heap a W6 tape of n steps keeps alive per recorded op: used heap after a full collection with the
     * forward graph alive, minus before it, over 2n.
     */
    private static long retainedPerChainOp(int n) {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        long before = runtime.totalMemory() - runtime.freeMemory();
        Tensor x = Tensor.scalar(1.0).requiresGrad(true);
        Tensor h = x;
        for (int i = 0; i < n; i++) {
            h = h.mul(0.999).add(0.001);
        }
        System.gc();
        long after = runtime.totalMemory() - runtime.freeMemory();
        java.lang.ref.Reference.reachabilityFence(h);
        return Math.max(0, (after - before) / (2L * n));
    }

    /** W5: micrograd's demo, every weight and every op a scalar. */
    private static final MicrogradDemo micrograd = new MicrogradDemo();

    // W7: two conv-ReLU-pool stages and a linear classifier, float32.
    private static Supplier<Object> cnnStep(int batch) {
        Random random = new Random(7);
        Sequential model = new Sequential(new Conv2d(1, 16, 3, 1, 1, true, random), new ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1, true, random), new ReLU(), new MaxPool2d(2), new Flatten(),
                new Linear(1568, 10, random));
        model.to(DType.FLOAT32);
        return trainingStep(model, Tensor.randn(random, DType.FLOAT32, batch, 1, 28, 28), targets(random, batch, 10));
    }

    private static int[] targets(Random random, int batch, int classes) {
        int[] targets = new int[batch];
        Arrays.setAll(targets, i -> random.nextInt(classes));
        return targets;
    }

    // One SGD step (lr 0.01) on cross-entropy, the loop every training example writes.
    private static Supplier<Object> trainingStep(Sequential model, Tensor x, int[] targets) {
        return trainingStep(model, () -> Losses.crossEntropy(model.forward(x), targets));
    }

    // One SGD step (lr 0.01) on the loss the forward pass gives.
    private static Supplier<Object> trainingStep(Sequential model, Supplier<Tensor> forwardLoss) {
        SGD optimizer = new SGD(model.parameters(), 0.01);
        return () -> {
            optimizer.zeroGrad();
            Tensor loss = forwardLoss.get();
            loss.backward();
            optimizer.step();
            return loss;
        };
    }

    // W4: every input requires grad, and the gradients are dropped before each step, so that each step
    // allocates what a fresh backward allocates.
    private static Supplier<Object> elementwiseStep(int n) {
        Random random = new Random(4);
        Tensor x = Tensor.randn(random, DType.FLOAT32, n).requiresGrad(true);
        Tensor w = Tensor.randn(random, DType.FLOAT32, n).requiresGrad(true);
        Tensor b = Tensor.randn(random, DType.FLOAT32, n).requiresGrad(true);
        return () -> {
            x.zeroGrad();
            w.zeroGrad();
            b.zeroGrad();
            Tensor y = x.mul(w).add(b).tanh().sum();
            y.backward();
            return y;
        };
    }

    /**
     * Times {@code step} by {@code timing} (see {@link Timing}) and measures the heap bytes it allocates per
     * step, over the same timed runs: the engine runs kernels on a pool of its own threads, so the count is
     * summed over every live thread, not only the caller.
     *
     * @param timing the rule
     * @param step   one step; what it returns is kept so that the JIT cannot drop the work
     * @return the median time, the number of timed runs and the bytes per step
     */
    static Measurement measure(Timing timing, Supplier<Object> step) {
        Object sink = null;
        long warmUpEnd = System.nanoTime() + (long) (timing.warmUpSeconds() * 1e9);
        for (int k = 0; k < timing.warmUpRuns() || System.nanoTime() < warmUpEnd; k++) {
            sink = step.get();
        }
        // Sized in advance so that the loop itself allocates nothing that the count would charge to the step.
        long[] samples = new long[timing.maxRuns()];
        int n = 0;
        Map<Long, Long> before = allocatedBytesByThread();
        long start = System.nanoTime();
        long minNanos = (long) (timing.minSeconds() * 1e9);
        while (n < timing.maxRuns() && (n < timing.minRuns() || System.nanoTime() - start < minNanos)) {
            long t = System.nanoTime();
            sink = step.get();
            samples[n++] = System.nanoTime() - t;
        }
        long allocated = allocatedSince(before);
        if (sink == null) {
            throw new IllegalStateException("the benchmark step returned nothing");
        }
        Arrays.sort(samples, 0, n);
        return new Measurement(samples[n / 2], samples[0], n, allocated / n);
    }

    private static com.sun.management.ThreadMXBean threads() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!bean.isThreadAllocatedMemoryEnabled()) {
            bean.setThreadAllocatedMemoryEnabled(true);
        }
        return bean;
    }

    private static Map<Long, Long> allocatedBytesByThread() {
        var bean = threads();
        long[] ids = bean.getAllThreadIds();
        long[] bytes = bean.getThreadAllocatedBytes(ids);
        Map<Long, Long> byThread = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {   // -1: the thread ended between the two calls
                byThread.put(ids[i], bytes[i]);
            }
        }
        return byThread;
    }

    // A thread started since `before` counts from zero; one that ended since is lost, which is why this is
    // only meant for the engine's fixed kernel pool and the caller.
    private static long allocatedSince(Map<Long, Long> before) {
        long total = 0;
        for (Map.Entry<Long, Long> e : allocatedBytesByThread().entrySet()) {
            total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return total;
    }
}
