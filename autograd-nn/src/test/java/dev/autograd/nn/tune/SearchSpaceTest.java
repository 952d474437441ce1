package dev.autograd.nn.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Grid enumeration, random draws, and the refusals of bad spaces. */
class SearchSpaceTest {

    @Test
    void gridIsTheCartesianProductWithTheLastHyperparameterFastest() {
        SearchSpace space = SearchSpace.create().choice("lr", 0.1, 0.01).intChoice("batchSize", 16, 32, 64)
                .stringChoice("act", "tanh", "relu");
        List<Map<String, Object>> settings = Tuner.grid(space).settings();
        assertEquals(2 * 3 * 2, settings.size());
        List<Map<String, Object>> expected = List.of(
                Map.of("lr", 0.1, "batchSize", 16, "act", "tanh"),
                Map.of("lr", 0.1, "batchSize", 16, "act", "relu"),
                Map.of("lr", 0.1, "batchSize", 32, "act", "tanh"),
                Map.of("lr", 0.1, "batchSize", 32, "act", "relu"),
                Map.of("lr", 0.1, "batchSize", 64, "act", "tanh"),
                Map.of("lr", 0.1, "batchSize", 64, "act", "relu"),
                Map.of("lr", 0.01, "batchSize", 16, "act", "tanh"),
                Map.of("lr", 0.01, "batchSize", 16, "act", "relu"),
                Map.of("lr", 0.01, "batchSize", 32, "act", "tanh"),
                Map.of("lr", 0.01, "batchSize", 32, "act", "relu"),
                Map.of("lr", 0.01, "batchSize", 64, "act", "tanh"),
                Map.of("lr", 0.01, "batchSize", 64, "act", "relu"));
        assertEquals(expected, settings);
        assertEquals(List.of("lr", "batchSize", "act"), List.copyOf(settings.get(0).keySet()), "declaration order");
    }

    @Test
    void rangeGridPointsIncludeBothBoundsAndAreEvenlyOrLogSpaced() {
        SearchSpace space = SearchSpace.create().logUniform("lr", 1e-4, 1e-1, 4).uniform("p", 0, 0.5, 3)
                .intRange("hidden", 8, 64, 3);
        List<Map<String, Object>> settings = Tuner.grid(space).settings();
        assertEquals(4 * 3 * 3, settings.size());
        double[] lrs = {1e-4, 1e-3, 1e-2, 1e-1};
        for (int i = 0; i < 4; i++) {
            double lr = (Double) settings.get(9 * i).get("lr");
            assertEquals(lrs[i], lr, 1e-15 * lrs[i]);
        }
        assertEquals(1e-4, settings.get(0).get("lr"), "the low bound exactly");
        assertEquals(1e-1, settings.get(27).get("lr"), "the high bound exactly");
        assertEquals(List.of(0.0, 0.25, 0.5), List.of(settings.get(0).get("p"), settings.get(3).get("p"), settings.get(6).get("p")));
        assertEquals(List.of(8, 36, 64), List.of(settings.get(0).get("hidden"), settings.get(1).get("hidden"),
                settings.get(2).get("hidden")));
    }

    @Test
    void intRangeGridCoversTheWholeIntRangeWithoutOverflow() {
        SearchSpace space = SearchSpace.create().intRange("k", Integer.MIN_VALUE, Integer.MAX_VALUE, 3);
        List<Object> ks = Tuner.grid(space).settings().stream().map(m -> m.get("k")).toList();
        // The middle of [-2^31, 2^31 - 1] is -0.5, rounded half up to 0.
        assertEquals(List.of(Integer.MIN_VALUE, 0, Integer.MAX_VALUE), ks);
        SearchSpace pair = SearchSpace.create().intRange("k", Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 2);
        assertEquals(List.of(Integer.MAX_VALUE - 1, Integer.MAX_VALUE),
                Tuner.grid(pair).settings().stream().map(m -> m.get("k")).toList());
    }

    @Test
    void randomSearchIsReproducibleForASeedAndStaysInItsRanges() {
        SearchSpace space = SearchSpace.create().logUniform("lr", 1e-5, 1e-1).uniform("p", 0.1, 0.5)
                .intRange("hidden", 4, 7).stringChoice("opt", "adam", "sgd").intChoice("bs", 16, 32);
        List<Map<String, Object>> a = Tuner.random(space, 50).seed(7).settings();
        assertEquals(a, Tuner.random(space, 50).seed(7).settings());
        assertNotEquals(a, Tuner.random(space, 50).seed(8).settings());
        assertEquals(a.subList(0, 10), Tuner.random(space, 10).seed(7).settings(), "trial i does not depend on n");
        Set<Object> hidden = new HashSet<>();
        for (Map<String, Object> s : a) {
            double lr = (Double) s.get("lr");
            double p = (Double) s.get("p");
            assertTrue(lr >= 1e-5 && lr < 1e-1, "lr " + lr);
            assertTrue(p >= 0.1 && p < 0.5, "p " + p);
            int h = (Integer) s.get("hidden");
            assertTrue(h >= 4 && h <= 7, "hidden " + h);
            hidden.add(h);
            assertTrue(List.of("adam", "sgd").contains(s.get("opt")));
            assertTrue(List.of(16, 32).contains(s.get("bs")));
        }
        assertEquals(Set.of(4, 5, 6, 7), hidden, "both ends of an int range are drawn");
    }

    @Test
    void logUniformIsUniformInTheLogarithm() {
        // Over [1e-4, 1] the median of a log-uniform draw is 1e-2; a plain uniform draw would put 1% below it.
        int n = 4000;
        List<Map<String, Object>> draws = Tuner.random(SearchSpace.create().logUniform("lr", 1e-4, 1), n).seed(3).settings();
        long belowMedian = draws.stream().filter(m -> (Double) m.get("lr") < 1e-2).count();
        long belowFirstDecade = draws.stream().filter(m -> (Double) m.get("lr") < 1e-3).count();
        assertEquals(0.5, belowMedian / (double) n, 0.03);
        assertEquals(0.25, belowFirstDecade / (double) n, 0.03);
    }

    @Test
    void intRangeDrawsAtTheIntegerEdges() {
        List<Map<String, Object>> draws = Tuner.random(SearchSpace.create().intRange("k", Integer.MAX_VALUE - 1,
                Integer.MAX_VALUE).intRange("m", Integer.MIN_VALUE, Integer.MIN_VALUE + 1), 64).seed(1).settings();
        Set<Object> ks = new HashSet<>();
        Set<Object> ms = new HashSet<>();
        draws.forEach(d -> {
            ks.add(d.get("k"));
            ms.add(d.get("m"));
        });
        assertEquals(Set.of(Integer.MAX_VALUE - 1, Integer.MAX_VALUE), ks);
        assertEquals(Set.of(Integer.MIN_VALUE, Integer.MIN_VALUE + 1), ms);
        List<Map<String, Object>> wide = Tuner.random(SearchSpace.create().intRange("k", Integer.MIN_VALUE,
                Integer.MAX_VALUE), 100).seed(1).settings();
        assertTrue(wide.stream().anyMatch(d -> (Integer) d.get("k") < -1_000_000));
        assertTrue(wide.stream().anyMatch(d -> (Integer) d.get("k") > 1_000_000));
    }

    @Test
    void badSpacesAreRefusedNamingTheMethodAndValues() {
        SearchSpace s = SearchSpace.create();
        refused(() -> s.choice("lr"), "SearchSpace.choice: 'lr' needs at least one value");
        refused(() -> s.choice("lr", 0.1, Double.NaN), "SearchSpace.choice: 'lr' has a value that is not finite: NaN");
        refused(() -> s.choice("lr", 0.1, 0.1), "SearchSpace.choice: 'lr' lists 0.1 twice");
        refused(() -> s.intChoice("bs", 16, 16), "SearchSpace.intChoice: 'bs' lists 16 twice");
        refused(() -> s.stringChoice("opt", "adam", null), "SearchSpace.stringChoice: 'opt' has a null value");
        refused(() -> s.choice(" ", 1), "SearchSpace.choice: a hyperparameter needs a name that is not blank");
        refused(() -> s.choice("lr", 1).intChoice("lr", 2), "SearchSpace.intChoice: the space already has a hyperparameter named 'lr'");
        refused(() -> s.uniform("p", 0.5, 0.5), "SearchSpace.uniform: 'p' needs low < high, got [0.5, 0.5]");
        refused(() -> s.uniform("p", 0.6, 0.5), "SearchSpace.uniform: 'p' needs low < high, got [0.6, 0.5]");
        refused(() -> s.uniform("p", 0, Double.POSITIVE_INFINITY), "SearchSpace.uniform: 'p' needs finite bounds");
        refused(() -> s.logUniform("lr", 0, 1), "SearchSpace.logUniform: 'lr' needs bounds > 0 (a logarithm is taken), got [0.0, 1.0]");
        refused(() -> s.logUniform("lr", -1, 1, 3), "SearchSpace.logUniform: 'lr' needs bounds > 0");
        refused(() -> s.logUniform("lr", 1e-3, 1, 1), "SearchSpace.logUniform: 'lr' needs at least 2 grid points (both bounds), got 1");
        refused(() -> s.intRange("k", 5, 5), "SearchSpace.intRange: 'k' needs low < high, got [5, 5]");
        refused(() -> s.intRange("k", Integer.MAX_VALUE, Integer.MIN_VALUE),
                "SearchSpace.intRange: 'k' needs low < high, got [2147483647, -2147483648]");
        refused(() -> s.intRange("k", Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 3),
                "SearchSpace.intRange: 'k' has only 2 ints in [2147483646, 2147483647], fewer than the 3 grid points");
        refused(() -> s.intRange("k", 0, 10, Integer.MIN_VALUE), "SearchSpace.intRange: 'k' needs at least 2 grid points");
    }

    @Test
    void badSearchesAreRefusedNamingTheMethodAndValues() {
        SearchSpace lr = SearchSpace.create().logUniform("lr", 1e-4, 1e-1);
        refused(() -> Tuner.grid(SearchSpace.create()), "Tuner.grid: the search space is empty");
        refused(() -> Tuner.random(SearchSpace.create(), 3), "Tuner.random: the search space is empty");
        refused(() -> Tuner.grid(lr), "Tuner.grid: hyperparameter 'lr' is a log-uniform range [1.0E-4, 0.1] without grid points");
        refused(() -> Tuner.grid(SearchSpace.create().intRange("k", 0, 9)), "Tuner.grid: hyperparameter 'k' is a int range [0, 9]");
        refused(() -> Tuner.random(lr, 0), "Tuner.random: the number of trials must be in [1, 16777216], got 0");
        refused(() -> Tuner.random(lr, -5), "got -5");
        refused(() -> Tuner.random(lr, Integer.MAX_VALUE), "got 2147483647");
        refused(() -> Tuner.random(lr, 2).parallelism(0), "Tuner.parallelism: need at least 1 trial at a time, got 0");
        refused(() -> Tuner.random(lr, 2).parallelism(Integer.MIN_VALUE), "got -2147483648");
        refused(() -> Tuner.random(lr, 2).objectiveName(""), "Tuner.objectiveName: the name must not be blank");
        SearchSpace huge = SearchSpace.create().intRange("a", 0, 10000, 5000).intRange("b", 0, 10000, 5000);
        refused(() -> Tuner.grid(huge), "Tuner.grid: the grid has more than 16777216 combinations (at 'b')");
    }

    static void refused(Executable call, String messagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(messagePart), () -> "message: " + e.getMessage() + "\nexpected: " + messagePart);
    }
}
