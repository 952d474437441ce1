package dev.autograd.spark;

import dev.autograd.Autograd;
import dev.autograd.DType;
import dev.autograd.Tensor;
import dev.autograd.nn.Module;
import dev.autograd.nn.SafeTensors;
import dev.autograd.nn.data.DataLoader;
import dev.autograd.nn.data.Dataset;
import dev.autograd.nn.data.Sample;
import dev.autograd.nn.data.TensorDataset;
import dev.autograd.nn.optim.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Synchronous data-parallel training of an {@code autograd-nn} model on Apache Spark, the way Horovod on
 * Spark, BigDL and DL4J's Spark training work: the same model code and optimizers, spread over partitions.
 *
 * <p>Each step the driver broadcasts the parameters (one {@code double[]}), every partition computes, with
 * the ordinary engine, the <em>summed</em> loss gradient of the rows of the global mini-batch it holds, a
 * {@code treeAggregate} adds the partitions' gradients, and the driver divides by the global batch size and
 * lets its optimizer (any of {@code dev.autograd.nn.optim}, with its state) take the step. The global batches
 * are those of {@code DataLoader.builder(data).batchSize(b).shuffle(seed).dropLast(true)}, whatever the
 * number of partitions, so training on 1, 2 or 4 partitions gives the parameters of single-process training
 * with that loader and a {@code MEAN} loss, up to the order of floating-point summation (FLOAT64: within
 * 1e-12 relative after 50 steps, see the module's tests). The partitions' sums are added over a fixed tree of
 * partition indices, so a run is bit-for-bit reproducible whatever order Spark's tasks finish in.
 *
 * <pre>{@code
 * SparkTrainer trainer = SparkTrainer.builder()
 *         .model(() -> MLP.builder(784, 256, 10).build(new Random(42)))
 *         .optimizer(params -> new Adam(params, 1e-3))
 *         .loss((out, y) -> Losses.crossEntropy(out, y, Reduction.SUM))   // summed over the rows
 *         .batchSize(256).steps(1000).seed(7).partitions(2)
 *         .checkpointDirectory(Path.of("out/ckpt")).checkpointEvery(100)
 *         .build();
 * JavaRDD<TrainingRow> rows = labelled.map(p -> TrainingRow.of(p.pixels(), p.label()));   // float[], float
 * TrainingResult result = trainer.fit(sparkContext, rows, RowFormat.of(DType.FLOAT32, new int[] {784}, new int[0]));
 * }</pre>
 *
 * <p>{@link #fit(JavaSparkContext, TensorDataset)} trains on a data set the driver holds by parallelizing its rows
 * into the same path.
 *
 * <p><b>Models and data on executors.</b> Models are built on executors from the serializable factory,
 * once per partition and executor JVM, and receive the broadcast parameters every step; parameters travel as
 * raw {@code double[]}, never as serialized tensors. The rows stay Spark data: {@code fit} numbers them in the
 * RDD's order, moves them once into {@code partitions} blocks of consecutive indices packed as primitive
 * arrays, and persists those ({@code MEMORY_AND_DISK}), so each executor holds only its own blocks and the
 * driver only the row count (from which it draws the batch sequence). A cached block that is lost is
 * recomputed from its lineage to the same rows. Each step sends the parameters and the global batch's row
 * indices; every partition reads its rows of the batch from its block. Models must
 * behave the same on every partition: dropout draws its own randomness per partition, and batch statistics
 * (BatchNorm in training mode) are per partition, as in PyTorch's DistributedDataParallel without SyncBatchNorm.
 * Every parameter receives a gradient each step (zero for one the loss does not use).
 *
 * <p><b>Faults.</b> A failed task is re-run by Spark ({@code spark.task.maxFailures}; in local mode the
 * master URL {@code local[N,maxFailures]} sets it, plain {@code local[N]} does not retry) and computes the
 * same contribution from the same broadcast. When retries are exhausted, {@link #fit} throws a
 * {@link TrainingFailedException} naming the step and the last checkpoint (model and optimizer state in one
 * safetensors file, written to a temporary file and moved into place, so it is never half written), from
 * which {@link Builder#resumeFrom(Path)} continues to the same parameters as an uninterrupted run. Each task
 * carries the global step as the Spark local property {@link #STEP_PROPERTY}.
 *
 * <p><b>Local SGD.</b> With {@link Builder#localSteps(int) localSteps(k)} for {@code k > 1}, every partition
 * keeps its own copy of the optimizer and runs {@code k} steps on its rows of the next {@code k} global
 * batches (each its own mean loss), and the driver then averages the replicas' parameters and optimizer
 * states. It moves parameters once per {@code k} steps instead of every step, which pays on slow networks,
 * but it is <em>not</em> equivalent to synchronous training: the replicas drift apart between averages, and
 * the average of {@code k} local updates is not {@code k} updates by the averaged gradient (they agree only
 * for {@code k = 1} with plain SGD).
 */
public final class SparkTrainer {

    /** The Spark local property that holds the global step (from 1) of the job's tasks. */
    public static final String STEP_PROPERTY = "autograd.spark.step";

    /** The name of the checkpoint file in the checkpoint directory. */
    public static final String CHECKPOINT_FILE = "checkpoint.safetensors";

    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);
    private static final String MODEL_PREFIX = "model.";
    private static final String OPTIMIZER_PREFIX = "optimizer.";
    /** The values per slice when {@link #fit(JavaSparkContext, TensorDataset)} parallelizes a data set. */
    private static final long SLICE_BYTES = 768 << 10;

    private final SerializableSupplier<Module> modelFactory;
    private final OptimizerFactory optimizerFactory;
    private final SumLoss loss;
    private final int batchSize;
    private final long steps;
    private final long seed;
    private final int partitions;
    private final int localSteps;
    private final Path checkpointDirectory;
    private final long checkpointEvery;
    private final Path resumeFrom;
    private final int logEvery;
    private final int treeDepth;
    private final Consumer<StepStats> listener;

    private SparkTrainer(Builder b) {
        this.modelFactory = b.modelFactory;
        this.optimizerFactory = b.optimizerFactory;
        this.loss = b.loss;
        this.batchSize = b.batchSize;
        this.steps = b.steps;
        this.seed = b.seed;
        this.partitions = b.partitions;
        this.localSteps = b.localSteps;
        this.checkpointDirectory = b.checkpointDirectory;
        this.checkpointEvery = b.checkpointEvery;
        this.resumeFrom = b.resumeFrom;
        this.logEvery = b.logEvery;
        this.treeDepth = b.treeDepth;
        this.listener = b.listener;
    }

    /** @return a builder; model, optimizer, loss, batch size and steps must be set */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains on a data set held by the driver: a convenience over {@link #fit(JavaSparkContext, JavaRDD, RowFormat)},
     * which it calls with the data set's rows ({@link TrainingRow#listOf}) parallelized and their shapes and
     * dtypes ({@link RowFormat#of(TensorDataset)}) as the format. The result is bit for bit that of the RDD form on
     * the same rows.
     *
     * @param spark the Spark context
     * @param data  the training data; its features and targets are what the model and the loss receive
     * @return the trained model, its optimizer and the per-step statistics
     * @throws IllegalArgumentException  when the data set has fewer samples than the batch size or the
     *                                   partitions, or the checkpoint to resume from does not fit
     * @throws IllegalStateException     when speculative execution is on
     * @throws TrainingFailedException   when a step's Spark job fails beyond its retries
     */
    public TrainingResult fit(JavaSparkContext spark, TensorDataset data) {
        Objects.requireNonNull(spark, "SparkTrainer.fit: the Spark context is null");
        Objects.requireNonNull(data, "SparkTrainer.fit: the data set is null");
        int n = data.size();
        if (n < batchSize) {
            throw new IllegalArgumentException("SparkTrainer.fit: the data set has " + n
                    + " samples, fewer than the batch size " + batchSize + "; lower batchSize");
        }
        if (n < partitions) {
            throw new IllegalArgumentException("SparkTrainer.fit: the data set has " + n + " samples, fewer than the "
                    + partitions + " partitions; lower partitions");
        }
        List<TrainingRow> rows = TrainingRow.listOf(data);
        // Slices of at most about 768 KiB of values keep each task under the 1 MiB Spark recommends (and far
        // under the RPC limit a cluster enforces); how the source is sliced does not change the result.
        RowFormat format = RowFormat.of(data);
        long bytes = (long) n * (format.featureLength() + format.targetLength())
                * (data.features().dtype() == DType.FLOAT32 ? 4 : 8);
        int slices = (int) Math.min(n, Math.max(partitions, (bytes + SLICE_BYTES - 1) / SLICE_BYTES));
        return fit(spark, spark.parallelize(rows, slices), format);
    }

    /**
     * Trains on the rows of an RDD with the Spark context's master ({@code local[*]}, {@code spark://host:7077},
     * YARN, Kubernetes: the code does not change), from the factory's initial parameters or from
     * {@link Builder#resumeFrom(Path)}, up to {@link Builder#steps(long)} global steps. The driver never collects
     * the rows: row {@code i} is the {@code i}-th of the RDD in its partitions' order (as {@code zipWithIndex}
     * numbers them), and the rows are moved once into {@code partitions} blocks of consecutive indices, persisted
     * ({@code MEMORY_AND_DISK}) so that each executor holds only its own blocks. Sample {@code i} of the batch
     * sequence is row {@code i}.
     *
     * @param spark  the Spark context
     * @param rows   the training rows; it must give them in the same order every time it is computed (an RDD read
     *               from files or parallelized is; sort or persist one that comes out of an unordered shuffle)
     * @param format the shapes and dtypes of every row's features and target
     * @return the trained model, its optimizer and the per-step statistics
     * @throws IllegalArgumentException  when the RDD is empty or has fewer rows than the batch size or the
     *                                   partitions, a row is null or does not fit the format (naming its index and
     *                                   lengths), or the checkpoint to resume from does not fit
     * @throws IllegalStateException     when speculative execution is on (two attempts of one partition
     *                                   would share its model replica), or partitioning the rows fails beyond
     *                                   Spark's task retries
     * @throws TrainingFailedException   when a step's Spark job fails beyond its retries
     */
    public TrainingResult fit(JavaSparkContext spark, JavaRDD<TrainingRow> rows, RowFormat format) {
        Objects.requireNonNull(spark, "SparkTrainer.fit: the Spark context is null");
        Objects.requireNonNull(rows, "SparkTrainer.fit: the RDD of rows is null");
        Objects.requireNonNull(format, "SparkTrainer.fit: the row format is null");
        if (spark.getConf().getBoolean("spark.speculation", false)) {
            throw new IllegalStateException("SparkTrainer.fit: spark.speculation is true; set it to false "
                    + "(two attempts of a partition's task would update one model replica at once)");
        }
        Module model = buildModel(modelFactory, "driver");
        List<Tensor> params = model.parameters();
        Optimizer optimizer = optimizerFactory.create(params);
        if (optimizer == null) {
            throw new IllegalArgumentException("SparkTrainer.fit: the optimizer factory returned null");
        }
        long start = resumeFrom == null ? 0 : restore(resumeFrom, model, optimizer);

        long prepared = System.nanoTime();
        long[] offsets = prepare(spark, "counting the rows", () -> rowOffsets(rows));
        int n = checkedSize(offsets[offsets.length - 1], format);
        BatchSequence batches = new BatchSequence(n, batchSize, seed);
        JavaRDD<Shard> shards = shards(rows, offsets, n, partitions, format).persist(StorageLevel.MEMORY_AND_DISK());
        String run = UUID.randomUUID().toString();
        List<StepStats> history = new ArrayList<>();
        Path lastCheckpoint = resumeFrom;
        long lastCheckpointStep = start;
        boolean ready = false;
        try {
            prepare(spark, "moving the rows into " + partitions + " blocks", shards::count);
            ready = true;
            LOG.info("training {} steps from step {}: {} rows ({} source partitions) moved into {} partitions in {} ms, "
                            + "global batch {}, {} parameters ({} bytes per broadcast), master {}{}", steps, start, n,
                    offsets.length - 1, partitions, (System.nanoTime() - prepared) / 1_000_000, batchSize,
                    ParameterVector.length(params), 8L * ParameterVector.length(params), spark.master(),
                    localSteps > 1 ? ", local SGD averaging every " + localSteps + " steps" : "");
            long step = start;
            while (step < steps) {
                int k = (int) Math.min(localSteps, steps - step);
                long t0 = System.nanoTime();
                StepStats stats;
                try {
                    stats = localSteps == 1
                            ? synchronousStep(spark, shards, run, batches, step, params, optimizer, t0)
                            : localRound(spark, shards, run, batches, step, k, params, optimizer, t0);
                } catch (SparkJobException e) {
                    throw new TrainingFailedException(step + 1, lastCheckpoint, lastCheckpointStep, e.getCause());
                }
                long before = step;
                step += k;
                history.add(stats);
                log(stats);
                if (listener != null) {
                    listener.accept(stats);
                }
                // A local-SGD round may step over a multiple of checkpointEvery: checkpoint at the round's end.
                if (checkpointDirectory != null && (step / checkpointEvery > before / checkpointEvery || step == steps)) {
                    lastCheckpoint = writeCheckpoint(model, optimizer, step);
                    lastCheckpointStep = step;
                }
            }
        } finally {
            if (ready) {
                // Only steps build replicas; after a failed preparation this job would fail the same way.
                forgetReplicas(spark, shards, run);
            }
            shards.unpersist(false);
            Replicas.forget(run);
            spark.setLocalProperty(STEP_PROPERTY, null);
            spark.setJobDescription(null);
        }
        return new TrainingResult(model, optimizer, history);
    }

    /**
     * The global index of each source partition's first row, and the total last: one pass that counts the rows
     * of every partition, as {@code zipWithIndex} does for its own numbering (which does not return the total).
     */
    private static long[] rowOffsets(JavaRDD<TrainingRow> rows) {
        List<long[]> counts = rows.mapPartitionsWithIndex((p, it) -> {
            long c = 0;
            for (; it.hasNext(); it.next()) {
                c++;
            }
            return List.of(new long[] {p, c}).iterator();
        }, false).collect();
        long[] offsets = new long[counts.size() + 1];
        for (long[] pc : counts) {
            offsets[(int) pc[0] + 1] = pc[1];
        }
        for (int p = 0; p < counts.size(); p++) {
            offsets[p + 1] += offsets[p];
        }
        return offsets;
    }

    /** Checks the number of rows against the batch, the partitions and Java's array bounds. */
    private int checkedSize(long n, RowFormat format) {
        if (n == 0) {
            throw new IllegalArgumentException("SparkTrainer.fit: the RDD of rows is empty");
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("SparkTrainer.fit: the RDD has " + n + " rows, more than the "
                    + Integer.MAX_VALUE + " a batch sequence numbers");
        }
        if (n < batchSize) {
            throw new IllegalArgumentException("SparkTrainer.fit: the RDD has " + n + " rows, fewer than the batch size "
                    + batchSize + "; lower batchSize");
        }
        if (n < partitions) {
            throw new IllegalArgumentException("SparkTrainer.fit: the RDD has " + n + " rows, fewer than the "
                    + partitions + " partitions; lower partitions");
        }
        long block = (n + partitions - 1) / partitions;
        long values = block * Math.max(format.featureLength(), format.targetLength());
        if (values > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("SparkTrainer.fit: a partition of " + block + " rows of " + format
                    + " holds " + values + " values, more than one Java array holds (" + (Integer.MAX_VALUE - 8)
                    + "); raise partitions");
        }
        return (int) n;
    }

    /**
     * The rows numbered, moved into {@code partitions} blocks of consecutive indices and packed: one {@link Shard}
     * per partition. Only the numbered rows cross the network, once; the result is for the caller to persist.
     * Static, so that its closures capture no trainer.
     */
    private static JavaRDD<Shard> shards(JavaRDD<TrainingRow> rows, long[] offsets, int n, int blocks,
                                         RowFormat format) {
        JavaPairRDD<Long, TrainingRow> indexed = JavaPairRDD.fromJavaRDD(rows.mapPartitionsWithIndex((p, it) ->
                new Iterator<Tuple2<Long, TrainingRow>>() {
                    private long next = offsets[p];

                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Tuple2<Long, TrainingRow> next() {
                        return new Tuple2<>(next++, it.next());
                    }
                }, false));
        return indexed.partitionBy(new BlockPartitioner(n, blocks)).mapPartitionsWithIndex((p, it) -> {
            int from = (int) BlockPartitioner.from(n, blocks, p);
            int to = (int) BlockPartitioner.from(n, blocks, p + 1);
            return List.of(Shard.pack(from, to - from, format, it)).iterator();
        }, true);
    }

    /**
     * Drops the run's replicas, which hold their blocks, on the executors: one task per partition, which Spark
     * places where the block is cached, so on the executor that built the replica. Best effort: a replica on an
     * executor the task does not reach stays until {@link Replicas#MAX_REPLICAS} newer ones push it out.
     */
    private static void forgetReplicas(JavaSparkContext spark, JavaRDD<Shard> shards, String run) {
        if (spark.sc().isStopped()) {
            return;
        }
        spark.setJobDescription("autograd-spark: dropping the replicas");
        try {
            shards.foreachPartition(ignored -> Replicas.forget(run));
        } catch (Exception e) {
            // Spark throws SparkException, checked though undeclared; training's own outcome matters more.
            LOG.warn("could not drop the model replicas of run {} on the executors: {}", run, e.getMessage());
        }
    }

    /**
     * Runs a job that prepares the rows. A row the trainer refuses fails its task with an
     * {@code IllegalArgumentException}, which Spark hands back wrapped: it is thrown again as itself (Spark's
     * exception as its cause), so the caller sees the row's index and lengths.
     */
    private static <T> T prepare(JavaSparkContext spark, String what, java.util.function.Supplier<T> job) {
        spark.setJobDescription("autograd-spark: " + what);
        try {
            return job.get();
        } catch (Exception e) {
            // Spark throws SparkException, checked though undeclared, when a job fails beyond its retries.
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof IllegalArgumentException && String.valueOf(c.getMessage()).startsWith("SparkTrainer.fit:")) {
                    throw new IllegalArgumentException(c.getMessage(), e);
                }
            }
            throw new IllegalStateException("SparkTrainer.fit: " + what + " failed after Spark's task retries: "
                    + e.getMessage(), e);
        } finally {
            spark.setJobDescription(null);
        }
    }

    // ---------------------------------------------------------------- synchronous steps

    private StepStats synchronousStep(JavaSparkContext spark, JavaRDD<Shard> shards, String run,
                                      BatchSequence batches, long step,
                                      List<Tensor> params, Optimizer optimizer, long t0) throws SparkJobException {
        double[] flat = ParameterVector.flatten(params);
        Broadcast<double[]> weights = spark.broadcast(flat);
        long t1 = System.nanoTime();
        int[] batch = batches.indices(step);
        spark.setLocalProperty(STEP_PROPERTY, Long.toString(step + 1));
        spark.setJobDescription("autograd-spark step " + (step + 1));
        SerializableSupplier<Module> factory = modelFactory;
        SumLoss lossFn = loss;
        // The batch's indices travel in the task closure, which Spark broadcasts once per stage with the RDD
        // (taskBinary): 4 bytes per sample once per executor, against 8 per parameter in the weights' broadcast.
        Contribution total = sum(shards.mapPartitions(it -> gradientTask(run, it, weights, batch, factory, lossFn)),
                weights);
        long t2 = System.nanoTime();
        if (total.samples != batch.length) {
            throw new IllegalStateException("SparkTrainer: step " + (step + 1) + " aggregated " + total.samples
                    + " samples instead of the batch's " + batch.length);
        }
        double[] gradient = total.vector();
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] /= batch.length;
        }
        setGradients(params, gradient);
        optimizer.step();
        long t3 = System.nanoTime();
        return new StepStats(step + 1, batches.epoch(step), total.loss / batch.length, batch.length, t3 - t0, t1 - t0,
                t2 - t1, t3 - t2, total.maxNanos, total.sumNanos, 8L * flat.length);
    }

    /**
     * Runs the step's job: the partitions' contributions added by {@code treeAggregate} over the fixed tree of
     * {@link TreeSum}. The step's broadcast is destroyed afterwards: only this job's tasks (retries included)
     * read it, so memory does not grow with the steps.
     */
    private Contribution sum(JavaRDD<Tuple2<Integer, Contribution>> tasks, Broadcast<?> stepBroadcast)
            throws SparkJobException {
        try {
            return tasks.treeAggregate(new TreeSum(partitions), (sum, c) -> sum.add(c._1(), c._2()), TreeSum::merge,
                    treeDepth).total();
        } catch (Exception e) {
            // Spark throws SparkException, checked though undeclared, when a job fails beyond its retries.
            throw new SparkJobException(e);
        } finally {
            stepBroadcast.destroy();
        }
    }

    /** One partition's task: the summed loss gradient of its rows of the global batch. */
    private static Iterator<Tuple2<Integer, Contribution>> gradientTask(String run, Iterator<Shard> shard,
            Broadcast<double[]> weights, int[] batch, SerializableSupplier<Module> factory, SumLoss lossFn) {
        int partition = TaskContext.getPartitionId();
        long t0 = System.nanoTime();
        Replicas.Replica r = Replicas.get(run, partition, () -> only(shard, partition), factory);
        int[] local = localRows(batch, r.shard.start, r.shard.rows);
        if (local.length == 0) {
            return List.of(new Tuple2<>(partition, Contribution.empty(System.nanoTime() - t0))).iterator();
        }
        r.load(weights.value());
        double lossSum = backward(r, local, lossFn);
        double[] grad = ParameterVector.gradients(r.parameters);
        float[] floats = null;
        if (r.parameters.stream().allMatch(p -> p.dtype() == DType.FLOAT32)) {
            // float32 gradients sent as float32: exact, and half the bytes (see Contribution#floats).
            floats = new float[grad.length];
            for (int i = 0; i < grad.length; i++) {
                floats[i] = (float) grad[i];
            }
            grad = null;
        }
        long nanos = System.nanoTime() - t0;
        Contribution c = new Contribution(grad, floats, 1, lossSum, local.length, nanos, nanos, null);
        return List.of(new Tuple2<>(partition, c)).iterator();
    }

    /** The one shard of a partition of the trainer's persisted RDD. */
    private static Shard only(Iterator<Shard> shard, int partition) {
        if (!shard.hasNext()) {
            throw new IllegalStateException("SparkTrainer: partition " + partition + " holds no block of rows");
        }
        return shard.next();
    }

    /** Forward and backward of the summed loss of rows {@code local} of a replica; returns the loss. */
    private static double backward(Replicas.Replica r, int[] local, SumLoss lossFn) {
        r.model.zeroGrad();
        Tensor x = r.shard.features(local);
        Tensor y = r.shard.targets(local);
        Tensor l = lossFn.apply(r.model.forward(x), y);
        if (l == null || l.numel() != 1 || !l.requiresGrad()) {
            throw new IllegalArgumentException("SparkTrainer: the loss must return a single value that requires grad "
                    + "(the loss summed over the rows), got " + (l == null ? "null" : "shape "
                    + Arrays.toString(l.shape()) + (l.requiresGrad() ? "" : " without grad")));
        }
        l.backward();
        return l.item();
    }

    /** The positions within the block {@code [start, start + rows)} of the batch's rows that fall in it, in batch order. */
    static int[] localRows(int[] batch, int start, int rows) {
        int count = 0;
        for (int i : batch) {
            if (i >= start && i < start + rows) {
                count++;
            }
        }
        int[] local = new int[count];
        int j = 0;
        for (int i : batch) {
            if (i >= start && i < start + rows) {
                local[j++] = i - start;
            }
        }
        return local;
    }

    /**
     * Makes {@code gradient} the parameters' {@code grad()}, exactly: the backward of {@code sum(p * g)} with
     * respect to {@code p} is {@code 1 * g}, which the engine accumulates into {@code p.grad()} unchanged.
     */
    private static void setGradients(List<Tensor> params, double[] gradient) {
        Tensor surrogate = null;
        int offset = 0;
        for (Tensor p : params) {
            p.zeroGrad();
            Tensor g = Tensor.of(Arrays.copyOfRange(gradient, offset, offset + p.numel()), p.shape()).to(p.dtype());
            offset += p.numel();
            Tensor term = p.mul(g).sum();
            surrogate = surrogate == null ? term : surrogate.add(term);
        }
        surrogate.backward();
    }

    // ---------------------------------------------------------------- local SGD

    private StepStats localRound(JavaSparkContext spark, JavaRDD<Shard> shards, String run,
                                 BatchSequence batches, long step, int k,
                                 List<Tensor> params, Optimizer optimizer, long t0) throws SparkJobException {
        RoundStart startValue = new RoundStart(ParameterVector.flatten(params),
                SafeTensors.toBytes(optimizer.state(), Map.of()));
        Broadcast<RoundStart> begin = spark.broadcast(startValue);
        long t1 = System.nanoTime();
        int[][] roundBatches = new int[k][];
        for (int s = 0; s < k; s++) {
            roundBatches[s] = batches.indices(step + s);
        }
        spark.setLocalProperty(STEP_PROPERTY, Long.toString(step + 1));
        spark.setJobDescription("autograd-spark local SGD steps " + (step + 1) + ".." + (step + k));
        SerializableSupplier<Module> factory = modelFactory;
        OptimizerFactory optimizers = optimizerFactory;
        SumLoss lossFn = loss;
        Contribution total = sum(shards.mapPartitions(it -> localTask(run, it, begin, roundBatches, factory,
                optimizers, lossFn)), begin);
        long t2 = System.nanoTime();
        double[] mean = total.vector();
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= total.vectors;
        }
        int offset;
        try (var scope = Autograd.noGrad()) {
            offset = ParameterVector.unflattenInto(mean, 0, params);
        }
        optimizer.loadState(stateFrom(mean, offset, total.layout, optimizer.learningRate()));
        long t3 = System.nanoTime();
        long bytes = 8L * startValue.parameters.length + startValue.optimizerState.length;
        return new StepStats(step + k, batches.epoch(step + k - 1), total.loss / total.samples, total.samples, t3 - t0,
                t1 - t0, t2 - t1, t3 - t2, total.maxNanos, total.sumNanos, bytes);
    }

    /** What a local-SGD round starts from: the averaged parameters and optimizer state (as safetensors bytes). */
    private record RoundStart(double[] parameters, byte[] optimizerState) implements java.io.Serializable {
    }

    /** One partition's local-SGD round: k steps of its own optimizer on its rows of k global batches. */
    private static Iterator<Tuple2<Integer, Contribution>> localTask(String run, Iterator<Shard> shard,
            Broadcast<RoundStart> begin, int[][] roundBatches, SerializableSupplier<Module> factory,
            OptimizerFactory optimizers, SumLoss lossFn) {
        int partition = TaskContext.getPartitionId();
        long t0 = System.nanoTime();
        Replicas.Replica r = Replicas.get(run, partition, () -> only(shard, partition), factory);
        r.load(begin.value().parameters);
        Optimizer local = optimizers.create(r.parameters);
        local.loadState(SafeTensors.fromBytes(begin.value().optimizerState).tensors());
        double lossSum = 0;
        long samples = 0;
        for (int[] batch : roundBatches) {
            int[] rows = localRows(batch, r.shard.start, r.shard.rows);
            double[] grad = new double[ParameterVector.length(r.parameters)];
            if (rows.length > 0) {
                lossSum += backward(r, rows, lossFn);
                samples += rows.length;
                grad = ParameterVector.gradients(r.parameters);
                for (int i = 0; i < grad.length; i++) {
                    grad[i] /= rows.length;
                }
            }
            // A partition without rows in a batch still steps (with a zero gradient), so that every replica's
            // optimizer has taken the same number of steps when they are averaged.
            setGradients(r.parameters, grad);
            local.step();
        }
        Map<String, Tensor> state = local.state();
        state.remove(Optimizer.LEARNING_RATE_KEY);
        List<Tensor> tensors = new ArrayList<>(r.parameters);
        tensors.addAll(state.values());
        double[] values = ParameterVector.flatten(tensors);
        long nanos = System.nanoTime() - t0;
        Contribution c = new Contribution(values, null, 1, lossSum, samples, nanos, nanos, StateLayout.of(state));
        return List.of(new Tuple2<>(partition, c)).iterator();
    }

    private static Map<String, Tensor> stateFrom(double[] flat, int offset, StateLayout layout, double learningRate) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put(Optimizer.LEARNING_RATE_KEY, Tensor.scalar(learningRate));
        for (int i = 0; i < layout.names().length; i++) {
            int[] shape = layout.shapes()[i];
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            double[] v = Arrays.copyOfRange(flat, offset, offset + n);
            offset += n;
            state.put(layout.names()[i], Tensor.of(v, shape).to(layout.dtypes()[i]));
        }
        return state;
    }

    // ---------------------------------------------------------------- checkpoints

    private Path writeCheckpoint(Module model, Optimizer optimizer, long step) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> tensors.put(MODEL_PREFIX + k, v));
        optimizer.state().forEach((k, v) -> tensors.put(OPTIMIZER_PREFIX + k, v));
        Map<String, String> metadata = Map.of("format", "autograd-spark-checkpoint", "step", Long.toString(step),
                "seed", Long.toString(seed), "batch_size", Integer.toString(batchSize),
                "local_steps", Integer.toString(localSteps), "partitions", Integer.toString(partitions));
        try {
            Files.createDirectories(checkpointDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("SparkTrainer: cannot create the checkpoint directory " + checkpointDirectory, e);
        }
        Path file = checkpointDirectory.resolve(CHECKPOINT_FILE);
        // SafeTensors.write writes a temporary file in the same folder and moves it over the old checkpoint.
        SafeTensors.write(tensors, metadata, file);
        LOG.info("checkpoint after step {} written to {}", step, file);
        return file;
    }

    /** Loads a checkpoint into the model and optimizer; returns its step. */
    private long restore(Path file, Module model, Optimizer optimizer) {
        SafeTensors.Contents contents = SafeTensors.read(file);
        Map<String, String> meta = contents.metadata();
        if (!"autograd-spark-checkpoint".equals(meta.get("format"))) {
            throw new IllegalArgumentException("SparkTrainer: " + file + " is not a checkpoint of SparkTrainer "
                    + "(its metadata has no format=autograd-spark-checkpoint)");
        }
        List<String> problems = new ArrayList<>();
        expect(meta, "seed", Long.toString(seed), problems);
        expect(meta, "batch_size", Integer.toString(batchSize), problems);
        expect(meta, "local_steps", Integer.toString(localSteps), problems);
        long step = Long.parseLong(meta.getOrDefault("step", "-1"));
        if (step < 0 || step > steps) {
            problems.add("its step " + step + " is not in [0, steps = " + steps + "]");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("SparkTrainer: cannot resume from " + file + ": " + String.join("; ", problems)
                    + " (resuming needs the settings that define the batch sequence)");
        }
        Map<String, Tensor> modelState = new LinkedHashMap<>();
        Map<String, Tensor> optimizerState = new LinkedHashMap<>();
        contents.tensors().forEach((k, v) -> {
            if (k.startsWith(MODEL_PREFIX)) {
                modelState.put(k.substring(MODEL_PREFIX.length()), v);
            } else if (k.startsWith(OPTIMIZER_PREFIX)) {
                optimizerState.put(k.substring(OPTIMIZER_PREFIX.length()), v);
            }
        });
        model.loadStateDict(modelState);
        optimizer.loadState(optimizerState);
        LOG.info("resumed from {} after step {}", file, step);
        return step;
    }

    private static void expect(Map<String, String> meta, String key, String value, List<String> problems) {
        if (!value.equals(meta.get(key))) {
            problems.add("it was written with " + key + " " + meta.get(key) + ", this trainer has " + value);
        }
    }

    // ---------------------------------------------------------------- helpers

    static Module buildModel(SerializableSupplier<Module> factory, String where) {
        Module model = factory.get();
        if (model == null) {
            throw new IllegalArgumentException("SparkTrainer: the model factory returned null on the " + where);
        }
        return model;
    }

    private void log(StepStats s) {
        boolean info = s.step() == steps || logEvery > 0 && (round(s) % logEvery == 0 || round(s) == 1);
        if (info || LOG.isDebugEnabled()) {
            String line = String.format(java.util.Locale.ROOT,
                    "step %d/%d epoch %d: loss %.6f, %.0f examples/s; %.1f ms = broadcast %.1f + job %.1f (slowest "
                            + "task %.1f) + update %.1f; communication %.0f%%", s.step(), steps, s.epoch(), s.loss(),
                    s.examplesPerSecond(), s.wallNanos() / 1e6, s.broadcastNanos() / 1e6, s.jobNanos() / 1e6,
                    s.maxComputeNanos() / 1e6, s.updateNanos() / 1e6, 100 * s.communicationShare());
            if (info) {
                LOG.info(line);
            } else {
                LOG.debug(line);
            }
        }
    }

    private long round(StepStats s) {
        return (s.step() + localSteps - 1) / localSteps;
    }

    /**
     * The global batches: step {@code t} is batch {@code t mod b} of epoch {@code t / b} of
     * {@code DataLoader.builder(data).batchSize(batchSize).shuffle(seed).dropLast(true)} for a data set of
     * {@code n} samples. The loader runs over a view that has only a size: its permutations depend on nothing
     * else, and the driver needs no sample to compute them.
     */
    private static final class BatchSequence {
        private final DataLoader loader;
        private final int perEpoch;
        private final int batchSize;
        private int cachedEpoch = -1;
        private int[] order;

        BatchSequence(int n, int batchSize, long seed) {
            Dataset<Sample> sizeOnly = new Dataset<>() {
                @Override
                public int size() {
                    return n;
                }

                @Override
                public Sample get(int index) {
                    throw new UnsupportedOperationException("SparkTrainer: the batch sequence has no samples on the "
                            + "driver; only its permutations are used");
                }
            };
            this.loader = DataLoader.builder(sizeOnly).batchSize(batchSize).shuffle(seed).dropLast(true).build();
            this.perEpoch = loader.batchCount();
            this.batchSize = batchSize;
        }

        long epoch(long step) {
            return step / perEpoch;
        }

        int[] indices(long step) {
            long epoch = epoch(step);
            if (epoch > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("SparkTrainer: step " + step + " is beyond the last epoch a DataLoader "
                        + "numbers (" + Integer.MAX_VALUE + ")");
            }
            if (epoch != cachedEpoch) {
                order = loader.order((int) epoch);
                cachedEpoch = (int) epoch;
            }
            int from = (int) (step % perEpoch) * batchSize;
            return Arrays.copyOfRange(order, from, from + batchSize);
        }
    }

    /** Carries a Spark job's failure (a checked SparkException in Scala's terms) out of the step methods. */
    private static final class SparkJobException extends Exception {
        private static final long serialVersionUID = 1L;

        SparkJobException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The shapes and dtypes of the optimizer state tensors that follow the parameters in a local-SGD vector. */
    record StateLayout(String[] names, int[][] shapes, DType[] dtypes) implements java.io.Serializable {
        static StateLayout of(Map<String, Tensor> state) {
            String[] names = state.keySet().toArray(new String[0]);
            int[][] shapes = new int[names.length][];
            DType[] dtypes = new DType[names.length];
            int i = 0;
            for (Tensor t : state.values()) {
                shapes[i] = t.shape();
                dtypes[i] = t.dtype();
                i++;
            }
            return new StateLayout(names, shapes, dtypes);
        }
    }

    /**
     * Settings of a {@link SparkTrainer}. Model factory, optimizer factory, loss, batch size and steps are
     * required; {@link #build()} checks everything and names each wrong value.
     */
    public static final class Builder {
        private SerializableSupplier<Module> modelFactory;
        private OptimizerFactory optimizerFactory;
        private SumLoss loss;
        private int batchSize;
        private long steps;
        private long seed;
        private int partitions = 2;
        private int localSteps = 1;
        private Path checkpointDirectory;
        private long checkpointEvery;
        private Path resumeFrom;
        private int logEvery = 10;
        private int treeDepth = 2;
        private Consumer<StepStats> listener;

        private Builder() {
        }

        /**
         * The model factory, called once on the driver and once per partition and executor JVM; every call
         * must build the same architecture (the initial values do not matter on executors: they receive the
         * driver's parameters).
         *
         * @param factory a serializable supplier of the model
         * @return this builder
         */
        public Builder model(SerializableSupplier<Module> factory) {
            this.modelFactory = factory;
            return this;
        }

        /**
         * The optimizer factory (the driver's optimizer; for local SGD also each partition's).
         *
         * @param factory e.g. {@code params -> new SGD(params, 0.1, 0.9)}
         * @return this builder
         */
        public Builder optimizer(OptimizerFactory factory) {
            this.optimizerFactory = factory;
            return this;
        }

        /**
         * The loss, summed over the rows it receives.
         *
         * @param loss e.g. {@code (out, y) -> Losses.mse(out, y, Reduction.SUM)}
         * @return this builder
         */
        public Builder loss(SumLoss loss) {
            this.loss = loss;
            return this;
        }

        /**
         * The global mini-batch size: the samples of one step, over all partitions together. It may be
         * smaller than the number of partitions (partitions without rows in a batch contribute nothing).
         *
         * @param batchSize at least 1
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * The total number of global steps (including those before a checkpoint one resumes from).
         *
         * @param steps at least 1
         * @return this builder
         */
        public Builder steps(long steps) {
            this.steps = steps;
            return this;
        }

        /**
         * Sets the number of steps to {@code epochs} passes over the data: {@code epochs * floor(n / batchSize)}
         * for a data set of {@code n} samples (the last incomplete batch of each epoch is dropped).
         *
         * @param epochs      at least 1
         * @param datasetSize the number of samples, at least the batch size set before
         * @return this builder
         * @throws IllegalArgumentException when the batch size is not set yet or exceeds the data set
         */
        public Builder epochs(int epochs, int datasetSize) {
            if (epochs < 1 || batchSize < 1 || datasetSize < batchSize) {
                throw new IllegalArgumentException("SparkTrainer.Builder.epochs: needs epochs >= 1 and a batch size set "
                        + "before and at most the data set size; got epochs " + epochs + ", batchSize " + batchSize
                        + ", datasetSize " + datasetSize);
            }
            this.steps = (long) epochs * (datasetSize / batchSize);
            return this;
        }

        /**
         * The seed of the batch sequence (the shuffles of {@code DataLoader.builder(data).shuffle(seed)}).
         *
         * @param seed any value; the default is 0
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The number of Spark partitions the data is cut into (and so of tasks per step). Match it to the
         * cores available ({@code local[N]}: N; a cluster: executors times cores).
         *
         * @param partitions at least 1; the default is 2
         * @return this builder
         */
        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /**
         * Local SGD: average the partitions' replicas every {@code k} steps instead of aggregating gradients
         * every step ({@code 1}, the default, is synchronous training). See the class comment for why it is not
         * equivalent to synchronous training.
         *
         * @param k at least 1
         * @return this builder
         */
        public Builder localSteps(int k) {
            this.localSteps = k;
            return this;
        }

        /**
         * Where {@link #CHECKPOINT_FILE} is written (created if missing); null for no checkpoints.
         *
         * @param directory the folder
         * @return this builder
         */
        public Builder checkpointDirectory(Path directory) {
            this.checkpointDirectory = directory;
            return this;
        }

        /**
         * Writes a checkpoint every {@code steps} steps and after the last one (with local SGD: at the first
         * round boundary on or after each multiple). Needs a checkpoint directory.
         *
         * @param steps at least 1
         * @return this builder
         */
        public Builder checkpointEvery(long steps) {
            this.checkpointEvery = steps;
            return this;
        }

        /**
         * Resumes from a checkpoint written by a trainer with the same seed, batch size and local steps:
         * model, optimizer state and step are restored, and training continues with the same batches.
         *
         * @param checkpoint the checkpoint file, or null to start from the factory's model
         * @return this builder
         */
        public Builder resumeFrom(Path checkpoint) {
            this.resumeFrom = checkpoint;
            return this;
        }

        /**
         * Logs progress at INFO every {@code steps} steps (and the first and last); other steps at DEBUG.
         *
         * @param steps at least 0; 0 logs only the last step at INFO
         * @return this builder
         */
        public Builder logEvery(int steps) {
            this.logEvery = steps;
            return this;
        }

        /**
         * The depth of Spark's {@code treeAggregate} (2, the default, suits up to a few hundred partitions).
         *
         * @param depth at least 1
         * @return this builder
         */
        public Builder treeDepth(int depth) {
            this.treeDepth = depth;
            return this;
        }

        /**
         * Called on the driver after every step (every round for local SGD), e.g. to record a chart.
         *
         * @param listener the callback, or null
         * @return this builder
         */
        public Builder listener(Consumer<StepStats> listener) {
            this.listener = listener;
            return this;
        }

        /**
         * Checks the settings.
         *
         * @return the trainer
         * @throws IllegalArgumentException naming every missing or out-of-range setting and its value
         */
        public SparkTrainer build() {
            List<String> problems = new ArrayList<>();
            if (modelFactory == null) {
                problems.add("the model factory is null (call model(...))");
            }
            if (optimizerFactory == null) {
                problems.add("the optimizer factory is null (call optimizer(...))");
            }
            if (loss == null) {
                problems.add("the loss is null (call loss(...))");
            }
            if (batchSize < 1) {
                problems.add("batchSize must be >= 1, got " + batchSize);
            }
            if (steps < 1) {
                problems.add("steps must be >= 1, got " + steps);
            }
            if (partitions < 1) {
                problems.add("partitions must be >= 1, got " + partitions);
            }
            if (localSteps < 1) {
                problems.add("localSteps must be >= 1, got " + localSteps);
            }
            if (checkpointDirectory != null && checkpointEvery < 1) {
                problems.add("checkpointEvery must be >= 1 with a checkpoint directory, got " + checkpointEvery);
            }
            if (checkpointDirectory == null && checkpointEvery != 0) {
                problems.add("checkpointEvery " + checkpointEvery + " needs a checkpointDirectory");
            }
            if (logEvery < 0) {
                problems.add("logEvery must be >= 0, got " + logEvery);
            }
            if (treeDepth < 1) {
                problems.add("treeDepth must be >= 1, got " + treeDepth);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("SparkTrainer.Builder.build: " + String.join("; ", problems));
            }
            return new SparkTrainer(this);
        }
    }
}
