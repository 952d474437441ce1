package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.examples.OptimizerTrajectories.Config;
import dev.autograd.examples.OptimizerTrajectories.Result;
import dev.autograd.examples.OptimizerTrajectories.Run;
import dev.autograd.examples.OptimizerTrajectories.Surface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The optimizers on the three surfaces: outcomes that follow from the math, and the files. */
class OptimizerTrajectoriesTest {

    private static final Path DIR = ExampleAssertions.OUT.resolve("optimizer-trajectories");
    /** Rosenbrock's budget cut to 3000 and the grid to four rates (Adam's 0.1 among them), for speed. */
    private static final Config QUICK = new Config(400, 3000, 1000, 0.01, new double[] {1e-3, 2e-3, 1e-2, 1e-1});

    private static Result result;
    private static String printed;

    @BeforeAll
    static void runOnce() {
        printed = ExampleAssertions.capture(out -> result = OptimizerTrajectories.run(DIR, QUICK, out));
    }

    private static Run run(Surface s, String optimizer) {
        return result.runs().get(s).stream().filter(r -> r.optimizer().equals(optimizer)).findFirst().orElseThrow();
    }

    @Test
    void plainSgdLeavesTheSaddleExactlyWhenTheClosedFormSaysSo() {
        // On x^2 - y^2 (|y| <= 1) gradient descent is linear: x_k = (1 - 2 lr)^k, y_k = 0.001 (1 + 2 lr)^k.
        double lr = QUICK.commonLearningRate();
        int expected = 0;
        while (Math.pow(1 - 2 * lr, 2 * expected) - 1e-6 * Math.pow(1 + 2 * lr, 2 * expected) >= Surface.ESCAPED) {
            expected++;
        }
        Run sgd = run(Surface.SADDLE, "SGD");
        assertEquals(expected, sgd.reachedAt(), "escape iteration of plain SGD with lr " + lr);
        for (int k = 0; k <= expected; k++) {
            assertEquals(Math.pow(1 - 2 * lr, k), sgd.xs()[k], 1e-12, "x_" + k);
            assertEquals(1e-3 * Math.pow(1 + 2 * lr, k), sgd.ys()[k], 1e-12 * Math.pow(1 + 2 * lr, k), "y_" + k);
        }
        // Momentum grows the unstable direction by the larger root of z^2 - (1 + m + 2 lr) z + m per step,
        // 1.33 against SGD's 1.02: both momentum variants escape several times sooner.
        for (String fast : List.of("SGD + momentum", "Nesterov")) {
            assertTrue(run(Surface.SADDLE, fast).reachedAt() < expected / 3, fast + ": " + run(Surface.SADDLE, fast).outcome());
        }
        for (Run r : result.runs().get(Surface.SADDLE)) {
            assertTrue(r.reachedAt() > 0 && !r.diverged(), r.optimizer() + " escapes: " + r.outcome());
        }
    }

    @Test
    void momentumCarriesOverTheRimWhereTheOthersSettleInTheLocalMinimum() {
        for (String stuck : List.of("SGD", "RMSprop", "Adam")) {
            Run r = run(Surface.LOCAL_MINIMUM, stuck);
            assertTrue(r.stuckInLocalMinimum(), stuck + ": " + r.outcome());
            assertEquals(-1, r.reachedAt());
        }
        for (String escapes : List.of("SGD + momentum", "Nesterov")) {
            Run r = run(Surface.LOCAL_MINIMUM, escapes);
            assertTrue(r.reachedAt() > 0 && r.reachedAt() < QUICK.localIterations(), escapes + ": " + r.outcome());
            assertEquals(Surface.GLOBAL_X, r.xs()[r.iterations()], 1e-3);
        }
        // The two minima are the roots of f'(x) = 4x^3 - 4x + 1/2 with f'' > 0.
        for (double x : new double[] {Surface.GLOBAL_X, Surface.LOCAL_X}) {
            assertEquals(0, 4 * x * x * x - 4 * x + 0.5, 1e-12);
            assertTrue(12 * x * x - 4 > 0);
        }
    }

    @Test
    void rosenbrockUsesEachOptimizersFastestRateOfTheGrid() {
        Run adam = run(Surface.ROSENBROCK, "Adam");
        assertTrue(adam.reachedAt() > 0 && adam.reachedAt() <= QUICK.rosenbrockIterations(), adam.outcome());
        assertEquals(0.1, adam.learningRate());
        for (Run r : result.runs().get(Surface.ROSENBROCK)) {
            int[] sweep = result.sweep().get(Surface.ROSENBROCK).get(r.optimizer());
            int best = Arrays.stream(sweep).filter(a -> a >= 0).min().orElse(-1);
            assertEquals(best, r.reachedAt(), r.optimizer() + ": the plotted run is the sweep's fastest");
        }
        // SGD diverges at 0.01: the curvature across the valley at the start is about 1900 > 2 / 0.01.
        assertEquals(-2, result.sweep().get(Surface.ROSENBROCK).get("SGD")[2]);
        assertTrue(run(Surface.ROSENBROCK, "SGD").reachedAt() > 0);
    }

    @Test
    void runsRepeatBitForBit() {
        Run a = OptimizerTrajectories.optimise(Surface.ROSENBROCK, "Adam", 0.05, 200, false);
        Run b = OptimizerTrajectories.optimise(Surface.ROSENBROCK, "Adam", 0.05, 200, false);
        assertArrayEquals(a.xs(), b.xs());
        assertArrayEquals(a.ys(), b.ys());
        assertEquals(201, a.xs().length);
        assertEquals(Surface.ROSENBROCK.value(dev.autograd.Tensor.scalar(a.xs()[200]), dev.autograd.Tensor.scalar(a.ys()[200]))
                .item(), a.fs()[200], 0);
    }

    @Test
    void refusesBadSettings() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Config(0, 1, 1, 0.01, new double[] {0.1}))
                .getMessage().startsWith("OptimizerTrajectories.Config"));
        assertThrows(IllegalArgumentException.class, () -> new Config(1, 1, Integer.MIN_VALUE, 0.01, new double[] {0.1}));
        assertThrows(IllegalArgumentException.class, () -> new Config(1, 1, 1, Double.NaN, new double[] {0.1}));
        assertThrows(IllegalArgumentException.class, () -> new Config(1, 1, 1, 0.01, new double[0]));
        assertThrows(IllegalArgumentException.class, () -> new Config(1, 1, 1, 0.01, new double[] {0.1, -1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerTrajectories.optimise(Surface.SADDLE, "LBFGS", 0.1, 10, false));
        assertTrue(e.getMessage().contains("'LBFGS'") && e.getMessage().contains("Adam"), e.getMessage());
    }

    @Test
    void printsTablesAndWritesThePicturesAndTheCsv() throws Exception {
        assertTrue(printed.contains("SGD              0.01      " + run(Surface.SADDLE, "SGD").reachedAt()), printed);
        assertTrue(printed.contains("stuck in the local minimum"), printed);
        assertTrue(printed.contains("iterations to the criterion at each learning rate"), printed);
        for (Surface s : Surface.values()) {
            ExampleAssertions.assertPicture(DIR.resolve(s.fileName() + ".png"), 40);
        }
        List<String> csv = Files.readAllLines(DIR.resolve("trajectories.csv"), StandardCharsets.UTF_8);
        assertEquals("surface,optimizer,learning_rate,iteration,x,y,f", csv.get(0));
        int rows = result.runs().values().stream().flatMap(List::stream).mapToInt(r -> r.xs().length).sum();
        assertEquals(rows + 1, csv.size());
        assertFalse(csv.stream().anyMatch(line -> line.contains("NaN")));
        assertEquals(4, result.files().size());
        ExampleAssertions.assertListedInReadme("optimizer-trajectories", result.files());
    }
}
