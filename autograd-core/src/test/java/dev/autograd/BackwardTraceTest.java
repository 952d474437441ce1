package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The backward trace of known graphs against rows computed by hand, the table a learner reads, and the
 * listener API underneath.
 */
class BackwardTraceTest {

    private static final double EPS = 1e-12;

    /**
     * micrograd's first example, L = (a*b + c) * f with a = 2, b = -3, c = 10, f = -2. By hand:
     * e = a*b = -6, d = e + c = 4, L = d*f = -8;
     * dL/dL = 1; dL/dd = f = -2, dL/df = d = 4; dL/de = dL/dc = dL/dd * 1 = -2;
     * dL/da = dL/de * b = 6, dL/db = dL/de * a = -4.
     */
    private static final class Micrograd {
        final Tensor a = Tensor.scalar(2).requiresGrad(true).name("a");
        final Tensor b = Tensor.scalar(-3).requiresGrad(true).name("b");
        final Tensor c = Tensor.scalar(10).requiresGrad(true).name("c");
        final Tensor f = Tensor.scalar(-2).requiresGrad(true).name("f");
        final Tensor e = a.mul(b).name("e");
        final Tensor d = e.add(c).name("d");
        final Tensor loss = d.mul(f).name("L");
    }

    /** One hand-computed row: the node's op, upstream gradient, and (input label, local derivative, sent). */
    private record Row(String op, double upstream, List<Object[]> inputs) {
    }

    private static Row row(String op, double upstream, Object... inputTriples) {
        List<Object[]> inputs = new ArrayList<>();
        for (int i = 0; i < inputTriples.length; i += 3) {
            inputs.add(new Object[] {inputTriples[i], inputTriples[i + 1], inputTriples[i + 2]});
        }
        return new Row(op, upstream, inputs);
    }

    private static String label(GradFn node) {
        Tensor out = node == null ? null : node.output();
        return out == null ? null : out.name();
    }

    @Nested
    class AKnownScalarGraph {

        @Test
        void everyStepMatchesTheHandComputedChainRule() {
            Micrograd g = new Micrograd();
            assertEquals(-8, g.loss.item(), EPS);
            List<BackwardStep> steps;
            try (BackwardTrace trace = BackwardTrace.start()) {
                g.loss.backward();
                steps = trace.steps();
            }

            // By output name: what each node receives and what it sends to each input (label, local, sent).
            Map<String, Row> expected = new LinkedHashMap<>();
            expected.put("L", row("mul", 1, "d", -2.0, -2.0, "f", 4.0, 4.0));
            expected.put("d", row("add", -2, "e", 1.0, -2.0, "c", 1.0, -2.0));
            expected.put("e", row("mul", -2, "a", -3.0, 6.0, "b", 2.0, -4.0));
            expected.put("f", row("AccumulateGrad", 4));
            expected.put("c", row("AccumulateGrad", -2));
            expected.put("a", row("AccumulateGrad", 6));
            expected.put("b", row("AccumulateGrad", -4));

            assertEquals(expected.size(), steps.size(), "one step per node: 3 ops and 4 leaves");
            Map<String, Integer> position = new HashMap<>();
            for (int i = 0; i < steps.size(); i++) {
                BackwardStep step = steps.get(i);
                assertEquals(i + 1, step.order(), "steps are numbered from 1 in the order they ran");
                String out = label(step.node());
                Row want = expected.get(out);
                assertTrue(want != null, "unexpected node " + out);
                position.put(out, i);
                assertEquals(want.op(), step.op(), out);
                assertEquals(want.upstream(), step.upstream().item(), EPS, "upstream dL/d" + out);
                assertEquals(want.inputs().size(), step.inputGradients().size(), out);
                for (int k = 0; k < want.inputs().size(); k++) {
                    Object[] in = want.inputs().get(k);
                    assertEquals(in[0], label(step.node().nextFunctions().get(k)), out + " input " + k);
                    double sent = step.inputGradients().get(k).item();
                    assertEquals((double) in[2], sent, EPS, "dL/d" + in[0]);
                    assertEquals((double) in[1], sent / step.upstream().item(), EPS, "d" + out + "/d" + in[0]);
                }
            }
            // A node runs only after every node that sends it a gradient.
            assertTrue(position.get("L") < position.get("d") && position.get("d") < position.get("e"));
            assertTrue(position.get("e") < position.get("a") && position.get("e") < position.get("b"));
            assertTrue(position.get("d") < position.get("c") && position.get("L") < position.get("f"));

            // What the trace says is what backward did.
            assertEquals(6, g.a.grad().item(), EPS);
            assertEquals(-4, g.b.grad().item(), EPS);
            assertEquals(-2, g.c.grad().item(), EPS);
            assertEquals(4, g.f.grad().item(), EPS);
        }

        @Test
        void theRulesAreTheOpsDerivativeFormulas() {
            Micrograd g = new Micrograd();
            try (BackwardTrace trace = BackwardTrace.start()) {
                g.loss.backward();
                for (BackwardStep step : trace.steps()) {
                    String expected = switch (step.op()) {
                        case "mul" -> "d(a * b)/da = b, d(a * b)/db = a";
                        case "add" -> "d(a + b)/da = 1, d(a + b)/db = 1";
                        default -> "grad += g (accumulated into the leaf)";
                    };
                    assertEquals(expected, step.formula(), step.op());
                }
            }
        }

        @Test
        void theTableHasOneRowPerNodeAndInputWithTheHandComputedNumbers() {
            Micrograd g = new Micrograd();
            String table;
            try (BackwardTrace trace = BackwardTrace.start()) {
                g.loss.backward();
                table = trace.toTable();
            }
            List<Map<String, String>> rows = parseTable(table);
            // 3 ops with 2 inputs each give 6 rows, 4 leaves one row each.
            assertEquals(10, rows.size(), table);

            Map<String, String> first = rows.get(0);
            assertEquals("1", first.get("step"));
            assertEquals("mul", first.get("op"));
            assertEquals("L", first.get("output"));
            assertEquals("1.00000", first.get("upstream dL/dout"));
            assertEquals("d(a * b)/da = b, d(a * b)/db = a", first.get("local rule"));
            assertEquals("#0 d", first.get("input"));
            assertEquals("-2.00000", first.get("local dout/din"));
            assertEquals("-2.00000", first.get("sends dL/din"));
            Map<String, String> second = rows.get(1);
            assertEquals("", second.get("step"), "the node's second input continues its row group");
            assertEquals("#1 f", second.get("input"));
            assertEquals("4.00000", second.get("local dout/din"));
            assertEquals("4.00000", second.get("sends dL/din"));

            Map<String, String> eRow = rowOf(rows, "e", "#0 a");
            assertEquals("-2.00000", eRow.get("upstream dL/dout"));
            assertEquals("-3.00000", eRow.get("local dout/din"), "d(a*b)/da = b = -3");
            assertEquals("6.00000", eRow.get("sends dL/din"));
            Map<String, String> bRow = rows.get(rows.indexOf(eRow) + 1);
            assertEquals("#1 b", bRow.get("input"));
            assertEquals("2.00000", bRow.get("local dout/din"), "d(a*b)/db = a = 2");
            assertEquals("-4.00000", bRow.get("sends dL/din"));

            Map<String, String> leafA = rowOf(rows, "a", "");
            assertEquals("AccumulateGrad", leafA.get("op"));
            assertEquals("6.00000", leafA.get("upstream dL/dout"));
            assertEquals("grad += g (accumulated into the leaf)", leafA.get("local rule"));
        }

        @Test
        void aNeuronWithTanhShowsTheTanhRuleAndItsValue() {
            // o = tanh(x*w + b) at x = 2, w = -3, b = 6.8813735870195432: n = 0.8814, o = 1/sqrt(2), do/dn = 1/2.
            Tensor x = Tensor.scalar(2).requiresGrad(true).name("x");
            Tensor w = Tensor.scalar(-3).requiresGrad(true).name("w");
            Tensor b = Tensor.scalar(6.8813735870195432).requiresGrad(true).name("b");
            Tensor n = x.mul(w).add(b).name("n");
            Tensor o = n.tanh().name("o");
            try (BackwardTrace trace = BackwardTrace.start()) {
                o.backward();
                BackwardStep first = trace.steps().get(0);
                assertEquals("tanh", first.op());
                assertEquals("d tanh(x)/dx = 1 - tanh(x)^2", first.formula());
                assertEquals(1, first.upstream().item(), EPS);
                assertEquals(0.5, first.inputGradients().get(0).item(), 1e-9);
                assertTrue(trace.toTable().contains("0.500000"), trace.toTable());
            }
            assertEquals(-1.5, x.grad().item(), 1e-9);
            assertEquals(1.0, w.grad().item(), 1e-9);
            assertEquals(0.5, b.grad().item(), 1e-9);
        }
    }

    @Nested
    class TensorGraphs {

        @Test
        void inputGradientsAreSummedToTheInputsShapeAndTheTableSummarisesThem() {
            Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true).name("x");
            Tensor bias = Tensor.of(new double[] {10, 20, 30}, 3).requiresGrad(true).name("bias");
            Tensor y = x.add(bias).name("y");
            try (BackwardTrace trace = BackwardTrace.start()) {
                y.sum().backward();
                BackwardStep add = trace.steps().stream().filter(s -> s.op().equals("add")).findFirst().orElseThrow();
                assertArrayEquals(new int[] {2, 3}, add.upstream().shape());
                assertArrayEquals(new int[] {2, 3}, add.inputGradients().get(0).shape());
                assertArrayEquals(new int[] {3}, add.inputGradients().get(1).shape(), "un-broadcast to bias' shape");
                assertArrayEquals(new double[] {2, 2, 2}, add.inputGradients().get(1).toDoubleArray());
                String table = trace.toTable();
                assertTrue(table.contains("[2, 3] {1.00000, 1.00000, 1.00000, 1.00000, ...}"), table);
                assertTrue(table.contains("[3] {2.00000, 2.00000, 2.00000}"), table);
                Map<String, String> addRow = rowOf(parseTable(table), "y", "#0 x");
                assertEquals("", addRow.get("local dout/din"), "no scalar local derivative for tensors");
            }
        }

        @Test
        void anInputThatNeedsNoGradientIsMarkedNotNeeded() {
            Tensor x = Tensor.scalar(3).requiresGrad(true).name("x");
            Tensor k = Tensor.scalar(5).name("k");
            Tensor y = x.mul(k).name("y");
            try (BackwardTrace trace = BackwardTrace.start()) {
                y.backward();
                BackwardStep mul = trace.steps().get(0);
                assertNull(mul.inputGradients().get(1));
                assertNull(mul.node().nextFunctions().get(1));
                assertTrue(trace.toTable().contains("(not needed)"), trace.toTable());
            }
        }
    }

    @Nested
    class Recording {

        @Test
        void onlyBackwardPassesWhileTheTraceIsOpenAreRecordedAndStepsRestartAtOne() {
            Tensor x = Tensor.scalar(2).requiresGrad(true);
            BackwardTrace trace = BackwardTrace.start();
            x.mul(3.0).backward();
            x.exp().backward();
            trace.close();
            x.sin().backward();
            List<BackwardStep> steps = trace.steps();
            assertEquals(4, steps.size(), "two passes of two nodes each");
            assertEquals(List.of(1, 2, 1, 2), steps.stream().map(BackwardStep::order).toList());
            assertEquals(List.of("mul", "AccumulateGrad", "exp", "AccumulateGrad"),
                    steps.stream().map(BackwardStep::op).toList());
            trace.close(); // closing twice is harmless
        }

        @Test
        void aListenerSeesEveryStepUntilItIsRemoved() {
            List<String> seen = new ArrayList<>();
            HookHandle handle = Autograd.addBackwardListener(step -> seen.add(step.order() + " " + step.op()));
            try {
                Tensor x = Tensor.scalar(1).requiresGrad(true);
                x.tanh().mul(2.0).backward();
            } finally {
                handle.remove();
            }
            assertEquals(List.of("1 mul", "2 tanh", "3 AccumulateGrad"), seen);
            Tensor z = Tensor.scalar(1).requiresGrad(true);
            z.exp().backward();
            assertEquals(3, seen.size(), "nothing after remove()");
        }

        @Test
        void listenersAreOnlyCalledForBackwardPassesOnTheirOwnThread() throws Exception {
            List<BackwardStep> seen = new ArrayList<>();
            try (BackwardTrace trace = BackwardTrace.start()) {
                Thread other = new Thread(() -> Tensor.scalar(1).requiresGrad(true).exp().backward());
                other.start();
                other.join();
                seen.addAll(trace.steps());
            }
            assertEquals(List.of(), seen);
        }

        @Test
        void twoTracesRecordTheSamePass() {
            Tensor x = Tensor.scalar(0.5).requiresGrad(true);
            try (BackwardTrace outer = BackwardTrace.start(); BackwardTrace inner = BackwardTrace.start()) {
                x.sigmoid().backward();
                assertEquals(outer.steps().size(), inner.steps().size());
                assertEquals(outer.toTable(), inner.toTable());
                assertEquals(outer.toTable(), outer.toString());
            }
        }
    }

    /** Splits the text table into rows of cells by the header's column starts. */
    static List<Map<String, String>> parseTable(String table) {
        List<String> lines = table.lines().toList();
        String header = lines.get(0);
        assertTrue(lines.get(1).matches("-+"), "a rule under the header:\n" + table);
        List<Integer> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\S+(?: \\S+)*").matcher(header);
        while (m.find()) {
            starts.add(m.start());
            names.add(m.group());
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(2, lines.size())) {
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < starts.size(); c++) {
                int from = Math.min(starts.get(c), line.length());
                int to = c + 1 < starts.size() ? Math.min(starts.get(c + 1), line.length()) : line.length();
                row.put(names.get(c), line.substring(from, to).strip());
            }
            rows.add(row);
        }
        return rows;
    }

    /** The row of the node named {@code output} whose input cell is {@code input}. */
    private static Map<String, String> rowOf(List<Map<String, String>> rows, String output, String input) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).get("output").equals(output) && rows.get(i).get("input").equals(input)) {
                return rows.get(i);
            }
        }
        throw new AssertionError("no row for output " + output + " and input '" + input + "' in " + rows);
    }
}
