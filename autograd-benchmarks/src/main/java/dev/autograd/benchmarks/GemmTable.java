package dev.autograd.benchmarks;

import dev.autograd.internal.kernel.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints GFLOP/s of every {@link GemmCase} shape, float32 and float64, for one backend, as a Markdown
 * table; with the JSON lines of {@code numpy_matmul.py --json} (measured in the same session) it adds the
 * ratio to numpy for the square shapes. Timing follows that script, so that the two are comparable: warm-up
 * of at least 3 runs and 0.5 s, then timed runs until there are 10 and they took 1 s (at most 2000), and
 * the median.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp CLASSPATH dev.autograd.benchmarks.GemmTable simd numpy.json
 * </pre>
 */
public final class GemmTable {

    private GemmTable() {
    }

    /**
     * @param args the backend ({@code simd} or {@code portable}), then optionally a file of numpy's JSON
     *             lines, then optionally shape names (default: all)
     * @throws IOException when the numpy file cannot be read
     */
    public static void main(String[] args) throws IOException {
        String backend = args.length > 0 ? args[0] : "simd";
        Map<String, Double> numpy = args.length > 1 ? readNumpy(Path.of(args[1])) : Map.of();
        List<String> shapes = args.length > 2 ? Arrays.asList(args).subList(2, args.length) : List.of(GemmCase.SHAPES);
        String flags = System.getProperty("autograd.jvmFlags", "");
        System.out.printf(Locale.ROOT, "%s backend, %s, %d threads, java %s%n", backend,
                flags.isBlank() ? "default flags" : flags, Parallel.threads(), System.getProperty("java.version"));
        System.out.println("| shape | dtype | median us | GFLOP/s | numpy GFLOP/s | ratio |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (String dtype : new String[] {"float32", "float64"}) {
            boolean float64 = dtype.equals("float64");
            for (String shape : shapes) {
                GemmCase gemm = new GemmCase(shape, float64, GemmBackends.of(backend, float64));
                double seconds = medianSeconds(gemm);
                double gflops = gemm.flops() / seconds / 1e9;
                Double reference = gemm.transA || gemm.transB || gemm.m != gemm.n || gemm.n != gemm.k
                        ? null : numpy.get(dtype + " " + gemm.n);
                System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %s | %s |%n", shape, dtype, seconds * 1e6,
                        gflops, reference == null ? "" : String.format(Locale.ROOT, "%.1f", reference),
                        reference == null ? "" : String.format(Locale.ROOT, "%.2f", gflops / reference));
            }
        }
    }

    private static double medianSeconds(GemmCase gemm) {
        long warmEnd = System.nanoTime() + 500_000_000L;
        for (int runs = 0; runs < 3 || System.nanoTime() < warmEnd; runs++) {
            gemm.run();
        }
        long[] times = new long[2000];
        int count = 0;
        long start = System.nanoTime();
        while (count < times.length && (count < 10 || System.nanoTime() - start < 1_000_000_000L)) {
            long t0 = System.nanoTime();
            gemm.run();
            times[count++] = System.nanoTime() - t0;
        }
        Arrays.sort(times, 0, count);
        return times[count / 2] / 1e9;
    }

    /** {@code "float32 256" -> GFLOP/s} from numpy_matmul.py's JSON lines. */
    private static Map<String, Double> readNumpy(Path file) throws IOException {
        Map<String, Double> out = new HashMap<>();
        Pattern line = Pattern.compile("\"dtype\": \"(\\w+)\", \"n\": (\\d+).*\"gflops\": ([\\d.]+)");
        for (String text : Files.readAllLines(file)) {
            Matcher match = line.matcher(text);
            if (match.find()) {
                out.put(match.group(1) + " " + match.group(2), Double.parseDouble(match.group(3)));
            }
        }
        return out;
    }
}
