package dev.autograd.examples;

import dev.autograd.examples.BenchWorkloads.Case;
import dev.autograd.examples.BenchWorkloads.Measurement;
import java.awt.BasicStroke;
import java.awt.Color;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.DoubleStream;
import java.util.stream.Stream;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.CategoryChart;

/**
 * The benchmark command's results: one row per case with what each side measured, written as an aligned text
 * table, CSV, JSON lines and a bar chart of the ratios.
 */
final class BenchReport {

    /** The heading of the column of documented figures: they were not measured here, and the heading says so. */
    static final String REFERENCE_HEADING = "reference (PyTorch eager, other machine)";

    private BenchReport() {
    }

    /**
     * One case and what was measured for it; a side that was not measured is {@code null}.
     *
     * @param c        the case
     * @param simd     the engine with the SIMD kernels
     * @param portable the engine with the portable kernels
     * @param numpy    numpy, in the same run
     */
    record Row(Case c, Measurement simd, Measurement portable, Measurement numpy) {

        /** @return SIMD time over numpy time, or NaN when either is missing */
        double simdRatio() {
            return ratio(simd, numpy);
        }

        /** @return portable time over numpy time, or NaN when either is missing */
        double portableRatio() {
            return ratio(portable, numpy);
        }

        /** @return whether any side's runs of this case were disturbed (see {@link Measurement#disturbed()}) */
        boolean disturbed() {
            return Stream.of(simd, portable, numpy).anyMatch(m -> m != null && m.disturbed());
        }

        /** @return the allocation per step of the SIMD run, else of the portable run, else -1 */
        long allocBytesPerStep() {
            Measurement m = simd != null ? simd : portable;
            return m == null ? -1 : m.allocBytesPerStep();
        }

        /** @return the allocation per step in units of one input array (W4: 2^20 float32), or NaN */
        double allocArrays() {
            return c.arrayBytes() == 0 || allocBytesPerStep() < 0 ? Double.NaN : allocBytesPerStep() / c.arrayBytes();
        }

        private static double ratio(Measurement a, Measurement b) {
            return a == null || b == null ? Double.NaN : a.medianNanos() / b.medianNanos();
        }
    }

    // Every column of the CSV and the JSON lines, in order: one list, so the two files cannot drift apart.
    private static final List<Map.Entry<String, Function<Row, Object>>> FIELDS = List.of(
            Map.entry("id", r -> r.c().id()),
            Map.entry("workload", r -> r.c().workload()),
            Map.entry("simd_ms", r -> millis(r.simd())),
            Map.entry("portable_ms", r -> millis(r.portable())),
            Map.entry("numpy_ms", r -> millis(r.numpy())),
            Map.entry("simd_min_ms", r -> r.simd() == null ? null : r.simd().minNanos() / 1e6),
            Map.entry("portable_min_ms", r -> r.portable() == null ? null : r.portable().minNanos() / 1e6),
            Map.entry("numpy_min_ms", r -> r.numpy() == null ? null : r.numpy().minNanos() / 1e6),
            Map.entry("simd_over_numpy", Row::simdRatio),
            Map.entry("portable_over_numpy", Row::portableRatio),
            Map.entry("simd_samples", r -> r.simd() == null ? null : r.simd().samples()),
            Map.entry("portable_samples", r -> r.portable() == null ? null : r.portable().samples()),
            Map.entry("numpy_samples", r -> r.numpy() == null ? null : r.numpy().samples()),
            Map.entry("simd_alloc_bytes_per_step", r -> alloc(r.simd())),
            Map.entry("portable_alloc_bytes_per_step", r -> alloc(r.portable())),
            Map.entry("alloc_arrays_per_step", Row::allocArrays),
            Map.entry("simd_gflops", r -> gflops(r, r.simd())),
            Map.entry("portable_gflops", r -> gflops(r, r.portable())),
            Map.entry("numpy_gflops", r -> gflops(r, r.numpy())),
            Map.entry("pytorch_eager_reference_ms_other_machine", r -> r.c().referenceMs()),
            Map.entry("micrograd_reference_ms_other_machine", r -> r.c().microgradMs()),
            Map.entry("recorded_ops_per_step", r -> r.c().recordedOps() == 0 ? null : r.c().recordedOps()),
            Map.entry("simd_ns_per_recorded_op", r -> r.c().recordedOps() == 0 || r.simd() == null ? null
                    : r.simd().medianNanos() / r.c().recordedOps()),
            Map.entry("retained_bytes_per_op", r -> r.c().recordedOps() == 0 || r.simd() == null
                    || r.simd().retainedBytesPerOp() < 0 ? null : r.simd().retainedBytesPerOp()),
            Map.entry("heap_growth_bytes_over_loop", r -> r.c().recordedOps() != 0 || r.simd() == null
                    || r.simd().retainedBytesPerOp() < 0 ? null : r.simd().retainedBytesPerOp()));

    private static Double millis(Measurement m) {
        return m == null ? null : m.medianNanos() / 1e6;
    }

    private static Long alloc(Measurement m) {
        return m == null || m.allocBytesPerStep() < 0 ? null : m.allocBytesPerStep();
    }

    private static double gflops(Row r, Measurement m) {
        return m == null || r.c().flops() == 0 ? Double.NaN : r.c().flops() / m.medianNanos();
    }

    /** @return the row's fields by CSV/JSON column name; a missing value is {@code null} or NaN */
    static Map<String, Object> fields(Row row) {
        Map<String, Object> fields = new LinkedHashMap<>();
        FIELDS.forEach(f -> fields.put(f.getKey(), f.getValue().apply(row)));
        return fields;
    }

    /**
     * The rows as an aligned text table; a value that was not measured (or has no meaning for the row) is
     * {@code -}.
     */
    static String table(List<Row> rows) {
        List<String> header = List.of("workload", "SIMD ms", "portable ms", "numpy ms", "SIMD/numpy", "portable/numpy",
                "GFLOP/s SIMD/numpy", "alloc/step", REFERENCE_HEADING);
        List<List<String>> cells = new ArrayList<>();
        for (Row r : rows) {
            double simdGflops = gflops(r, r.simd());
            double numpyGflops = gflops(r, r.numpy());
            String gflops = r.c().flops() == 0 ? "-" : number(simdGflops) + " / " + number(numpyGflops);
            String alloc = r.allocBytesPerStep() < 0 ? "-" : bytes(r.allocBytesPerStep());
            if (!Double.isNaN(r.allocArrays())) {
                alloc += String.format(Locale.ROOT, " (%.1f arrays)", r.allocArrays());
            }
            long ops = r.c().recordedOps();
            Measurement engine = r.simd() != null ? r.simd() : r.portable();
            if (ops > 0 && engine != null) {
                alloc += String.format(Locale.ROOT, " (%.0f ns/op, %d B/op", engine.medianNanos() / ops,
                        engine.allocBytesPerStep() / ops);
                alloc += engine.retainedBytesPerOp() >= 0 ? ", " + engine.retainedBytesPerOp() + " kept)" : ")";
            } else if (engine != null && r.c().retained() != null) {
                alloc += "; heap " + (engine.retainedBytesPerOp() < 0 ? "-" : "+" + bytes(engine.retainedBytesPerOp()))
                        + " over " + BenchWorkloads.LOOP_STEPS + " steps";
            }
            String reference = Double.isNaN(r.c().referenceMs()) ? "-" : documented(r.c().referenceMs()) + " ms";
            if (!Double.isNaN(r.c().microgradMs())) {
                reference += "; micrograd " + documented(r.c().microgradMs()) + " ms";
                if (r.simd() != null) {
                    reference += String.format(Locale.ROOT, " (SIMD %.0fx faster)",
                            r.c().microgradMs() * 1e6 / r.simd().medianNanos());
                }
            }
            cells.add(List.of(r.c().id(), ms(r.simd()), ms(r.portable()), ms(r.numpy()), ratio(r.simdRatio()),
                    ratio(r.portableRatio()), gflops, alloc, reference));
        }
        return align(header, cells);
    }

    private static String align(List<String> header, List<List<String>> cells) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> row : cells) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(cells);
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                // The first column is text, left-aligned; the figures are right-aligned so their digits line up.
                String format = i == 0 ? "%-" + widths[i] + "s" : "  %" + widths[i] + "s";
                line.append(String.format(Locale.ROOT, format, row.get(i)));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    // A documented figure keeps the digits it was given with: 1.8 stays 1.8, not 1.800.
    private static String documented(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String ms(Measurement m) {
        return m == null ? "-" : number(m.medianNanos() / 1e6) + (m.disturbed() ? "*" : "");
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, r < 10 ? "%.2f" : "%.1f", r);
    }

    /** Three or four significant digits, without an exponent: 1234, 123.4, 12.34, 1.234, 0.1234, 0.0123, 0.00123. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        int decimals = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : a >= 0.01 ? 4 : 5;
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A byte count in B, KiB or MiB. */
    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        return b < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", b / 1024.0)
                : String.format(Locale.ROOT, "%.2f MiB", b / (1024.0 * 1024));
    }

    /** @return the rows as CSV with a header line; a missing value is an empty field */
    static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.join(",", FIELDS.stream().map(Map.Entry::getKey).toList()))
                .append('\n');
        for (Row r : rows) {
            List<String> values = new ArrayList<>();
            for (Object v : fields(r).values()) {
                values.add(csvValue(v));
            }
            sb.append(String.join(",", values)).append('\n');
        }
        return sb.toString();
    }

    private static String csvValue(Object v) {
        if (v == null || (v instanceof Double && !Double.isFinite((Double) v))) {
            return "";
        }
        if (v instanceof Number) {
            return JsonLines.number(((Number) v).doubleValue());   // a JSON number is also a CSV number
        }
        String s = v.toString();
        return s.matches("[^\",\\n]*") ? s : '"' + s.replace("\"", "\"\"") + '"';
    }

    /**
     * The run as JSON lines: first {@code run} (the members given, e.g. machine and date), then one
     * {@code row} per case with the CSV's columns.
     */
    static String jsonLines(Map<String, ?> run, List<Row> rows) {
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("type", "run");
        first.putAll(run);
        StringBuilder sb = new StringBuilder(JsonLines.write(first)).append('\n');
        for (Row r : rows) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("type", "row");
            line.putAll(fields(r));
            sb.append(JsonLines.write(line)).append('\n');
        }
        return sb.toString();
    }

    /**
     * Draws the ratios as grouped bars on a log scale, each labelled with its value, with a black line at 1
     * where the engine is as fast as numpy; a case whose runs were disturbed has a star on its label.
     * Only rows with at least one ratio take part.
     *
     * @param rows  the rows
     * @param file  the PNG to write
     * @param title the chart's title
     * @return the file, or empty when no row has a ratio (numpy was not run) and nothing was drawn
     */
    static Optional<Path> chart(List<Row> rows, Path file, String title) {
        List<Row> drawn = rows.stream()
                .filter(r -> !Double.isNaN(r.simdRatio()) || !Double.isNaN(r.portableRatio())).toList();
        if (drawn.isEmpty()) {
            return Optional.empty();
        }
        boolean disturbed = drawn.stream().anyMatch(Row::disturbed);
        CategoryChart chart = Charts.barChart(title, disturbed ? "*: disturbed runs (a median more than twice the"
                + " fastest run), measure again" : null, "engine time / numpy time (log scale)", true);
        var styler = chart.getStyler();
        styler.setYAxisDecimalPattern("0.##");
        styler.setXAxisLabelRotation(40);
        styler.setAvailableSpaceFill(0.8);
        styler.setLabelsVisible(true);
        styler.setLabelsRotation(90);
        // XChart's bars start at the axis minimum, and at 0 unless told otherwise, which a log axis cannot
        // show: the axis spans whole decades around every ratio and the parity line at 1.
        DoubleSummaryStatistics range = drawn.stream()
                .flatMapToDouble(r -> DoubleStream.of(r.simdRatio(), r.portableRatio(), 1.0))
                .filter(v -> !Double.isNaN(v)).summaryStatistics();
        styler.setYAxisMin(Math.pow(10, Math.floor(Math.log10(range.getMin() * 0.9))));
        styler.setYAxisMax(Math.pow(10, Math.ceil(Math.log10(range.getMax() * 1.1))));
        List<String> labels = drawn.stream().map(r -> r.c().chartLabel() + (r.disturbed() ? " *" : "")).toList();
        addBars(chart, "SIMD kernels / numpy", labels, drawn, Row::simdRatio, new Color(31, 119, 180));
        addBars(chart, "portable kernels / numpy", labels, drawn, Row::portableRatio, new Color(255, 127, 14));
        styler.setAnnotationLineColor(Color.BLACK);
        styler.setAnnotationLineStroke(new BasicStroke(1.5f));
        chart.addAnnotation(new AnnotationLine(1.0, false, false));   // as fast as numpy
        return Optional.of(Charts.savePng(chart, file));
    }

    // A series with a bar per label; a ratio that was not measured is a gap, not a zero.
    private static void addBars(CategoryChart chart, String name, List<String> labels, List<Row> rows,
            ToDoubleFunction<Row> ratio, Color color) {
        List<Double> values = new ArrayList<>();
        boolean any = false;
        for (Row r : rows) {
            double v = ratio.applyAsDouble(r);
            values.add(Double.isNaN(v) ? null : v);
            any |= !Double.isNaN(v);
        }
        if (any) {
            chart.addSeries(name, labels, values).setFillColor(color);
        }
    }
}
