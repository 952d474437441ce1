package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.autograd.nn.data.DatasetNotFoundException;
import dev.autograd.nn.data.FashionMnist;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The augmentation example in a quick configuration (500 training images, 2 epochs, 1,000 test images: seconds),
 * skipped without Fashion-MNIST; its table, summary and CSV from made-up runs; its message without the data.
 */
class AugmentationTest {

    private static final Path DIR = ExampleAssertions.OUT.resolve("augmentation");

    @Test
    void bothRunsLearnAndTheFilesAreWritten() throws Exception {
        assumeTrue(FashionMnist.isAvailable(), () -> "Fashion-MNIST is not installed, so the example's test is skipped. "
                + FashionMnist.howToGet(FashionMnist.defaultDirectory()));
        Augmentation.Config quick = new Augmentation.Config(500, 1000, 2, 32, 1e-3, 42L, FashionMnist.defaultDirectory(), DIR);
        Augmentation.Result[] result = new Augmentation.Result[1];
        String out = ExampleAssertions.capture(o -> result[0] = Augmentation.run(quick, o));
        Augmentation.Result r = result[0];

        for (Augmentation.Run run : List.of(r.plain(), r.augmented())) {
            assertEquals(2, run.epochs().size());
            // chance is 10%; 32 Adam steps on 500 images get well above it
            assertTrue(run.last().testAccuracy() > 0.3, () -> run.name() + ": " + run.epochs() + "\n" + out);
            assertTrue(run.last().loss() < run.epochs().get(0).loss(), () -> run.name() + ": " + run.epochs());
        }
        assertEquals(null, r.plain().transform());
        assertEquals(Augmentation.augmentation().toString(), r.augmented().transform().toString());
        assertTrue(out.contains("on the first 500 training images for 2 epochs, evaluated on 1,000 test images"), out);
        assertTrue(out.contains("epoch |    loss    train     test      gap |"), out);
        assertTrue(out.contains("augmentation changed the final test accuracy by"), out);

        ExampleAssertions.assertPicture(DIR.resolve(Augmentation.CHART_FILE), 4);
        // ten classes of grey pictures: many shades
        ExampleAssertions.assertPicture(DIR.resolve(Augmentation.SAMPLES_FILE), 50);
        List<String> csv = Files.readAllLines(DIR.resolve(Augmentation.CSV_FILE), StandardCharsets.UTF_8);
        assertEquals(5, csv.size(), csv::toString);
        ExampleAssertions.assertPicture(DIR.resolve(Augmentation.GAP_FILE), 4);
        assertEquals(4, r.files().size());
        ExampleAssertions.assertListedInReadme("augmentation", r.files());
    }

    @Test
    void theTableSummaryAndCsvShowEachRunsGap() {
        Augmentation.Run plain = new Augmentation.Run("no augmentation", null, List.of(
                new Augmentation.Epoch(1, 1.5, 0.60, 0.55, 0.5), new Augmentation.Epoch(2, 0.5, 0.98, 0.70, 0.5)));
        Augmentation.Run augmented = new Augmentation.Run("with augmentation", Augmentation.augmentation(), List.of(
                new Augmentation.Epoch(1, 1.7, 0.55, 0.52, 0.6), new Augmentation.Epoch(2, 0.8, 0.80, 0.74, 0.6)));
        assertEquals(0.28, plain.last().gap(), 1e-12);
        assertEquals(0.74, augmented.best().testAccuracy());

        String table = Augmentation.table(plain, augmented);
        assertTrue(table.contains("    2 |  0.5000   98.00%   70.00%    28.00 |  0.8000   80.00%   74.00%     6.00"), table);
        String summary = Augmentation.summary(plain, augmented);
        assertTrue(summary.contains("no augmentation  : after epoch 2 train 98.00%, test 70.00%, gap 28.00 points;"
                + " best test 70.00% (epoch 2); 0.50 s of training per epoch"), summary);
        assertTrue(summary.contains("changed the final test accuracy by +4.00 points and the final train/test gap from"
                + " 28.00 to 6.00 points"), summary);
        assertEquals("run,epoch,loss,train_accuracy,test_accuracy,gap,train_seconds\n"
                + "none,1,1.500000,0.600000,0.550000,0.050000,0.5000\n"
                + "none,2,0.500000,0.980000,0.700000,0.280000,0.5000\n"
                + "augmented,1,1.700000,0.550000,0.520000,0.030000,0.6000\n"
                + "augmented,2,0.800000,0.800000,0.740000,0.060000,0.6000\n", Augmentation.csv(plain, augmented));
    }

    @Test
    void withoutTheDataItSaysHowToGetIt(@TempDir Path empty) {
        Augmentation.Config config = new Augmentation.Config(10, 10, 1, 64, 1e-3, 1L, empty, DIR.resolve("missing"));
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> Augmentation.run(config, System.out));
        assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), e::getMessage);
    }

    @Test
    void badSettingsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Augmentation.Config(0, 10, 1, 64, 1e-3, 1L, DIR, DIR));
        assertTrue(e.getMessage().startsWith("Augmentation: need trainSize"), e::getMessage);
    }
}
