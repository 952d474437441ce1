package dev.autograd.nn.data;

import static dev.autograd.nn.NnTestSupport.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The loader's transforms: per sample or per batch, seeded by seed, epoch and index, targets untouched. */
class DataLoaderTransformTest {

    private static final int N = 23;

    /** 23 random FLOAT32 images [2, 6, 5], target i for sample i. */
    private static TensorDataset images() {
        float[] y = new float[N];
        for (int i = 0; i < N; i++) {
            y[i] = i;
        }
        return new TensorDataset(Tensor.rand(new Random(5), DType.FLOAT32, N, 2, 6, 5), Tensor.of(y, N));
    }

    private static Transform augmentation() {
        return Transforms.compose(Transforms.randomCrop(6, 4, 1), Transforms.randomHorizontalFlip(0.5),
                Transforms.randomShift(1, 1), Transforms.gaussianNoise(0.1),
                Transforms.normalize(new double[] {0.5, 0.5}, new double[] {0.3, 0.2}));
    }

    /** One epoch's transformed features, by sample index. */
    private static float[][] bySample(DataLoader loader) {
        float[][] out = new float[N][];
        for (Batch b : loader) {
            int[] idx = b.indices();
            int[] targets = b.targetsAsInts();
            for (int j = 0; j < idx.length; j++) {
                assertEquals(idx[j], targets[j], "targets are untouched and stay with their sample");
                out[idx[j]] = b.features().select(0, j).toFloatArray();
            }
        }
        return out;
    }

    @Test
    void perSampleAndPerBatchGiveIdenticalBatches() {
        DataLoader perSample = DataLoader.builder(images()).batchSize(5).shuffle(42).transform(augmentation()).build();
        DataLoader perBatch = DataLoader.builder(images()).batchSize(5).shuffle(42).batchTransform(augmentation()).build();
        for (int epoch = 0; epoch < 2; epoch++) {
            List<Batch> a = new ArrayList<>();
            List<Batch> b = new ArrayList<>();
            perSample.forEach(a::add);
            perBatch.forEach(b::add);
            assertEquals(5, a.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(new int[] {a.get(i).size(), 2, 6, 4}, a.get(i).features().shape());
                assertArrayEquals(a.get(i).indices(), b.get(i).indices());
                assertArrayEquals(a.get(i).features().toFloatArray(), b.get(i).features().toFloatArray(),
                        "epoch " + epoch + ", batch " + i);
                assertArrayEquals(a.get(i).targets().toFloatArray(), b.get(i).targets().toFloatArray());
            }
        }
    }

    @Test
    void aSamplesAugmentationDependsOnSeedEpochAndIndexOnly() {
        // batch size and shuffling change the batches, not what each sample becomes
        float[][] reference = bySample(DataLoader.builder(images()).batchSize(4).shuffle(7).transform(augmentation()).build());
        float[][] otherBatches = bySample(DataLoader.builder(images()).batchSize(23).shuffle(7).batchTransform(augmentation())
                .build());
        float[][] inOrder = bySample(DataLoader.builder(images()).batchSize(3).seed(7).transform(augmentation()).build());
        for (int i = 0; i < N; i++) {
            assertArrayEquals(reference[i], otherBatches[i], "sample " + i);
            assertArrayEquals(reference[i], inOrder[i], "sample " + i);
            // and the loader's result is the transform's with the documented key
            Tensor alone = augmentation().apply(images().get(i).features(), Transforms.sampleKeys(7, 0, i));
            assertArrayEquals(reference[i], alone.toFloatArray(), "sample " + i);
        }
    }

    @Test
    void theSameSeedRepeatsAndAnotherEpochOrSeedDrawsAgain() {
        DataLoader a = DataLoader.builder(images()).batchSize(8).shuffle(1).transform(augmentation()).build();
        DataLoader b = DataLoader.builder(images()).batchSize(8).shuffle(1).transform(augmentation()).build();
        float[][] a0 = bySample(a);
        float[][] a1 = bySample(a);
        float[][] b0 = bySample(b);
        assertArrayEquals(a0, b0, "same seed, same epoch 0");
        for (int i = 0; i < N; i++) {
            assertFalse(Arrays.equals(a0[i], a1[i]), "epoch 1 draws other noise for sample " + i);
        }
        b.setEpoch(1);
        assertArrayEquals(a1, bySample(b), "setEpoch(1) replays epoch 1");
        b.setEpoch(0);
        assertArrayEquals(a0, bySample(b), "setEpoch(0) replays epoch 0");
        float[][] other = bySample(DataLoader.builder(images()).batchSize(8).shuffle(2).transform(augmentation()).build());
        for (int i = 0; i < N; i++) {
            assertFalse(Arrays.equals(a0[i], other[i]), "another seed draws other noise for sample " + i);
        }
    }

    @Test
    void bothTransformsAreTheirCompositionSplitBetweenSampleAndBatch() {
        Transform crop = Transforms.randomCrop(6, 4, 2);
        Transform noise = Transforms.gaussianNoise(0.5);
        float[][] split = bySample(DataLoader.builder(images()).batchSize(6).shuffle(3).transform(crop).batchTransform(noise)
                .build());
        float[][] composed = bySample(DataLoader.builder(images()).batchSize(6).shuffle(3)
                .transform(Transforms.compose(crop, noise)).build());
        assertArrayEquals(composed, split);
    }

    @Test
    void withoutTransformsTheFeaturesAreTheDataSets() {
        float[][] plain = bySample(DataLoader.builder(images()).batchSize(4).shuffle(9).build());
        for (int i = 0; i < N; i++) {
            assertArrayEquals(images().get(i).features().toFloatArray(), plain[i]);
        }
    }

    @Test
    void aDeterministicLambdaWorksOnEitherSide() {
        Transform clamp = (x, keys) -> x.clamp(0.25, 0.75);
        float[][] perSample = bySample(DataLoader.builder(images()).batchSize(5).transform(clamp).build());
        float[][] perBatch = bySample(DataLoader.builder(images()).batchSize(5).batchTransform(clamp).build());
        assertArrayEquals(perSample, perBatch);
        for (float v : perSample[3]) {
            assertEquals(Math.min(0.75, Math.max(0.25, v)), v, 1e-7);
        }
    }

    @Test
    void nullTransformsAreRefused() {
        assertMentions(assertThrows(NullPointerException.class, () -> DataLoader.builder(images()).transform(null)),
                "DataLoader.transform");
        assertMentions(assertThrows(NullPointerException.class, () -> DataLoader.builder(images()).batchTransform(null)),
                "DataLoader.batchTransform");
    }

    @Test
    void aTransformThatDoesNotFitTheDataFailsWithItsName() {
        DataLoader loader = DataLoader.builder(images()).batchSize(4)
                .batchTransform(Transforms.normalize(new double[] {0.5}, new double[] {0.2})).build();
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loader.iterator().next()), "Normalize",
                "2 channels");
    }
}
