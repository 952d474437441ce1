package dev.autograd.nn.data;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Zalando's Fashion-MNIST: 28 x 28 grey-scale pictures of clothes in 10 classes, 60,000 for training and
 * 10,000 for testing, read from the four IDX files of the original distribution (gzipped or not).
 *
 * <p>Sample {@code i} is {@code (image, label)}: the image a FLOAT32 tensor {@code [1, 28, 28]} (one channel,
 * rows, columns) whose pixels are the file's bytes divided by 255, so in {@code [0, 1]} with 0 the background,
 * and the label a 0-d FLOAT32 tensor holding the class index 0 to 9 ({@link #CLASS_NAMES} names them; a
 * {@link Batch}'s {@code targetsAsInts()} gives them to {@code Losses.crossEntropy}). A {@link DataLoader}
 * gathers batches of {@code [B, 1, 28, 28]} images with one {@code indexSelect}; an MLP flattens them to
 * {@code [B, 784]}.
 *
 * <p>Where the files are looked for: the folder passed to {@link #load(Split, Path)}; else the folder named
 * by the system property {@value #DIRECTORY_PROPERTY}; else {@value #DEBIAN_DIRECTORY}, where Debian's package
 * {@code dataset-fashion-mnist} puts them. Each file is {@code <name>.gz} or {@code <name>}. When a file is
 * missing, {@link #load} throws a {@link DatasetNotFoundException} whose message says how to get the files.
 *
 * <pre>{@code
 * FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN);
 * DataLoader loader = DataLoader.builder(train).batchSize(128).shuffle(42).build();
 * }</pre>
 */
public final class FashionMnist implements Dataset<Sample>, BatchGatherer {

    /** The system property naming the folder to read the files from instead of {@value #DEBIAN_DIRECTORY}. */
    public static final String DIRECTORY_PROPERTY = "autograd.fashionMnist.dir";

    /** Where Debian's package {@code dataset-fashion-mnist} installs the four gzipped files. */
    public static final String DEBIAN_DIRECTORY = "/usr/share/datasets/fashion-mnist";

    /** Where the original files can be downloaded. */
    public static final String DOWNLOAD_URL = "https://github.com/zalandoresearch/fashion-mnist/tree/master/data/fashion";

    /** The names of the classes, by class index. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The side of an image in pixels. */
    public static final int SIDE = 28;

    /** The two parts of the data set. */
    public enum Split {
        /** The 60,000 training samples ({@code train-*} files). */
        TRAIN("train"),
        /** The 10,000 test samples ({@code t10k-*} files). */
        TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        /** @return the images file's name without {@code .gz}, e.g. {@code train-images-idx3-ubyte} */
        public String imagesFile() {
            return prefix + "-images-idx3-ubyte";
        }

        /** @return the labels file's name without {@code .gz}, e.g. {@code train-labels-idx1-ubyte} */
        public String labelsFile() {
            return prefix + "-labels-idx1-ubyte";
        }
    }

    private final Split split;
    private final Path directory;
    private final TensorDataset data;
    private final int[] labels;

    private FashionMnist(Split split, Path directory, TensorDataset data, int[] labels) {
        this.split = split;
        this.directory = directory;
        this.data = data;
        this.labels = labels;
    }

    /**
     * The folder the files are read from by default: the value of {@value #DIRECTORY_PROPERTY} when set and
     * not blank, else {@value #DEBIAN_DIRECTORY}.
     *
     * @return the folder
     */
    public static Path defaultDirectory() {
        String dir = System.getProperty(DIRECTORY_PROPERTY);
        return dir == null || dir.isBlank() ? Path.of(DEBIAN_DIRECTORY) : Path.of(dir.trim());
    }

    /**
     * The names of the files of both splits that {@code directory} lacks (neither {@code <name>.gz} nor
     * {@code <name>} is a file there), as {@code <name>.gz}.
     *
     * @param directory the folder
     * @return the missing files; empty when both splits can be loaded
     */
    public static List<String> missingFiles(Path directory) {
        Objects.requireNonNull(directory, "FashionMnist.missingFiles: directory is null");
        List<String> missing = new ArrayList<>();
        for (Split s : Split.values()) {
            for (String name : List.of(s.imagesFile(), s.labelsFile())) {
                if (find(directory, name) == null) {
                    missing.add(name + ".gz");
                }
            }
        }
        return missing;
    }

    /**
     * Whether both splits are in {@link #defaultDirectory()}.
     *
     * @return true when {@link #load(Split)} will find its files
     */
    public static boolean isAvailable() {
        return missingFiles(defaultDirectory()).isEmpty();
    }

    /**
     * How to get the files into {@code directory}, for messages (and tests that skip without them).
     *
     * @param directory the folder that lacks them
     * @return a few sentences naming the apt package, the download and the system property
     */
    public static String howToGet(Path directory) {
        return "Get Fashion-MNIST in one of two ways: on Debian or Ubuntu, 'sudo apt-get install dataset-fashion-mnist'"
                + " puts the files in " + DEBIAN_DIRECTORY + "; or download train-images-idx3-ubyte.gz,"
                + " train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from " + DOWNLOAD_URL
                + " into a folder and name it with -D" + DIRECTORY_PROPERTY + "=/that/folder"
                + (directory.equals(Path.of(DEBIAN_DIRECTORY)) ? "" : " (now " + directory + ")") + ".";
    }

    /**
     * Loads a split from {@link #defaultDirectory()}.
     *
     * @param split which part
     * @return the samples
     * @throws DatasetNotFoundException when a file is missing; the message says how to get them
     * @throws IdxFormatException        when a file is damaged or the two files disagree
     */
    public static FashionMnist load(Split split) {
        return load(split, defaultDirectory());
    }

    /**
     * Loads a split from {@code directory}, which holds {@code <prefix>-images-idx3-ubyte} and
     * {@code <prefix>-labels-idx1-ubyte}, each gzipped ({@code .gz}) or not.
     *
     * @param split     which part
     * @param directory the folder with the files
     * @return the samples: images {@code [N, 1, 28, 28]} FLOAT32 in {@code [0, 1]}, labels 0 to 9
     * @throws DatasetNotFoundException when a file is missing; the message says how to get them
     * @throws IdxFormatException        when a file is damaged, the images are not 28 x 28, a label is not a
     *                                   class index, or the files hold different numbers of samples
     */
    public static FashionMnist load(Split split, Path directory) {
        Objects.requireNonNull(split, "FashionMnist.load: split is null");
        Objects.requireNonNull(directory, "FashionMnist.load: directory is null");
        Path imagesPath = find(directory, split.imagesFile());
        Path labelsPath = find(directory, split.labelsFile());
        if (imagesPath == null || labelsPath == null) {
            List<String> missing = new ArrayList<>();
            if (imagesPath == null) {
                missing.add(split.imagesFile() + ".gz");
            }
            if (labelsPath == null) {
                missing.add(split.labelsFile() + ".gz");
            }
            throw new DatasetNotFoundException("Fashion-MNIST's " + split.name().toLowerCase(java.util.Locale.ROOT)
                    + " split is not in " + directory + ": no " + String.join(" and no ", missing) + " (nor without .gz"
                    + (Files.isDirectory(directory) ? "" : "; the folder does not exist") + "). " + howToGet(directory),
                    directory, missing);
        }
        IdxFile labelFile = IdxFile.read(labelsPath, 1);
        IdxFile imageFile = IdxFile.read(imagesPath, 3);
        int n = imageFile.dimension(0);
        if (imageFile.dimension(1) != SIDE || imageFile.dimension(2) != SIDE) {
            throw new IdxFormatException(imagesPath, "Fashion-MNIST images are " + SIDE + " x " + SIDE + " pixels, but this file's"
                    + " are " + imageFile.dimension(1) + " x " + imageFile.dimension(2));
        }
        if (labelFile.dimension(0) != n) {
            throw new IdxFormatException(labelsPath, "it holds " + labelFile.dimension(0) + " labels but " + imagesPath
                    + " holds " + n + " images; the two files must come from the same split and release");
        }
        int[] labels = labelFile.toInts();
        float[] targets = new float[n];
        for (int i = 0; i < n; i++) {
            if (labels[i] >= CLASS_NAMES.size()) {
                throw new IdxFormatException(labelsPath, "label " + i + " is " + labels[i] + ", not a class index 0 to "
                        + (CLASS_NAMES.size() - 1));
            }
            targets[i] = labels[i];
        }
        Tensor images = Tensor.of(imageFile.toFloats(1f / 255), n, 1, SIDE, SIDE);
        return new FashionMnist(split, directory, new TensorDataset(images, Tensor.of(targets, n)), labels);
    }

    private static Path find(Path directory, String name) {
        for (Path candidate : List.of(directory.resolve(name + ".gz"), directory.resolve(name))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The first {@code n} samples, e.g. for a quick run; this data set itself when it has no more than
     * {@code n}.
     *
     * @param n how many samples to keep, at least 1
     * @return a data set of {@code min(n, size())} samples
     */
    public FashionMnist first(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("FashionMnist.first: need at least 1 sample, got " + n);
        }
        if (n >= size()) {
            return this;
        }
        try (var scope = Autograd.noGrad()) {
            TensorDataset head = new TensorDataset(data.features().slice(0, 0, n, 1), data.targets().slice(0, 0, n, 1));
            return new FashionMnist(split, directory, head, Arrays.copyOf(labels, n));
        }
    }

    @Override
    public int size() {
        return labels.length;
    }

    /**
     * Sample {@code index}.
     *
     * @param index in {@code [0, size())}
     * @return image {@code [1, 28, 28]} and label (a 0-d tensor holding the class index)
     */
    @Override
    public Sample get(int index) {
        return data.get(index);
    }

    /**
     * The samples at {@code indices}, stacked.
     *
     * @param indices positions in {@code [0, size())}
     * @return images {@code [B, 1, 28, 28]} and labels {@code [B]}
     */
    @Override
    public Batch batch(int[] indices) {
        return data.batch(indices);
    }

    /** @return every image, {@code [N, 1, 28, 28]} FLOAT32 in {@code [0, 1]} */
    public Tensor images() {
        return data.features();
    }

    /** @return every label as a class index, {@code [N]} FLOAT32 */
    public Tensor targets() {
        return data.targets();
    }

    /** @return every label as a class index 0 to 9 (a copy) */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * One sample's class index.
     *
     * @param index in {@code [0, size())}
     * @return 0 to 9
     */
    public int label(int index) {
        return labels[Objects.checkIndex(index, labels.length)];
    }

    /** @return the split loaded */
    public Split split() {
        return split;
    }

    /** @return the folder the files came from */
    public Path directory() {
        return directory;
    }

    @Override
    public String toString() {
        return "FashionMnist(" + split.name().toLowerCase(java.util.Locale.ROOT) + ", " + size() + " samples, from "
                + directory + ")";
    }
}
