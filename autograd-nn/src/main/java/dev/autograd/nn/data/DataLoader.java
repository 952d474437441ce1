package dev.autograd.nn.data;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Random;

/**
 * Mini-batches over a data set, like PyTorch's {@code DataLoader}: each call of {@link #iterator()} is one
 * epoch, which visits the samples in order or, with shuffling, in a random permutation determined by the
 * seed and the epoch number (epoch {@code e} of a loader with seed {@code s} is the same permutation on
 * every run and every machine, and differs from epoch to epoch).
 *
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(new TensorDataset(x, y)).batchSize(32).shuffle(42).build();
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     for (Batch b : loader) { ... }
 * }
 * }</pre>
 *
 * <p>Batches of a {@link TensorDataset} or {@link FashionMnist} are gathered with {@code indexSelect}; other
 * data sets are stacked sample by sample. Not thread-safe.
 *
 * <p>Data augmentation: {@link Builder#transform} transforms each sample's features as the batch is gathered
 * (torchvision's {@code Dataset(transform=...)}), {@link Builder#batchTransform} the stacked features of each
 * batch; targets are never touched. Sample {@code i} of epoch {@code e} gets the key
 * {@code Transforms.sampleKeys(seed, e, i)}, so each epoch's augmentation is fixed by the seed, differs from
 * epoch to epoch (also after {@link #setEpoch}), and does not depend on the batch size, the shuffling or which
 * of the two methods applies the transform: both give identical tensors.
 *
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(train).batchSize(64).shuffle(42)
 *         .transform(Transforms.compose(Transforms.randomCrop(28, 2), Transforms.randomHorizontalFlip(0.5)))
 *         .build();
 * }</pre>
 */
public final class DataLoader implements Iterable<Batch> {

    private final Dataset<Sample> dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final Transform transform;
    private final Transform batchTransform;
    private int epoch;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.transform = b.transform;
        this.batchTransform = b.batchTransform;
    }

    /**
     * A loader that visits {@code dataset} in order, in batches of {@code batchSize} (the last one may be
     * smaller), like {@code DataLoader(dataset, batch_size=n)}; {@link #builder} sets more.
     *
     * @param dataset   the samples
     * @param batchSize the number of samples per batch, at least 1
     * @throws IllegalArgumentException when the batch size is below 1
     * @throws NullPointerException     when the data set is null
     */
    public DataLoader(Dataset<Sample> dataset, int batchSize) {
        this(builder(dataset).batchSize(batchSize));
    }

    /**
     * A loader that shuffles {@code dataset} every epoch with permutations determined by {@code seed}, in
     * batches of {@code batchSize}, like {@code DataLoader(dataset, batch_size=n, shuffle=True)} with the
     * randomness passed in: {@code builder(dataset).batchSize(batchSize).shuffle(seed).build()}.
     *
     * @param dataset   the samples
     * @param batchSize the number of samples per batch, at least 1
     * @param seed      the seed of the shuffling
     * @throws IllegalArgumentException when the batch size is below 1
     * @throws NullPointerException     when the data set is null
     */
    public DataLoader(Dataset<Sample> dataset, int batchSize, long seed) {
        this(builder(dataset).batchSize(batchSize).shuffle(seed));
    }

    /**
     * Starts a loader over {@code dataset}; defaults: batch size 1, no shuffling, last partial batch kept.
     *
     * @param dataset the samples
     * @return a builder
     */
    public static Builder builder(Dataset<Sample> dataset) {
        return new Builder(dataset);
    }

    /**
     * The next epoch: batches in order, or in this epoch's permutation when shuffling. Increments
     * {@link #epoch()}.
     *
     * @return an iterator over this epoch's batches
     */
    @Override
    public Iterator<Batch> iterator() {
        int e = epoch;
        int[] order = order(e);
        epoch++;
        int n = order.length;
        int batches = batchCount();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < batches;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("DataLoader: the epoch has no more batches");
                }
                int from = next * batchSize;
                int to = Math.min(n, from + batchSize);
                next++;
                return augment(collate(java.util.Arrays.copyOfRange(order, from, to)), e);
            }
        };
    }

    /**
     * The order in which epoch {@code e} visits the samples: {@code 0, 1, ..., n-1}, or with shuffling a
     * Fisher-Yates permutation drawn from a generator seeded with a mix of the seed and {@code e}.
     *
     * @param e the epoch, from 0
     * @return the sample indices in visiting order
     */
    public int[] order(int e) {
        int n = dataset.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            Random random = new Random(seed ^ (0x9E3779B97F4A7C15L * (e + 1L)));
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    private Batch collate(int[] indices) {
        if (dataset instanceof BatchGatherer gatherer) {
            return gatherer.batch(indices);
        }
        List<Tensor> features = new ArrayList<>(indices.length);
        List<Tensor> targets = new ArrayList<>(indices.length);
        for (int i : indices) {
            Sample s = dataset.get(i);
            features.add(s.features());
            targets.add(s.target());
        }
        try (var scope = Autograd.noGrad()) {
            return new Batch(Tensor.stack(features, 0), Tensor.stack(targets, 0), indices);
        }
    }

    /**
     * Applies the transforms to a batch's features. With both set, the sample transform gets stage 0's keys and
     * the batch transform stage 1's, which makes the pair {@code Transforms.compose(transform, batchTransform)}
     * split between samples and batch.
     */
    private Batch augment(Batch batch, int e) {
        if (transform == null && batchTransform == null) {
            return batch;
        }
        long[] keys = Transforms.sampleKeys(seed, e, batch.indices());
        boolean both = transform != null && batchTransform != null;
        Tensor features = batch.features();
        if (transform != null) {
            long[] sampleKeys = both ? ImageTransform.stageKeys(keys, 0) : keys;
            List<Tensor> samples = new ArrayList<>(keys.length);
            try (var scope = Autograd.noGrad()) {
                for (int i = 0; i < keys.length; i++) {
                    samples.add(transform.apply(features.select(0, i), sampleKeys[i]));
                }
                features = Tensor.stack(samples, 0);
            }
        }
        if (batchTransform != null) {
            features = batchTransform.apply(features, both ? ImageTransform.stageKeys(keys, 1) : keys);
        }
        return new Batch(features, batch.targets(), batch.indices());
    }

    /** @return the number of batches per epoch: {@code ceil(n / batchSize)}, or {@code floor} with drop-last */
    public int batchCount() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** @return the number of epochs started so far (the epoch the next {@link #iterator()} call starts) */
    public int epoch() {
        return epoch;
    }

    /**
     * Sets the epoch the next {@link #iterator()} call starts, e.g. to resume a run with the same shuffles.
     *
     * @param epoch the epoch number, at least 0
     */
    public void setEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("DataLoader: the epoch must be >= 0, got " + epoch);
        }
        this.epoch = epoch;
    }

    /** @return the batch size */
    public int batchSize() {
        return batchSize;
    }

    /** @return the data set */
    public Dataset<Sample> dataset() {
        return dataset;
    }

    /** Settings of a {@link DataLoader}; each setter returns this builder. */
    public static final class Builder {
        private final Dataset<Sample> dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private Transform transform;
        private Transform batchTransform;

        private Builder(Dataset<Sample> dataset) {
            this.dataset = Objects.requireNonNull(dataset, "DataLoader: dataset");
        }

        /**
         * The number of samples per batch.
         *
         * @param batchSize at least 1
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("DataLoader: the batch size must be at least 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Shuffles every epoch with permutations determined by {@code seed}, which also seeds the transforms.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder shuffle(long seed) {
            this.shuffle = true;
            this.seed = seed;
            return this;
        }

        /**
         * Sets the seed without turning shuffling on, for a loader that augments its samples in order (default
         * 0); {@link #shuffle(long)} sets it too, and the last call wins.
         *
         * @param seed the seed of the transforms' keys (and of the shuffling, when on)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Transforms each sample's features as the batch is gathered: {@code transform.apply(image, key)} on
         * every {@code [C, H, W]} image, then the results are stacked. The same transform given to
         * {@link #batchTransform} gives identical batches; this form also accepts transforms that only know
         * single images.
         *
         * @param transform the per-sample step, e.g. {@code Transforms.randomHorizontalFlip(0.5)}
         * @return this builder
         * @throws NullPointerException when {@code transform} is null
         */
        public Builder transform(Transform transform) {
            this.transform = Objects.requireNonNull(transform, "DataLoader.transform: the transform is null");
            return this;
        }

        /**
         * Transforms the stacked features of each batch, {@code [B, C, H, W]}, with one key per sample: fewer,
         * larger tensor ops than {@link #transform}, and identical results. With both set, the loader applies
         * {@code Transforms.compose(transform, batchTransform)}, its first stage per sample and its second per
         * batch.
         *
         * @param batchTransform the per-batch step, e.g. {@code Transforms.normalize(mean, std)}
         * @return this builder
         * @throws NullPointerException when {@code batchTransform} is null
         */
        public Builder batchTransform(Transform batchTransform) {
            this.batchTransform = Objects.requireNonNull(batchTransform,
                    "DataLoader.batchTransform: the transform is null");
            return this;
        }

        /**
         * Whether to drop the last batch when it is smaller than the batch size (default false).
         *
         * @param dropLast the setting
         * @return this builder
         */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** @return the loader */
        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
