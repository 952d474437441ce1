package dev.autograd.examples;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.optim.Adam;
import dev.autograd.nn.optim.Optimizer;
import dev.autograd.nn.optim.RMSprop;
import dev.autograd.nn.optim.SGD;
import java.awt.Color;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Five optimizers of {@code dev.autograd.nn.optim} on three classic surfaces of two variables, drawn over
 * their contour plots: plain SGD, SGD with momentum 0.9, Nesterov momentum 0.9, RMSprop and Adam (PyTorch's
 * defaults otherwise), each moving one parameter tensor {@code p = (x, y)} from the same start, the surface
 * written with tensor ops and differentiated by the engine.
 *
 * <ul>
 *   <li><b>Saddle</b> {@code f = x^2 - y^2} for {@code |y| <= 1}, continued by {@code (|y| - 2)^2 - 2} (same
 *       value and slope at {@code |y| = 1}, minima {@code f = -2} at {@code y = +-2}, so that escaping ends
 *       somewhere). From {@code (1, 0.001)}, next to the saddle's attracting direction, plain gradient descent
 *       first slides to the saddle point and leaves it only as fast as {@code y_k = 0.001 (1 + 2 lr)^k} grows.
 *       Criterion: escaped when {@code f < -0.5}. All optimizers use lr 0.01.</li>
 *   <li><b>Rosenbrock</b> {@code (1 - x)^2 + 100 (y - x^2)^2} from {@code (-1.5, 2)}: a curved, narrow valley.
 *       Criterion: within 0.01 of the minimum {@code (1, 1)}. One learning rate cannot serve all five here (SGD
 *       diverges above 2e-3, Adam crawls below 1e-2), so each uses the rate of the grid that reaches the
 *       criterion in the fewest iterations.</li>
 *   <li><b>Local minimum</b> {@code x^4 - 2x^2 + x/2 + y^2}, a tilted double well, from {@code (2, 1.5)} on the
 *       outer wall of the shallower (local) basin. Criterion: within 0.01 of the global minimum; a run that ends
 *       within 0.01 of the local one is reported stuck. All optimizers use lr 0.01.</li>
 * </ul>
 *
 * <p>For every surface the program also prints a sweep over the learning-rate grid: the iterations each
 * optimizer needs at each rate, so that the plotted comparison can be judged against its sensitivity to the
 * rate. Files go to {@code out/optimizer-trajectories/}: {@code saddle.png}, {@code rosenbrock.png},
 * {@code local-minimum.png} and {@code trajectories.csv}. Run:
 * {@code ./mvnw -q -pl autograd-examples -am compile exec:java -Dexample=dev.autograd.examples.OptimizerTrajectories}
 */
public final class OptimizerTrajectories {

    /** Where {@link #main} writes its files, relative to the working directory. */
    public static final Path DEFAULT_OUTPUT = Path.of("out", "optimizer-trajectories");

    /** The optimizers, in the order of the tables and legends. */
    public static final List<String> OPTIMIZERS = List.of("SGD", "SGD + momentum", "Nesterov", "RMSprop", "Adam");

    /** Momentum of the two momentum variants, PyTorch users' usual 0.9. */
    public static final double MOMENTUM = 0.9;

    /** A run leaving this box is reported diverged (and stopped). */
    private static final double DIVERGED = 1e6;

    private static final Color[] COLOURS = {new Color(0xD62728), new Color(0xFF7F0E), new Color(0x8C2D9C),
            new Color(0x2CA02C), new Color(0x1F77B4)};

    private OptimizerTrajectories() {
    }

    /** The three surfaces, each with its start, its criterion and how it is drawn. */
    public enum Surface {
        /** {@code x^2 - y^2} near the saddle point, walled beyond {@code |y| = 1}; escaped when {@code f < -0.5}. */
        SADDLE("saddle", "Saddle point", "f = x\u00b2 \u2212 y\u00b2 for |y| \u2264 1, (|y| \u2212 2)\u00b2 \u2212 2 beyond",
                1, 1e-3, -2.2, 2.2, -2.6, 2.6) {
            @Override
            public Tensor value(Tensor x, Tensor y) {
                Tensor inside = y.square().neg();
                Tensor outside = y.abs().sub(2).square().sub(2);
                return x.square().add(Tensor.where(y.abs().le(1), inside, outside));
            }

            @Override
            boolean reached(double x, double y, double f) {
                return f < ESCAPED;
            }

            @Override
            String criterion() {
                return "escaped: f < " + ESCAPED;
            }

            @Override
            double[] levels() {
                // Steps of 0.25 where the paths go (f < 1), of 0.5 on the walls.
                double[] l = new double[19];
                for (int i = 0; i < l.length; i++) {
                    l[i] = i < 11 ? -1.75 + 0.25 * i : 0.5 * (i - 9);
                }
                return l;
            }
        },
        /** Rosenbrock's banana valley; reached when within 0.01 of {@code (1, 1)}. */
        ROSENBROCK("rosenbrock", "Rosenbrock's valley", "f = (1 \u2212 x)\u00b2 + 100 (y \u2212 x\u00b2)\u00b2",
                -1.5, 2, -2, 2, -1, 3) {
            @Override
            public Tensor value(Tensor x, Tensor y) {
                return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
            }

            @Override
            boolean reached(double x, double y, double f) {
                return Math.hypot(x - 1, y - 1) < EPS;
            }

            @Override
            String criterion() {
                return "within " + EPS + " of the minimum (1, 1)";
            }

            @Override
            double[] levels() {
                // Log-spaced: the valley floor lies below 1, the walls reach 2500.
                double[] l = new double[21];
                for (int i = 0; i < l.length; i++) {
                    l[i] = Math.pow(10, -1.5 + 0.25 * i);
                }
                return l;
            }
        },
        /** A tilted double well; reached when within 0.01 of the global minimum, stuck near the local one. */
        LOCAL_MINIMUM("local-minimum", "A local minimum beside the global one",
                "f = x\u2074 \u2212 2x\u00b2 + x/2 + y\u00b2", 2, 1.5, -2, 2.4, -2, 2) {
            @Override
            public Tensor value(Tensor x, Tensor y) {
                return x.pow(4).sub(x.square().mul(2)).add(x.mul(0.5)).add(y.square());
            }

            @Override
            boolean reached(double x, double y, double f) {
                return Math.hypot(x - GLOBAL_X, y) < EPS;
            }

            @Override
            String criterion() {
                return String.format(Locale.ROOT, "within %s of the global minimum (%.4f, 0)", EPS, GLOBAL_X);
            }

            @Override
            double[] levels() {
                // Log-spaced above the global minimum, so that both basins show their rings.
                double fMin = fOfX(GLOBAL_X);
                double[] l = new double[18];
                for (int i = 0; i < l.length; i++) {
                    l[i] = fMin + Math.pow(10, -1.5 + 0.2 * i);
                }
                return l;
            }
        };

        /** The escape threshold of {@link #SADDLE}. */
        public static final double ESCAPED = -0.5;
        /** How close to a minimum counts as there, for {@link #ROSENBROCK} and {@link #LOCAL_MINIMUM}. */
        public static final double EPS = 0.01;
        /** The global minimum of {@link #LOCAL_MINIMUM}: the root of {@code 4x^3 - 4x + 1/2} near -1.06. */
        public static final double GLOBAL_X = newton(-1.0);
        /** Its local minimum: the root near 0.93. */
        public static final double LOCAL_X = newton(1.0);

        private final String file;
        private final String title;
        private final String formula;
        private final double startX;
        private final double startY;
        private final double xMin;
        private final double xMax;
        private final double yMin;
        private final double yMax;

        Surface(String file, String title, String formula, double startX, double startY, double xMin, double xMax,
                double yMin, double yMax) {
            this.file = file;
            this.title = title;
            this.formula = formula;
            this.startX = startX;
            this.startY = startY;
            this.xMin = xMin;
            this.xMax = xMax;
            this.yMin = yMin;
            this.yMax = yMax;
        }

        /**
         * The surface, elementwise, written with tensor ops so that the engine differentiates it.
         *
         * @param x first coordinates
         * @param y second coordinates, of a shape that broadcasts with {@code x}
         * @return {@code f(x, y)}
         */
        public abstract Tensor value(Tensor x, Tensor y);

        abstract boolean reached(double x, double y, double f);

        abstract String criterion();

        abstract double[] levels();

        /** @return the start, {@code {x, y}} */
        public double[] start() {
            return new double[] {startX, startY};
        }

        /** @return the PNG file's name without extension */
        public String fileName() {
            return file;
        }

        private static double fOfX(double x) {
            return x * x * x * x - 2 * x * x + 0.5 * x;
        }

        private static double newton(double x) {
            for (int i = 0; i < 50; i++) {
                x -= (4 * x * x * x - 4 * x + 0.5) / (12 * x * x - 4);
            }
            return x;
        }
    }

    /**
     * The settings.
     *
     * @param saddleIterations     the iteration budget on the saddle
     * @param rosenbrockIterations the iteration budget on Rosenbrock's function
     * @param localIterations      the iteration budget on the double well
     * @param commonLearningRate   the learning rate of all five on the saddle and the double well
     * @param learningRates        the grid swept on every surface; Rosenbrock's plotted rates are picked from it
     */
    public record Config(int saddleIterations, int rosenbrockIterations, int localIterations, double commonLearningRate,
                         double[] learningRates) {

        /** Checks the values. */
        public Config {
            if (saddleIterations < 1 || rosenbrockIterations < 1 || localIterations < 1 || !(commonLearningRate > 0)
                    || !Double.isFinite(commonLearningRate) || learningRates.length == 0
                    || Arrays.stream(learningRates).anyMatch(r -> !(r > 0) || !Double.isFinite(r))) {
                throw new IllegalArgumentException("OptimizerTrajectories.Config: need iteration budgets >= 1 and finite"
                        + " positive learning rates, got " + saddleIterations + ", " + rosenbrockIterations + ", "
                        + localIterations + ", " + commonLearningRate + ", " + Arrays.toString(learningRates));
            }
            learningRates = learningRates.clone();
        }

        /** @return a copy of the grid */
        @Override
        public double[] learningRates() {
            return learningRates.clone();
        }

        /** @return 400, 10000 and 1000 iterations, lr 0.01, the grid 1e-4, 2e-4, 5e-4, ..., 0.05, 0.1 */
        public static Config defaults() {
            return new Config(400, 10_000, 1_000, 0.01,
                    new double[] {1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1});
        }

        int iterations(Surface s) {
            return switch (s) {
                case SADDLE -> saddleIterations;
                case ROSENBROCK -> rosenbrockIterations;
                case LOCAL_MINIMUM -> localIterations;
            };
        }
    }

    /**
     * One optimizer's run on one surface.
     *
     * @param surface      the surface
     * @param optimizer    one of {@link #OPTIMIZERS}
     * @param learningRate its learning rate
     * @param xs           x at iterations 0 (the start), 1, ...
     * @param ys           y at the same iterations
     * @param fs           f at the same iterations
     * @param reachedAt    the first iteration at which the surface's criterion held, or -1
     * @param diverged     whether the run left the box {@code |x|, |y| < 1e6} (or became NaN) and was stopped
     */
    public record Run(Surface surface, String optimizer, double learningRate, double[] xs, double[] ys, double[] fs,
                      int reachedAt, boolean diverged) {

        /** @return the number of iterations run */
        public int iterations() {
            return xs.length - 1;
        }

        /** @return whether the run ended within {@link Surface#EPS} of the double well's local minimum */
        public boolean stuckInLocalMinimum() {
            int last = xs.length - 1;
            return surface == Surface.LOCAL_MINIMUM && Math.hypot(xs[last] - Surface.LOCAL_X, ys[last]) < Surface.EPS;
        }

        /** @return "332", "did not reach in 400", "stuck in the local minimum", or "diverged at 17" */
        public String outcome() {
            if (reachedAt >= 0) {
                return Integer.toString(reachedAt);
            }
            if (diverged) {
                return "diverged at " + iterations();
            }
            return stuckInLocalMinimum() ? "stuck in the local minimum" : "did not reach in " + iterations();
        }
    }

    /**
     * Everything the program measured and wrote.
     *
     * @param runs  per surface, the plotted runs in the order of {@link #OPTIMIZERS}
     * @param sweep per surface and optimizer, the first iteration meeting the criterion at each rate of the grid
     *              (-1: not within the budget, -2: diverged)
     * @param files the files written
     */
    public record Result(Map<Surface, List<Run>> runs, Map<Surface, Map<String, int[]>> sweep, List<Path> files) {
    }

    /**
     * Runs the defaults, writing to {@link #DEFAULT_OUTPUT}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run(DEFAULT_OUTPUT, Config.defaults(), System.out);
    }

    /**
     * Runs every optimizer on every surface, prints the tables, draws the pictures and writes the CSV.
     *
     * @param outputDir where to write; created if needed
     * @param config    the settings
     * @param out       where to print
     * @return the runs and the files
     */
    public static Result run(Path outputDir, Config config, PrintStream out) {
        Path dir = ExampleFiles.prepare(outputDir);
        List<Path> files = new ArrayList<>();
        Map<Surface, List<Run>> runs = new EnumMap<>(Surface.class);
        Map<Surface, Map<String, int[]>> sweeps = new EnumMap<>(Surface.class);
        double[] grid = config.learningRates();
        StringBuilder csv = new StringBuilder("surface,optimizer,learning_rate,iteration,x,y,f\n");
        for (Surface s : Surface.values()) {
            int budget = config.iterations(s);
            out.printf(Locale.ROOT, "== %s: %s, from (%s, %s), %d iterations; criterion: %s%n", s.title, s.formula,
                    s.startX, s.startY, budget, s.criterion());
            Map<String, int[]> sweep = new LinkedHashMap<>();
            for (String name : OPTIMIZERS) {
                int[] at = new int[grid.length];
                for (int i = 0; i < grid.length; i++) {
                    Run r = optimise(s, name, grid[i], budget, true);
                    at[i] = r.reachedAt() >= 0 ? r.reachedAt() : r.diverged() ? -2 : -1;
                }
                sweep.put(name, at);
            }
            sweeps.put(s, sweep);
            List<Run> plotted = new ArrayList<>();
            for (String name : OPTIMIZERS) {
                double lr = s == Surface.ROSENBROCK ? fastest(grid, sweep.get(name)) : config.commonLearningRate();
                Run r = optimise(s, name, lr, budget, false);
                plotted.add(r);
                for (int k = 0; k < r.xs().length; k++) {
                    csv.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%.10g,%.10g,%.10g%n", s.file, name, lr, k,
                            r.xs()[k], r.ys()[k], r.fs()[k]));
                }
            }
            runs.put(s, List.copyOf(plotted));
            out.print(table(s, plotted));
            out.print(sweepTable(grid, sweep));
            Path png = draw(s, plotted, budget, dir.resolve(s.fileName() + ".png"));
            files.add(png);
            out.println("wrote " + png);
            out.println();
        }
        Path csvFile = ExampleFiles.writeText(dir.resolve("trajectories.csv"), csv.toString());
        files.add(csvFile);
        out.println("wrote " + csvFile + " (every iterate of the plotted runs)");
        out.println("files are in " + dir);
        return new Result(runs, sweeps, List.copyOf(files));
    }

    /**
     * Runs one optimizer on one surface: {@code p = (x, y)} is a leaf tensor, {@code f} is computed from it with
     * tensor ops, {@code backward()} fills {@code p.grad()}, and the optimizer steps, as in any training loop.
     *
     * @param stopAtCriterion stop at the first iterate that meets the criterion (for the sweep)
     */
    static Run optimise(Surface s, String optimizer, double lr, int iterations, boolean stopAtCriterion) {
        Tensor p = Tensor.of(s.start(), 2).requiresGrad(true);
        Optimizer opt = switch (optimizer) {
            case "SGD" -> new SGD(List.of(p), lr);
            case "SGD + momentum" -> new SGD(List.of(p), lr, MOMENTUM);
            case "Nesterov" -> new SGD(List.of(p), lr, MOMENTUM, 0, 0, true);
            case "RMSprop" -> new RMSprop(List.of(p), lr);
            case "Adam" -> new Adam(List.of(p), lr);
            default -> throw new IllegalArgumentException("OptimizerTrajectories.optimise: unknown optimizer '" + optimizer
                    + "'; use one of " + OPTIMIZERS);
        };
        double[] xs = new double[iterations + 1];
        double[] ys = new double[iterations + 1];
        double[] fs = new double[iterations + 1];
        int reachedAt = -1;
        for (int k = 0; ; k++) {
            opt.zeroGrad();
            Tensor f = s.value(p.select(0, 0), p.select(0, 1));
            double[] xy = p.toDoubleArray();
            xs[k] = xy[0];
            ys[k] = xy[1];
            fs[k] = f.item();
            if (!Double.isFinite(fs[k]) || Math.abs(xy[0]) > DIVERGED || Math.abs(xy[1]) > DIVERGED) {
                return new Run(s, optimizer, lr, Arrays.copyOf(xs, k + 1), Arrays.copyOf(ys, k + 1),
                        Arrays.copyOf(fs, k + 1), reachedAt, true);
            }
            if (reachedAt < 0 && s.reached(xy[0], xy[1], fs[k])) {
                reachedAt = k;
            }
            if (k == iterations || (stopAtCriterion && reachedAt >= 0)) {
                return new Run(s, optimizer, lr, Arrays.copyOf(xs, k + 1), Arrays.copyOf(ys, k + 1),
                        Arrays.copyOf(fs, k + 1), reachedAt, false);
            }
            f.backward();
            opt.step();
        }
    }

    /** The rate with the fewest iterations to the criterion (the smaller on a tie); the smallest when none reaches. */
    private static double fastest(double[] grid, int[] reachedAt) {
        int best = -1;
        for (int i = 0; i < grid.length; i++) {
            if (reachedAt[i] >= 0 && (best < 0 || reachedAt[i] < reachedAt[best])) {
                best = i;
            }
        }
        return grid[best < 0 ? 0 : best];
    }

    private static String table(Surface s, List<Run> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-15s  %-8s  %-28s  %-20s  %s%n", "optimizer", "lr",
                "iterations to the criterion", "final (x, y)", "final f"));
        for (Run r : runs) {
            int last = r.iterations();
            sb.append(String.format(Locale.ROOT, "%-15s  %-8s  %-28s  %-20s  %.4g%n", r.optimizer(), rate(r.learningRate()),
                    r.outcome(), String.format(Locale.ROOT, "(%.4f, %.4f)", r.xs()[last], r.ys()[last]), r.fs()[last]));
        }
        return sb.toString();
    }

    private static String sweepTable(double[] grid, Map<String, int[]> sweep) {
        StringBuilder sb = new StringBuilder("iterations to the criterion at each learning rate (- = not within the"
                + " budget, div = diverged):\n");
        sb.append(String.format(Locale.ROOT, "%-15s", "lr"));
        for (double lr : grid) {
            sb.append(String.format(Locale.ROOT, "%7s", rate(lr)));
        }
        sb.append('\n');
        sweep.forEach((name, at) -> {
            sb.append(String.format(Locale.ROOT, "%-15s", name));
            for (int a : at) {
                sb.append(String.format(Locale.ROOT, "%7s", a >= 0 ? Integer.toString(a) : a == -2 ? "div" : "-"));
            }
            sb.append('\n');
        });
        return sb.toString();
    }

    private static String rate(double lr) {
        String s = String.format(Locale.ROOT, "%.6f", lr).replaceAll("0+$", "");
        return lr < 1e-3 ? String.format(Locale.ROOT, "%.0e", lr) : s;
    }

    private static Path draw(Surface s, List<Run> runs, int budget, Path file) {
        ContourPlot.Field field = (xs, ys) -> {
            try (var scope = Autograd.noGrad()) {
                return s.value(Tensor.of(xs, xs.length), Tensor.of(ys, ys.length)).toDoubleArray();
            }
        };
        boolean common = runs.stream().mapToDouble(Run::learningRate).distinct().count() == 1;
        String subtitle = s.formula + "   \u2022   start (" + s.startX + ", " + s.startY + "), " + budget + " iterations"
                + (common ? ", lr " + rate(runs.get(0).learningRate()) + " for all" : ", each optimizer at its fastest lr of the grid")
                + "   \u2022   criterion: " + s.criterion();
        ContourPlot plot = new ContourPlot(s.title + ": five optimizers from the same start", subtitle, s.xMin, s.xMax,
                s.yMin, s.yMax, field, s.levels());
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            String note;
            if (r.reachedAt() >= 0) {
                note = (s == Surface.SADDLE ? "escaped" : "reached") + " in " + r.reachedAt() + " iterations";
            } else if (r.diverged()) {
                note = "diverged at iteration " + r.iterations();
            } else {
                note = r.stuckInLocalMinimum() ? "stuck in the local minimum (not reached in " + r.iterations() + ")"
                        : "did not reach in " + r.iterations() + " iterations";
            }
            plot.addPath(r.optimizer() + ", lr " + rate(r.learningRate()), COLOURS[i % COLOURS.length], r.xs(), r.ys(), note);
        }
        switch (s) {
            case SADDLE -> {
                plot.addPoint("saddle point (0, 0)", 0, 0);
                plot.addPoint("minima (0, \u00b12), f = \u22122", 0, 2);
                plot.addPoint("", 0, -2);
            }
            case ROSENBROCK -> plot.addPoint("minimum (1, 1), f = 0", 1, 1);
            case LOCAL_MINIMUM -> {
                plot.addPoint(String.format(Locale.ROOT, "global minimum (%.3f, 0)", Surface.GLOBAL_X), Surface.GLOBAL_X, 0);
                plot.addPoint(String.format(Locale.ROOT, "local minimum (%.3f, 0)", Surface.LOCAL_X), Surface.LOCAL_X, 0);
            }
        }
        return plot.save(file);
    }
}
