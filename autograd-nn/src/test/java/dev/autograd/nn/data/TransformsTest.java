package dev.autograd.nn.data;

import static dev.autograd.nn.NnTestSupport.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The transforms on tiny images with values worked out by hand, their keyed randomness, and their errors.
 *
 * <p>The expected draws come from SplitMix64's definition: with key 0 the generator's first two outputs are
 * {@code 0xE220A8397B1DCDAF} and {@code 0x6E789E6AA1B965F4} (the reference values of SplitMix64 seeded with 0),
 * so its first {@code nextDouble()} is {@code ((0xE220A839... >>> 38) << 27 | 0x6E789E6A... >>> 37) / 2^53
 * = 0.8833}. The other keys' draws below were worked out the same way with a ten-line Python transcription of
 * SplitMix64 and of {@code java.util.Random}'s {@code nextDouble}/{@code nextInt(bound)}:
 * first {@code nextDouble()} of key 3 is 0.1135; {@code nextInt(3), nextInt(3)} give (1, 1) for key 0,
 * (2, 0) for key 1, (0, 0) for key 3; {@code nextInt(3) - 1, nextInt(5) - 2} give (0, 0), (1, 1), (1, -1),
 * (-1, 2) for keys 0 to 3.
 */
class TransformsTest {

    /** The 1 x 2 x 3 image [[1, 2, 3], [4, 5, 6]]. */
    private static Tensor image() {
        return Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
    }

    private static Tensor randomImages(long seed, int... shape) {
        return Tensor.rand(new Random(seed), DType.FLOAT32, shape);
    }

    @Nested
    class HandComputed {

        @Test
        void theKeyedGeneratorIsSplitMix64() {
            ImageTransform.KeyedRandom random = new ImageTransform.KeyedRandom(0);
            assertEquals(0xE220A8397B1DCDAFL, random.nextLong());
            assertEquals(0x6E789E6AA1B965F4L, random.nextLong());
            assertEquals(0.8833108012605905, new ImageTransform.KeyedRandom(0).nextDouble(), 0);
        }

        @Test
        void aFlipReversesEachRow() {
            assertArrayEquals(new double[] {3, 2, 1, 6, 5, 4},
                    Transforms.randomHorizontalFlip(1).apply(image(), 0L).toDoubleArray());
            assertArrayEquals(new int[] {1, 2, 3}, Transforms.randomHorizontalFlip(1).apply(image(), 0L).shape());
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6},
                    Transforms.randomHorizontalFlip(0).apply(image(), 0L).toDoubleArray());
        }

        @Test
        void withPOneHalfKeyThreeFlipsAndKeyZeroDoesNot() {
            // first draws: 0.8833 (key 0) and 0.1135 (key 3); a sample flips when its draw is below p
            Tensor batch = Tensor.stack(List.of(image(), image().mul(10)), 0);
            Tensor out = Transforms.randomHorizontalFlip(0.5).apply(batch, 0L, 3L);
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 30, 20, 10, 60, 50, 40}, out.toDoubleArray());
            // 0.8833 < 0.9: with p = 0.9 key 0 flips too
            assertArrayEquals(new double[] {3, 2, 1, 6, 5, 4},
                    Transforms.randomHorizontalFlip(0.9).apply(image(), 0L).toDoubleArray());
        }

        @Test
        void aCropWithPaddingTakesTheWindowAtTheDrawnOffset() {
            // padded by 1: rows [0 0 0 0 0], [0 1 2 3 0], [0 4 5 6 0], [0 0 0 0 0]; a 2 x 3 window at (top, left)
            Transform crop = Transforms.randomCrop(2, 3, 1);
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, crop.apply(image(), 0L).toDoubleArray(), "key 0: (1, 1)");
            assertArrayEquals(new double[] {0, 4, 5, 0, 0, 0}, crop.apply(image(), 1L).toDoubleArray(), "key 1: (2, 0)");
            assertArrayEquals(new double[] {0, 0, 0, 0, 1, 2}, crop.apply(image(), 3L).toDoubleArray(), "key 3: (0, 0)");
            assertArrayEquals(new int[] {1, 2, 3}, crop.apply(image(), 3L).shape());
        }

        @Test
        void aCropAsLargeAsThePaddedImageIsThePaddedImage() {
            assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0},
                    Transforms.randomCrop(4, 5, 1).apply(image(), 12345L).toDoubleArray());
            assertArrayEquals(new double[] {2, 5}, Transforms.randomCrop(2, 1, 0).apply(image(), 0L).toDoubleArray(),
                    "key 0 without padding: rows from nextInt(1) = 0, column nextInt(3) = 1");
        }

        @Test
        void aShiftMovesTheContentAndFillsWithZeros() {
            // out[y][x] = in[y - dy][x - dx]; (dx, dy) = (0, 0), (1, 1), (1, -1), (-1, 2) for keys 0 to 3
            Transform shift = Transforms.randomShift(1, 2);
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, shift.apply(image(), 0L).toDoubleArray());
            assertArrayEquals(new double[] {0, 0, 0, 0, 1, 2}, shift.apply(image(), 1L).toDoubleArray());
            assertArrayEquals(new double[] {0, 4, 5, 0, 0, 0}, shift.apply(image(), 2L).toDoubleArray());
            assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0}, shift.apply(image(), 3L).toDoubleArray());
        }

        @Test
        void aTranslateByFractionsShiftsByTheFloorOfTheFractionOfTheSize() {
            // floor(0.34 * 3) = 1 column and floor(0.99 * 2) = 1 row: the same as randomShift(1, 1)
            Tensor x = randomImages(1, 8, 2, 2, 3);
            long[] keys = Transforms.sampleKeys(9, 0, 0, 1, 2, 3, 4, 5, 6, 7);
            assertArrayEquals(Transforms.randomShift(1, 1).apply(x, keys).toFloatArray(),
                    Transforms.randomTranslate(0.34, 0.99).apply(x, keys).toFloatArray());
            assertArrayEquals(x.toFloatArray(), Transforms.randomTranslate(0.3, 0.4).apply(x, keys).toFloatArray(),
                    "floor(0.3 * 3) = floor(0.4 * 2) = 0: no shift");
        }

        @Test
        void normalizeSubtractsTheMeanAndDividesByTheStdOfEachChannel() {
            Tensor x = Tensor.of(new double[] {1, 3, 5, 7}, 2, 1, 2);
            Transform normalize = Transforms.normalize(new double[] {1, 4}, new double[] {2, 0.5});
            assertArrayEquals(new double[] {0, 1, 2, 6}, normalize.apply(x, 0L).toDoubleArray());
            Tensor f = Tensor.of(new float[] {1, 3, 5, 7, 1, 1, 1, 1}, 2, 2, 1, 2);
            Tensor out = normalize.apply(f, 0L, 0L);
            assertEquals(DType.FLOAT32, out.dtype());
            assertArrayEquals(new float[] {0, 1, 2, 6, 0, 0, -6, -6}, out.toFloatArray());
        }

        @Test
        void noiseOfStdZeroIsTheInputAndNoiseAddsToIt() {
            Tensor x = image();
            assertArrayEquals(x.toDoubleArray(), Transforms.gaussianNoise(0).apply(x, 5L).toDoubleArray(), 0);
            Tensor noisy = Transforms.gaussianNoise(0.5).apply(x, 5L);
            Tensor again = Transforms.gaussianNoise(0.5).apply(x, 5L);
            assertArrayEquals(noisy.toDoubleArray(), again.toDoubleArray(), "same key, same noise");
            assertFalse(Arrays.equals(noisy.toDoubleArray(), Transforms.gaussianNoise(0.5).apply(x, 6L).toDoubleArray()));
            // the noise is std times the standard normal draws of the key's generator
            Tensor z = Tensor.randn(new ImageTransform.KeyedRandom(5L), DType.FLOAT64, 1, 2, 3);
            assertArrayEquals(x.add(z.mul(0.5)).toDoubleArray(), noisy.toDoubleArray(), 0);
        }
    }

    @Nested
    class Randomness {

        @Test
        void flipsHappenWithFrequencyP() {
            Tensor x = Tensor.of(new double[] {0, 1}, 1, 1, 2);
            int[] indices = new int[4000];
            Arrays.setAll(indices, i -> i);
            long[] keys = Transforms.sampleKeys(42, 0, indices);
            for (double p : new double[] {0.1, 0.3, 0.5, 0.9}) {
                Tensor batch = x.expand(4000, 1, 1, 2);
                double[] out = Transforms.randomHorizontalFlip(p).apply(batch, keys).toDoubleArray();
                int counted = 0;
                for (int i = 0; i < 4000; i++) {
                    counted += out[2 * i] == 1 ? 1 : 0;
                }
                int flips = counted;
                // the binomial's standard deviation is at most sqrt(4000 / 4) = 32 flips: allow 4 of them
                assertEquals(p, flips / 4000.0, 0.032, () -> "p = " + p + ": " + flips + " flips of 4000");
            }
        }

        @Test
        void noiseHasMeanZeroAndTheGivenStd() {
            Tensor zeros = Tensor.zeros(DType.FLOAT32, 200, 1, 8, 8);
            int[] indices = new int[200];
            Arrays.setAll(indices, i -> i);
            Tensor noise = Transforms.gaussianNoise(0.1).apply(zeros, Transforms.sampleKeys(7, 3, indices));
            // 12,800 draws: the mean's standard error is 0.1 / 113 = 0.0009, the std's 0.1 / 160 = 0.0006
            assertEquals(0, noise.mean().item(), 0.004);
            assertEquals(0.1, noise.std().item(), 0.003);
            // and samples differ: no two images share their noise
            Set<Double> firsts = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                firsts.add(noise.get(i, 0, 0, 0));
            }
            assertEquals(200, firsts.size());
        }

        @Test
        void everyCropOffsetAndShiftIsReached() {
            Tensor x = Tensor.arange(9).reshape(1, 3, 3).expand(300, 1, 3, 3);
            int[] indices = new int[300];
            Arrays.setAll(indices, i -> i);
            long[] keys = Transforms.sampleKeys(1, 0, indices);
            Set<String> crops = new HashSet<>();
            Set<String> shifts = new HashSet<>();
            Tensor cropped = Transforms.randomCrop(2, 1).apply(x, keys);
            Tensor shifted = Transforms.randomShift(1, 1).apply(x, keys);
            for (int i = 0; i < 300; i++) {
                crops.add(Arrays.toString(cropped.select(0, i).toDoubleArray()));
                shifts.add(Arrays.toString(shifted.select(0, i).toDoubleArray()));
            }
            assertEquals(16, crops.size(), "a 2 x 2 window of the 5 x 5 padded image has 4 x 4 positions");
            assertEquals(9, shifts.size(), "dx and dy each in -1..1");
        }

        @Test
        void sampleKeysDependOnSeedEpochAndIndex() {
            long[] a = Transforms.sampleKeys(42, 0, 0, 1, 2);
            assertArrayEquals(a, Transforms.sampleKeys(42, 0, 0, 1, 2));
            assertEquals(a[1], Transforms.sampleKeys(42, 0, 1)[0], "a sample's key does not depend on its batch");
            Set<Long> all = new HashSet<>();
            for (long seed : new long[] {0, 1, 42, -1, Long.MAX_VALUE, Long.MIN_VALUE}) {
                for (int epoch : new int[] {0, 1, 2, Integer.MAX_VALUE}) {
                    for (long key : Transforms.sampleKeys(seed, epoch, 0, 1, 2, 1000, Integer.MAX_VALUE, -1)) {
                        all.add(key);
                    }
                }
            }
            assertEquals(6 * 4 * 6, all.size(), "distinct keys for distinct (seed, epoch, index)");
        }

        @Test
        void composedStagesDrawIndependently() {
            // the same flip twice in a composition: each stage has its own keys, so about half of the samples end
            // up flipped once (not all twice, which would be the case if both stages drew from the same key)
            Tensor x = Tensor.of(new double[] {0, 1}, 1, 1, 2).expand(1000, 1, 1, 2);
            int[] indices = new int[1000];
            Arrays.setAll(indices, i -> i);
            Transform twice = Transforms.compose(Transforms.randomHorizontalFlip(0.5), Transforms.randomHorizontalFlip(0.5));
            double[] out = twice.apply(x, Transforms.sampleKeys(3, 0, indices)).toDoubleArray();
            int flipped = 0;
            for (int i = 0; i < 1000; i++) {
                flipped += out[2 * i] == 1 ? 1 : 0;
            }
            assertEquals(500, flipped, 64);
        }

        @Test
        void aBatchGivesWhatEachImageGivesAlone() {
            Tensor batch = randomImages(3, 6, 2, 7, 5);
            long[] keys = Transforms.sampleKeys(11, 2, 5, 3, 8, 1, 0, 9);
            Transform all = Transforms.compose(Transforms.randomCrop(6, 4, 2), Transforms.randomHorizontalFlip(0.5),
                    Transforms.randomShift(2, 1), Transforms.gaussianNoise(0.2),
                    Transforms.normalize(new double[] {0.5, 0.4}, new double[] {0.25, 0.3}));
            Tensor together = all.apply(batch, keys);
            assertArrayEquals(new int[] {6, 2, 6, 4}, together.shape());
            for (int i = 0; i < 6; i++) {
                Tensor alone = all.apply(batch.select(0, i), keys[i]);
                assertArrayEquals(alone.toFloatArray(), together.select(0, i).toFloatArray(), "sample " + i);
            }
        }

        @Test
        void andThenIsCompose() {
            Transform a = Transforms.randomCrop(3, 1);
            Transform b = Transforms.gaussianNoise(0.3);
            Tensor x = randomImages(4, 1, 3, 3);
            assertArrayEquals(Transforms.compose(a, b).apply(x, 77L).toFloatArray(), a.andThen(b).apply(x, 77L).toFloatArray());
            assertEquals("Compose(RandomCrop(3 x 3, padding=1), GaussianNoise(std=0.3))", a.andThen(b).toString());
        }

        @Test
        void resultsCarryNoGradientAndAreNewTensors() {
            Tensor x = randomImages(5, 2, 1, 4, 4);
            Tensor out = Transforms.randomHorizontalFlip(1).apply(x, 1L, 2L);
            assertFalse(out.requiresGrad());
            assertNotSame(x, out);
            assertTrue(out.isLeaf());
        }
    }

    @Nested
    class BadArguments {

        @Test
        void settingsAreCheckedWhenTheTransformIsMade() {
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomHorizontalFlip(-0.1)),
                    "RandomHorizontalFlip", "-0.1", "[0, 1]");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomHorizontalFlip(1.5)),
                    "RandomHorizontalFlip", "1.5");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomHorizontalFlip(Double.NaN)),
                    "RandomHorizontalFlip", "NaN");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomCrop(28, -1)),
                    "RandomCrop", "padding", "-1");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomCrop(0, 2)),
                    "RandomCrop", "0 x 0");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomCrop(3, Integer.MIN_VALUE, 0)),
                    "RandomCrop", "3 x " + Integer.MIN_VALUE);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.gaussianNoise(-0.01)),
                    "GaussianNoise", "-0.01");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.gaussianNoise(Double.POSITIVE_INFINITY)),
                    "GaussianNoise", "Infinity");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomShift(-1, 0)),
                    "RandomShift", "-1");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomShift(0, Integer.MIN_VALUE)),
                    "RandomShift", String.valueOf(Integer.MIN_VALUE));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomTranslate(0.1, 1.01)),
                    "RandomTranslate", "1.01");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomTranslate(-0.2, 0.1)),
                    "RandomTranslate", "-0.2");
        }

        @Test
        void normalizeNeedsOnePositiveStdPerChannel() {
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Transforms.normalize(new double[] {0.5}, new double[] {0})), "Normalize", "std 0.0", "> 0");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Transforms.normalize(new double[] {0.5, 0.5}, new double[] {1})), "Normalize", "2 means", "1 std");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Transforms.normalize(new double[0], new double[0])), "Normalize", "0 means");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Transforms.normalize(new double[] {Double.NaN}, new double[] {1})), "Normalize", "NaN");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Transforms.normalize(new double[] {0}, new double[] {-2})), "Normalize", "-2.0");
            Transform threeChannels = Transforms.normalize(new double[] {0, 0, 0}, new double[] {1, 1, 1});
            assertMentions(assertThrows(IllegalArgumentException.class, () -> threeChannels.apply(image(), 0L)),
                    "Normalize", "3 mean/std values", "1 channel", "[1, 1, 2, 3]");
        }

        @Test
        void theInputMustBeAnImageOrABatchWithOneKeyPerSample() {
            Transform flip = Transforms.randomHorizontalFlip(0.5);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> flip.apply(Tensor.zeros(2, 3), 0L)),
                    "RandomHorizontalFlip", "[C, H, W]", "[2, 3]", "rank 2");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Transforms.gaussianNoise(1).apply(Tensor.zeros(1, 1, 1, 2, 3), 0L)), "GaussianNoise", "rank 5");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> flip.apply(Tensor.zeros(4, 1, 2, 3), 1L, 2L, 3L)),
                    "RandomHorizontalFlip", "3 keys", "batch of 4", "one key per sample");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> flip.apply(image())),
                    "RandomHorizontalFlip", "0 keys", "one image");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> flip.apply(image().requiresGrad(true), 0L)), "RandomHorizontalFlip", "requires grad", "detach");
            assertThrows(NullPointerException.class, () -> flip.apply(null, 0L));
            assertThrows(NullPointerException.class, () -> flip.apply(image(), (long[]) null));
        }

        @Test
        void aCropOrShiftMustFitTheImage() {
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomCrop(5, 1).apply(image(), 0L)),
                    "RandomCrop", "5 x 5 crop", "2 x 3 image padded by 1", "4 x 5");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Transforms.randomCrop(1, Integer.MAX_VALUE).apply(image(), 0L)), "RandomCrop",
                    String.valueOf(Integer.MAX_VALUE), "more than an array can hold");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Transforms.randomShift(4, 0).apply(image(), 0L)),
                    "RandomShift", "4 pixels horizontally", "2 x 3 image");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Transforms.randomShift(0, Integer.MAX_VALUE).apply(image(), 0L)), "RandomShift",
                    Integer.MAX_VALUE + " vertically");
            assertArrayEquals(new int[] {1, 2, 3}, Transforms.randomShift(3, 2).apply(image(), 8L).shape(),
                    "shifts as large as the image are allowed");
        }

        @Test
        void composeNeedsStages() {
            assertMentions(assertThrows(IllegalArgumentException.class, Transforms::compose), "Transforms.compose", "at least one");
            assertMentions(assertThrows(NullPointerException.class,
                    () -> Transforms.compose(Transforms.gaussianNoise(1), null)), "stage 1");
            assertThrows(NullPointerException.class, () -> Transforms.gaussianNoise(1).andThen(null));
        }
    }

    @Test
    void theBuiltInsSayWhatTheyAre() {
        List<String> names = new ArrayList<>();
        for (Transform t : List.of(Transforms.randomHorizontalFlip(0.5), Transforms.randomCrop(28, 2),
                Transforms.randomShift(2, 3), Transforms.randomTranslate(0.1, 0.2), Transforms.gaussianNoise(0.05),
                Transforms.normalize(new double[] {0.5}, new double[] {0.25}))) {
            names.add(t.toString());
        }
        assertEquals(List.of("RandomHorizontalFlip(p=0.5)", "RandomCrop(28 x 28, padding=2)",
                "RandomShift(horizontal=2 px, vertical=3 px)", "RandomTranslate(horizontal=0.1, vertical=0.2)",
                "GaussianNoise(std=0.05)", "Normalize(mean=[0.5], std=[0.25])"), names);
    }
}
