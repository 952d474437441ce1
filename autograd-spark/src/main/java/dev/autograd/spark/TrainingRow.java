package dev.autograd.spark;

import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.data.TensorDataset;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One training sample as Spark data: its features and its target as flat primitive arrays, row-major. The
 * shapes and dtypes the arrays stand for are given once, to {@link SparkTrainer#fit(org.apache.spark.api.java.JavaSparkContext,
 * org.apache.spark.api.java.JavaRDD, RowFormat)}, by a {@link RowFormat}. A {@code float[]} keeps a FLOAT32 data set
 * in half the memory of a {@code double[]}; the values are converted to the format's dtype when the rows become
 * tensors on the executors.
 *
 * <pre>{@code
 * JavaRDD<TrainingRow> rows = points.map(p -> TrainingRow.of(p.pixels(), p.label()));   // float[], float
 * TrainingResult result = trainer.fit(spark, rows, RowFormat.of(DType.FLOAT32, new int[] {784}, new int[0]));
 * }</pre>
 *
 * <p>The arrays are not copied (a row is a carrier between Spark stages): do not change them after handing the
 * row to Spark.
 */
public final class TrainingRow implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A {@code float[]} or a {@code double[]}. */
    private final Object features;
    /** A {@code float[]} or a {@code double[]}. */
    private final Object target;

    private TrainingRow(Object features, Object target) {
        this.features = features;
        this.target = target;
    }

    /**
     * A row of float values, e.g. an image's pixels and its class index.
     *
     * @param features the features, row-major
     * @param target   the target's values: one for a class index or a scalar, several for a vector target
     * @return the row
     * @throws NullPointerException when an array is null
     */
    public static TrainingRow of(float[] features, float... target) {
        return new TrainingRow(checked(features, "features"), checked(target, "target"));
    }

    /**
     * A row of double values.
     *
     * @param features the features, row-major
     * @param target   the target's values
     * @return the row
     * @throws NullPointerException when an array is null
     */
    public static TrainingRow of(double[] features, double... target) {
        return new TrainingRow(checked(features, "features"), checked(target, "target"));
    }

    /**
     * A row of float features with a double target, e.g. FLOAT32 inputs and a FLOAT64 regression target.
     *
     * @param features the features, row-major
     * @param target   the target's values
     * @return the row
     * @throws NullPointerException when an array is null
     */
    public static TrainingRow of(float[] features, double... target) {
        return new TrainingRow(checked(features, "features"), checked(target, "target"));
    }

    /**
     * The samples of a data set as rows, in its order: FLOAT32 values as {@code float[]}, other dtypes as
     * {@code double[]} (exact either way), for {@code spark.parallelize(rows, slices)} with
     * {@link RowFormat#of(TensorDataset)} as their format.
     *
     * @param data the data set
     * @return one row per sample
     * @throws NullPointerException when the data set is null
     */
    public static List<TrainingRow> listOf(TensorDataset data) {
        Objects.requireNonNull(data, "TrainingRow.listOf: the data set is null");
        Tensor x = data.features();
        Tensor y = data.targets();
        int n = data.size();
        int f = (int) (x.numel() / Math.max(n, 1));
        int t = (int) (y.numel() / Math.max(n, 1));
        boolean floatFeatures = x.dtype() == DType.FLOAT32;
        // FLOAT32 targets beside FLOAT64 features are kept as doubles: exact, and one of the three row kinds.
        boolean floatTargets = floatFeatures && y.dtype() == DType.FLOAT32;
        float[] xf = floatFeatures ? x.toFloatArray() : null;
        double[] xd = floatFeatures ? null : x.toDoubleArray();
        float[] yf = floatTargets ? y.toFloatArray() : null;
        double[] yd = floatTargets ? null : y.toDoubleArray();
        List<TrainingRow> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Object features = floatFeatures ? Arrays.copyOfRange(xf, i * f, (i + 1) * f)
                    : Arrays.copyOfRange(xd, i * f, (i + 1) * f);
            Object target = floatTargets ? Arrays.copyOfRange(yf, i * t, (i + 1) * t)
                    : Arrays.copyOfRange(yd, i * t, (i + 1) * t);
            rows.add(new TrainingRow(features, target));
        }
        return rows;
    }

    private static <T> T checked(T array, String what) {
        return Objects.requireNonNull(array, () -> "TrainingRow.of: the " + what + " array is null");
    }

    /** @return the number of feature values */
    public int featureLength() {
        return length(features);
    }

    /** @return the number of target values */
    public int targetLength() {
        return length(target);
    }

    private static int length(Object array) {
        return array instanceof float[] f ? f.length : ((double[]) array).length;
    }

    /** Copies the features into {@code out} (a float[] or double[]) from {@code offset}, converting as a cast does. */
    void copyFeatures(Object out, int offset) {
        copy(features, out, offset);
    }

    /** Copies the target into {@code out} from {@code offset}. */
    void copyTarget(Object out, int offset) {
        copy(target, out, offset);
    }

    private static void copy(Object from, Object to, int offset) {
        if (from.getClass() == to.getClass()) {
            System.arraycopy(from, 0, to, offset, length(from));
        } else if (from instanceof float[] f) {
            // float to double is exact.
            double[] d = (double[]) to;
            for (int i = 0; i < f.length; i++) {
                d[offset + i] = f[i];
            }
        } else {
            // double to float rounds to nearest, as Tensor.to(FLOAT32) does.
            double[] d = (double[]) from;
            float[] f = (float[]) to;
            for (int i = 0; i < d.length; i++) {
                f[offset + i] = (float) d[i];
            }
        }
    }

    /**
     * Rows are equal when their features and targets hold the same values in arrays of the same types.
     *
     * @param o another object
     * @return whether it is an equal row
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingRow r && Objects.deepEquals(features, r.features) && Objects.deepEquals(target, r.target);
    }

    /** @return a hash of the values */
    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(new Object[] {features}) + Arrays.deepHashCode(new Object[] {target});
    }

    /** @return the values, e.g. {@code TrainingRow[features float[3] [0.5, 1.0, 2.0], target float[1] [1.0]]} */
    @Override
    public String toString() {
        return "TrainingRow[features " + describe(features) + ", target " + describe(target) + "]";
    }

    private static String describe(Object array) {
        int n = length(array);
        String type = array instanceof float[] ? "float" : "double";
        String values = array instanceof float[] f ? Arrays.toString(n > 8 ? Arrays.copyOf(f, 8) : f)
                : Arrays.toString(n > 8 ? Arrays.copyOf((double[]) array, 8) : (double[]) array);
        return type + "[" + n + "] " + (n > 8 ? values.substring(0, values.length() - 1) + ", ...]" : values);
    }
}
