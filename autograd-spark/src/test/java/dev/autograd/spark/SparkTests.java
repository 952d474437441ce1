package dev.autograd.spark;

import dev.autograd.Tensor;
import dev.autograd.nn.Losses;
import dev.autograd.nn.MLP;
import dev.autograd.nn.Module;
import dev.autograd.nn.Reduction;
import dev.autograd.nn.Tanh;
import dev.autograd.nn.data.TensorDataset;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * What the module's tests share: one Spark context for the whole test JVM (starting one takes seconds), the
 * small model, the data set and the losses.
 */
final class SparkTests {

    /**
     * Two cores, and up to four attempts per task: plain {@code local[2]} gives up at the first failure,
     * {@code local[N,maxFailures]} is how local mode gets Spark's task retries.
     */
    static final String MASTER = "local[2,4]";

    private static JavaSparkContext context;

    private SparkTests() {
    }

    static synchronized JavaSparkContext spark() {
        if (context == null) {
            SparkConf conf = new SparkConf().setMaster(MASTER).setAppName("autograd-spark tests")
                    .set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1");
            context = new JavaSparkContext(conf);
            JavaSparkContext started = context;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "stop-spark"));
        }
        return context;
    }

    /** A 3-12-12-3 tanh MLP, FLOAT64, the same initial values on every call. */
    static Module model() {
        return MLP.builder(3, 12, 12, 3).activation(Tanh::new).build(new Random(11));
    }

    /** 96 samples of 3 features, labelled by which feature is largest. */
    static TensorDataset data() {
        Tensor x = Tensor.randn(new Random(5), 96, 3);
        double[] v = x.toDoubleArray();
        double[] y = new double[96];
        for (int i = 0; i < 96; i++) {
            int best = 0;
            for (int j = 1; j < 3; j++) {
                if (v[3 * i + j] > v[3 * i + best]) {
                    best = j;
                }
            }
            y[i] = best;
        }
        return new TensorDataset(x, Tensor.of(y, 96));
    }

    /** Cross-entropy summed over the rows: what SparkTrainer wants. */
    static Tensor sumLoss(Tensor logits, Tensor targets) {
        return Losses.crossEntropy(logits, ints(targets), 0, Reduction.SUM);
    }

    static int[] ints(Tensor t) {
        double[] v = t.toDoubleArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }

    /** The largest elementwise relative difference {@code |a - b| / |b|} over all parameters (0 where both are 0). */
    static double maxRelativeDifference(List<Tensor> a, List<Tensor> b) {
        double max = 0;
        for (int t = 0; t < a.size(); t++) {
            double[] x = a.get(t).toDoubleArray();
            double[] y = b.get(t).toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                double d = Math.abs(x[i] - y[i]);
                if (d > 0) {
                    max = Math.max(max, d / Math.abs(y[i]));
                }
            }
        }
        return max;
    }

    static double[] flat(List<Tensor> tensors) {
        return ParameterVector.flatten(tensors);
    }
}
