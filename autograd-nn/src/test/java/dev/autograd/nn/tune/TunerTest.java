package dev.autograd.nn.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autograd.Autograd;
import dev.autograd.Tensor;
import dev.autograd.nn.Losses;
import dev.autograd.nn.MLP;
import dev.autograd.nn.data.Batch;
import dev.autograd.nn.data.DataLoader;
import dev.autograd.nn.data.TensorDataset;
import dev.autograd.nn.optim.Adam;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Running searches: identical results whatever the parallelism, failures, ranking, table and CSV. */
class TunerTest {

    /** Regression data shared read-only by every trial: 256 samples of 64 features. */
    private static final Tensor X = Tensor.randn(new Random(5), 256, 64);
    private static final Tensor Y = X.slice(1, 0, 1, 1).mul(2).add(X.slice(1, 1, 2, 1).tanh());
    private static final TensorDataset TRAIN = new TensorDataset(X.slice(0, 0, 192, 1), Y.slice(0, 0, 192, 1));
    private static final TensorDataset VALIDATION = new TensorDataset(X.slice(0, 192, 256, 1), Y.slice(0, 192, 256, 1));

    /**
     * Trains a 64-128-1 MLP with Adam. With batches of 128, its first layer's matmuls (forward [128, 64] x
     * [64, 128], backward [64, 128] x [128, 128]: 2^20 multiply-adds each) are large enough for the GEMM to cut
     * them into chunks for the kernel pool (from 2 x 2^19), so trials running together submit to it at once.
     */
    private static double objective(Trial trial, int[] delayMillis) throws InterruptedException {
        // Later trials wait less, so that with several threads they finish first: order must not matter.
        Thread.sleep(delayMillis[trial.index()]);
        Random random = new Random(trial.seed());
        MLP model = MLP.builder(64, 128, 1).build(random);
        Adam optimizer = new Adam(model.parameters(), trial.getDouble("lr"));
        DataLoader loader = DataLoader.builder(TRAIN).batchSize(trial.getInt("batchSize")).shuffle(trial.seed()).build();
        for (int epoch = 0; epoch < 6; epoch++) {
            double total = 0;
            for (Batch b : loader) {
                optimizer.zeroGrad();
                Tensor loss = Losses.mse(model.forward(b.features()), b.targets());
                loss.backward();
                optimizer.step();
                total += loss.item();
            }
            double valLoss;
            try (var scope = Autograd.noGrad()) {
                valLoss = Losses.mse(model.forward(VALIDATION.features()), VALIDATION.targets()).item();
            }
            if (trial.report(epoch, Map.of("valLoss", valLoss, "trainLoss", total / loader.batchCount()))) {
                break;
            }
        }
        return trial.best("valLoss", Mode.MIN).get("valLoss");
    }

    private static SearchResult search(int parallelism) {
        SearchSpace space = SearchSpace.create().logUniform("lr", 1e-3, 1e-1, 3).intChoice("batchSize", 32, 128);
        int[] delays = {30, 25, 20, 15, 10, 0};
        return Tuner.grid(space).seed(11).parallelism(parallelism).objectiveName("valLoss")
                .earlyStopping(new EarlyStopping("valLoss", Mode.MIN, 2, 1e-3))
                .run(trial -> objective(trial, delays));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void resultsAreIdenticalWhateverTheParallelism() {
        SearchResult sequential = search(1);
        assertEquals(6, sequential.trials().size());
        assertTrue(sequential.failures().isEmpty(), sequential.table());
        for (int parallelism : new int[] {2, 3, 6}) {
            SearchResult parallel = search(parallelism);
            for (int i = 0; i < 6; i++) {
                TrialResult s = sequential.trials().get(i);
                TrialResult p = parallel.trials().get(i);
                assertEquals(i, p.index());
                assertEquals(s.params(), p.params());
                assertEquals(s.seed(), p.seed());
                assertEquals(Double.doubleToRawLongBits(s.value()), Double.doubleToRawLongBits(p.value()),
                        "trial " + i + " with parallelism " + parallelism + ": " + s.value() + " vs " + p.value());
                assertEquals(s.history(), p.history(), "trial " + i + " with parallelism " + parallelism);
                assertEquals(s.stoppedEarly(), p.stoppedEarly());
            }
            assertEquals(sequential.ranked().stream().map(TrialResult::index).toList(),
                    parallel.ranked().stream().map(TrialResult::index).toList());
        }
        Set<Long> seeds = new HashSet<>();
        sequential.trials().forEach(t -> seeds.add(t.seed()));
        assertEquals(6, seeds.size(), "every trial has a seed of its own");
        assertEquals(Tuner.mix(11, 4, 1), sequential.trials().get(4).seed(), "the seed depends on (search seed, index)");
    }

    @Test
    void aFailingTrialIsRecordedAndTheSearchGoesOn() {
        SearchSpace space = SearchSpace.create().intChoice("k", 0, 1, 2, 3);
        SearchResult r = Tuner.grid(space).parallelism(2).run(trial -> {
            if (trial.getInt("k") == 1) {
                throw new IllegalStateException("boom at k=1");
            }
            trial.report(0, "valLoss", 10.0 - trial.getInt("k"));
            return 10.0 - trial.getInt("k");
        });
        assertEquals(1, r.failures().size());
        TrialResult failed = r.trials().get(1);
        assertEquals("IllegalStateException: boom at k=1", failed.error());
        assertTrue(Double.isNaN(failed.value()));
        assertEquals(List.of(3, 2, 0, 1), r.ranked().stream().map(TrialResult::index).toList(), "failed last");
        assertEquals(7.0, r.trials().get(3).best("valLoss", Mode.MIN).get("valLoss"));
        IllegalStateException noMetric = assertThrows(IllegalStateException.class, () -> failed.best("valLoss", Mode.MIN));
        assertEquals("TrialResult.best: trial 1 reported no finite 'valLoss' in 0 epochs", noMetric.getMessage());
        assertEquals(Map.of("k", 3), r.bestParams());
        assertTrue(r.table().contains("failed  IllegalStateException: boom at k=1") || r.table().contains("boom at k=1"),
                r.table());
        assertNull(r.trials().get(0).error());
    }

    @Test
    void failFastStopsStartingTrialsAndThrows() {
        AtomicInteger started = new AtomicInteger();
        Tuner tuner = Tuner.grid(SearchSpace.create().intChoice("k", 0, 1, 2, 3)).parallelism(1).failFast(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tuner.run(trial -> {
            started.incrementAndGet();
            if (trial.getInt("k") == 1) {
                throw new java.io.IOException("disk full");
            }
            return 0;
        }));
        assertEquals(2, started.get(), "trials 2 and 3 never start");
        assertEquals("Tuner.run: trial 1 {k=1} failed and failFast is set: IOException: disk full", e.getMessage());
        assertEquals("disk full", e.getCause().getMessage());
    }

    @Test
    void anErrorEndsTheSearch() {
        Tuner tuner = Tuner.grid(SearchSpace.create().intChoice("k", 0, 1, 2)).parallelism(2);
        assertThrows(AssertionError.class, () -> tuner.run(trial -> {
            throw new AssertionError("broken objective");
        }));
    }

    /** Hand-ranked: the objective is lr * batchSize, maximised; NaN ranks after every finite score. */
    @Test
    void rankingTableAndCsv(@TempDir Path dir) throws Exception {
        SearchSpace space = SearchSpace.create().choice("lr", 0.5, 0.25).intChoice("batchSize", 4, 8);
        SearchResult r = Tuner.grid(space).direction(Mode.MAX).objectiveName("score").seed(1).parallelism(1).run(trial -> {
            double v = trial.getDouble("lr") * trial.getInt("batchSize");
            trial.report(0, "score", v / 2);
            trial.report(1, "score", v);
            return trial.index() == 3 ? Double.NaN : v;
        });
        // Trials: 0 = (0.5, 4) -> 2, 1 = (0.5, 8) -> 4, 2 = (0.25, 4) -> 1, 3 = (0.25, 8) -> NaN.
        assertEquals(List.of(1, 0, 2, 3), r.ranked().stream().map(TrialResult::index).toList());
        assertEquals(Map.of("lr", 0.5, "batchSize", 8), r.bestParams());
        assertEquals(4.0, r.best().value());
        String[] table = r.table().split("\n");
        assertEquals("rank  trial      lr  batchSize  score  epochs  stopped  seconds", table[0]);
        assertTrue(table[1].startsWith("   1      1  0.5000          8  4.000       2"), table[1]);
        assertTrue(table[4].startsWith("   4      3  0.2500          8    NaN       2"), table[4]);

        List<String> csv = Files.readAllLines(r.writeCsv(dir.resolve("results.csv")), StandardCharsets.UTF_8);
        assertEquals("rank,trial,lr,batchSize,score,epochs,stopped_early,seed,seconds,error", csv.get(0));
        assertTrue(csv.get(1).startsWith("1,1,0.5,8,4.0,2,false," + Tuner.mix(1, 1, 1) + ","), csv.get(1));
        assertTrue(csv.get(4).startsWith("4,3,0.25,8,NaN,2,false,"), csv.get(4));
        assertEquals(5, csv.size());

        List<String> history = Files.readAllLines(r.writeHistoryCsv(dir.resolve("history.csv")), StandardCharsets.UTF_8);
        assertEquals(List.of("trial,lr,batchSize,epoch,score", "0,0.5,4,0,1.0", "0,0.5,4,1,2.0", "1,0.5,8,0,2.0",
                "1,0.5,8,1,4.0", "2,0.25,4,0,0.5", "2,0.25,4,1,1.0", "3,0.25,8,0,1.0", "3,0.25,8,1,2.0"), history);
    }

    @Test
    void bestRefusesASearchWithoutAFiniteScore() {
        SearchResult r = Tuner.random(SearchSpace.create().uniform("x", 0, 1), 2).parallelism(1).run(trial -> {
            throw new IllegalArgumentException("bad x " + trial.index());
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, r::best);
        assertEquals("SearchResult.best: none of the 2 trials has a finite score; failures: [trial 0: "
                + "IllegalArgumentException: bad x 0, trial 1: IllegalArgumentException: bad x 1]", e.getMessage());
    }

    @Test
    void randomSearchRunsItsDrawsReproducibly() {
        SearchSpace space = SearchSpace.create().logUniform("lr", 1e-4, 1).intRange("hidden", 4, 64);
        Tuner tuner = Tuner.random(space, 8).seed(5).parallelism(2);
        Objective objective = trial -> Math.log10(trial.getDouble("lr")) + trial.getInt("hidden") + 1e-3 * trial.seed();
        SearchResult a = tuner.run(objective);
        SearchResult b = Tuner.random(space, 8).seed(5).parallelism(1).run(objective);
        for (int i = 0; i < 8; i++) {
            assertEquals(tuner.settings().get(i), a.trials().get(i).params(), "trial " + i + " runs draw " + i);
            assertEquals(a.trials().get(i).params(), b.trials().get(i).params());
            assertEquals(a.trials().get(i).value(), b.trials().get(i).value(), 0.0);
        }
    }

    /** The objective stops when report says so; the result records the epochs run and the early stop. */
    @Test
    void earlyStoppingThroughTheTuner() {
        double[] losses = {1.0, 0.8, 0.9, 0.85, 0.7, 0.6};
        SearchResult r = Tuner.grid(SearchSpace.create().intChoice("repeat", 1, 2)).parallelism(1)
                .earlyStopping(EarlyStopping.of("valLoss", Mode.MIN, 2)).run(trial -> {
                    for (int epoch = 0; epoch < losses.length; epoch++) {
                        if (trial.report(epoch, "valLoss", losses[epoch])) {
                            break;
                        }
                    }
                    return trial.best("valLoss", Mode.MIN).get("valLoss");
                });
        // 1.0 best, 0.8 best, 0.9 and 0.85 no improvement: stop after epoch 3 with patience 2.
        for (TrialResult t : r.trials()) {
            assertEquals(4, t.history().size());
            assertTrue(t.stoppedEarly());
            assertEquals(0.8, t.value());
        }
        assertTrue(r.table().contains("early"), r.table());
    }

    @Test
    void trialSeedsDifferFromSearchToSearch() {
        assertNotEquals(Tuner.mix(1, 0, 1), Tuner.mix(2, 0, 1));
        assertNotEquals(Tuner.mix(1, 0, 1), Tuner.mix(1, 1, 1));
        assertNotEquals(Tuner.mix(1, 0, 1), Tuner.mix(1, 0, 2), "trial seeds and sampling seeds are separate streams");
        assertFalse(Tuner.mix(0, 0, 1) == 0);
        assertArrayEquals(new long[] {Tuner.mix(9, 3, 1)}, new long[] {Tuner.mix(9, 3, 1)});
    }
}
