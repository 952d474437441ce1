package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.nn.tune.LrRangeTest;
import dev.autograd.nn.tune.TrialResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tuning example on a small grid: table, chosen setting, reproducible best model, files and pictures. */
class TuningTest {

    private static final Path DIR = ExampleAssertions.OUT.resolve("tuning");

    private static Tuning.Config quick(int parallelism) {
        return new Tuning.Config(240, 0.2, 200, 0.25, 1e-3, 1e-1, 3, new int[] {16, 64}, 8, 3, parallelism, 40, 42);
    }

    @Test
    void tunesPrintsTheTableAndWritesItsFiles() throws Exception {
        Tuning.Result[] result = new Tuning.Result[1];
        String out = ExampleAssertions.capture(o -> result[0] = Tuning.run(DIR, quick(2), o));
        Tuning.Result r = result[0];

        assertEquals(6, r.search().trials().size());
        assertTrue(r.search().failures().isEmpty(), out);
        assertTrue(out.contains("rank  trial        lr  batchSize  valLoss  epochs  stopped  seconds"), out);
        assertTrue(out.contains("grid: 3 learning rates [1e-03, 1e-02, 1e-01] x batch sizes [16, 64] = 6 trials"), out);
        TrialResult best = r.best();
        assertEquals(r.search().ranked().get(0), best);
        assertTrue(out.contains("chosen: lr " + best.params().get("lr") + ", batch size " + best.params().get("batchSize")), out);
        assertEquals(best.value(), r.reproduced(), 0.0, "the rebuilt model is the trial's model at its best epoch");
        assertTrue(out.contains("(bit-identical to the trial's)"), out);
        assertTrue(r.testAccuracy() > 0.75, "test accuracy " + r.testAccuracy());

        LrRangeTest.Result range = r.rangeTest();
        assertTrue(range.points().size() > 10 && range.points().size() <= 40, range.points().toString());
        assertEquals(1e-5, range.points().get(0).lr());
        assertEquals(range.minimumLr() / 10, range.suggestedLr());
        assertTrue(out.contains("suggested learning rate: "), out);

        // The same search one trial at a time: the same numbers.
        Tuning.Result sequential = Tuning.run(DIR.resolve("sequential"), quick(1), new java.io.PrintStream(
                java.io.OutputStream.nullOutputStream()));
        for (int i = 0; i < 6; i++) {
            assertEquals(r.search().trials().get(i).value(), sequential.search().trials().get(i).value(), 0.0, "trial " + i);
            assertEquals(r.search().trials().get(i).history(), sequential.search().trials().get(i).history());
        }

        List<String> csv = Files.readAllLines(DIR.resolve("results.csv"), StandardCharsets.UTF_8);
        assertEquals(7, csv.size());
        assertEquals("rank,trial,lr,batchSize,valLoss,epochs,stopped_early,seed,seconds,error", csv.get(0));
        assertTrue(csv.get(1).startsWith("1," + best.index() + ","), csv.get(1));
        List<String> history = Files.readAllLines(DIR.resolve("history.csv"), StandardCharsets.UTF_8);
        assertEquals("trial,lr,batchSize,epoch,trainLoss,valAcc,valLoss", history.get(0));
        assertEquals(1 + r.search().trials().stream().mapToInt(t -> t.history().size()).sum(), history.size());

        ExampleAssertions.assertPicture(DIR.resolve("grid.png"), 5);
        ExampleAssertions.assertPicture(DIR.resolve("curves.png"), 5);
        ExampleAssertions.assertPicture(DIR.resolve("lr-range-test.png"), 5);
        assertEquals(5, r.files().size());
        ExampleAssertions.assertListedInReadme("tuning", r.files());
    }
}
