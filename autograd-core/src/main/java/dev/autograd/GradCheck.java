package dev.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the gradients the engine computes against central finite differences, for use in your own
 * tests:
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(new Random(1), 3, 4).requiresGrad(true);
 * Tensor w = Tensor.randn(new Random(2), 4, 2).requiresGrad(true);
 * GradCheck.assertGradientsMatch(in -> in[0].matmul(in[1]).tanh(), x, w);
 * }</pre>
 *
 * <p>For every input that requires grad and every element {@code x_j} of it, the numeric derivative of
 * every output element {@code y_i} is {@code (f(x + eps e_j) - f(x - eps e_j))_i / (2 eps)}, whose error
 * is {@code O(eps^2)}. The analytic one is row {@code i} of the Jacobian, obtained by one backward pass
 * per output element with a one-hot upstream gradient. The whole Jacobian is compared; an entry passes
 * when {@code |analytic - numeric| <= atol + rtol * |numeric|}.
 *
 * <p>Only FLOAT64 is accepted: with float32's 24-bit mantissa the difference {@code f(x + eps) - f(x - eps)}
 * keeps only a few significant digits for any {@code eps} small enough to make the truncation error
 * negligible, so a failure could not be told apart from rounding noise. Convert with
 * {@code to(DType.FLOAT64)} first.
 *
 * <p>{@code f} must be deterministic and must not modify its inputs. Cost: {@code 2 n} forward passes
 * and {@code m} backward passes for {@code n} input elements and {@code m} output elements.
 */
public final class GradCheck {

    private static final Logger LOG = LoggerFactory.getLogger(GradCheck.class);
    private static final Options DEFAULTS = new Options(1e-6, 1e-5, 1e-3);

    private GradCheck() {
    }

    /**
     * Checks {@code f} at {@code inputs} with the default tolerances (eps 1e-6, atol 1e-5, rtol 1e-3).
     *
     * @param f      the function; receives copies of the inputs in order
     * @param inputs the point to check at; those that require grad are checked
     * @return the per-input report
     * @throws IllegalArgumentException when an input is FLOAT32, none requires grad, or f's output is not
     *                                  FLOAT64
     */
    public static Report check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return DEFAULTS.check(f, inputs);
    }

    /**
     * Checks {@code f} at {@code inputs} with the default tolerances and throws when a gradient is wrong.
     *
     * @param f      the function; receives copies of the inputs in order
     * @param inputs the point to check at; those that require grad are checked
     * @throws AssertionError when some analytic derivative differs from its numeric estimate beyond the
     *                        tolerances; the message names the input, the index, both values and the
     *                        tolerances
     */
    public static void assertGradientsMatch(Function<Tensor[], Tensor> f, Tensor... inputs) {
        DEFAULTS.assertGradientsMatch(f, inputs);
    }

    /**
     * The default options (eps 1e-6, atol 1e-5, rtol 1e-3), to be changed fluently:
     * {@code GradCheck.options().atol(1e-7).check(f, x)}.
     *
     * @return the defaults
     */
    public static Options options() {
        return DEFAULTS;
    }

    /** Immutable settings of a check; each setter returns a new instance. */
    public static final class Options {
        private final double eps;
        private final double atol;
        private final double rtol;

        private Options(double eps, double atol, double rtol) {
            if (!(eps > 0) || !(atol >= 0) || !(rtol >= 0)) {
                throw new IllegalArgumentException("GradCheck: eps must be > 0 and atol, rtol >= 0, got eps " + eps
                        + ", atol " + atol + ", rtol " + rtol);
            }
            this.eps = eps;
            this.atol = atol;
            this.rtol = rtol;
        }

        /**
         * @param eps the finite-difference step
         * @return options with this step
         */
        public Options eps(double eps) {
            return new Options(eps, atol, rtol);
        }

        /**
         * @param atol the absolute tolerance
         * @return options with this absolute tolerance
         */
        public Options atol(double atol) {
            return new Options(eps, atol, rtol);
        }

        /**
         * @param rtol the tolerance relative to the numeric value
         * @return options with this relative tolerance
         */
        public Options rtol(double rtol) {
            return new Options(eps, atol, rtol);
        }

        /**
         * Checks {@code f} at {@code inputs} with these options.
         *
         * @param f      the function; receives copies of the inputs in order
         * @param inputs the point to check at; those that require grad are checked
         * @return the per-input report
         */
        public Report check(Function<Tensor[], Tensor> f, Tensor... inputs) {
            return run(this, f, inputs);
        }

        /**
         * Checks {@code f} at {@code inputs} with these options and throws when a gradient is wrong.
         *
         * @param f      the function; receives copies of the inputs in order
         * @param inputs the point to check at; those that require grad are checked
         * @throws AssertionError naming the worst element of every failing input
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
         * checked against finite differences of those gradients. This verifies every backward rule's own
         * backward, which higher-order derivatives ({@link Functional#hessian}, {@link Functional#hvp})
         * rely on.
         *
         * @param f      the function
         * @param inputs the point; those that require grad are checked
         * @return the report; input i's rows compare d(grad)/d(input i)
         */
        public Report checkSecondOrder(Function<Tensor[], Tensor> f, Tensor... inputs) {
            return run(this, gradientsOf(f, inputs), inputs);
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

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "eps=%.1e, atol=%.1e, rtol=%.1e", eps, atol, rtol);
        }
    }

    /**
     * Second-order check with the default tolerances; see {@link Options#checkSecondOrder}.
     *
     * @param f      the function
     * @param inputs the point; those that require grad are checked
     * @return the report
     */
    public static Report checkSecondOrder(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return DEFAULTS.checkSecondOrder(f, inputs);
    }

    /**
     * Second-order check with the default tolerances that throws when a second derivative is wrong.
     *
     * @param f      the function
     * @param inputs the point; those that require grad are checked
     * @throws AssertionError naming the worst element of every failing input
     */
    public static void assertSecondOrderGradientsMatch(Function<Tensor[], Tensor> f, Tensor... inputs) {
        DEFAULTS.assertSecondOrderGradientsMatch(f, inputs);
    }

    /**
     * The function {@code inputs -> concat(flatten(v . df/d input_i))} with a fixed random v, differentiable
     * when its inputs require grad (the backward is recorded) and plain values otherwise.
     */
    private static Function<Tensor[], Tensor> gradientsOf(Function<Tensor[], Tensor> f, Tensor[] original) {
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
                    upstream[0] = Tensor.randn(new java.util.Random(0x5EED), y.dtype(), y.shapeRef());
                }
                List<Tensor> grads = y.requiresGrad()
                        ? Autograd.grad(List.of(y), wrt, List.of(upstream[0]), true, true, true)
                        : java.util.Collections.nCopies(wrt.size(), null);
                List<Tensor> flat = new ArrayList<>();
                for (int i = 0; i < wrt.size(); i++) {
                    Tensor g = grads.get(i);
                    flat.add((g == null ? Tensor.zerosLike(wrt.get(i)) : g).reshape(-1));
                }
                return Tensor.concat(flat, 0);
            }
        };
    }

    /**
     * The result of a check.
     *
     * @param inputs one entry per input that requires grad
     * @param eps    the step used
     * @param atol   the absolute tolerance used
     * @param rtol   the relative tolerance used
     */
    public record Report(List<InputReport> inputs, double eps, double atol, double rtol) {

        /** @return whether every checked element of every input is within tolerance */
        public boolean passed() {
            return inputs.stream().allMatch(InputReport::passed);
        }

        String failureMessage() {
            StringBuilder sb = new StringBuilder("GradCheck: analytic and numeric gradients differ\n");
            for (InputReport r : inputs) {
                if (!r.passed()) {
                    sb.append(String.format(Locale.ROOT,
                            "  input %d (shape %s): %d of %d Jacobian entries out of tolerance; worst at index %s"
                                    + " (output element %s): analytic %.9g vs numeric %.9g, |difference| %.3e >"
                                    + " atol %.1e + rtol %.1e * |numeric|%n",
                            r.inputIndex(), Shapes.format(r.shape()), r.failed(), r.checked(),
                            Arrays.toString(r.worstIndex()), Arrays.toString(r.worstOutputIndex()), r.analytic(),
                            r.numeric(), Math.abs(r.analytic() - r.numeric()), atol, rtol));
                }
            }
            return sb.append(this).toString();
        }

        /** @return a table with one row per checked input */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "GradCheck %s (eps=%.1e, atol=%.1e, rtol=%.1e)%n",
                    passed() ? "passed" : "FAILED", eps, atol, rtol));
            sb.append(String.format(Locale.ROOT, "%-6s %-12s %8s %7s %12s %12s %-12s %-10s %16s %16s%n", "input",
                    "shape", "entries", "failed", "max abs err", "max rel err", "worst index", "output", "analytic",
                    "numeric"));
            for (InputReport r : inputs) {
                sb.append(String.format(Locale.ROOT, "%-6d %-12s %8d %7d %12.3e %12.3e %-12s %-10s %16.9g %16.9g%n",
                        r.inputIndex(), Shapes.format(r.shape()), r.checked(), r.failed(), r.maxAbsError(),
                        r.maxRelError(), Arrays.toString(r.worstIndex()), Arrays.toString(r.worstOutputIndex()),
                        r.analytic(), r.numeric()));
            }
            return sb.toString();
        }
    }

    /**
     * The comparison for one input.
     *
     * @param inputIndex       position of the input in the argument list
     * @param shape            the input's shape
     * @param passed           whether every Jacobian entry is within tolerance
     * @param checked          number of Jacobian entries compared (input elements times output elements)
     * @param failed           number of entries out of tolerance
     * @param maxAbsError      the largest {@code |analytic - numeric|}
     * @param maxRelError      the largest {@code |analytic - numeric| / |numeric|} (over entries with a
     *                         non-zero numeric value)
     * @param worstIndex       index into the input of the entry furthest outside (or closest to) tolerance
     * @param worstOutputIndex index into the output of that entry
     * @param analytic         the analytic derivative there
     * @param numeric          the numeric derivative there
     */
    public record InputReport(int inputIndex, int[] shape, boolean passed, int checked, int failed,
                              double maxAbsError, double maxRelError, int[] worstIndex, int[] worstOutputIndex,
                              double analytic, double numeric) {
    }

    private static Report run(Options options, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        List<Integer> checkedInputs = new ArrayList<>();
        Tensor[] point = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("GradCheck: input " + i + " (shape " + Shapes.format(inputs[i].shapeRef())
                        + ") is FLOAT32. Finite differences in float32 cannot verify a gradient: with a 24-bit"
                        + " mantissa, f(x + eps) - f(x - eps) keeps only a few significant digits for any eps small"
                        + " enough to make the truncation error negligible. Check in FLOAT64 (input.to(DType.FLOAT64)).");
            }
            if (inputs[i].requiresGrad()) {
                checkedInputs.add(i);
            }
            point[i] = inputs[i].detach().copy().requiresGrad(inputs[i].requiresGrad());
        }
        if (checkedInputs.isEmpty()) {
            throw new IllegalArgumentException("GradCheck: no input requires grad, so there is nothing to check;"
                    + " call requiresGrad(true) on the inputs whose gradients you want checked");
        }

        Tensor output = f.apply(point);
        if (output.dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException("GradCheck: the function returned a FLOAT32 tensor; compute in FLOAT64");
        }
        int outputs = output.numel();
        double[][][] analytic = analyticJacobian(output, point, checkedInputs);

        List<InputReport> reports = new ArrayList<>();
        for (int c = 0; c < checkedInputs.size(); c++) {
            int inputIndex = checkedInputs.get(c);
            double[][] numeric = numericJacobian(options.eps, f, point, inputIndex, outputs);
            reports.add(compare(options, inputIndex, point[inputIndex].shapeRef(), output.shapeRef(),
                    analytic[c], numeric));
        }
        Report report = new Report(Collections.unmodifiableList(reports), options.eps, options.atol, options.rtol);
        LOG.debug("{}", report);
        return report;
    }

    /** {@code [input][outputElement][inputElement]}: one backward per output element, one-hot upstream. */
    private static double[][][] analyticJacobian(Tensor output, Tensor[] point, List<Integer> checkedInputs) {
        int outputs = output.numel();
        double[][][] jacobian = new double[checkedInputs.size()][outputs][];
        List<Tensor> wrt = new ArrayList<>();
        for (int i : checkedInputs) {
            wrt.add(point[i]);
        }
        for (int o = 0; o < outputs; o++) {
            List<Tensor> grads = null;
            if (output.requiresGrad()) {
                double[] oneHot = new double[outputs];
                oneHot[o] = 1;
                grads = Autograd.grad(List.of(output), wrt, List.of(Tensor.of(oneHot, output.shapeRef())),
                        true, false, true);
            }
            for (int c = 0; c < wrt.size(); c++) {
                Tensor g = grads == null ? null : grads.get(c);
                jacobian[c][o] = g == null ? new double[wrt.get(c).numel()] : g.toDoubleArray();
            }
        }
        return jacobian;
    }

    /** {@code [outputElement][inputElement]} by central differences, without recording graphs. */
    private static double[][] numericJacobian(double eps, Function<Tensor[], Tensor> f, Tensor[] point, int input,
                                              int outputs) {
        double[] x = point[input].toDoubleArray();
        double[][] jacobian = new double[outputs][x.length];
        Tensor[] args = point.clone();
        try (var scope = Autograd.noGrad()) {
            for (int e = 0; e < x.length; e++) {
                double original = x[e];
                x[e] = original + eps;
                args[input] = Tensor.of(x, point[input].shapeRef());
                double[] plus = f.apply(args).toDoubleArray();
                x[e] = original - eps;
                args[input] = Tensor.of(x, point[input].shapeRef());
                double[] minus = f.apply(args).toDoubleArray();
                x[e] = original;
                for (int o = 0; o < outputs; o++) {
                    jacobian[o][e] = (plus[o] - minus[o]) / (2 * eps);
                }
            }
        }
        return jacobian;
    }

    private static InputReport compare(Options options, int inputIndex, int[] inputShape, int[] outputShape,
                                       double[][] analytic, double[][] numeric) {
        int checked = 0;
        int failed = 0;
        double maxAbs = 0;
        double maxRel = 0;
        double worstRatio = -1;
        int worstO = 0;
        int worstE = 0;
        for (int o = 0; o < analytic.length; o++) {
            for (int e = 0; e < analytic[o].length; e++) {
                double a = analytic[o][e];
                double n = numeric[o][e];
                double abs = Math.abs(a - n);
                double allowed = options.atol + options.rtol * Math.abs(n);
                // NaN on either side is a failure, never a silent pass.
                boolean ok = abs <= allowed;
                double ratio = Double.isNaN(abs) ? Double.POSITIVE_INFINITY : abs / Math.max(allowed, Double.MIN_NORMAL);
                checked++;
                failed += ok ? 0 : 1;
                maxAbs = Double.isNaN(abs) ? Double.NaN : Math.max(maxAbs, abs);
                if (n != 0) {
                    maxRel = Math.max(maxRel, abs / Math.abs(n));
                }
                if (ratio > worstRatio) {
                    worstRatio = ratio;
                    worstO = o;
                    worstE = e;
                }
            }
        }
        double a = analytic.length == 0 || analytic[0].length == 0 ? 0 : analytic[worstO][worstE];
        double n = analytic.length == 0 || analytic[0].length == 0 ? 0 : numeric[worstO][worstE];
        return new InputReport(inputIndex, inputShape.clone(), failed == 0, checked, failed, maxAbs, maxRel,
                unflatten(worstE, inputShape), unflatten(worstO, outputShape), a, n);
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
}
