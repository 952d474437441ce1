package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The coverage maps ({@link OpCoverageTest#COVERED}, {@link SecondOrderCoverageTest#SECOND_ORDER}) rest on what
 * actually ran, not on what a property's source text says: each referenced property is run here on the jqwik
 * engine (a few tries), must pass, and GradCheck must then report (through {@link GradCheck#OPS_CHECKED} and
 * {@link GradCheck#OPS_CHECKED_SECOND_ORDER}) that it differentiated a graph containing the op's node.
 *
 * <p>A property that builds its inputs but checks a different function, or whose GradCheck call was
 * deleted, or that is skipped by an assumption on every try, fails this test.
 */
class GradCheckEvidenceTest {

    /** Tries per property: one graph is enough evidence; the properties themselves run the real count. */
    private static final String TRIES = "3";

    /**
     * Ops built from other ops, so that their graph has no node of their own name, with the nodes that
     * must all be there instead. Each entry is the composition the op's Javadoc states.
     */
    static final Map<String, Set<String>> RECORDED_AS = new LinkedHashMap<>();

    static {
        RECORDED_AS.put("reciprocal", Set.of("pow"));
        RECORDED_AS.put("t", Set.of("permute"));
        RECORDED_AS.put("transpose", Set.of("permute"));
        RECORDED_AS.put("square", Set.of("mul"));
        RECORDED_AS.put("clone", Set.of("copy"));
        RECORDED_AS.put("flatten", Set.of("reshape"));
        RECORDED_AS.put("squeeze", Set.of("reshape"));
        RECORDED_AS.put("unsqueeze", Set.of("reshape"));
        RECORDED_AS.put("stack", Set.of("reshape", "concat"));
        RECORDED_AS.put("mean", Set.of("sum", "div"));
        RECORDED_AS.put("logSumExp", Set.of("sub", "exp", "sum", "log", "add"));
        RECORDED_AS.put("var", Set.of("sub", "mul", "sum", "div"));
        RECORDED_AS.put("std", Set.of("sub", "mul", "sum", "div", "sqrt"));
        RECORDED_AS.put("split", Set.of("slice"));
        RECORDED_AS.put("chunk", Set.of("slice"));
    }

    @Test
    void everyFirstOrderPropertyDifferentiatesItsOp() {
        List<String> problems = check(OpCoverageTest.COVERED, GradCheck.OPS_CHECKED);
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }

    @Test
    void everySecondOrderPropertyDifferentiatesTheGradientOfItsOp() {
        List<String> problems = check(SecondOrderCoverageTest.SECOND_ORDER, GradCheck.OPS_CHECKED_SECOND_ORDER);
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }

    /** Runs each property once, then checks the node names it recorded against every op mapped to it. */
    private static List<String> check(Map<String, String> coverage, Set<String> evidence) {
        Map<String, List<String>> opsByProperty = new LinkedHashMap<>();
        coverage.forEach((op, property) -> opsByProperty.computeIfAbsent(property, p -> new ArrayList<>()).add(op));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : opsByProperty.entrySet()) {
            String property = e.getKey();
            Set<String> recorded;
            synchronized (evidence) {
                evidence.clear();
                String failure = run(property);
                if (failure != null) {
                    problems.add(property + ": " + failure);
                    continue;
                }
                recorded = new TreeSet<>(evidence);
            }
            for (String op : e.getValue()) {
                String name = OpCoverageTest.nameOf(op);
                Set<String> expected = RECORDED_AS.getOrDefault(name, Set.of(name));
                if (!recorded.containsAll(expected)) {
                    problems.add(op + ": " + property + " passed, but GradCheck differentiated no graph with all of " + expected
                            + " (it saw " + recorded + ")");
                }
            }
        }
        return problems;
    }

    /** Runs one property on the jqwik engine; null when it passed, else what went wrong. */
    private static String run(String reference) {
        String[] ref = reference.split("#");
        Class<?> cls;
        try {
            cls = Class.forName("dev.autograd." + ref[0]);
        } catch (ClassNotFoundException ex) {
            return "no class " + ref[0];
        }
        List<Method> properties = Arrays.stream(cls.getDeclaredMethods())
                .filter(m -> m.getName().equals(ref[1]) && m.isAnnotationPresent(Property.class)).toList();
        if (properties.size() != 1) {
            return "expected one @Property named " + ref[1] + ", found " + properties.size();
        }
        EngineExecutionResults results = EngineTestKit.engine("jqwik")
                .configurationParameter("jqwik.tries.default", TRIES)
                .configurationParameter("jqwik.reporting.onlyfailures", "true")
                .configurationParameter("jqwik.database", "target/jqwik-evidence-database")
                .selectors(selectMethod(cls, properties.get(0)))
                .execute();
        long started = results.testEvents().started().count();
        long succeeded = results.testEvents().succeeded().count();
        if (started != 1 || succeeded != 1) {
            return "started " + started + ", succeeded " + succeeded + ": "
                    + results.testEvents().failed().stream()
                            .map(ev -> ev.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                                    .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                                    .map(Throwable::toString).orElse("?"))
                            .toList();
        }
        return null;
    }
}
