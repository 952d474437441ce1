package dev.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the gradients the engine computes against finite differences, for use in your own tests:
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(new Random(1), 3, 4).requiresGrad(true).name("x");
 * Tensor w = Tensor.randn(new Random(2), 4, 2).requiresGrad(true).name("w");
 * GradCheck.assertGradientsMatch(in -> in[0].matmul(in[1]).tanh(), x, w);
 * }</pre>
 *
 * <h2>What is compared</h2>
 * In the default {@link Mode#FULL full} mode, every entry of the Jacobian: for every input that requires
 * grad, every element {@code x_j} of it and every output element {@code y_i}, the analytic derivative (row
 * {@code i} of the Jacobian, from one backward pass per output element with a one-hot upstream gradient)
 * against the central difference {@code (f(x + eps e_j) - f(x - eps e_j))_i / (2 eps)}, whose error is
 * {@code O(eps^2)}. An entry passes when {@code |analytic - numeric| <= atol + rtol * |numeric|}.
 * Cost: {@code 2 n + 1} forward passes and {@code m} backward passes for {@code n} input and {@code m}
 * output elements.
 *
 * <p>{@link Mode#FAST Fast} mode checks one random projection per input instead: with seeded random
 * {@code u} (input-shaped) and {@code v} (output-shaped) it compares {@code <J^T v, u>} (one backward
 * pass, shared by all inputs) with {@code (<v, f(x + eps u)> - <v, f(x - eps u)>) / (2 eps)} (two
 * forward passes per input). A wrong Jacobian is caught with probability 1 in exact arithmetic, but an
 * error confined to a few entries is diluted by all the others and can hide under the tolerance, and the
 * report cannot say which element is wrong: use it on large inputs, then the full mode to locate a bug.
 *
 * <h2>Kinks</h2>
 * At a point where f is not differentiable (relu or abs at 0, max with a tie) the central difference is
 * meaningless. When an entry fails, the one-sided differences {@code (f(x + eps) - f(x)) / eps} and
 * {@code (f(x) - f(x - eps)) / eps} are compared: if they disagree and the analytic value lies between
 * them (a valid subgradient), the entry is reported {@link Status#KINK at a kink}, which passes unless
 * {@link Options#failOnKinks(boolean)} is set.
 *
 * <h2>Precision</h2>
 * Only FLOAT64 is accepted: with float32's 24-bit mantissa the difference {@code f(x + eps) - f(x - eps)}
 * keeps only a few significant digits for any {@code eps} small enough to make the truncation error
 * negligible, so a failure could not be told apart from rounding noise. {@link Options#richardson(boolean)}
 * extrapolates central differences at {@code eps} and {@code eps / 2} to an {@code O(eps^4)} estimate
 * (two more forward passes per element) for functions with large third derivatives.
 *
 * <p>{@code f} must be deterministic and must not modify its inputs; it receives copies.
 */
public final class GradCheck {

    private static final Logger LOG = LoggerFactory.getLogger(GradCheck.class);
    private static final Options DEFAULTS = new Options(1e-6, 1e-5, 1e-3, Mode.FULL, false, false, 0x5EEDL);
    /** The names of the ops in every graph a check has differentiated: the gradient-coverage evidence. */
    static final Set<String> OPS_CHECKED = ConcurrentHashMap.newKeySet();
    /**
     * The names of the ops in every function whose gradient a second-order check has differentiated (the
     * forward graph, not the gradient's graph, which names the backward formulas' ops instead).
     */
    static final Set<String> OPS_CHECKED_SECOND_ORDER = ConcurrentHashMap.newKeySet();

    private GradCheck() {
    }

    /** How much of the Jacobian a check compares. */
    public enum Mode {
        /** Every Jacobian entry: exact location of any error; {@code m} backward and {@code 2n} forward passes. */
        FULL,
        /** One random projection {@code v^T J u} per input: one backward and two forward passes per input. */
        FAST
    }

    /** The verdict on one compared element. */
    public enum Status {
        /** Within tolerance. */
        PASSED,
        /** Outside tolerance, and not explained by a kink. */
        FAILED,
        /** At a non-differentiable point: one-sided differences disagree and the analytic value is between. */
        KINK
    }

    // ------------------------------------------------------------------------------------ entry points

    /**
     * Checks {@code f} at {@code inputs} with the default options (full Jacobian, eps 1e-6, atol 1e-5,
     * rtol 1e-3, kinks reported but not failed).
     *
     * @param f      the function; receives copies of the inputs in order
     * @param inputs the point to check at; those that require grad are checked
     * @return the report
     * @throws IllegalArgumentException when an input is FLOAT32, none requires grad, or f's output is not
     *                                  FLOAT64
     */
    public static Report check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return DEFAULTS.check(f, inputs);
    }

    /**
     * Checks {@code f} at {@code inputs} with the default options and throws when a gradient is wrong.
     *
     * @param f      the function; receives copies of the inputs in order
     * @param inputs the point to check at; those that require grad are checked
     * @throws AssertionError naming the input, the index, analytic and numeric values and the tolerances,
     *                        with the worst few elements
     */
    public static void assertGradientsMatch(Function<Tensor[], Tensor> f, Tensor... inputs) {
        DEFAULTS.assertGradientsMatch(f, inputs);
    }

    /**
     * Checks a function of several outputs: every output's Jacobian is compared.
     *
     * @param f      the function
     * @param inputs the point; those that require grad are checked
     * @return the report; {@link Element#output()} says which output an element belongs to
     */
    public static Report checkOutputs(Function<Tensor[], List<Tensor>> f, Tensor... inputs) {
        return DEFAULTS.checkOutputs(f, inputs);
    }

    /**
     * Second-order check with the default options; see {@link Options#checkSecondOrder}.
     *
     * @param f      the function
     * @param inputs the point; those that require grad are checked
     * @return the report
     */
    public static Report checkSecondOrder(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return DEFAULTS.checkSecondOrder(f, inputs);
    }

    /**
     * Second-order check with the default options that throws when a second derivative is wrong.
     *
     * @param f      the function
     * @param inputs the point; those that require grad are checked
     * @throws AssertionError naming the worst element of every failing input
     */
    public static void assertSecondOrderGradientsMatch(Function<Tensor[], Tensor> f, Tensor... inputs) {
        DEFAULTS.assertSecondOrderGradientsMatch(f, inputs);
    }

    /**
     * The default options, to be changed fluently: {@code GradCheck.options().atol(1e-7).check(f, x)}.
     *
     * @return the defaults
     */
    public static Options options() {
        return DEFAULTS;
    }

    // ------------------------------------------------------------------------------------ options

    /** Immutable settings of a check; each setter returns a new instance. */
    public static final class Options {
        private final double eps;
        private final double atol;
        private final double rtol;
        private final Mode mode;
        private final boolean richardson;
        private final boolean failOnKinks;
        private final long seed;

        private Options(double eps, double atol, double rtol, Mode mode, boolean richardson, boolean failOnKinks,
                        long seed) {
            if (!(eps > 0) || !(atol >= 0) || !(rtol >= 0)) {
                throw new IllegalArgumentException("GradCheck: eps must be > 0 and atol, rtol >= 0, got eps " + eps
                        + ", atol " + atol + ", rtol " + rtol);
            }
            this.eps = eps;
            this.atol = atol;
            this.rtol = rtol;
            this.mode = java.util.Objects.requireNonNull(mode, "mode");
            this.richardson = richardson;
            this.failOnKinks = failOnKinks;
            this.seed = seed;
        }

        /**
         * @param eps the finite-difference step (default 1e-6)
         * @return options with this step
         */
        public Options eps(double eps) {
            return new Options(eps, atol, rtol, mode, richardson, failOnKinks, seed);
        }

        /**
         * @param atol the absolute tolerance (default 1e-5)
         * @return options with this tolerance
         */
        public Options atol(double atol) {
            return new Options(eps, atol, rtol, mode, richardson, failOnKinks, seed);
        }

        /**
         * @param rtol the tolerance relative to the numeric value (default 1e-3)
         * @return options with this tolerance
         */
        public Options rtol(double rtol) {
            return new Options(eps, atol, rtol, mode, richardson, failOnKinks, seed);
        }

        /**
         * @param mode {@link Mode#FULL} (default) or {@link Mode#FAST}
         * @return options with this mode
         */
        public Options mode(Mode mode) {
            return new Options(eps, atol, rtol, mode, richardson, failOnKinks, seed);
        }

        /**
         * @param richardson extrapolate central differences at eps and eps/2 to an O(eps^4) estimate
         * @return options with this setting
         */
        public Options richardson(boolean richardson) {
            return new Options(eps, atol, rtol, mode, richardson, failOnKinks, seed);
        }

        /**
         * @param failOnKinks count elements at a kink as failures instead of reporting them
         * @return options with this setting
         */
        public Options failOnKinks(boolean failOnKinks) {
            return new Options(eps, atol, rtol, mode, richardson, failOnKinks, seed);
        }

        /**
         * @param seed the seed of the random vectors of fast mode and of non-scalar upstream gradients
         * @return options with this seed
         */
        public Options seed(long seed) {
            return new Options(eps, atol, rtol, mode, richardson, failOnKinks, seed);
        }

        /**
         * Checks {@code f} at {@code inputs} with these options.
         *
         * @param f      the function; receives copies of the inputs in order
         * @param inputs the point to check at; those that require grad are checked
         * @return the report
         */
        public Report check(Function<Tensor[], Tensor> f, Tensor... inputs) {
            return run(this, in -> List.of(f.apply(in)), inputs);
        }

        /**
         * Checks a function of several outputs with these options.
         *
         * @param f      the function
         * @param inputs the point; those that require grad are checked
         * @return the report
         */
        public Report checkOutputs(Function<Tensor[], List<Tensor>> f, Tensor... inputs) {
            return run(this, f, inputs);
        }

        /**
         * Checks {@code f} at {@code inputs} with these options and throws when a gradient is wrong.
         *
         * @param f      the function; receives copies of the inputs in order
         * @param inputs the point to check at; those that require grad are checked
         * @throws AssertionError with the summary, each failing input's worst element and the worst few
         *                        elements overall
         */
        public void assertGradientsMatch(Function<Tensor[], Tensor> f, Tensor... inputs) {
            Report report = check(f, inputs);
            if (!report.passed()) {
                throw new AssertionError(report.failureMessage());
            }
        }

        /**
         * The second-order check (PyTorch's gradgradcheck): the gradients of {@code f}, computed with a
         * recorded backward ({@code createGraph}) and a fixed random upstream gradient, are themselves
         * checked against finite differences of those gradients. This verifies each backward rule's own
         * backward, which {@link Functional#hessian} and {@link Functional#hvp} rely on.
         *
         * @param f      the function
         * @param inputs the point; those that require grad are checked
         * @return the report; input i's elements compare d(gradients)/d(input i)
         */
        public Report checkSecondOrder(Function<Tensor[], Tensor> f, Tensor... inputs) {
            Function<Tensor[], Tensor> g = gradientsOf(f, inputs, seed);
            return run(this, in -> List.of(g.apply(in)), inputs, "second order");
        }

        /**
         * {@link #checkSecondOrder} that throws when a second derivative is wrong.
         *
         * @param f      the function
         * @param inputs the point; those that require grad are checked
         * @throws AssertionError naming the worst element of every failing input
         */
        public void assertSecondOrderGradientsMatch(Function<Tensor[], Tensor> f, Tensor... inputs) {
            Report report = checkSecondOrder(f, inputs);
            if (!report.passed()) {
                throw new AssertionError("second order: " + report.failureMessage());
            }
        }

        /**
         * Checks that forward mode and reverse mode agree: {@code <v, J u>} from {@link Functional#jvp} equals
         * {@code <J^T v, u>} from a backward pass, for seeded random u and v, per input.
         *
         * @param f      the function
         * @param inputs the point; those that require grad are checked
         * @return one element per input: analytic {@code <J^T v, u>}, numeric {@code <v, J u>}
         */
        public Report checkJvpVjp(Function<Tensor[], Tensor> f, Tensor... inputs) {
            return jvpVjp(this, f, inputs);
        }

        /**
         * Checks that two backward passes through one graph (the first with {@code retainGraph}) give the
         * same gradients, element by element.
         *
         * @param f      the function
         * @param inputs the point; those that require grad are checked
         * @return the report; analytic is the first pass, numeric the second
         */
        public Report checkRepeatedBackward(Function<Tensor[], Tensor> f, Tensor... inputs) {
            return repeatedBackward(this, f, inputs);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "mode=%s, eps=%.1e, atol=%.1e, rtol=%.1e%s%s", mode, eps, atol, rtol,
                    richardson ? ", richardson" : "", failOnKinks ? ", kinks fail" : "");
        }
    }

    // ------------------------------------------------------------------------------------ reports

    /**
     * One compared value.
     *
     * @param inputIndex  the input's position in the argument list
     * @param inputName   the input's {@link Tensor#name() name}, or {@code "#i"}
     * @param index       the element's index in the input (empty in fast mode: a projection)
     * @param output      which output of the function (0 for single-output functions)
     * @param outputIndex the element's index in that output (empty in fast mode)
     * @param analytic    the derivative from backward
     * @param numeric     the finite-difference estimate
     * @param fPlus       the output value at {@code x + eps} (fast mode: the projection {@code <v, f>})
     * @param fMinus      the output value at {@code x - eps}
     * @param absError    {@code |analytic - numeric|}
     * @param relError    {@code |analytic - numeric| / |numeric|} (0 when both are 0, infinite when only
     *                    numeric is)
     * @param status      the verdict
     */
    public record Element(int inputIndex, String inputName, int[] index, int output, int[] outputIndex,
                          double analytic, double numeric, double fPlus, double fMinus, double absError,
                          double relError, Status status) {

        /** @return a one-line description: where, both values and the verdict */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "input %s index %s output %s%s: analytic %.9g, numeric %.9g (%s)",
                    inputName, Arrays.toString(index), output == 0 ? "" : output + " ", Arrays.toString(outputIndex),
                    analytic, numeric, status);
        }
    }

    /**
     * The comparison for one input.
     *
     * @param inputIndex       position of the input in the argument list
     * @param inputName        the input's name, or {@code "#i"}
     * @param shape            the input's shape
     * @param passed           whether every element passed (kinks pass unless failOnKinks)
     * @param checked          number of elements compared
     * @param failed           number of elements that fail
     * @param kinks            number of elements at a kink
     * @param maxAbsError      the largest {@code |analytic - numeric|}
     * @param maxRelError      the largest relative error over elements with a non-zero numeric value
     * @param worstIndex       index into the input of the element furthest outside (or closest to) tolerance
     * @param worstOutputIndex index into the output of that element
     * @param analytic         the analytic derivative there
     * @param numeric          the numeric derivative there
     * @param elements         every compared element, in order
     */
    public record InputReport(int inputIndex, String inputName, int[] shape, boolean passed, int checked, int failed,
                              int kinks, double maxAbsError, double maxRelError, int[] worstIndex,
                              int[] worstOutputIndex, double analytic, double numeric, List<Element> elements) {
    }

    /**
     * The result of a check.
     *
     * @param kind   what was checked ("gradient", "second order", ...)
     * @param inputs one entry per input that requires grad
     * @param mode   the mode used
     * @param eps    the step used
     * @param atol   the absolute tolerance used
     * @param rtol   the relative tolerance used
     */
    public record Report(String kind, List<InputReport> inputs, Mode mode, double eps, double atol, double rtol) {

        /** @return whether every checked element of every input passed */
        public boolean passed() {
            return inputs.stream().allMatch(InputReport::passed);
        }

        /** @return every compared element of every input */
        public List<Element> elements() {
            List<Element> all = new ArrayList<>();
            inputs.forEach(r -> all.addAll(r.elements()));
            return all;
        }

        /**
         * @param n how many
         * @return the n elements furthest outside tolerance (failures first, then kinks, then the closest
         *         passes)
         */
        public List<Element> worst(int n) {
            List<Element> all = elements();
            all.sort(Comparator.comparingInt((Element e) -> e.status() == Status.FAILED ? 0 : e.status() == Status.KINK ? 1 : 2)
                    .thenComparing(Comparator.comparingDouble((Element e) -> excess(e, atol, rtol)).reversed()));
            return all.subList(0, Math.min(n, all.size()));
        }

        /**
         * "N elements checked, P passed, F failed, K at kinks; largest relative error E at input 'w' index [2, 1]".
         *
         * @return the one-line summary
         */
        public String summary() {
            int checked = 0;
            int failed = 0;
            int kinks = 0;
            for (InputReport r : inputs) {
                checked += r.checked();
                failed += r.failed();
                kinks += r.kinks();
            }
            InputReport worst = inputs.stream().max(Comparator.comparingDouble(InputReport::maxRelError)).orElse(null);
            String where = worst == null ? "" : String.format(Locale.ROOT,
                    "; largest relative error %.3e at input %s index %s", worst.maxRelError(),
                    quoted(worst), Arrays.toString(worst.worstIndex()));
            return String.format(Locale.ROOT, "GradCheck %s %s (%s mode): %d elements checked, %d passed, %d failed,"
                            + " %d at kinks%s", kind, passed() ? "passed" : "FAILED", mode.name().toLowerCase(Locale.ROOT),
                    checked, checked - failed - kinks, failed, kinks, where);
        }

        String failureMessage() {
            StringBuilder sb = new StringBuilder(summary()).append('\n');
            for (InputReport r : inputs) {
                if (!r.passed()) {
                    sb.append(String.format(Locale.ROOT,
                            "  input %d%s (shape %s): %d of %d elements out of tolerance; worst at index %s"
                                    + " (output element %s): analytic %.9g vs numeric %.9g, |difference| %.3e >"
                                    + " atol %.1e + rtol %.1e * |numeric|%n",
                            r.inputIndex(), r.inputName().startsWith("#") ? "" : " '" + r.inputName() + "'",
                            Shapes.format(r.shape()), r.failed() + r.kinks(), r.checked(),
                            Arrays.toString(r.worstIndex()), Arrays.toString(r.worstOutputIndex()), r.analytic(),
                            r.numeric(), Math.abs(r.analytic() - r.numeric()), atol, rtol));
                }
            }
            sb.append("worst elements:\n").append(elementTable(worst(5)));
            return sb.toString();
        }

        /** @return the summary, a row per input, and the worst five elements */
        @Override
        public String toString() {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"input", "shape", "checked", "failed", "kinks", "max abs err", "max rel err",
                "worst index", "output", "analytic", "numeric"});
            for (InputReport r : inputs) {
                rows.add(new String[] {quoted(r), Shapes.format(r.shape()), Integer.toString(r.checked()),
                    Integer.toString(r.failed()), Integer.toString(r.kinks()), sci(r.maxAbsError()), sci(r.maxRelError()),
                    Arrays.toString(r.worstIndex()), Arrays.toString(r.worstOutputIndex()), num(r.analytic()),
                    num(r.numeric())});
            }
            return summary() + String.format(Locale.ROOT, " [eps=%.1e, atol=%.1e, rtol=%.1e]%n", eps, atol, rtol)
                    + TextTable.format(rows) + "worst elements:\n" + elementTable(worst(5));
        }

        /**
         * Every element as a table: index, analytic, numeric, f(x+eps), f(x-eps), errors, status.
         *
         * @return the table as text
         */
        public String toTable() {
            return elementTable(elements());
        }

        private static String elementTable(List<Element> elements) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"input", "index", "output", "analytic", "numeric", "f(x+eps)", "f(x-eps)", "abs err",
                "rel err", "status"});
            for (Element e : elements) {
                rows.add(new String[] {e.inputName(), Arrays.toString(e.index()),
                    (e.output() == 0 ? "" : e.output() + ":") + Arrays.toString(e.outputIndex()), num(e.analytic()),
                    num(e.numeric()), num(e.fPlus()), num(e.fMinus()), sci(e.absError()), sci(e.relError()),
                    e.status().name()});
            }
            return TextTable.format(rows);
        }

        private static String quoted(InputReport r) {
            return r.inputName().startsWith("#") ? Integer.toString(r.inputIndex()) : "'" + r.inputName() + "'";
        }
    }

    private static double excess(Element e, double atol, double rtol) {
        double allowed = atol + rtol * Math.abs(e.numeric());
        return Double.isNaN(e.absError()) ? Double.POSITIVE_INFINITY : e.absError() / Math.max(allowed, Double.MIN_NORMAL);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.9g", v);
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.3e", v);
    }

    // ------------------------------------------------------------------------------------ the checks

    /** A function of the inputs flattened to one output vector, with the shapes of its outputs. */
    private record Flat(Function<Tensor[], Tensor> function, List<int[]> outputShapes) {
    }

    private static Flat flatten(Function<Tensor[], List<Tensor>> f, Tensor[] point) {
        List<Tensor> outputs = f.apply(point);
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("GradCheck: the function returned no outputs");
        }
        List<int[]> shapes = new ArrayList<>();
        for (int k = 0; k < outputs.size(); k++) {
            Tensor out = outputs.get(k);
            if (out.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("GradCheck: output " + k + " is " + out.dtype() + "; compute in"
                        + " FLOAT64 so that finite differences are meaningful");
            }
            shapes.add(out.shape());
            recordOps(out, OPS_CHECKED); // the caller's graph, before the reshape that flattens it
        }
        Function<Tensor[], Tensor> flat = in -> {
            List<Tensor> outs = f.apply(in);
            if (outs.size() == 1) {
                return outs.get(0).reshape(-1);
            }
            List<Tensor> pieces = new ArrayList<>();
            for (Tensor t : outs) {
                pieces.add(t.reshape(-1));
            }
            return Tensor.concat(pieces, 0);
        };
        return new Flat(flat, shapes);
    }

    private static Tensor[] prepare(Tensor[] inputs, List<Integer> checked) {
        Tensor[] point = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype() != DType.FLOAT64) {
                DType dtype = inputs[i].dtype();
                throw new IllegalArgumentException("GradCheck: input " + i + " (shape " + Shapes.format(inputs[i].shapeRef())
                        + ") is " + dtype + ". " + (dtype.isHalf()
                                ? "Finite differences in a 16-bit format are meaningless: with " + (dtype == DType.FLOAT16
                                        ? 11 : 8) + " significant bits, x + eps rounds back to x for any eps small enough"
                                        + " to make the truncation error negligible, and f(x + eps) - f(x - eps) is"
                                        + " rounding noise."
                                : "Finite differences in float32 cannot verify a gradient: with a 24-bit"
                                        + " mantissa, f(x + eps) - f(x - eps) keeps only a few significant digits for any"
                                        + " eps small enough to make the truncation error negligible.")
                        + " Check in FLOAT64 (input.to(DType.FLOAT64)).");
            }
            if (inputs[i].requiresGrad()) {
                checked.add(i);
            }
            point[i] = inputs[i].detach().copy().requiresGrad(inputs[i].requiresGrad()).name(inputs[i].name());
        }
        if (checked.isEmpty()) {
            throw new IllegalArgumentException("GradCheck: no input requires grad, so there is nothing to check;"
                    + " call requiresGrad(true) on the inputs whose gradients you want checked");
        }
        return point;
    }

    private static String nameOf(Tensor[] inputs, int i) {
        return inputs[i].name() != null ? inputs[i].name() : "#" + i;
    }

    private static Report run(Options o, Function<Tensor[], List<Tensor>> f, Tensor[] inputs) {
        return run(o, f, inputs, "gradient");
    }

    private static Report run(Options o, Function<Tensor[], List<Tensor>> f, Tensor[] inputs, String kind) {
        List<Integer> checked = new ArrayList<>();
        Tensor[] point = prepare(inputs, checked);
        Flat flat = flatten(f, point);
        Tensor y = flat.function().apply(point);
        double[] f0 = y.toDoubleArray();
        List<InputReport> reports = o.mode == Mode.FULL
                ? fullMode(o, flat, point, inputs, checked, y, f0)
                : fastMode(o, flat, point, inputs, checked, y, f0);
        Report report = new Report(kind, Collections.unmodifiableList(reports), o.mode, o.eps, o.atol, o.rtol);
        LOG.debug("{}", report);
        return report;
    }

    private static List<InputReport> fullMode(Options o, Flat flat, Tensor[] point, Tensor[] inputs,
                                              List<Integer> checked, Tensor y, double[] f0) {
        int outputs = f0.length;
        List<Tensor> wrt = new ArrayList<>();
        for (int i : checked) {
            wrt.add(point[i]);
        }
        double[][][] analytic = new double[checked.size()][outputs][];
        for (int out = 0; out < outputs; out++) {
            List<Tensor> grads = null;
            if (y.requiresGrad()) {
                double[] oneHot = new double[outputs];
                oneHot[out] = 1;
                grads = Autograd.grad(List.of(y), wrt, List.of(Tensor.of(oneHot, outputs)), true, false, true);
            }
            for (int c = 0; c < wrt.size(); c++) {
                Tensor g = grads == null ? null : grads.get(c);
                analytic[c][out] = g == null ? new double[wrt.get(c).numel()] : g.toDoubleArray();
            }
        }
        List<InputReport> reports = new ArrayList<>();
        for (int c = 0; c < checked.size(); c++) {
            int input = checked.get(c);
            int[] shape = point[input].shape();
            double[] x = point[input].toDoubleArray();
            List<Element> elements = new ArrayList<>();
            Tensor[] args = point.clone();
            for (int e = 0; e < x.length; e++) {
                Differences d = differences(o, flat.function(), args, input, shape, x, e, f0);
                for (int out = 0; out < outputs; out++) {
                    int[] where = outputPosition(flat.outputShapes(), out);
                    elements.add(judge(o, input, nameOf(inputs, input), unflatten(e, shape), where[0],
                            Arrays.copyOfRange(where, 1, where.length), analytic[c][out][e], d, out));
                }
            }
            reports.add(summarise(o, input, nameOf(inputs, input), shape, elements));
        }
        return reports;
    }

    private static List<InputReport> fastMode(Options o, Flat flat, Tensor[] point, Tensor[] inputs,
                                              List<Integer> checked, Tensor y, double[] f0) {
        Random random = new Random(o.seed);
        double[] v = gaussian(random, f0.length);
        List<Tensor> wrt = new ArrayList<>();
        for (int i : checked) {
            wrt.add(point[i]);
        }
        List<Tensor> grads = y.requiresGrad()
                ? Autograd.grad(List.of(y), wrt, List.of(Tensor.of(v, f0.length)), true, false, true)
                : Collections.nCopies(wrt.size(), null);
        List<InputReport> reports = new ArrayList<>();
        for (int c = 0; c < checked.size(); c++) {
            int input = checked.get(c);
            int[] shape = point[input].shape();
            double[] x = point[input].toDoubleArray();
            double[] u = gaussian(random, x.length);
            double[] g = grads.get(c) == null ? new double[x.length] : grads.get(c).toDoubleArray();
            double analytic = dot(g, u);
            Function<Double, Double> projected = t -> {
                double[] moved = x.clone();
                for (int j = 0; j < moved.length; j++) {
                    moved[j] += t * u[j];
                }
                Tensor[] args = point.clone();
                args[input] = Tensor.of(moved, shape);
                try (var scope = Autograd.noGrad()) {
                    return dot(v, flat.function().apply(args).toDoubleArray());
                }
            };
            double s0 = dot(v, f0);
            Differences d = new Differences(new double[] {projected.apply(o.eps)}, new double[] {projected.apply(-o.eps)},
                    new double[] {s0}, o.richardson ? new double[] {projected.apply(o.eps / 2)} : null,
                    o.richardson ? new double[] {projected.apply(-o.eps / 2)} : null, o.eps);
            List<Element> elements = List.of(judge(o, input, nameOf(inputs, input), new int[0], 0, new int[0], analytic, d, 0));
            reports.add(summarise(o, input, nameOf(inputs, input), shape, elements));
        }
        return reports;
    }

    /** Function values around one element: at +eps, -eps, 0, and +-eps/2 for Richardson. */
    private record Differences(double[] plus, double[] minus, double[] center, double[] halfPlus, double[] halfMinus,
                               double eps) {

        double central(int out) {
            double coarse = (plus[out] - minus[out]) / (2 * eps);
            if (halfPlus == null) {
                return coarse;
            }
            double fine = (halfPlus[out] - halfMinus[out]) / eps;
            return (4 * fine - coarse) / 3;
        }
    }

    private static Differences differences(Options o, Function<Tensor[], Tensor> f, Tensor[] args, int input,
                                           int[] shape, double[] x, int e, double[] f0) {
        double original = x[e];
        try (var scope = Autograd.noGrad()) {
            double[] plus = evaluate(f, args, input, shape, x, e, original + o.eps);
            double[] minus = evaluate(f, args, input, shape, x, e, original - o.eps);
            double[] halfPlus = o.richardson ? evaluate(f, args, input, shape, x, e, original + o.eps / 2) : null;
            double[] halfMinus = o.richardson ? evaluate(f, args, input, shape, x, e, original - o.eps / 2) : null;
            x[e] = original;
            return new Differences(plus, minus, f0, halfPlus, halfMinus, o.eps);
        }
    }

    private static double[] evaluate(Function<Tensor[], Tensor> f, Tensor[] args, int input, int[] shape, double[] x,
                                     int e, double value) {
        x[e] = value;
        args[input] = Tensor.of(x, shape);
        return f.apply(args).toDoubleArray();
    }

    private static Element judge(Options o, int input, String name, int[] index, int output, int[] outputIndex,
                                 double analytic, Differences d, int flatOut) {
        double numeric = d.central(flatOut);
        double abs = Math.abs(analytic - numeric);
        double rel = numeric != 0 ? abs / Math.abs(numeric) : (abs == 0 ? 0 : Double.POSITIVE_INFINITY);
        Status status;
        if (abs <= o.atol + o.rtol * Math.abs(numeric)) {
            status = Status.PASSED;
        } else {
            double right = (d.plus()[flatOut] - d.center()[flatOut]) / d.eps();
            double left = (d.center()[flatOut] - d.minus()[flatOut]) / d.eps();
            double tolerance = o.atol + o.rtol * Math.max(Math.abs(left), Math.abs(right));
            boolean oneSidedDisagree = Math.abs(right - left) > tolerance;
            boolean between = analytic >= Math.min(left, right) - tolerance && analytic <= Math.max(left, right) + tolerance;
            status = oneSidedDisagree && between ? Status.KINK : Status.FAILED;
        }
        return new Element(input, name, index, output, outputIndex, analytic, numeric, d.plus()[flatOut],
                d.minus()[flatOut], abs, rel, status);
    }

    private static InputReport summarise(Options o, int input, String name, int[] shape, List<Element> elements) {
        int failed = 0;
        int kinks = 0;
        double maxAbs = 0;
        double maxRel = 0;
        Element worst = null;
        int worstStatus = -1;
        double worstExcess = -1;
        for (Element e : elements) {
            failed += e.status() == Status.FAILED ? 1 : 0;
            kinks += e.status() == Status.KINK ? 1 : 0;
            maxAbs = Double.isNaN(e.absError()) || Double.isNaN(maxAbs) ? Double.NaN : Math.max(maxAbs, e.absError());
            if (e.numeric() != 0) {
                maxRel = Math.max(maxRel, e.relError());
            }
            // Failures outrank kinks, kinks outrank passes, then the furthest from tolerance.
            int statusRank = e.status() == Status.FAILED ? 2 : e.status() == Status.KINK ? 1 : 0;
            double excess = excess(e, o.atol, o.rtol);
            if (statusRank > worstStatus || (statusRank == worstStatus && excess > worstExcess)) {
                worstStatus = statusRank;
                worstExcess = excess;
                worst = e;
            }
        }
        boolean passed = failed == 0 && (!o.failOnKinks || kinks == 0);
        return new InputReport(input, name, shape, passed, elements.size(), failed, kinks, maxAbs, maxRel,
                worst == null ? new int[0] : worst.index(), worst == null ? new int[0] : worst.outputIndex(),
                worst == null ? 0 : worst.analytic(), worst == null ? 0 : worst.numeric(),
                Collections.unmodifiableList(elements));
    }

    /** {@code {output, index...}} of a position in the concatenation of the flattened outputs. */
    private static int[] outputPosition(List<int[]> shapes, int flat) {
        for (int k = 0; k < shapes.size(); k++) {
            int size = dev.autograd.internal.kernel.Shape.size(shapes.get(k));
            if (flat < size) {
                int[] index = unflatten(flat, shapes.get(k));
                int[] out = new int[index.length + 1];
                out[0] = k;
                System.arraycopy(index, 0, out, 1, index.length);
                return out;
            }
            flat -= size;
        }
        throw new IllegalStateException("internal: output position " + flat + " out of range");
    }

    private static int[] unflatten(int flat, int[] shape) {
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] > 0) {
                index[d] = flat % shape[d];
                flat /= shape[d];
            }
        }
        return index;
    }

    private static double[] gaussian(Random random, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextGaussian();
        }
        return v;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Remembers the names of the ops in the graph of {@code y}: the evidence for gradient coverage. */
    private static void recordOps(Tensor y, Set<String> into) {
        Node start = y.gradEdge();
        if (start == null) {
            return;
        }
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        java.util.ArrayDeque<Node> stack = new java.util.ArrayDeque<>();
        stack.push(start);
        seen.put(start, true);
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            into.add(node.name());
            for (Node next : node.next) {
                if (next != null && seen.put(next, true) == null) {
                    stack.push(next);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------ beyond first order

    /**
     * The function {@code inputs -> concat(flatten(v . df/d input_i))} with a fixed random v, differentiable
     * when its inputs require grad (the backward is recorded) and plain values otherwise.
     */
    private static Function<Tensor[], Tensor> gradientsOf(Function<Tensor[], Tensor> f, Tensor[] original, long seed) {
        Tensor[] upstream = new Tensor[1];
        return in -> {
            try (var scope = Autograd.enableGrad()) {
                Tensor[] args = in.clone();
                List<Tensor> wrt = new ArrayList<>();
                for (int i = 0; i < args.length; i++) {
                    if (original[i].requiresGrad()) {
                        if (!args[i].requiresGrad()) {
                            args[i] = args[i].detach().requiresGrad(true);
                        }
                        wrt.add(args[i]);
                    }
                }
                Tensor y = f.apply(args);
                if (upstream[0] == null) {
                    upstream[0] = Tensor.randn(new Random(seed), y.dtype(), y.shapeRef());
                    recordOps(y, OPS_CHECKED_SECOND_ORDER);
                }
                List<Tensor> grads = y.requiresGrad()
                        ? Autograd.grad(List.of(y), wrt, List.of(upstream[0]), true, true, true)
                        : Collections.nCopies(wrt.size(), null);
                List<Tensor> flat = new ArrayList<>();
                for (int i = 0; i < wrt.size(); i++) {
                    Tensor g = grads.get(i);
                    flat.add((g == null ? Tensor.zerosLike(wrt.get(i)) : g).reshape(-1));
                }
                return Tensor.concat(flat, 0);
            }
        };
    }

    private static Report jvpVjp(Options o, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        List<Integer> checked = new ArrayList<>();
        Tensor[] point = prepare(inputs, checked);
        Random random = new Random(o.seed);
        List<InputReport> reports = new ArrayList<>();
        for (int input : checked) {
            Tensor[] others = point.clone();
            Function<Tensor, Tensor> single = t -> {
                Tensor[] args = others.clone();
                args[input] = t;
                return f.apply(args);
            };
            Tensor u = Tensor.randn(random, point[input].shapeRef());
            Tensor y;
            try (var scope = Autograd.noGrad()) {
                y = single.apply(point[input]);
            }
            Tensor v = Tensor.randn(random, y.shapeRef());
            double forward = Functional.jvp(single, point[input], u).mul(v).sum().item();
            double reverse = Functional.vjp(single, point[input], v).mul(u).sum().item();
            double abs = Math.abs(forward - reverse);
            Status status = abs <= o.atol + o.rtol * Math.abs(forward) ? Status.PASSED : Status.FAILED;
            Element e = new Element(input, nameOf(inputs, input), new int[0], 0, new int[0], reverse, forward, Double.NaN,
                    Double.NaN, abs, forward != 0 ? abs / Math.abs(forward) : 0, status);
            reports.add(summarise(o, input, nameOf(inputs, input), point[input].shape(), List.of(e)));
        }
        return new Report("jvp-vjp", Collections.unmodifiableList(reports), o.mode, o.eps, o.atol, o.rtol);
    }

    private static Report repeatedBackward(Options o, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        List<Integer> checked = new ArrayList<>();
        Tensor[] point = prepare(inputs, checked);
        List<Tensor> wrt = new ArrayList<>();
        for (int i : checked) {
            wrt.add(point[i]);
        }
        Tensor y = f.apply(point);
        Tensor v = Tensor.randn(new Random(o.seed), y.dtype(), y.shapeRef());
        List<Tensor> first = Autograd.grad(List.of(y), wrt, List.of(v), true, false, true);
        List<Tensor> second = Autograd.grad(List.of(y), wrt, List.of(v), false, false, true);
        List<InputReport> reports = new ArrayList<>();
        for (int c = 0; c < checked.size(); c++) {
            int input = checked.get(c);
            int[] shape = point[input].shape();
            double[] a = first.get(c) == null ? new double[point[input].numel()] : first.get(c).toDoubleArray();
            double[] b = second.get(c) == null ? new double[point[input].numel()] : second.get(c).toDoubleArray();
            List<Element> elements = new ArrayList<>();
            for (int e = 0; e < a.length; e++) {
                double abs = Math.abs(a[e] - b[e]);
                Status status = abs <= o.atol + o.rtol * Math.abs(b[e]) ? Status.PASSED : Status.FAILED;
                elements.add(new Element(input, nameOf(inputs, input), unflatten(e, shape), 0, new int[0], a[e], b[e],
                        Double.NaN, Double.NaN, abs, b[e] != 0 ? abs / Math.abs(b[e]) : 0, status));
            }
            reports.add(summarise(o, input, nameOf(inputs, input), shape, elements));
        }
        return new Report("repeated backward", Collections.unmodifiableList(reports), o.mode, o.eps, o.atol, o.rtol);
    }
}
