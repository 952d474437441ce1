package dev.autograd.nn.data;

/**
 * A data set that gathers a whole batch at once (one {@code indexSelect} per tensor) instead of stacking
 * samples one by one; {@link DataLoader} uses it when the data set offers it.
 */
interface BatchGatherer {

    /**
     * The samples at {@code indices}, stacked.
     *
     * @param indices positions in {@code [0, size())}
     * @return the batch
     */
    Batch batch(int[] indices);
}
