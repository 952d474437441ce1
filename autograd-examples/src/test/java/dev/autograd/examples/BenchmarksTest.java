package dev.autograd.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark command runs and prints a complete table (a smoke run: no timing is asserted). */
class BenchmarksTest {

    @Test
    void quickRunProducesEveryRow() {
        List<Benchmarks.Row> rows = Benchmarks.run(true);
        assertEquals(5, rows.size());
        rows.forEach(r -> assertTrue(r.engineNanos() > 0 && r.baseNanos() > 0, r::toString));
        String table = Benchmarks.table(rows);
        assertTrue(table.contains("ratio") && table.contains("conv2d"), table);
    }
}
