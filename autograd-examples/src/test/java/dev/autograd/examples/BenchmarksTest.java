package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.examples.BenchReport.Row;
import dev.autograd.examples.BenchWorkloads.Case;
import dev.autograd.examples.BenchWorkloads.Measurement;
import dev.autograd.examples.BenchWorkloads.Sizes;
import dev.autograd.internal.kernel.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The benchmark command in quick mode (a smoke run: no speed is asserted, only that every figure is there and
 * sane), its options, the JSON lines its measuring processes print, the path where numpy is missing, and one
 * run through a child JVM and Python.
 */
class BenchmarksTest {

    private static final Path OUT = ExampleAssertions.OUT.resolve("benchmarks");

    @Test
    void quickRunPrintsOneTableWithEveryCaseMeasured() throws IOException {
        Benchmarks.Options options = Benchmarks.Options.parse("quick", "out=" + OUT);
        Benchmarks.Report[] report = new Benchmarks.Report[1];
        String printed = ExampleAssertions.capture(out -> report[0] = Benchmarks.execute(options, out));

        List<String> ids = BenchWorkloads.cases(Sizes.QUICK, BenchWorkloads.ALL).stream().map(Case::id).toList();
        List<Row> rows = report[0].rows();
        assertEquals(ids, rows.stream().map(r -> r.c().id()).toList());
        assertEquals(List.of("W1", "W2", "W3", "W4", "W5", "W6", "W7"), rows.stream().map(r -> r.c().workload()).distinct().toList());
        for (Row r : rows) {
            // Quick mode measures in this JVM, with its kernels (the tests run with the Vector API module).
            Measurement m = Backends.simd() ? r.simd() : r.portable();
            assertNotNull(m, r.c().id());
            assertTrue(Double.isFinite(m.medianNanos()) && m.medianNanos() > 0, r::toString);
            assertTrue(m.minNanos() > 0 && m.minNanos() <= m.medianNanos(), r::toString);
            assertTrue(m.samples() >= BenchWorkloads.Timing.QUICK.minRuns(), r::toString);
            assertTrue(m.allocBytesPerStep() > 0, r::toString);
            assertNull(Backends.simd() ? r.portable() : r.simd(), "one JVM, one kernel choice");
            assertNull(r.numpy(), "quick mode runs no numpy");
            if (r.c().workload().equals("W6")) {
                assertTrue(m.retainedBytesPerOp() > 0 && m.retainedBytesPerOp() < 1000, r::toString);
            }
        }
        assertEquals(65_077, new MicrogradDemo().recordedOps(100), "micrograd's demo records 65,077 ops");

        // One table: a header with every column, then one line per case starting with its id.
        List<String> lines = Arrays.asList(printed.split("\n"));
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("workload ")).findFirst().orElseThrow());
        for (String column : List.of("SIMD ms", "portable ms", "numpy ms", "SIMD/numpy", "portable/numpy",
                "alloc/step", BenchReport.REFERENCE_HEADING)) {
            assertTrue(lines.get(header).contains(column), column + " in " + lines.get(header));
        }
        for (int i = 0; i < ids.size(); i++) {
            assertTrue(lines.get(header + 1 + i).startsWith(ids.get(i) + " "), lines.get(header + 1 + i));
        }
        assertTrue(lines.get(header + 1 + ids.size()).isBlank(), "the table ends after the last case");
        assertTrue(printed.contains("numpy: not measured (quick mode"), printed);

        // The files: CSV and JSON lines with a row per case; no chart without numpy ratios.
        List<String> csv = Files.readAllLines(OUT.resolve("benchmarks.csv"));
        assertEquals(ids.size() + 1, csv.size());
        assertTrue(csv.get(0).startsWith("id,workload,simd_ms,portable_ms,numpy_ms,"), csv.get(0));
        List<String> json = Files.readAllLines(OUT.resolve("benchmarks.jsonl"));
        assertEquals("run", JsonLines.parse(json.get(0)).get("type"));
        assertEquals(ids.get(0), JsonLines.parse(json.get(1)).get("id"));
        assertEquals(ids.size() + 1, json.size());
        assertEquals(2, report[0].files().size());
        ExampleAssertions.assertListedInReadme("benchmarks", report[0].files());
        assertTrue(printed.contains("no chart"), printed);
    }

    @Test
    void optionsSayWhatRunsWhere() {
        Benchmarks.Options full = Benchmarks.Options.parse();
        assertEquals(BenchWorkloads.ALL, full.workloads());
        assertTrue(full.fork() && full.numpy() && full.simd() && full.portable() && !full.quick());

        Benchmarks.Options quick = Benchmarks.Options.parse("quick");
        assertFalse(quick.fork() || quick.numpy(), "quick starts no child JVM and no Python unless asked");

        // Maven passes -Dbench.args="..." as one argument: it is split on spaces; blanks are ignored.
        Benchmarks.Options picked = Benchmarks.Options.parse("", "quick w4,W1 no-portable  numpy fork python=/opt/py");
        assertEquals(List.of("W1", "W4"), picked.workloads(), "table order, whatever the order given");
        assertTrue(picked.fork() && picked.numpy() && picked.simd() && !picked.portable());
        assertEquals("/opt/py", picked.python());
        assertEquals(List.of(), picked.jvmArgs());
        assertEquals(List.of("-XX:UseAVX=2", "-Xmx2g"), Benchmarks.Options.parse("jvm=-XX:UseAVX=2 jvm=-Xmx2g").jvmArgs(),
                "JVM options for the child JVMs, in order");

        assertTrue(assertThrows(IllegalArgumentException.class, () -> Benchmarks.Options.parse("W8")).getMessage().contains("unknown workload W8"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Benchmarks.Options.parse("fast")).getMessage().contains("unknown option 'fast'"));
    }

    @Test
    void jsonLinesRoundTrip() {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("id", "W4 sum(tanh(x*w+b)) \"quoted\" \\ tab\t");
        members.put("median_ns", 1.5e-7);
        members.put("samples", 200);
        members.put("simd", true);
        members.put("missing", null);
        members.put("nan", Double.NaN);
        String line = JsonLines.write(members);
        assertEquals("{\"id\": \"W4 sum(tanh(x*w+b)) \\\"quoted\\\" \\\\ tab\\t\", \"median_ns\": 1.5e-7, \"samples\": 200,"
                + " \"simd\": true, \"missing\": null, \"nan\": null}", line);
        Map<String, Object> read = JsonLines.parse(line);
        assertEquals(members.get("id"), read.get("id"));
        assertEquals(1.5e-7, read.get("median_ns"));
        assertEquals(200.0, read.get("samples"));
        assertEquals(true, read.get("simd"));
        assertTrue(read.containsKey("missing") && read.get("missing") == null);

        // Python's json.dumps, as numpy_bench.py prints it.
        Map<String, Object> python = JsonLines.parse(
                "{\"type\": \"result\", \"id\": \"W1 matmul 256x256 @ 256x256 float32\", \"median_ns\": 123456, \"samples\": 200}");
        assertEquals(new Measurement(123456, Double.NaN, 200, -1), Benchmarks.measurement(python));
        Measurement withMin = Benchmarks.measurement(JsonLines.parse(
                "{\"type\": \"result\", \"id\": \"x\", \"median_ns\": 3000, \"min_ns\": 1000, \"samples\": 10}"));
        assertEquals(1000, withMin.minNanos());
        assertTrue(withMin.disturbed(), "a median 3x the fastest run");
        assertEquals(Map.of(), JsonLines.parse(" {} "));
        assertEquals("\u00e9", JsonLines.parse("{\"a\": \"\\u00e9\"}").get("a"));

        for (String bad : List.of("", "{", "{\"a\": 1,}", "{\"a\": [1]}", "{\"a\": {}}", "{\"a\" 1}", "{\"a\": 1} x",
                "{\"a\": \"open}", "{\"a\": tru}", "{\"a\": 1e}")) {
            assertThrows(IllegalArgumentException.class, () -> JsonLines.parse(bad), bad);
        }
    }

    @Test
    void collectorKeepsResultsOfKnownCasesAndIgnoresOtherLines() {
        List<Case> cases = BenchWorkloads.cases(Sizes.QUICK, List.of("W4"));
        String id = cases.get(0).id();
        String[] printed = new String[1];
        Benchmarks.Collector[] collector = new Benchmarks.Collector[1];
        printed[0] = ExampleAssertions.capture(out -> {
            collector[0] = new Benchmarks.Collector("portable", cases, out);
            for (String line : List.of(
                    "07:40:34.693 INFO Backends - autograd kernels: portable (plain Java loops); 2 threads",
                    "{\"type\": \"kernels\", \"requested\": \"portable\", \"simd\": false, \"description\": \"portable, 2 threads\"}",
                    "{not json at all",
                    "{\"type\": \"result\", \"id\": \"" + id + "\", \"median_ns\": 2500000, \"min_ns\": 2400000, \"samples\": 12,"
                            + " \"alloc_bytes_per_step\": 25165824}",
                    "{\"type\": \"result\", \"id\": \"W9 something else\", \"median_ns\": 1, \"samples\": 1}")) {
                collector[0].accept(line);
            }
        });
        Benchmarks.Collector c = collector[0];
        assertEquals(Map.of(id, new Measurement(2_500_000, 2_400_000, 12, 25_165_824)), c.results);
        assertEquals("portable, 2 threads", c.kernels);
        assertEquals(Boolean.FALSE, c.simdUsed);
        assertEquals(List.of("W9 something else"), c.unknownIds);
        assertEquals(".", printed[0], "one progress dot per result");
        assertTrue(c.summary(System.nanoTime()).contains("1 of 1 cases") && c.summary(0).contains("W9"));

        Row row = new Row(cases.get(0), c.results.get(id), null, null);
        assertEquals(25_165_824 / (4.0 * Sizes.QUICK.elements()), row.allocArrays(), 1e-9);
    }

    @Test
    void missingPythonIsOneLineAndTheNumpyColumnStaysEmpty() {
        Path out = OUT.resolve("no-python");
        Benchmarks.Options options = Benchmarks.Options.parse("quick", "numpy", "W4",
                "python=" + OUT.resolve("no-such-python3").toAbsolutePath(), "out=" + out);
        Benchmarks.Report[] report = new Benchmarks.Report[1];
        String printed = ExampleAssertions.capture(o -> report[0] = Benchmarks.execute(options, o));

        List<String> about = Arrays.stream(printed.split("\n")).filter(l -> l.contains("numpy column skipped")).toList();
        assertEquals(1, about.size(), printed);
        assertTrue(about.get(0).startsWith("numpy, ") && about.get(0).contains("Cannot run program")
                && about.get(0).contains("no-such-python3"), about.get(0));
        Row row = report[0].rows().get(0);
        assertNull(row.numpy());
        assertTrue(Double.isNaN(row.simdRatio()) && Double.isNaN(row.portableRatio()));
        assertTrue(printed.contains("W4 sum(tanh(x*w+b))"), "the table is still printed: " + printed);
    }

    @Test
    void numpyWithoutNumpyIsOneLineToo() throws IOException {
        // A "python" that behaves like numpy_bench.py run by a Python without numpy.
        Path fake = OUT.resolve("python-without-numpy");
        Files.createDirectories(OUT);
        Files.writeString(fake, "#!/bin/sh\ncat > /dev/null\n"
                + "echo '{\"type\": \"error\", \"message\": \"numpy is not installed for /usr/bin/python3 "
                + "(No module named numpy)\"}'\nexit 3\n");
        if (!fake.toFile().setExecutable(true)) {
            return;   // no POSIX permissions here: the missing-Python test covers the path
        }
        Benchmarks.Options options = Benchmarks.Options.parse("quick", "numpy", "W1", "python=" + fake.toAbsolutePath());
        Benchmarks.Collector collector = new Benchmarks.Collector("numpy", BenchWorkloads.cases(Sizes.QUICK,
                List.of("W1")), System.out);
        String printed = ExampleAssertions.capture(out -> Benchmarks.runNumpy(options, collector, out));
        assertTrue(printed.contains("numpy column skipped: numpy is not installed"), printed);
        assertTrue(collector.results.isEmpty());
    }

    @Test
    void chartDrawsTheRatiosOfTheRowsThatHaveThem() throws IOException {
        List<Case> cases = BenchWorkloads.cases(Sizes.QUICK, BenchWorkloads.ALL);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            boolean numpy = !cases.get(i).workload().equals("W7");
            rows.add(new Row(cases.get(i), new Measurement(1e6 * (i + 1), 1e6, 10, 1024),
                    i % 3 == 0 ? null : new Measurement(4e6 * (i + 1), 4e6, 10, 1024),
                    numpy ? new Measurement(2e6, i == 1 ? 0.5e6 : 2e6, 200, -1) : null));
        }
        assertTrue(rows.get(1).disturbed() && !rows.get(0).disturbed());
        Optional<Path> chart = BenchReport.chart(rows, OUT.resolve("chart-test.png"), "test");
        assertTrue(chart.isPresent());
        ExampleAssertions.assertPicture(chart.get(), 10);

        List<Row> noRatios = List.of(new Row(cases.get(0), new Measurement(1e6, 1e6, 10, 1), null, null));
        assertTrue(BenchReport.chart(noRatios, OUT.resolve("none.png"), "test").isEmpty());
    }

    @Test
    void childJvmAndPythonFillTheirColumns() {
        // The real thing, small: a child JVM with the portable kernels, then numpy_bench.py when Python runs.
        Path out = OUT.resolve("fork");
        Benchmarks.Options options = Benchmarks.Options.parse("quick", "fork", "numpy", "no-simd", "W1", "out=" + out);
        Benchmarks.Report[] report = new Benchmarks.Report[1];
        String printed = ExampleAssertions.capture(o -> report[0] = Benchmarks.execute(options, o));

        assertTrue(printed.contains("kernels used: portable"), printed);
        assertTrue(String.valueOf(report[0].run().get("portable_kernels")).startsWith("portable (plain Java loops)"),
                report[0].run()::toString);
        boolean numpy = !printed.contains("numpy column skipped");
        for (Row r : report[0].rows()) {
            assertNull(r.simd(), "no-simd");
            assertTrue(r.portable().medianNanos() > 0 && r.portable().allocBytesPerStep() > 0, r::toString);
            if (numpy) {
                assertTrue(r.numpy().medianNanos() > 0, r::toString);
                assertTrue(Double.isFinite(r.portableRatio()) && r.portableRatio() > 0, r::toString);
            }
        }
        if (numpy) {
            assertTrue(report[0].files().stream().anyMatch(f -> f.endsWith("ratios.png")), report[0].files()::toString);
            ExampleAssertions.assertListedInReadme("benchmarks", report[0].files());
        }
    }
}
