package dev.autograd.nn.tune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Named hyperparameters and the values each may take, like scikit-learn's {@code param_grid} /
 * {@code param_distributions} or Ray Tune's {@code param_space}. Immutable: each method returns a new space
 * with one more hyperparameter, in declaration order.
 *
 * <pre>{@code
 * SearchSpace space = SearchSpace.create()
 *         .logUniform("lr", 1e-4, 1e-1, 4)        // grid: 1e-4, 1e-3, 1e-2, 1e-1; random: log-uniform
 *         .intChoice("batchSize", 16, 32, 64)
 *         .stringChoice("activation", "tanh", "relu")
 *         .uniform("dropout", 0.0, 0.5);          // random search only (no grid points given)
 * }</pre>
 *
 * <p>Kinds of hyperparameter, and what {@link Trial} returns for them:
 * <ul>
 *   <li>choices: {@link #choice} (doubles, {@link Trial#getDouble}), {@link #intChoice} (ints,
 *       {@link Trial#getInt}) and {@link #stringChoice} (strings, {@link Trial#getString}); a grid takes every
 *       choice, a random search one uniformly;</li>
 *   <li>ranges: {@link #uniform} and {@link #logUniform} (doubles), {@link #intRange} (ints, both ends
 *       included). A random search draws from the range (log-uniform: {@code exp} of a uniform draw between the
 *       logarithms of the bounds, so that each decade is equally likely). A grid needs grid points: the
 *       overloads with a {@code gridPoints} count give evenly spaced points (log-spaced for
 *       {@link #logUniform}), both bounds included; a range without them is refused by {@link Tuner#grid}.</li>
 * </ul>
 */
public final class SearchSpace {

    private final List<Hyperparameter> parameters;

    private SearchSpace(List<Hyperparameter> parameters) {
        this.parameters = parameters;
    }

    /** @return an empty space, to add hyperparameters to */
    public static SearchSpace create() {
        return new SearchSpace(List.of());
    }

    /**
     * A hyperparameter that takes one of the given double values.
     *
     * @param name   a new name, not blank
     * @param values at least one, finite, distinct
     * @return a new space with this hyperparameter added last
     * @throws IllegalArgumentException when the name is taken or blank or a value is missing, repeated or not finite
     */
    public SearchSpace choice(String name, double... values) {
        String method = "SearchSpace.choice";
        checkValues(method, name, values == null ? 0 : values.length);
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(method + ": '" + name + "' has a value that is not finite: " + v);
            }
        }
        return with(method, new Choice(name, Kind.DOUBLE, distinct(method, name, Arrays.stream(values).boxed().toList())));
    }

    /**
     * A hyperparameter that takes one of the given int values.
     *
     * @param name   a new name, not blank
     * @param values at least one, distinct
     * @return a new space with this hyperparameter added last
     * @throws IllegalArgumentException when the name is taken or blank or a value is missing or repeated
     */
    public SearchSpace intChoice(String name, int... values) {
        String method = "SearchSpace.intChoice";
        checkValues(method, name, values == null ? 0 : values.length);
        return with(method, new Choice(name, Kind.INT, distinct(method, name, Arrays.stream(values).boxed().toList())));
    }

    /**
     * A hyperparameter that takes one of the given strings (an optimizer's name, an activation...).
     *
     * @param name   a new name, not blank
     * @param values at least one, not null, distinct
     * @return a new space with this hyperparameter added last
     * @throws IllegalArgumentException when the name is taken or blank or a value is missing, null or repeated
     */
    public SearchSpace stringChoice(String name, String... values) {
        String method = "SearchSpace.stringChoice";
        checkValues(method, name, values == null ? 0 : values.length);
        return with(method, new Choice(name, Kind.STRING, distinct(method, name, Arrays.asList(values))));
    }

    /**
     * A double drawn uniformly from {@code [low, high)} by a random search; refused by a grid search (give
     * grid points with {@link #uniform(String, double, double, int)}).
     *
     * @param name a new name, not blank
     * @param low  the lower bound, finite
     * @param high the upper bound, finite, {@code > low}
     * @return a new space with this hyperparameter added last
     * @throws IllegalArgumentException when the name is taken or blank or the bounds are not finite or not ordered
     */
    public SearchSpace uniform(String name, double low, double high) {
        return with("SearchSpace.uniform", new Range(name, false, checkBounds("SearchSpace.uniform", name, low, high, false), 0));
    }

    /**
     * As {@link #uniform(String, double, double)}, and for a grid search {@code gridPoints} evenly spaced
     * values from {@code low} to {@code high}, both included.
     *
     * @param name       a new name, not blank
     * @param low        the lower bound, finite
     * @param high       the upper bound, finite, {@code > low}
     * @param gridPoints the number of grid values, at least 2
     * @return a new space with this hyperparameter added last
     * @throws IllegalArgumentException when a value is out of range
     */
    public SearchSpace uniform(String name, double low, double high, int gridPoints) {
        double[] b = checkBounds("SearchSpace.uniform", name, low, high, false);
        return with("SearchSpace.uniform", new Range(name, false, b, checkGridPoints("SearchSpace.uniform", name, gridPoints)));
    }

    /**
     * A double whose logarithm is uniform between {@code log(low)} and {@code log(high)} (a learning rate, a
     * weight decay: each decade equally likely) for a random search; refused by a grid search (give grid
     * points with {@link #logUniform(String, double, double, int)}).
     *
     * @param name a new name, not blank
     * @param low  the lower bound, finite and {@code > 0}
     * @param high the upper bound, finite, {@code > low}
     * @return a new space with this hyperparameter added last
     * @throws IllegalArgumentException when the name is taken or blank or a bound is not positive and finite or
     *                                  they are not ordered
     */
    public SearchSpace logUniform(String name, double low, double high) {
        return with("SearchSpace.logUniform", new Range(name, true, checkBounds("SearchSpace.logUniform", name, low, high, true), 0));
    }

    /**
     * As {@link #logUniform(String, double, double)}, and for a grid search {@code gridPoints} log-spaced
     * values from {@code low} to {@code high}, both included ({@code low * (high/low)^(i/(gridPoints-1))}).
     *
     * @param name       a new name, not blank
     * @param low        the lower bound, finite and {@code > 0}
     * @param high       the upper bound, finite, {@code > low}
     * @param gridPoints the number of grid values, at least 2
     * @return a new space with this hyperparameter added last
     * @throws IllegalArgumentException when a value is out of range
     */
    public SearchSpace logUniform(String name, double low, double high, int gridPoints) {
        double[] b = checkBounds("SearchSpace.logUniform", name, low, high, true);
        return with("SearchSpace.logUniform", new Range(name, true, b, checkGridPoints("SearchSpace.logUniform", name, gridPoints)));
    }

    /**
     * An int drawn uniformly from {@code low..high}, both included, by a random search; refused by a grid
     * search (give grid points with {@link #intRange(String, int, int, int)}, or list the values with
     * {@link #intChoice}).
     *
     * @param name a new name, not blank
     * @param low  the smallest value
     * @param high the largest value, {@code > low}
     * @return a new space with this hyperparameter added last
     * @throws IllegalArgumentException when the name is taken or blank or {@code low >= high}
     */
    public SearchSpace intRange(String name, int low, int high) {
        checkIntBounds("SearchSpace.intRange", name, low, high);
        return with("SearchSpace.intRange", new IntRange(name, low, high, 0));
    }

    /**
     * As {@link #intRange(String, int, int)}, and for a grid search {@code gridPoints} evenly spaced ints from
     * {@code low} to {@code high}, both included (rounded to the nearest int; they are distinct because
     * {@code gridPoints <= high - low + 1}).
     *
     * @param name       a new name, not blank
     * @param low        the smallest value
     * @param high       the largest value, {@code > low}
     * @param gridPoints the number of grid values, from 2 to {@code high - low + 1}
     * @return a new space with this hyperparameter added last
     * @throws IllegalArgumentException when a value is out of range
     */
    public SearchSpace intRange(String name, int low, int high, int gridPoints) {
        String method = "SearchSpace.intRange";
        checkIntBounds(method, name, low, high);
        checkGridPoints(method, name, gridPoints);
        long span = (long) high - low + 1;
        if (gridPoints > span) {
            throw new IllegalArgumentException(method + ": '" + name + "' has only " + span + " ints in [" + low + ", "
                    + high + "], fewer than the " + gridPoints + " grid points asked for");
        }
        return with(method, new IntRange(name, low, high, gridPoints));
    }

    /** @return the hyperparameters' names in declaration order */
    public List<String> names() {
        return parameters.stream().map(Hyperparameter::name).toList();
    }

    /** @return the number of hyperparameters */
    public int size() {
        return parameters.size();
    }

    List<Hyperparameter> parameters() {
        return parameters;
    }

    @Override
    public String toString() {
        return "SearchSpace" + parameters;
    }

    private SearchSpace with(String method, Hyperparameter p) {
        for (Hyperparameter q : parameters) {
            if (q.name().equals(p.name())) {
                throw new IllegalArgumentException(method + ": the space already has a hyperparameter named '" + p.name()
                        + "'; give each a name of its own");
            }
        }
        List<Hyperparameter> next = new ArrayList<>(parameters);
        next.add(p);
        return new SearchSpace(Collections.unmodifiableList(next));
    }

    private static void checkName(String method, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(method + ": a hyperparameter needs a name that is not blank, got "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
    }

    private static void checkValues(String method, String name, int count) {
        checkName(method, name);
        if (count == 0) {
            throw new IllegalArgumentException(method + ": '" + name + "' needs at least one value");
        }
    }

    /** The values as an unmodifiable list, after checking that none is null and none repeats. */
    private static List<Object> distinct(String method, String name, List<?> values) {
        Set<Object> seen = new HashSet<>();
        for (Object v : values) {
            if (v == null) {
                throw new IllegalArgumentException(method + ": '" + name + "' has a null value");
            }
            if (!seen.add(v)) {
                throw new IllegalArgumentException(method + ": '" + name + "' lists " + v + " twice: " + values);
            }
        }
        return List.copyOf(values);
    }

    private static double[] checkBounds(String method, String name, double low, double high, boolean log) {
        checkName(method, name);
        if (!Double.isFinite(low) || !Double.isFinite(high)) {
            throw new IllegalArgumentException(method + ": '" + name + "' needs finite bounds, got [" + low + ", " + high + "]");
        }
        if (log && !(low > 0)) {
            throw new IllegalArgumentException(method + ": '" + name + "' needs bounds > 0 (a logarithm is taken), got ["
                    + low + ", " + high + "]; use uniform for a range that includes 0");
        }
        if (!(low < high)) {
            throw new IllegalArgumentException(method + ": '" + name + "' needs low < high, got [" + low + ", " + high + "]");
        }
        return new double[] {low, high};
    }

    private static void checkIntBounds(String method, String name, int low, int high) {
        checkName(method, name);
        if (low >= high) {
            throw new IllegalArgumentException(method + ": '" + name + "' needs low < high, got [" + low + ", " + high
                    + "]; use intChoice for a single value");
        }
    }

    private static int checkGridPoints(String method, String name, int gridPoints) {
        if (gridPoints < 2) {
            throw new IllegalArgumentException(method + ": '" + name + "' needs at least 2 grid points (both bounds), got "
                    + gridPoints);
        }
        return gridPoints;
    }

    /** The type of a hyperparameter's values, which decides the {@link Trial} getter that reads it. */
    enum Kind {
        DOUBLE("double"), INT("int"), STRING("string");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One named hyperparameter: its grid values (when it has a grid) and how a random search draws it. */
    sealed interface Hyperparameter permits Choice, Range, IntRange {
        String name();

        Kind kind();

        /** The grid values in order, or {@code null} for a range without grid points. */
        List<Object> grid();

        /** One value drawn with {@code random}. */
        Object sample(Random random);

        /** How the hyperparameter was declared, for messages. */
        String describe();
    }

    record Choice(String name, Kind kind, List<Object> values) implements Hyperparameter {
        @Override
        public List<Object> grid() {
            return values;
        }

        @Override
        public Object sample(Random random) {
            return values.get(random.nextInt(values.size()));
        }

        @Override
        public String describe() {
            return kind.label + " choice " + values;
        }
    }

    record Range(String name, boolean log, double[] bounds, int gridPoints) implements Hyperparameter {
        @Override
        public Kind kind() {
            return Kind.DOUBLE;
        }

        @Override
        public List<Object> grid() {
            if (gridPoints == 0) {
                return null;
            }
            double low = bounds[0];
            double high = bounds[1];
            List<Object> out = new ArrayList<>(gridPoints);
            for (int i = 0; i < gridPoints; i++) {
                double t = (double) i / (gridPoints - 1);
                // The ends exactly: pow and the affine form are off by an ulp at t = 1.
                double v = i == 0 ? low : i == gridPoints - 1 ? high
                        : log ? low * Math.pow(high / low, t) : low + (high - low) * t;
                out.add(v);
            }
            return out;
        }

        @Override
        public Object sample(Random random) {
            double u = random.nextDouble();
            double v = log ? Math.exp(Math.log(bounds[0]) + u * (Math.log(bounds[1]) - Math.log(bounds[0])))
                    : bounds[0] + u * (bounds[1] - bounds[0]);
            // Rounding may land on the upper bound; keep the documented half-open range.
            return v < bounds[1] ? Math.max(v, bounds[0]) : Math.nextDown(bounds[1]);
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "%s range [%s, %s]", log ? "log-uniform" : "uniform", bounds[0], bounds[1]);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Range r && r.name.equals(name) && r.log == log && Arrays.equals(r.bounds, bounds)
                    && r.gridPoints == gridPoints;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, log, Arrays.hashCode(bounds), gridPoints);
        }

        @Override
        public String toString() {
            return name + ": " + describe() + (gridPoints > 0 ? " with " + gridPoints + " grid points" : "");
        }
    }

    record IntRange(String name, int low, int high, int gridPoints) implements Hyperparameter {
        @Override
        public Kind kind() {
            return Kind.INT;
        }

        @Override
        public List<Object> grid() {
            if (gridPoints == 0) {
                return null;
            }
            List<Object> out = new ArrayList<>(gridPoints);
            long span = (long) high - low;
            long steps = gridPoints - 1;
            long whole = span / steps;
            long rest = span % steps;
            for (int i = 0; i < gridPoints; i++) {
                // round(span * i / steps) in integers, split so that no product overflows a long even for
                // the whole int range: span * i = whole * steps * i + rest * i.
                long offset = whole * i + (2 * rest * i + steps) / (2 * steps);
                out.add((int) (low + offset));
            }
            return out;
        }

        @Override
        public Object sample(Random random) {
            return (int) (low + random.nextLong((long) high - low + 1));
        }

        @Override
        public String describe() {
            return "int range [" + low + ", " + high + "]";
        }
    }
}
