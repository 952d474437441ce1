package dev.autograd.examples;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A benchmark command: times a few engine workloads against a plain-Java baseline measured in the same
 * run, and prints a table of the ratios (engine time / baseline time; below 1 means the engine is faster).
 * Figures are medians of repeated runs after a warm-up of at least 0.7 s per workload; they compare code
 * paths on this machine, not absolute speeds.
 *
 * <p>Run: {@code ./mvnw -q -pl autograd-examples -am compile exec:exec@bench}, which starts it in a JVM of its
 * own (inside Maven's JVM, Maven's heap and threads make allocation-heavy timings noisy). The argument
 * {@code quick} gives a fast smoke run with small sizes.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    /**
     * One measured comparison.
     *
     * @param name        what was measured
     * @param engineNanos median time of the engine, in nanoseconds
     * @param baseline    what the engine is compared with
     * @param baseNanos   median time of the baseline, in nanoseconds
     */
    public record Row(String name, double engineNanos, String baseline, double baseNanos) {

        /** @return engine time over baseline time */
        public double ratio() {
            return engineNanos / baseNanos;
        }
    }

    /**
     * Runs the benchmarks and prints the table.
     *
     * @param args {@code quick} for small sizes and few repetitions
     */
    public static void main(String[] args) {
        boolean quick = args.length > 0 && args[0].equals("quick");
        List<Row> rows = run(quick);
        System.out.println(table(rows));
    }

    /**
     * Measures every workload.
     *
     * @param quick small sizes and few repetitions (a smoke run)
     * @return the rows of the table
     */
    public static List<Row> run(boolean quick) {
        int reps = quick ? 3 : 15;
        int n = quick ? 64 : 256;
        Random random = new Random(1);
        List<Row> rows = new ArrayList<>();

        Tensor a = Tensor.randn(random, n, n);
        Tensor b = Tensor.randn(random, n, n);
        double[] ad = a.toDoubleArray();
        double[] bd = b.toDoubleArray();
        rows.add(new Row("matmul " + n + "x" + n + " float64", time(reps, () -> a.matmul(b)),
                "naive i-j-k loops", time(reps, () -> naiveMatmul(ad, bd, n))));
        Tensor a32 = a.to(DType.FLOAT32);
        Tensor b32 = b.to(DType.FLOAT32);
        rows.add(new Row("matmul " + n + "x" + n + " float32", time(reps, () -> a32.matmul(b32)),
                "engine float64", time(reps, () -> a.matmul(b))));

        int batch = quick ? 2 : 8;
        int channels = quick ? 4 : 16;
        int size = quick ? 8 : 16;
        Tensor x = Tensor.randn(random, batch, channels, size, size);
        Tensor w = Tensor.randn(random, 2 * channels, channels, 3, 3);
        double[] xd = x.toDoubleArray();
        double[] wd = w.toDoubleArray();
        String conv = "conv2d " + Arrays.toString(x.shape()) + " * " + Arrays.toString(w.shape());
        rows.add(new Row(conv + " forward", time(reps, () -> x.conv2d(w, null, 1, 1)),
                "naive 7 nested loops", time(reps, () -> naiveConv(xd, wd, batch, channels, 2 * channels, size))));
        rows.add(new Row(conv + " forward+backward", time(reps, () -> {
            Tensor wg = w.detach().requiresGrad(true);
            Tensor xg = x.detach().requiresGrad(true);
            xg.conv2d(wg, null, 1, 1).sum().backward();
            return wg.grad();
        }), "engine forward", time(reps, () -> x.conv2d(w, null, 1, 1))));

        int ops = quick ? 200 : 2000;
        rows.add(new Row("scalar graph, " + ops + " ops, forward+backward", time(reps, () -> {
            Tensor s = Tensor.scalar(0.5).requiresGrad(true);
            Tensor y = s;
            for (int i = 0; i < ops; i++) {
                y = y.mul(1.0001).add(0.001).tanh();
            }
            y.backward();
            return s.grad();
        }), "plain doubles with hand derivative", time(reps, () -> scalarByHand(ops))));
        return rows;
    }

    /** The rows as an aligned text table. */
    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-58s %12s  %-36s %12s %8s%n", "workload",
                "engine ms", "baseline", "baseline ms", "ratio"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-58s %12.3f  %-36s %12.3f %8.2f%n", r.name(), r.engineNanos() / 1e6,
                    r.baseline(), r.baseNanos() / 1e6, r.ratio()));
        }
        return sb.toString();
    }

    /**
     * The median time of {@code work}: it first runs for at least the warm-up time (so that the JIT has
     * compiled the hot paths), then is measured at least {@code reps} times and for at least the measuring
     * time, so that short workloads are sampled often enough for a stable median.
     */
    private static double time(int reps, Supplier<Object> work) {
        long warmUp = reps <= 3 ? 20_000_000L : 700_000_000L;
        long measure = reps <= 3 ? 20_000_000L : 700_000_000L;
        Object sink = null;
        long start = System.nanoTime();
        int warmed = 0;
        while (warmed < 3 || System.nanoTime() - start < warmUp) {
            sink = work.get();
            warmed++;
        }
        List<Double> samples = new ArrayList<>();
        start = System.nanoTime();
        while (samples.size() < reps || System.nanoTime() - start < measure) {
            long t = System.nanoTime();
            sink = work.get();
            samples.add((double) (System.nanoTime() - t));
        }
        if (sink == null) {
            throw new IllegalStateException("benchmark produced nothing");
        }
        samples.sort(null);
        return samples.get(samples.size() / 2);
    }

    private static double[] naiveMatmul(double[] a, double[] b, int n) {
        double[] c = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += a[i * n + k] * b[k * n + j];
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    // Same-padding 3x3 convolution, written the obvious way.
    private static double[] naiveConv(double[] x, double[] w, int batch, int in, int out, int size) {
        double[] y = new double[batch * out * size * size];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < size; i++) {
                    for (int j = 0; j < size; j++) {
                        double s = 0;
                        for (int c = 0; c < in; c++) {
                            for (int p = 0; p < 3; p++) {
                                for (int q = 0; q < 3; q++) {
                                    int r = i + p - 1;
                                    int t = j + q - 1;
                                    if (r >= 0 && r < size && t >= 0 && t < size) {
                                        s += w[((o * in + c) * 3 + p) * 3 + q] * x[((n * in + c) * size + r) * size + t];
                                    }
                                }
                            }
                        }
                        y[((n * out + o) * size + i) * size + j] = s;
                    }
                }
            }
        }
        return y;
    }

    // y_{i+1} = tanh(1.0001 y_i + 0.001); dy/ds by the chain rule, forward then backward over the stored values.
    private static double[] scalarByHand(int ops) {
        double[] values = new double[ops + 1];
        values[0] = 0.5;
        for (int i = 0; i < ops; i++) {
            values[i + 1] = Math.tanh(values[i] * 1.0001 + 0.001);
        }
        double grad = 1;
        for (int i = ops; i > 0; i--) {
            grad *= (1 - values[i] * values[i]) * 1.0001;
        }
        return new double[] {values[ops], grad};
    }
}
