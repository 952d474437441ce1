package dev.autograd.nn.tune;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.data.Dataset;
import dev.autograd.nn.data.Sample;
import dev.autograd.nn.data.TensorDataset;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * A data set cut at random into a training part and a validation part, like scikit-learn's
 * {@code train_test_split(..., test_size=fraction, random_state=seed)} or PyTorch's {@code random_split}.
 *
 * <pre>{@code
 * ValidationSplit<Sample> split = ValidationSplit.of(new TensorDataset(x, y), 0.2, 42);
 * DataLoader train = DataLoader.builder(split.train()).batchSize(32).shuffle(seed).build();
 * TensorDataset validation = (TensorDataset) split.validation();   // a TensorDataset stays one
 * }</pre>
 *
 * <p>The samples are permuted with a Fisher-Yates shuffle from {@code new Random(seed)}; the first
 * {@code round(fraction * n)} positions of the permutation go to validation, the rest to training, each part
 * in ascending index order. The same data size, fraction and seed always give the same split. A
 * {@link TensorDataset} is split into two {@code TensorDataset}s (gathered once, so that loaders batch them
 * with one {@code indexSelect}); any other data set into views that map indices.
 *
 * @param train             the training samples
 * @param validation        the validation samples
 * @param trainIndices      the positions in the original data set of the training samples, ascending
 * @param validationIndices the positions of the validation samples, ascending
 * @param <T>               the type of a sample
 */
public record ValidationSplit<T>(Dataset<T> train, Dataset<T> validation, int[] trainIndices, int[] validationIndices) {

    /**
     * Checks the parts and copies the index arrays.
     *
     * @param train             the training samples
     * @param validation        the validation samples
     * @param trainIndices      their original positions
     * @param validationIndices their original positions
     */
    public ValidationSplit {
        Objects.requireNonNull(train, "ValidationSplit: train is null");
        Objects.requireNonNull(validation, "ValidationSplit: validation is null");
        trainIndices = trainIndices.clone();
        validationIndices = validationIndices.clone();
    }

    /** @return a copy of the training samples' original positions, ascending */
    @Override
    public int[] trainIndices() {
        return trainIndices.clone();
    }

    /** @return a copy of the validation samples' original positions, ascending */
    @Override
    public int[] validationIndices() {
        return validationIndices.clone();
    }

    /**
     * Splits {@code data} at random.
     *
     * @param data     the samples, at least 2
     * @param fraction the fraction that goes to validation, strictly between 0 and 1; {@code round(fraction * n)}
     *                 samples, which must leave at least one sample in each part
     * @param seed     the seed of the permutation
     * @param <T>      the type of a sample
     * @return the two parts
     * @throws IllegalArgumentException when the fraction is not in (0, 1) or leaves a part empty
     */
    @SuppressWarnings("unchecked") // a TensorDataset is a Dataset<Sample>, so T is Sample there
    public static <T> ValidationSplit<T> of(Dataset<T> data, double fraction, long seed) {
        Objects.requireNonNull(data, "ValidationSplit.of: data is null");
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("ValidationSplit.of: the validation fraction must be strictly between 0"
                    + " and 1, got " + fraction);
        }
        int n = data.size();
        long validationCount = Math.round(fraction * n);
        if (validationCount < 1 || validationCount > n - 1) {
            throw new IllegalArgumentException("ValidationSplit.of: a fraction of " + fraction + " of " + n
                    + " samples gives " + validationCount + " validation and " + (n - validationCount)
                    + " training samples; each part needs at least one");
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] validation = Arrays.copyOfRange(order, 0, (int) validationCount);
        int[] train = Arrays.copyOfRange(order, (int) validationCount, n);
        Arrays.sort(validation);
        Arrays.sort(train);
        if (data instanceof TensorDataset tensors) {
            ValidationSplit<Sample> split = new ValidationSplit<>(gather(tensors, train), gather(tensors, validation), train,
                    validation);
            return (ValidationSplit<T>) (ValidationSplit<?>) split;
        }
        return new ValidationSplit<>(new View<>(data, train), new View<>(data, validation), train, validation);
    }

    private static TensorDataset gather(TensorDataset data, int[] indices) {
        try (var scope = Autograd.noGrad()) {
            Tensor features = data.features().indexSelect(0, indices);
            Tensor targets = data.targets().indexSelect(0, indices);
            return new TensorDataset(features, targets);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValidationSplit<?> s && s.train.equals(train) && s.validation.equals(validation)
                && Arrays.equals(s.trainIndices, trainIndices) && Arrays.equals(s.validationIndices, validationIndices);
    }

    @Override
    public int hashCode() {
        return Objects.hash(train, validation, Arrays.hashCode(trainIndices), Arrays.hashCode(validationIndices));
    }

    @Override
    public String toString() {
        return "ValidationSplit[" + trainIndices.length + " train, " + validationIndices.length + " validation]";
    }

    /** The samples of {@code base} at {@code indices}, without copying them. */
    private record View<T>(Dataset<T> base, int[] indices) implements Dataset<T> {
        @Override
        public int size() {
            return indices.length;
        }

        @Override
        public T get(int index) {
            if (index < 0 || index >= indices.length) {
                throw new IndexOutOfBoundsException("ValidationSplit: index " + index + " is out of range for "
                        + indices.length + " samples");
            }
            return base.get(indices[index]);
        }
    }
}
