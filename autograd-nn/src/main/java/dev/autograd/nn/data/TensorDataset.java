package dev.autograd.nn.data;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A data set held in two tensors whose first axis indexes the samples: sample {@code i} is
 * {@code (features[i], targets[i])}. Batches are gathered with one {@code indexSelect} per tensor, without
 * per-sample copies.
 *
 * <pre>{@code
 * TensorDataset data = new TensorDataset(x, y);   // x [N, 2], y [N]
 * }</pre>
 */
public final class TensorDataset implements Dataset<Sample>, BatchGatherer {

    private final Tensor features;
    private final Tensor targets;

    /**
     * A data set over {@code features} and {@code targets}; both are detached (a data set is not part of
     * any graph).
     *
     * @param features {@code [N, ...]}
     * @param targets  {@code [N, ...]}, the same {@code N}
     * @throws IllegalArgumentException when either is 0-d or the sample counts differ
     */
    public TensorDataset(Tensor features, Tensor targets) {
        Objects.requireNonNull(features, "TensorDataset: features");
        Objects.requireNonNull(targets, "TensorDataset: targets");
        if (features.dim() == 0 || targets.dim() == 0 || features.shape()[0] != targets.shape()[0]) {
            throw new IllegalArgumentException("TensorDataset: features " + Arrays.toString(features.shape())
                    + " and targets " + Arrays.toString(targets.shape()) + " must share their first axis (the samples)");
        }
        this.features = features.detach();
        this.targets = targets.detach();
    }

    @Override
    public int size() {
        return features.shape()[0];
    }

    /**
     * Sample {@code index}: {@code features.select(0, index)} and {@code targets.select(0, index)}.
     *
     * @param index in {@code [0, size())}
     * @return the sample
     */
    @Override
    public Sample get(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("TensorDataset.get: index " + index + " is out of range for "
                    + size() + " samples");
        }
        try (var s = Autograd.noGrad()) {
            return new Sample(features.select(0, index), targets.select(0, index));
        }
    }

    /**
     * The samples at {@code indices}, stacked.
     *
     * @param indices positions in {@code [0, size())}
     * @return a batch with {@code features [indices.length, ...]} and {@code targets [indices.length, ...]}
     */
    @Override
    public Batch batch(int[] indices) {
        Objects.requireNonNull(indices, "TensorDataset.batch: indices is null");
        for (int i : indices) {
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException("TensorDataset.batch: index " + i + " is out of range for "
                        + size() + " samples");
            }
        }
        try (var s = Autograd.noGrad()) {
            return new Batch(features.indexSelect(0, indices), targets.indexSelect(0, indices), indices);
        }
    }

    /** @return all features {@code [N, ...]} */
    public Tensor features() {
        return features;
    }

    /** @return all targets {@code [N, ...]} */
    public Tensor targets() {
        return targets;
    }
}
