package dev.autograd.spark;

import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.data.TensorDataset;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the flat arrays of a {@link TrainingRow} stand for: the shape and dtype of one sample's features and of
 * its target. The model receives features {@code [rows, featureShape...]} and the loss targets
 * {@code [rows, targetShape...]}; an empty target shape means one value per row (a class index or a scalar),
 * i.e. targets {@code [rows]}.
 *
 * <pre>{@code
 * RowFormat images = RowFormat.of(DType.FLOAT32, new int[] {1, 28, 28}, new int[0]);   // [B, 1, 28, 28], [B]
 * }</pre>
 */
public final class RowFormat implements Serializable {

    private static final long serialVersionUID = 1L;

    /** One sample's feature shape. */
    private final int[] featureShape;
    /** The features' dtype. */
    private final DType featureType;
    /** One sample's target shape, empty for one value per row. */
    private final int[] targetShape;
    /** The targets' dtype. */
    private final DType targetType;
    /** The values of one sample's features: the product of {@link #featureShape}. */
    private final int featureLength;
    /** The values of one sample's target: the product of {@link #targetShape}. */
    private final int targetLength;

    private RowFormat(DType featureType, int[] featureShape, DType targetType, int[] targetShape) {
        this.featureType = Objects.requireNonNull(featureType, "RowFormat.of: the feature dtype is null");
        this.targetType = Objects.requireNonNull(targetType, "RowFormat.of: the target dtype is null");
        this.featureShape = Objects.requireNonNull(featureShape, "RowFormat.of: the feature shape is null").clone();
        this.targetShape = Objects.requireNonNull(targetShape, "RowFormat.of: the target shape is null").clone();
        this.featureLength = size("feature", this.featureShape);
        this.targetLength = size("target", this.targetShape);
    }

    private static int size(String what, int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("RowFormat.of: the " + what + " shape " + Arrays.toString(shape)
                        + " has an extent below 1");
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("RowFormat.of: the " + what + " shape " + Arrays.toString(shape)
                        + " holds more than " + Integer.MAX_VALUE + " values per row");
            }
        }
        return (int) n;
    }

    /**
     * Features and target of one dtype.
     *
     * @param dtype        the dtype of the tensors the rows become
     * @param featureShape one sample's feature shape, e.g. {@code {784}} or {@code {1, 28, 28}}
     * @param targetShape  one sample's target shape; {@code {}} for one value per row
     * @return the format
     * @throws IllegalArgumentException when an extent is below 1 or a row would exceed an int's range of values
     * @throws NullPointerException     when an argument is null
     */
    public static RowFormat of(DType dtype, int[] featureShape, int[] targetShape) {
        return new RowFormat(dtype, featureShape, dtype, targetShape);
    }

    /**
     * Features and target of different dtypes, e.g. FLOAT32 images with FLOAT64 targets.
     *
     * @param featureType  the features' dtype
     * @param featureShape one sample's feature shape
     * @param targetType   the targets' dtype
     * @param targetShape  one sample's target shape; {@code {}} for one value per row
     * @return the format
     * @throws IllegalArgumentException when an extent is below 1 or a row would exceed an int's range of values
     * @throws NullPointerException     when an argument is null
     */
    public static RowFormat of(DType featureType, int[] featureShape, DType targetType, int[] targetShape) {
        return new RowFormat(featureType, featureShape, targetType, targetShape);
    }

    /**
     * The format of a data set's samples: its tensors' shapes without the first axis, and their dtypes.
     *
     * @param data the data set
     * @return the format of {@link TrainingRow#listOf(TensorDataset)}'s rows
     * @throws NullPointerException when the data set is null
     */
    public static RowFormat of(TensorDataset data) {
        Objects.requireNonNull(data, "RowFormat.of: the data set is null");
        Tensor x = data.features();
        Tensor y = data.targets();
        return new RowFormat(x.dtype(), Arrays.copyOfRange(x.shape(), 1, x.shape().length), y.dtype(),
                Arrays.copyOfRange(y.shape(), 1, y.shape().length));
    }

    /** @return one sample's feature shape (a copy) */
    public int[] featureShape() {
        return featureShape.clone();
    }

    /** @return the features' dtype */
    public DType featureType() {
        return featureType;
    }

    /** @return one sample's target shape (a copy); empty for one value per row */
    public int[] targetShape() {
        return targetShape.clone();
    }

    /** @return the targets' dtype */
    public DType targetType() {
        return targetType;
    }

    int featureLength() {
        return featureLength;
    }

    int targetLength() {
        return targetLength;
    }

    /**
     * Formats are equal when their shapes and dtypes are.
     *
     * @param o another object
     * @return whether it is an equal format
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof RowFormat f && featureType == f.featureType && targetType == f.targetType
                && Arrays.equals(featureShape, f.featureShape) && Arrays.equals(targetShape, f.targetShape);
    }

    /** @return a hash of the shapes and dtypes */
    @Override
    public int hashCode() {
        return Objects.hash(featureType, targetType, Arrays.hashCode(featureShape), Arrays.hashCode(targetShape));
    }

    /** @return e.g. {@code RowFormat[features FLOAT32 [1, 28, 28], target FLOAT32 []]} */
    @Override
    public String toString() {
        return "RowFormat[features " + featureType + " " + Arrays.toString(featureShape) + ", target " + targetType + " "
                + Arrays.toString(targetShape) + "]";
    }
}
