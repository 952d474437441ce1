package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.autograd.DType;
import dev.autograd.nn.data.DatasetNotFoundException;
import dev.autograd.nn.data.FashionMnist;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Fashion-MNIST examples train for one epoch on the first 2,000 training samples (a few seconds each) and
 * are judged on the whole test set; skipped when the data is not installed (the missing-data message is
 * checked either way).
 */
class FashionMnistExamplesTest {

    private static final Path OUT = ExampleAssertions.OUT;

    private static void needsTheData() {
        assumeTrue(FashionMnist.isAvailable(), () -> "Fashion-MNIST is not installed, so the examples' tests are skipped. "
                + FashionMnist.howToGet(FashionMnist.defaultDirectory()));
    }

    private static FashionMnistTraining.Result quickRun(FashionMnistTraining.Config config,
                                                        Function<Random, dev.autograd.nn.Module> model, String dir) {
        needsTheData();
        return FashionMnistTraining.train(config.withRun(1, 2000, OUT.resolve(dir)), model);
    }

    private static void check(FashionMnistTraining.Result result, double required) throws Exception {
        assertEquals(1, result.epochs().size());
        FashionMnistTraining.Epoch epoch = result.epochs().get(0);
        assertTrue(result.testAccuracy() >= required, () -> "test accuracy " + result.testAccuracy());
        assertEquals(result.testAccuracy(), epoch.testAccuracy());
        assertTrue(epoch.loss() < Math.log(10), () -> "mean loss below chance's ln 10: " + epoch.loss());
        assertTrue(epoch.samplesPerSecond() > 0 && epoch.seconds() > 0, epoch::toString);
        int total = 0;
        for (int[] row : result.confusion()) {
            for (int c : row) {
                total += c;
            }
        }
        assertEquals(10_000, total, "the confusion matrix counts every test image");
        assertEquals(DType.FLOAT32, result.model().parameters().get(0).dtype());
        ExampleAssertions.assertPicture(result.chart(), 4);
        // The confusion matrix: ten shades of blue and more, the counts, the class names.
        ExampleAssertions.assertPicture(result.confusionMatrix(), 12);
    }

    @Test
    void theMlpLearnsFromTwoThousandSamples() throws Exception {
        FashionMnistTraining.Result result = quickRun(FashionMnistMlp.config(), FashionMnistMlp::model, "fashion-mnist-mlp");
        check(result, 0.6);
    }

    @Test
    void theCnnLearnsFromTwoThousandSamples() throws Exception {
        FashionMnistTraining.Result result = quickRun(FashionMnistCnn.config(), FashionMnistCnn::model, "fashion-mnist-cnn");
        check(result, 0.5);
    }

    @Test
    void aMissingFolderIsAnExceptionThatSaysHowToGetTheData(@TempDir Path empty) {
        FashionMnistTraining.Config config = FashionMnistMlp.config();
        FashionMnistTraining.Config elsewhere = new FashionMnistTraining.Config(config.title(), 1, 128, 1e-3, 10, 1L, empty,
                OUT.resolve("fashion-mnist-missing"));
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> FashionMnistTraining.train(elsewhere, FashionMnistMlp::model));
        assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), e::getMessage);
    }
}
