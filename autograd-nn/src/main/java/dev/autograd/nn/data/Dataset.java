package dev.autograd.nn.data;

/**
 * A finite, indexable collection of samples, like PyTorch's map-style {@code Dataset}.
 *
 * @param <T> the type of one sample; {@link DataLoader} batches {@code Dataset<Sample>}
 */
public interface Dataset<T> {

    /** @return the number of samples */
    int size();

    /**
     * One sample.
     *
     * @param index in {@code [0, size())}
     * @return the sample
     * @throws IndexOutOfBoundsException when the index is out of range
     */
    T get(int index);
}
