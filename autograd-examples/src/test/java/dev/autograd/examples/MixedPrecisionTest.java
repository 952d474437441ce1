package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.autograd.nn.data.FashionMnist;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mixed-precision example in quick configurations: on Fashion-MNIST's first 2,000 samples (skipped without
 * the data) and on the two-moons fallback; the printed table agrees with the runs, the files are written.
 */
class MixedPrecisionTest {

    private static final Path DIR = ExampleAssertions.OUT.resolve("mixed-precision");

    @Test
    void fashionMnistQuickRunPrintsAConsistentTableAndWritesItsFiles() throws Exception {
        assumeTrue(FashionMnist.isAvailable(), () -> "Fashion-MNIST is not installed: " + FashionMnist.howToGet(
                FashionMnist.defaultDirectory()));
        MixedPrecision.Config config = new MixedPrecision.Config(1, 2000, 2, 42L, FashionMnist.defaultDirectory(), DIR);
        MixedPrecision.Result[] result = new MixedPrecision.Result[1];
        String out = ExampleAssertions.capture(o -> result[0] = MixedPrecision.run(config, o));
        MixedPrecision.Result r = result[0];

        assertTrue(r.fashionMnist());
        assertEquals(List.of("fc1 784-256", "fc2 256-128", "fc3 128-10"), r.layers());
        assertEquals(16, r.stepsPerEpoch(), "2000 samples in batches of 128");
        checkRuns(r, out);
        for (MixedPrecision.Run run : r.runs()) {
            assertTrue(run.testAccuracy() > 0.5, () -> run.mode() + ": " + run.testAccuracy() + "\n" + out);
        }
        ExampleAssertions.assertPicture(DIR.resolve(MixedPrecision.LOSS_FILE), 5);
        ExampleAssertions.assertPicture(DIR.resolve(MixedPrecision.UNDERFLOW_FILE), 5);
        ExampleAssertions.assertListedInReadme("mixed-precision", r.files());
    }

    @Test
    void withoutTheDataItSaysSoAndComparesOnTwoMoonsDeterministically(@TempDir Path empty) {
        MixedPrecision.Config config = new MixedPrecision.Config(2, 256, 1, 7L, empty, DIR.resolve("two-moons"));
        MixedPrecision.Result[] first = new MixedPrecision.Result[1];
        String out = ExampleAssertions.capture(o -> first[0] = MixedPrecision.run(config, o));
        MixedPrecision.Result r = first[0];
        assertFalse(r.fashionMnist());
        assertTrue(out.contains("Fashion-MNIST is not in " + empty) && out.contains("running the two-moons MLP"), out);
        assertEquals(8, r.stepsPerEpoch(), "256 points in batches of 32");
        checkRuns(r, out);

        MixedPrecision.Result[] again = new MixedPrecision.Result[1];
        ExampleAssertions.capture(o -> again[0] = MixedPrecision.run(config, o));
        for (int i = 0; i < r.runs().size(); i++) {
            assertArrayEquals(r.runs().get(i).losses(), again[0].runs().get(i).losses(), 0.0, "same seed, same losses");
            assertEquals(r.runs().get(i).testAccuracy(), again[0].runs().get(i).testAccuracy());
        }
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MixedPrecision.Config(0, 1, 1, 1L, DIR, DIR));
        assertThrows(IllegalArgumentException.class, () -> new MixedPrecision.Config(1, 0, 1, 1L, DIR, DIR));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MixedPrecision.Config(1, 1, Integer.MIN_VALUE, 1L, DIR, DIR));
        assertTrue(e.getMessage().contains("MixedPrecision") && e.getMessage().contains("-2147483648"), e.getMessage());
    }

    /** What every configuration must satisfy: the four runs, the scaler's record, the table and the CSV agree. */
    private static void checkRuns(MixedPrecision.Result r, String out) {
        assertEquals(List.of(MixedPrecision.Mode.values()), r.runs().stream().map(MixedPrecision.Run::mode).toList());
        int steps = r.stepsPerEpoch() * (r.runs().get(0).losses().length / r.stepsPerEpoch());
        MixedPrecision.Run fp32 = r.runs().get(0);
        MixedPrecision.Run fp16 = r.runs().get(1);
        MixedPrecision.Run scaled = r.runs().get(2);
        assertEquals(0, fp32.sampleSteps().length, "float32 is the reference: not sampled");
        assertTrue(fp16.sampleSteps().length > 0);
        for (MixedPrecision.Run run : r.runs()) {
            assertEquals(steps, run.losses().length);
            for (double loss : run.losses()) {
                assertTrue(Double.isFinite(loss), run.mode() + ": the loss stays finite");
            }
            if (!run.mode().scaled()) {
                assertEquals(0, run.skippedSteps(), run.mode() + " never skips");
                assertEquals(1, run.finalScale());
            }
        }
        // The scaler only skips its first probes down from 65536, and then never loses a gradient element that
        // the unscaled float16 run keeps.
        assertEquals(0, scaled.skippedAfterWarmUp(), out);
        assertTrue(scaled.finalScale() >= 1 && scaled.finalScale() <= 65536, out);
        for (int l = 0; l < r.layers().size(); l++) {
            assertTrue(fp16.underflowFraction(l) >= scaled.underflowFraction(l),
                    "layer " + r.layers().get(l) + ": unscaled " + fp16.underflowFraction(l) + " < scaled "
                            + scaled.underflowFraction(l) + "\n" + out);
        }

        assertTrue(out.contains(r.table()), out);
        List<String> rows = r.table().lines().toList();
        assertEquals(2 + r.runs().size(), rows.size(), r.table());
        for (int i = 0; i < r.runs().size(); i++) {
            MixedPrecision.Run run = r.runs().get(i);
            String row = rows.get(2 + i);
            assertTrue(row.startsWith(run.mode().label() + " "), row);
            assertTrue(row.contains(String.format(Locale.ROOT, "%.2f%%", 100 * run.testAccuracy())), row);
            if (run.mode().autocast() != null) {
                assertTrue(row.contains(String.format(Locale.ROOT, "%.3f%% / %.3f%%", 100 * run.underflowFraction(0),
                        100 * run.lastEpochUnderflowFraction(0))), row);
            }
        }
        String scaledRow = rows.get(4);
        assertTrue(scaledRow.contains(scaled.skippedSteps() + " (0 late)"), scaledRow);
        assertTrue(scaledRow.endsWith(String.format(Locale.ROOT, "%.0f", scaled.finalScale())), scaledRow);

        List<String> csv;
        try {
            csv = Files.readAllLines(r.files().get(2), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals("run,step,epoch,loss,scale,stepped,underflow_fc1,underflow_fc2,underflow_fc3", csv.get(0));
        assertEquals(1 + 4 * steps, csv.size());
        long skippedInCsv = csv.stream().filter(line -> line.startsWith("float16 + GradScaler,") && line.contains(",false,"))
                .count();
        assertEquals(scaled.skippedSteps(), skippedInCsv);
        long sampledInCsv = csv.stream().filter(line -> line.startsWith("float16,") && !line.endsWith(",,,")).count();
        assertEquals(fp16.sampleSteps().length, sampledInCsv);
        assertEquals(3, r.files().size());
    }
}
