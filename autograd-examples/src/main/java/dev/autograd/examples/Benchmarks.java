package dev.autograd.examples;

import dev.autograd.examples.BenchReport.Row;
import dev.autograd.examples.BenchWorkloads.Case;
import dev.autograd.examples.BenchWorkloads.Measurement;
import dev.autograd.examples.BenchWorkloads.Sizes;
import dev.autograd.examples.BenchWorkloads.Timing;
import dev.autograd.internal.kernel.Backends;
import dev.autograd.internal.kernel.Parallel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The benchmark command: times the reference workloads (W1 matmul, W2 MLP training step, W4 element-wise
 * forward and backward, W7 small CNN training step) with the engine's SIMD kernels and with its portable
 * kernels, and numpy on the same workloads in the same run, and prints one table of the medians, the ratios
 * engine/numpy (below 1: the engine is faster) and the bytes each step allocates. It writes the table as CSV
 * and JSON lines and draws the ratios as a bar chart (PNG) under {@code out/benchmarks/}, and prints the paths.
 *
 * <p>Run: {@code ./mvnw -q -pl autograd-examples -am compile exec:exec@bench}, with options in
 * {@code -Dbench.args="..."} (see {@link Options#parse}). The kernel choice is fixed once per JVM, so this
 * process measures nothing itself: it starts one child JVM per kernel choice (the same {@code java}, the same
 * class path, {@code --add-modules=jdk.incubator.vector} and {@code -Dautograd.kernels=simd} or
 * {@code =portable}, and a fixed heap of 3 GiB touched at start, {@code -Xms3g -Xmx3g -XX:+AlwaysPreTouch}, so
 * that no case pays for the page faults of memory an earlier case made the JVM reserve), each printing one
 * JSON line per case, and then runs
 * {@code src/main/python/numpy_bench.py} (shipped on the class path) with {@code python3}; the processes run
 * one after the other, never together. The {@code quick} option is a smoke run in this JVM.
 *
 * <p>Timing, the same for the engine and numpy (the rule of the numpy anchor scripts, with a longer warm-up
 * for the JIT): each step runs for at least 3 runs and 2 s as a warm-up; then single runs are timed until there are at least 10 and they took at
 * least 1 s, at most 200 runs; the figure is the median ({@code sorted[n / 2]}). Allocation is
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes} summed over all live threads (the engine's
 * kernel threads included) across the timed runs, divided by their number.
 */
public final class Benchmarks {

    /** What the command prints when its arguments are wrong, or for {@code help}. */
    static final String USAGE = String.join("\n",
            "usage: Benchmarks [help] [quick] [W1,W2,W4,W7] [no-numpy] [no-simd] [no-portable] [numpy] [fork] [python=PATH]"
                    + " [out=DIR] [jvm=OPTION]...",
            "  (through Maven: ./mvnw -q -pl autograd-examples -am compile exec:exec@bench -Dbench.args=\"quick W1,W4\")",
            "  quick        tiny sizes and a few runs per case, in this JVM, without numpy: a smoke run of seconds",
            "  W1,W4        the workloads to run (default: all of " + String.join(", ", BenchWorkloads.ALL) + ")",
            "  no-numpy     leave out the numpy column",
            "  no-simd      leave out the SIMD column (no child JVM with -Dautograd.kernels=simd)",
            "  no-portable  leave out the portable column",
            "  numpy        with quick: run numpy too",
            "  fork         with quick: one child JVM per kernel choice, as a full run does",
            "  python=PATH  the Python that runs numpy (default: python3)",
            "  out=DIR      where the CSV, JSON lines and chart go (default: out/benchmarks)",
            "  jvm=OPTION   a JVM option for the child JVMs, e.g. jvm=-XX:UseAVX=2 (the kernels at 256-bit width, as on",
            "               an AVX2 machine); repeat it for several");

    private static final String SCRIPT = "python/numpy_bench.py";
    private static final Set<String> NUMPY_WORKLOADS = Set.of("W1", "W2", "W3", "W4");

    private Benchmarks() {
    }

    /**
     * The command's options.
     *
     * @param quick     tiny sizes and few runs
     * @param workloads the workloads to run, in table order
     * @param simd      measure the SIMD kernels
     * @param portable  measure the portable kernels
     * @param numpy     measure numpy
     * @param fork      measure the engine in child JVMs, one per kernel choice (else in this JVM)
     * @param python    the Python executable
     * @param out       the folder of the files written
     * @param child     in a child JVM: the kernel choice it was started with; {@code null} in the command itself
     * @param jvmArgs   extra JVM options for the child JVMs
     */
    public record Options(boolean quick, List<String> workloads, boolean simd, boolean portable, boolean numpy,
            boolean fork, String python, Path out, String child, List<String> jvmArgs) {

        /**
         * Reads the command line. Each argument may hold several options separated by spaces (as
         * {@code -Dbench.args="quick W1"} passes them); blank arguments are ignored.
         *
         * @param args the options of {@link #USAGE}
         * @return the options
         * @throws IllegalArgumentException naming an unknown option or workload
         */
        public static Options parse(String... args) {
            boolean quick = false;
            Set<String> workloads = new LinkedHashSet<>();
            boolean simd = true;
            boolean portable = true;
            Boolean numpy = null;
            Boolean fork = null;
            String python = "python3";
            Path out = Path.of("out", "benchmarks");
            String child = null;
            List<String> jvmArgs = new ArrayList<>();
            for (String arg : args) {
                for (String option : arg.trim().split("\\s+")) {
                    if (option.isEmpty()) {
                        continue;
                    }
                    String lower = option.toLowerCase(Locale.ROOT);
                    if (lower.matches("w\\d+(,w\\d+)*")) {
                        for (String w : lower.toUpperCase(Locale.ROOT).split(",")) {
                            if (!BenchWorkloads.ALL.contains(w)) {
                                throw new IllegalArgumentException("unknown workload " + w + "; the workloads are "
                                        + String.join(", ", BenchWorkloads.ALL));
                            }
                            workloads.add(w);
                        }
                    } else if (lower.startsWith("python=")) {
                        python = option.substring("python=".length());
                    } else if (lower.startsWith("out=")) {
                        out = Path.of(option.substring("out=".length()));
                    } else if (lower.startsWith("jvm=")) {
                        jvmArgs.add(option.substring("jvm=".length()));
                    } else if (lower.startsWith("child=")) {
                        child = lower.substring("child=".length());
                    } else {
                        switch (lower) {
                            case "quick": quick = true; break;
                            case "no-numpy": numpy = false; break;
                            case "numpy": numpy = true; break;
                            case "no-simd": simd = false; break;
                            case "no-portable": portable = false; break;
                            case "fork": fork = true; break;
                            default: throw new IllegalArgumentException("unknown option '" + option + "'");
                        }
                    }
                }
            }
            List<String> chosen = BenchWorkloads.ALL.stream()
                    .filter(w -> workloads.isEmpty() || workloads.contains(w)).toList();
            return new Options(quick, chosen, simd, portable, numpy != null ? numpy : !quick,
                    fork != null ? fork : !quick, python, out, child, List.copyOf(jvmArgs));
        }

        /** @return the problem sizes of these options */
        Sizes sizes() {
            return quick ? Sizes.QUICK : Sizes.FULL;
        }

        /** @return the timing rule of these options */
        Timing timing() {
            return quick ? Timing.QUICK : Timing.FULL;
        }
    }

    /**
     * What a run produced.
     *
     * @param rows  one per case, in table order
     * @param run   what describes the run: date, machine, kernels and numpy used, timing rule
     * @param files the files written: CSV, JSON lines and, when there were ratios to draw, the chart
     */
    public record Report(List<Row> rows, Map<String, Object> run, List<Path> files) {
    }

    /**
     * Runs the command and prints its output; in a child JVM ({@code child=...}), measures and prints JSON lines.
     *
     * @param args the options of {@link #USAGE}; none for the full run
     */
    public static void main(String[] args) {
        if (List.of(args).stream().anyMatch(a -> a.matches("-?-?h(elp)?"))) {
            System.out.println(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.child() != null) {
            measureAll(options, line -> {
                System.out.println(line);
                System.out.flush();
            });
        } else {
            execute(options, System.out);
        }
    }

    /**
     * Measures, prints the table and its legend, and writes the files.
     *
     * @param options the options
     * @param out     where the output goes
     * @return the rows, the description of the run and the files written
     */
    public static Report execute(Options options, PrintStream out) {
        List<Case> cases = BenchWorkloads.cases(options.sizes(), options.workloads());
        Map<String, Object> run = describeMachine(options);
        out.println("autograd benchmarks, " + run.get("date") + ", " + run.get("machine"));
        out.println("timing: " + options.timing().describe() + "; the same rule for the engine and numpy");
        double load = (double) run.get("load_average");
        if (load > 0.5) {
            out.printf(Locale.ROOT, "warning: the machine is busy (load average %.2f over the last minute on %d cores):"
                    + " other processes compete for the cores and may disturb the figures%n", load,
                    Runtime.getRuntime().availableProcessors());
        }
        Collector simd = new Collector("SIMD", cases, out);
        Collector portable = new Collector("portable", cases, out);
        Collector numpy = new Collector("numpy", cases, out);
        if (options.fork()) {
            if (options.simd()) {
                forkChild("simd", options, simd, out);
            }
            if (options.portable()) {
                forkChild("portable", options, portable, out);
            }
        } else if (Backends.simd() ? options.simd() : options.portable()) {
            // Only here does this JVM load the kernels (and log its choice): in a full run it measures nothing.
            measureHere(options, Backends.simd() ? simd : portable, out);
        } else {
            out.println("engine: not measured (this JVM runs the " + (Backends.simd() ? "SIMD" : "portable")
                    + " kernels, which the options leave out; add 'fork' to measure the others in a child JVM)");
        }
        run.put("simd_kernels", simd.kernels);
        run.put("portable_kernels", portable.kernels);
        if (options.numpy()) {
            runNumpy(options, numpy, out);
            run.put("numpy", numpy.info);
        } else {
            out.println("numpy: not measured (" + (options.quick() ? "quick mode; add 'numpy'" : "no-numpy") + ")");
        }
        List<Row> rows = cases.stream().map(c -> new Row(c, simd.results.get(c.id()), portable.results.get(c.id()),
                numpy.results.get(c.id()))).toList();
        out.println();
        out.print(BenchReport.table(rows));
        out.println();
        out.println(legend(options));
        out.println();
        return new Report(rows, run, writeFiles(options, run, rows, out));
    }

    private static String legend(Options options) {
        return String.join("\n",
                "A step: W1 one matmul, nothing requiring grad; W2 and W7 zeroGrad, forward, cross-entropy, backward,"
                        + " SGD step; W3 the same with MSE; W4 zero the grads, forward, backward; W5 micrograd's demo"
                        + " (forward over all points, SVM loss, backward) with 0-d tensors; W6 a chain"
                        + " h = h * 0.999 + 0.001 from one 0-d leaf, forward and backward.",
                "SIMD ms, portable ms: the engine's median time per step, in a JVM of its own with"
                        + " -Dautograd.kernels=simd / portable"
                        + (options.fork() ? "" : " (quick mode: in this JVM, with the kernels it uses)") + ".",
                "numpy ms: numpy's median time per step on the same workload, measured in this run by"
                        + " src/main/python/numpy_bench.py (W1 to W4; there is no numpy W5, W6, W7).",
                "SIMD/numpy, portable/numpy: engine median / numpy median; below 1 the engine is faster.",
                "*: the median is more than twice the fastest run: many runs were held up, most often by other"
                        + " processes competing for the cores; measure again on a quiet machine.",
                "GFLOP/s: 2 m k n / median (W1 only).",
                "alloc/step: Java heap bytes allocated per step by all threads (kernel pool included), over the timed"
                        + " runs; from the SIMD run (the CSV has both). W4 also counts them in input arrays of "
                        + BenchReport.bytes((long) (4L * options.sizes().elements())) + " (goal: at most 8, ideally 6)."
                        + " W5 and W6 also per recorded scalar op, and W6 the heap each recorded op keeps alive"
                        + " while its graph lives (after a full GC; goal: at most 200 bytes). W3 also how much the"
                        + " used heap grew over a loop of " + BenchWorkloads.LOOP_STEPS + " steps (after a full GC;"
                        + " in quick mode 100 steps).",
                REFERENCE_NOTE);
    }

    private static final String REFERENCE_NOTE = BenchReport.REFERENCE_HEADING + ": PyTorch 1.13 eager's documented"
            + " median (2 threads, OpenBLAS) on a reference machine (2 cores, AVX2 + FMA, 2026-11-30), and for W5"
            + " and W6 micrograd's (W6: recursion limit raised), with how many times faster the SIMD run is: NOT"
            + " measured here, only a rough anchor (micrograd's goal: 200 times); the ratios above compare"
            + " figures of this run only.";

    private static List<Path> writeFiles(Options options, Map<String, Object> run, List<Row> rows, PrintStream out) {
        Path dir = ExampleFiles.prepare(options.out());
        List<Path> files = new ArrayList<>();
        files.add(ExampleFiles.writeText(dir.resolve("benchmarks.csv"), BenchReport.csv(rows)));
        files.add(ExampleFiles.writeText(dir.resolve("benchmarks.jsonl"), BenchReport.jsonLines(run, rows)));
        Optional<Path> chart = BenchReport.chart(rows, dir.resolve("ratios.png"),
                "autograd time / numpy time, " + run.get("date") + " (below 1: autograd is faster)");
        chart.ifPresent(files::add);
        files.forEach(f -> out.println("wrote " + f));
        if (chart.isEmpty()) {
            out.println("no chart: there are no engine/numpy ratios to draw without the numpy column");
        }
        return files;
    }

    // ---------------------------------------------------------------- measuring

    /**
     * Measures every case of the options in this JVM and hands one JSON line per case to {@code lines}, after
     * a first line naming the kernels in use: what a child JVM prints, and what quick mode collects directly.
     */
    static void measureAll(Options options, Consumer<String> lines) {
        Map<String, Object> kernels = new LinkedHashMap<>();
        kernels.put("type", "kernels");
        kernels.put("requested", System.getProperty(Backends.PROPERTY, "auto"));
        kernels.put("simd", Backends.simd());
        kernels.put("description", kernelsInUse());
        lines.accept(JsonLines.write(kernels));
        for (Case c : BenchWorkloads.cases(options.sizes(), options.workloads())) {
            Measurement m = BenchWorkloads.measure(options.timing(), c.setup().get());
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("type", "result");
            line.put("id", c.id());
            line.put("median_ns", m.medianNanos());
            line.put("min_ns", m.minNanos());
            line.put("samples", m.samples());
            line.put("alloc_bytes_per_step", m.allocBytesPerStep());
            if (c.retained() != null) {
                line.put("retained_bytes_per_op", c.retained().getAsLong());
            }
            lines.accept(JsonLines.write(line));
        }
    }

    private static String kernelsInUse() {
        String kind = Backends.simd() ? "SIMD (" + Backends.FLOAT.name() + "; " + Backends.DOUBLE.name() + ")"
                : "portable (plain Java loops)";
        return kind + ", " + Parallel.threads() + " thread" + (Parallel.threads() == 1 ? "" : "s");
    }

    private static void measureHere(Options options, Collector collector, PrintStream out) {
        out.print("engine, in this JVM: ");
        long start = System.nanoTime();
        measureAll(options, collector::accept);
        out.println(" " + collector.kernels + "; " + collector.summary(start));
    }

    /** The heap of the child JVMs: see {@link #forkChild}. */
    static final List<String> CHILD_HEAP = List.of("-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch");

    private static void forkChild(String kernels, Options options, Collector collector, PrintStream out) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-modules=jdk.incubator.vector");
        command.add("-D" + Backends.PROPERTY + "=" + kernels);
        // A fixed heap, touched at start: otherwise a case that makes the JVM grow its heap leaves untouched
        // gigabytes for the next, which then pays a page fault per 4 KiB it allocates (measured: W5 at 42 ms
        // instead of 7 after W4 had grown eden to 3.6 GB). Options given below (jvm=..., or this JVM's own
        // -Xm... and -XX:...) come later and win.
        command.addAll(CHILD_HEAP);
        // Heap and GC settings, and the engine's thread count, apply to the children as to this JVM.
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if ((arg.startsWith("-Xm") || arg.startsWith("-XX:") || arg.startsWith("-Dautograd."))
                    && !arg.startsWith("-D" + Backends.PROPERTY + "=")) {
                command.add(arg);
            }
        }
        command.addAll(options.jvmArgs());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Benchmarks.class.getName(),
                "child=" + kernels, String.join(",", options.workloads())));
        if (options.quick()) {
            command.add("quick");
        }
        out.print(collector.side + " kernels, child JVM with -D" + Backends.PROPERTY + "=" + kernels + ": ");
        long start = System.nanoTime();
        Optional<String> failure = runProcess(command, null, collector);
        out.println(" " + collector.summary(start));
        out.println("  kernels used: " + (collector.kernels == null ? "unknown (the child printed no kernels line)"
                : collector.kernels));
        if (collector.simdUsed != null && collector.simdUsed != kernels.equals("simd")) {
            out.println("  warning: this child did not get the kernels it asked for: its column measures "
                    + collector.kernels);
        }
        failure.ifPresent(f -> out.println("  the child JVM failed: " + f));
    }

    /**
     * Runs numpy_bench.py with {@link Options#python()} on the cases numpy has, feeding the script on standard
     * input (it is a class-path resource, so this works from a jar too). When Python cannot be started or
     * numpy is missing, says so in one line and leaves the column empty.
     */
    static void runNumpy(Options options, Collector collector, PrintStream out) {
        List<String> workloads = options.workloads().stream().filter(NUMPY_WORKLOADS::contains).toList();
        if (workloads.isEmpty()) {
            out.println("numpy: no numpy anchor for " + String.join(", ", options.workloads()));
            return;
        }
        List<String> command = new ArrayList<>(List.of(options.python(), "-", "--workloads", String.join(",", workloads)));
        command.addAll(options.sizes().pythonArgs());
        command.addAll(options.timing().pythonArgs());
        byte[] script;
        try (InputStream in = Benchmarks.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is not on the class path: rebuild autograd-examples");
            }
            script = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.print("numpy, " + options.python() + " numpy_bench.py: ");
        long start = System.nanoTime();
        Optional<String> failure = runProcess(command, script, collector);
        if (collector.error != null) {
            out.println("numpy column skipped: " + collector.error);
        } else if (failure.isPresent() && collector.results.isEmpty()) {
            out.println("numpy column skipped: " + failure.get());
        } else {
            out.println(" " + collector.info + "; " + collector.summary(start));
            failure.ifPresent(f -> out.println("  python failed part-way: " + f));
        }
    }

    /**
     * Runs a measuring process to its end, handing each line it prints to {@code collector}; its standard
     * error is kept (the last lines) to explain a failure.
     *
     * @return empty when the process exited with status 0, else what went wrong, in one line
     */
    private static Optional<String> runProcess(List<String> command, byte[] stdin, Collector collector) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            return Optional.of(e.getMessage());   // Cannot run program "python3": error=2, No such file or directory
        }
        Deque<String> errors = new ArrayDeque<>();
        Thread errorReader = new Thread(() -> readLines(process.getErrorStream(), line -> {
            synchronized (errors) {
                errors.addLast(line);
                if (errors.size() > 5) {
                    errors.removeFirst();
                }
            }
        }), "benchmark-stderr");
        errorReader.setDaemon(true);
        errorReader.start();
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        } catch (IOException e) {
            // The process ended before reading its input: its exit status and standard error say why.
        }
        readLines(process.getInputStream(), collector::accept);
        try {
            int status = process.waitFor();
            errorReader.join(5_000);
            if (status == 0) {
                return Optional.empty();
            }
            synchronized (errors) {
                return Optional.of("exit status " + status + (errors.isEmpty() ? "" : "; " + String.join(" | ", errors)));
            }
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    private static void readLines(InputStream stream, Consumer<String> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.accept(line);
            }
        } catch (IOException e) {
            lines.accept("(cannot read the process's output: " + e.getMessage() + ")");
        }
    }

    /**
     * Gathers what one measuring side prints, line by line: {@code result} lines become measurements of the
     * known cases; {@code kernels} (a child JVM), {@code info} (numpy's versions) and {@code error} lines are
     * kept; any other line (a stray print of a library, a log line) is ignored. Prints a dot per result, so a
     * long run shows progress.
     */
    static final class Collector {
        final String side;
        final Map<String, Measurement> results = new LinkedHashMap<>();
        final List<String> unknownIds = new ArrayList<>();
        private final Set<String> ids = new LinkedHashSet<>();
        private final PrintStream progress;
        String kernels;
        Boolean simdUsed;
        String info;
        String error;

        Collector(String side, List<Case> cases, PrintStream progress) {
            this.side = side;
            cases.forEach(c -> ids.add(c.id()));
            this.progress = progress;
        }

        /** Takes one line of the process's standard output. */
        void accept(String line) {
            if (!line.startsWith("{")) {
                return;
            }
            Map<String, Object> m;
            try {
                m = JsonLines.parse(line);
            } catch (IllegalArgumentException e) {
                return;   // not one of ours: the protocol lines are always well-formed
            }
            Object type = m.get("type");
            if ("result".equals(type)) {
                String id = String.valueOf(m.get("id"));
                if (!ids.contains(id)) {
                    unknownIds.add(id);
                    return;
                }
                results.put(id, measurement(m));
                progress.print('.');
                progress.flush();
            } else if ("kernels".equals(type)) {
                kernels = String.valueOf(m.get("description"));
                simdUsed = (Boolean) m.get("simd");
            } else if ("info".equals(type)) {
                info = "numpy " + m.get("numpy") + " (" + m.get("blas") + "), Python " + m.get("python");
            } else if ("error".equals(type)) {
                error = String.valueOf(m.get("message"));
            }
        }

        /** @return how many cases were measured, in how long, and any results that matched no case */
        String summary(long startNanos) {
            String s = String.format(Locale.ROOT, "%d of %d cases in %.0f s", results.size(), ids.size(),
                    (System.nanoTime() - startNanos) / 1e9);
            return unknownIds.isEmpty() ? s : s + "; ignored results for unknown cases " + unknownIds;
        }
    }

    /**
     * Reads a {@code result} line: {@code median_ns} and {@code samples}; {@code min_ns} (else NaN), and
     * {@code alloc_bytes_per_step} when the side measures it (numpy does not: -1).
     */
    static Measurement measurement(Map<String, Object> line) {
        Object min = line.get("min_ns");
        Object alloc = line.get("alloc_bytes_per_step");
        Object retained = line.get("retained_bytes_per_op");
        return new Measurement(((Number) line.get("median_ns")).doubleValue(),
                min == null ? Double.NaN : ((Number) min).doubleValue(), ((Number) line.get("samples")).intValue(),
                alloc == null ? -1 : ((Number) alloc).longValue(), retained == null ? -1 : ((Number) retained).longValue());
    }

    // ---------------------------------------------------------------- the machine

    private static Map<String, Object> describeMachine(Options options) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("date", ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT)));
        run.put("machine", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java "
                + System.getProperty("java.version"));
        run.put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        run.put("timing", options.timing().describe());
        run.put("quick", options.quick());
        return run;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Not Linux: the architecture alone will do.
        }
        return System.getProperty("os.arch");
    }
}
