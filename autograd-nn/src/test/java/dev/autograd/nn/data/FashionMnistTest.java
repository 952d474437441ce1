package dev.autograd.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.autograd.DType;
import dev.autograd.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fashion-MNIST from hand-made files in a temporary folder, and from the real files when installed. */
class FashionMnistTest {

    @TempDir
    Path dir;

    /** Writes a split of {@code n} images whose pixel {@code p} of image {@code i} is {@code (i + p) % 256}. */
    private void writeSplit(FashionMnist.Split split, int images, int labels, boolean gzip) throws IOException {
        byte[] pixels = new byte[images * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i / 784 + i % 784);
        }
        byte[] classes = new byte[labels];
        for (int i = 0; i < labels; i++) {
            classes[i] = (byte) (i % 10);
        }
        byte[] img = IdxFileTest.idx(0x08, new int[] {images, 28, 28}, pixels);
        byte[] lab = IdxFileTest.idx(0x08, new int[] {labels}, classes);
        Files.write(dir.resolve(split.imagesFile() + (gzip ? ".gz" : "")), gzip ? IdxFileTest.gzip(img) : img);
        Files.write(dir.resolve(split.labelsFile() + (gzip ? ".gz" : "")), gzip ? IdxFileTest.gzip(lab) : lab);
    }

    @Test
    void loadsASplitAsFloat32ImagesInTheUnitIntervalAndClassIndices() throws IOException {
        writeSplit(FashionMnist.Split.TRAIN, 12, 12, true);
        FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN, dir);
        assertEquals(12, train.size());
        assertArrayEquals(new int[] {12, 1, 28, 28}, train.images().shape());
        assertEquals(DType.FLOAT32, train.images().dtype());
        Sample s = train.get(3);
        assertArrayEquals(new int[] {1, 28, 28}, s.features().shape());
        assertEquals(3, s.target().item());
        assertEquals(3 / 255.0, s.features().toDoubleArray()[0], 1e-6);
        assertEquals(255 / 255.0, s.features().toDoubleArray()[252], 1e-6);
        assertEquals(7, train.label(7));
        assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(9));
        assertEquals(10, FashionMnist.CLASS_NAMES.size());
    }

    @Test
    void fitsTheDataLoaderAndTakesTheFirstSamples() throws IOException {
        writeSplit(FashionMnist.Split.TEST, 10, 10, false);
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST, dir);
        FashionMnist head = test.first(4);
        assertEquals(4, head.size());
        assertSame(test, test.first(100));
        DataLoader loader = DataLoader.builder(head).batchSize(3).build();
        List<Batch> batches = new java.util.ArrayList<>();
        loader.forEach(batches::add);
        assertEquals(2, batches.size());
        assertArrayEquals(new int[] {3, 1, 28, 28}, batches.get(0).features().shape());
        assertArrayEquals(new int[] {0, 1, 2}, batches.get(0).targetsAsInts());
        assertArrayEquals(new int[] {3}, batches.get(1).targetsAsInts());
    }

    @Test
    void missingFilesSayHowToGetThem() {
        Path empty = dir.resolve("nothing-here");
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> FashionMnist.load(FashionMnist.Split.TRAIN, empty));
        for (String f : List.of(empty.toString(), "train-images-idx3-ubyte.gz", "sudo apt-get install dataset-fashion-mnist",
                "t10k-labels-idx1-ubyte.gz", "-Dautograd.fashionMnist.dir=", "github.com/zalandoresearch/fashion-mnist",
                "the folder does not exist")) {
            assertTrue(e.getMessage().contains(f), () -> "'" + f + "' missing from: " + e.getMessage());
        }
        assertEquals(List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"), e.missingFiles());
        assertEquals(4, FashionMnist.missingFiles(empty).size());
    }

    @Test
    void refusesImagesAndLabelsThatDisagree() throws IOException {
        writeSplit(FashionMnist.Split.TRAIN, 5, 4, true);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> FashionMnist.load(FashionMnist.Split.TRAIN, dir));
        assertTrue(e.getMessage().contains("4 labels") && e.getMessage().contains("5 images")
                && e.getMessage().contains("train-labels-idx1-ubyte.gz"), e::getMessage);
    }

    @Test
    void refusesLabelsOutsideTheClassesAndImagesOfAnotherSize() throws IOException {
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxFileTest.idx(0x08, new int[] {1, 28, 28}, new byte[784]));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxFileTest.idx(0x08, new int[] {1}, new byte[] {10}));
        IdxFormatException bad = assertThrows(IdxFormatException.class, () -> FashionMnist.load(FashionMnist.Split.TEST, dir));
        assertTrue(bad.getMessage().contains("label 0 is 10, not a class index 0 to 9"), bad::getMessage);
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxFileTest.idx(0x08, new int[] {1, 32, 32}, new byte[1024]));
        IdxFormatException size = assertThrows(IdxFormatException.class, () -> FashionMnist.load(FashionMnist.Split.TEST, dir));
        assertTrue(size.getMessage().contains("32 x 32"), size::getMessage);
    }

    @Test
    void theSystemPropertyNamesTheDefaultFolder() {
        String old = System.getProperty(FashionMnist.DIRECTORY_PROPERTY);
        try {
            System.setProperty(FashionMnist.DIRECTORY_PROPERTY, dir.toString());
            assertEquals(dir, FashionMnist.defaultDirectory());
            System.clearProperty(FashionMnist.DIRECTORY_PROPERTY);
            assertEquals(Path.of(FashionMnist.DEBIAN_DIRECTORY), FashionMnist.defaultDirectory());
        } finally {
            if (old != null) {
                System.setProperty(FashionMnist.DIRECTORY_PROPERTY, old);
            }
        }
    }

    @Test
    void theInstalledTestSplitHasTenThousandBalancedSamples() {
        assumeTrue(FashionMnist.isAvailable(), () -> "Fashion-MNIST is not installed. "
                + FashionMnist.howToGet(FashionMnist.defaultDirectory()));
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST);
        assertEquals(10_000, test.size());
        int[] perClass = new int[10];
        for (int label : test.labels()) {
            perClass[label]++;
        }
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, perClass);
        Tensor images = test.images();
        assertEquals(0.0, images.min().item());
        assertEquals(1.0, images.max().item());
    }
}
