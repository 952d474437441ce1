package dev.autograd.nn.tune;

import dev.autograd.nn.tune.SearchSpace.Hyperparameter;
import dev.autograd.nn.tune.SearchSpace.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link Objective} over the settings of a {@link SearchSpace}: every combination of a grid
 * ({@link #grid}, as scikit-learn's {@code GridSearchCV}) or {@code n} random draws ({@link #random}, as
 * {@code RandomizedSearchCV} or Optuna's random sampler), in parallel on the machine's cores.
 *
 * <pre>{@code
 * SearchResult result = Tuner.grid(space)
 *         .direction(Mode.MIN).objectiveName("valLoss")
 *         .earlyStopping(EarlyStopping.of("valLoss", Mode.MIN, 5))
 *         .run(trial -> train(trial.getDouble("lr"), trial.getInt("batchSize"), trial));
 * System.out.println(result.table());
 * }</pre>
 *
 * <p><b>Reproducibility.</b> Trial {@code i} gets the seed {@code mix(seed, i)} ({@link Trial#seed()}), and a
 * random search draws trial {@code i}'s hyperparameters from a generator seeded with another mix of the two;
 * nothing depends on which thread runs a trial or when it finishes. The engine's kernels cut their work by
 * problem size and the kernel thread count only ({@code autograd.threads}, fixed for the JVM), so a trial's
 * arithmetic is the same whether it runs alone or beside others: the results are identical for every
 * {@link #parallelism(int)} (except the measured {@link TrialResult#seconds()}).
 *
 * <p><b>Threads.</b> {@code parallelism} trials run at once, each on a thread of its own; their kernels
 * share the engine's kernel pool, whose callers each run their own job's chunks, so a trial always
 * progresses even when the pool's workers are busy with another trial's. Small models (a few thousand
 * parameters) hardly use the kernel pool; for them only running trials side by side can keep the cores busy.
 *
 * <p><b>Failures.</b> A trial whose objective throws an {@link Exception} is recorded with the exception's
 * class and message and the search goes on; with {@link #failFast(boolean) failFast(true)} no further trial
 * starts and {@link #run} throws. An {@link Error} always ends the search.
 */
public final class Tuner {

    private static final Logger LOG = LoggerFactory.getLogger(Tuner.class);

    /** A grid larger than this is almost certainly a mistake (and its list of settings would not fit). */
    static final int MAX_TRIALS = 1 << 24;

    private final SearchSpace space;
    private final int randomTrials;
    private long seed = 0;
    private Mode direction = Mode.MIN;
    private String objectiveName = "objective";
    private EarlyStopping earlyStopping;
    private int parallelism = Runtime.getRuntime().availableProcessors();
    private boolean failFast;

    private Tuner(SearchSpace space, int randomTrials) {
        this.space = space;
        this.randomTrials = randomTrials;
    }

    /**
     * A grid search: one trial per combination of the hyperparameters' grid values (the cartesian product), in
     * nested-loop order with the first declared hyperparameter outermost and the last varying fastest.
     *
     * @param space the hyperparameters; each range needs grid points
     * @return a tuner to configure and {@link #run}
     * @throws IllegalArgumentException when the space is empty, a range has no grid points, or the grid has
     *                                  more than 2^24 combinations
     */
    public static Tuner grid(SearchSpace space) {
        checkSpace("Tuner.grid", space);
        long size = 1;
        for (Hyperparameter p : space.parameters()) {
            List<Object> grid = p.grid();
            if (grid == null) {
                throw new IllegalArgumentException("Tuner.grid: hyperparameter '" + p.name() + "' is a " + p.describe()
                        + " without grid points; a grid needs a finite list of values: give the range a gridPoints"
                        + " count (e.g. logUniform(\"" + p.name() + "\", low, high, 4)), list the values with a choice,"
                        + " or use Tuner.random");
            }
            size *= grid.size();
            if (size > MAX_TRIALS) {
                throw new IllegalArgumentException("Tuner.grid: the grid has more than " + MAX_TRIALS
                        + " combinations (at '" + p.name() + "'); use Tuner.random with a number of trials");
            }
        }
        return new Tuner(space, 0);
    }

    /**
     * A random search: {@code trials} settings, each hyperparameter drawn independently (choices uniformly,
     * ranges as declared), reproducibly from {@link #seed(long)}.
     *
     * @param space  the hyperparameters
     * @param trials the number of trials, from 1 to 2^24
     * @return a tuner to configure and {@link #run}
     * @throws IllegalArgumentException when the space is empty or {@code trials} is out of range
     */
    public static Tuner random(SearchSpace space, int trials) {
        checkSpace("Tuner.random", space);
        if (trials < 1 || trials > MAX_TRIALS) {
            throw new IllegalArgumentException("Tuner.random: the number of trials must be in [1, " + MAX_TRIALS + "], got "
                    + trials);
        }
        return new Tuner(space, trials);
    }

    private static void checkSpace(String method, SearchSpace space) {
        Objects.requireNonNull(space, method + ": space is null");
        if (space.size() == 0) {
            throw new IllegalArgumentException(method + ": the search space is empty; add hyperparameters with choice,"
                    + " intChoice, stringChoice, uniform, logUniform or intRange");
        }
    }

    /**
     * The search's seed (default 0): trial seeds and random draws derive from it.
     *
     * @param seed any value
     * @return this tuner
     */
    public Tuner seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Whether smaller (default) or larger scores are better.
     *
     * @param direction the ranking direction
     * @return this tuner
     */
    public Tuner direction(Mode direction) {
        this.direction = Objects.requireNonNull(direction, "Tuner.direction: direction is null");
        return this;
    }

    /**
     * The score's name in tables and CSV headers (default {@code "objective"}).
     *
     * @param name not blank
     * @return this tuner
     * @throws IllegalArgumentException when the name is blank
     */
    public Tuner objectiveName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Tuner.objectiveName: the name must not be blank, got " + name);
        }
        this.objectiveName = name;
        return this;
    }

    /**
     * Early stopping that every trial's {@link Trial#report} applies (default: none).
     *
     * @param earlyStopping the rule, or {@code null} for none
     * @return this tuner
     */
    public Tuner earlyStopping(EarlyStopping earlyStopping) {
        this.earlyStopping = earlyStopping;
        return this;
    }

    /**
     * How many trials run at once (default {@code Runtime.availableProcessors()}); 1 runs them one after the
     * other on the calling thread.
     *
     * @param parallelism at least 1
     * @return this tuner
     * @throws IllegalArgumentException when below 1
     */
    public Tuner parallelism(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("Tuner.parallelism: need at least 1 trial at a time, got " + parallelism);
        }
        this.parallelism = parallelism;
        return this;
    }

    /**
     * Whether the first failing trial ends the search (default {@code false}: failures are recorded and the
     * search goes on).
     *
     * @param failFast whether to stop at the first failure
     * @return this tuner
     */
    public Tuner failFast(boolean failFast) {
        this.failFast = failFast;
        return this;
    }

    /**
     * The settings the search will try, in trial order: the grid's combinations or the random draws.
     *
     * @return one unmodifiable map (name to Double, Integer or String, in declaration order) per trial
     */
    public List<Map<String, Object>> settings() {
        List<Hyperparameter> params = space.parameters();
        List<Map<String, Object>> out = new ArrayList<>();
        if (randomTrials > 0) {
            for (int i = 0; i < randomTrials; i++) {
                Random random = new Random(mix(seed, i, SAMPLING_STREAM));
                Map<String, Object> setting = new LinkedHashMap<>();
                for (Hyperparameter p : params) {
                    setting.put(p.name(), p.sample(random));
                }
                out.add(Collections.unmodifiableMap(setting));
            }
            return Collections.unmodifiableList(out);
        }
        List<List<Object>> grids = params.stream().map(Hyperparameter::grid).toList();
        int[] digits = new int[params.size()];
        while (true) {
            Map<String, Object> setting = new LinkedHashMap<>();
            for (int p = 0; p < params.size(); p++) {
                setting.put(params.get(p).name(), grids.get(p).get(digits[p]));
            }
            out.add(Collections.unmodifiableMap(setting));
            // Odometer: the last hyperparameter turns fastest.
            int p = params.size() - 1;
            while (p >= 0 && ++digits[p] == grids.get(p).size()) {
                digits[p] = 0;
                p--;
            }
            if (p < 0) {
                return Collections.unmodifiableList(out);
            }
        }
    }

    /**
     * Runs every trial and collects the results.
     *
     * @param objective the user's training and evaluation
     * @return the results
     * @throws IllegalStateException with fail-fast, when a trial failed (the lowest-index failure, as cause)
     */
    public SearchResult run(Objective objective) {
        Objects.requireNonNull(objective, "Tuner.run: objective is null");
        List<Map<String, Object>> settings = settings();
        Map<String, Kind> kinds = new LinkedHashMap<>();
        for (Hyperparameter p : space.parameters()) {
            kinds.put(p.name(), p.kind());
        }
        int n = settings.size();
        TrialResult[] results = new TrialResult[n];
        Exception[] causes = new Exception[n];
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger finished = new AtomicInteger();
        int threads = Math.min(parallelism, n);
        LOG.info("{} search: {} trials of {}, {} at a time", randomTrials > 0 ? "random" : "grid", n, space.names(), threads);
        Runnable[] tasks = new Runnable[n];
        for (int i = 0; i < n; i++) {
            int index = i;
            tasks[i] = () -> {
                if (stop.get()) {
                    return;
                }
                Trial trial = new Trial(index, mix(seed, index, TRIAL_STREAM), settings.get(index), kinds, earlyStopping);
                long start = System.nanoTime();
                double value = Double.NaN;
                String error = null;
                try {
                    value = objective.evaluate(trial);
                } catch (Exception e) {
                    causes[index] = e;
                    error = e.getClass().getSimpleName() + ": " + e.getMessage();
                    if (failFast) {
                        stop.set(true);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                results[index] = new TrialResult(index, trial.params(), trial.seed(), value, error, trial.history(),
                        trial.stoppedEarly(), seconds);
                if (error == null) {
                    LOG.info("trial {}/{} {}: {} = {} ({} epochs{}, {} s)", finished.incrementAndGet(), n, trial.params(),
                            objectiveName, value, trial.history().size(), trial.stoppedEarly() ? ", stopped early" : "",
                            String.format(java.util.Locale.ROOT, "%.1f", seconds));
                } else {
                    LOG.warn("trial {}/{} {} failed: {}", finished.incrementAndGet(), n, trial.params(), error);
                }
            };
        }
        if (threads == 1) {
            for (Runnable task : tasks) {
                task.run();
            }
        } else {
            runOnPool(tasks, threads);
        }
        if (stop.get()) {
            for (int i = 0; i < n; i++) {
                if (causes[i] != null) {
                    throw new IllegalStateException("Tuner.run: trial " + i + " " + settings.get(i) + " failed and failFast"
                            + " is set: " + results[i].error(), causes[i]);
                }
            }
        }
        return new SearchResult(space.names(), List.of(results), direction, objectiveName);
    }

    private static void runOnPool(Runnable[] tasks, int threads) {
        AtomicInteger counter = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "autograd-tune-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            // Submitted in index order: the pool's queue starts them in that order, which is what fail-fast's
            // "no further trial starts" refers to.
            for (Runnable task : tasks) {
                futures.add(pool.submit(task));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    // Only an Error gets here: the task catches every Exception.
                    pool.shutdownNow();
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException("Tuner.run: a trial ended abnormally", e.getCause());
                } catch (InterruptedException e) {
                    pool.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Tuner.run: interrupted while waiting for the trials", e);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    private static final long TRIAL_STREAM = 1;
    private static final long SAMPLING_STREAM = 2;

    /**
     * A seed for (search seed, trial index, stream): SplitMix64's finaliser over a combination of the three,
     * so that neighbouring indices and seeds give unrelated generators (java.util.Random seeded with
     * consecutive values starts with correlated draws).
     */
    static long mix(long seed, long index, long stream) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1) + 0xD1B54A32D192ED03L * stream;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
