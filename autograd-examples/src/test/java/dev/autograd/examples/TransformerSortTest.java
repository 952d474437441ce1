package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The transformer example in a tiny configuration (seconds): it learns well above chance, prints its progress
 * and draws both pictures, and its data are what they claim.
 */
class TransformerSortTest {

    private static final Path DIR = ExampleAssertions.OUT.resolve("transformer-sort");

    @Test
    void aTinyModelLearnsWellAboveChanceAndDrawsBothPictures() throws Exception {
        // Lengths 4-5, dModel 32, 2 heads, 1 layer, 200 steps of 32 sequences; seeded.
        TransformerSort.Config tiny = new TransformerSort.Config(4, 5, 32, 2, 1, 64, 32, 200, 30, 3e-3, 50, 200, 300,
                1.0, 7L);
        TransformerSort.Result[] result = new TransformerSort.Result[1];
        String out = ExampleAssertions.capture(o -> result[0] = TransformerSort.run(DIR, tiny, o));
        TransformerSort.Result r = result[0];

        assertEquals(200, r.steps());
        assertEquals(4, r.history().size());
        assertTrue(r.history().get(3).loss() < r.history().get(0).loss() / 2, () -> "the loss falls: " + r.history());
        // Chance is 10% per digit (about 30% when predicting the commonest digit of each position) and about
        // 0.1% per sequence of 4-5 digits.
        assertTrue(r.testTokenAccuracy() > 0.6, () -> "token accuracy " + r.testTokenAccuracy() + "\n" + out);
        assertTrue(r.testSequenceAccuracy() > 0.15, () -> "sequence accuracy " + r.testSequenceAccuracy() + "\n" + out);
        assertTrue(out.contains("step    50  loss"), out);
        assertTrue(out.contains("test on 300 fresh sequences: token accuracy"), out);
        assertTrue(out.contains("per head, the fraction of positions"), out);

        ExampleAssertions.assertPicture(DIR.resolve(TransformerSort.TRAINING_FILE), 4);
        ExampleAssertions.assertPicture(DIR.resolve(TransformerSort.ATTENTION_FILE), 6);
        assertEquals(2, r.files().size());
        ExampleAssertions.assertListedInReadme("transformer-sort", r.files());
    }

    @Test
    void batchesHoldDigitsPaddingAndTheirSortedDigits() {
        TransformerSort.Config c = TransformerSort.Config.defaults();
        TransformerSort.Batch b = TransformerSort.batch(new Random(3), 50, c);
        for (int n = 0; n < b.size(); n++) {
            int len = b.lengths()[n];
            assertTrue(len >= c.minLength() && len <= c.maxLength());
            int[] tokens = Arrays.copyOfRange(b.tokens(), n * c.maxLength(), (n + 1) * c.maxLength());
            int[] sorted = Arrays.copyOfRange(b.sorted(), n * c.maxLength(), (n + 1) * c.maxLength());
            int[] digits = Arrays.copyOf(tokens, len);
            Arrays.sort(digits);
            assertTrue(Arrays.equals(digits, Arrays.copyOf(sorted, len)));
            for (int t = len; t < c.maxLength(); t++) {
                assertEquals(TransformerSort.PAD, tokens[t]);
                assertEquals(TransformerSort.PAD, sorted[t]);
            }
        }
    }
}
