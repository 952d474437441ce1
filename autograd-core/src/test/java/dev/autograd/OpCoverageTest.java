package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Every differentiable public op of {@link Tensor} has a GradCheck property, and every op has a
 * FLOAT32-vs-FLOAT64 agreement case.
 *
 * <p>The ops are found by reflection: the public methods of {@code Tensor} that return a {@code Tensor} or
 * a {@code List<Tensor>}, each overload separately ({@code name(ParamType,...)}). Each must be either in
 * {@link #NOT_DIFFERENTIABLE} (by name, with the reason) or in {@link #COVERED}, which names the jqwik
 * property that gradchecks it. So adding a public op without a property fails this test.
 *
 * <p>The map is kept honest mechanically: {@link GradCheckEvidenceTest} runs each referenced property and
 * checks that GradCheck differentiated a graph containing the op; each covered signature must still exist
 * on {@code Tensor}; and the
 * allow-list is checked too (masks, indices and signs do not require grad; in-place ops refuse tensors
 * that require grad; creation functions return leaves).
 */
class OpCoverageTest {

    /** Names whose every overload is not differentiable, with the reason. */
    static final Map<String, String> NOT_DIFFERENTIABLE = new LinkedHashMap<>();

    /** Differentiable op signature -> the property ("Class#method") that gradchecks it. */
    static final Map<String, String> COVERED = new LinkedHashMap<>();

    static {
        for (String creation : List.of("of", "scalar", "zeros", "ones", "full", "arange", "linspace", "eye", "rand",
                "randn", "zerosLike", "onesLike", "fromBits")) {
            NOT_DIFFERENTIABLE.put(creation, "creates a new leaf from numbers; it has no tensor input to differentiate");
        }
        for (String cmp : List.of("gt", "lt", "ge", "le", "eq")) {
            NOT_DIFFERENTIABLE.put(cmp, "comparison mask of 0/1: piecewise constant, carries no gradient");
        }
        NOT_DIFFERENTIABLE.put("sign", "piecewise constant (-1, 0, 1): derivative 0 where it exists");
        NOT_DIFFERENTIABLE.put("argmax", "integer indices: carries no gradient");
        NOT_DIFFERENTIABLE.put("argmin", "integer indices: carries no gradient");
        NOT_DIFFERENTIABLE.put("detach", "cuts the graph on purpose");
        NOT_DIFFERENTIABLE.put("grad", "accessor of the accumulated gradient");
        NOT_DIFFERENTIABLE.put("requiresGrad", "autograd flag setter, returns this");
        NOT_DIFFERENTIABLE.put("retainGrad", "autograd bookkeeping, returns this");
        NOT_DIFFERENTIABLE.put("name", "label for pictures and traces, returns this");
        for (String inPlace : List.of("addInPlace", "subInPlace", "mulInPlace", "divInPlace", "fill", "copyFrom")) {
            NOT_DIFFERENTIABLE.put(inPlace, "in-place write, never recorded: refused on tensors that require grad");
        }

        String elementwise2 = "ElementwiseGradProperties#";
        COVERED.put("add(Tensor)", elementwise2 + "add");
        COVERED.put("add(double)", elementwise2 + "addNumber");
        COVERED.put("sub(Tensor)", elementwise2 + "sub");
        COVERED.put("sub(double)", elementwise2 + "subNumber");
        COVERED.put("mul(Tensor)", elementwise2 + "mul");
        COVERED.put("mul(double)", elementwise2 + "mulNumber");
        COVERED.put("div(Tensor)", elementwise2 + "div");
        COVERED.put("div(double)", elementwise2 + "divNumber");
        COVERED.put("neg()", elementwise2 + "neg");
        COVERED.put("pow(double)", elementwise2 + "powFractional");
        COVERED.put("exp()", elementwise2 + "exp");
        COVERED.put("log()", elementwise2 + "log");
        COVERED.put("sqrt()", elementwise2 + "sqrt");
        COVERED.put("abs()", elementwise2 + "abs");
        COVERED.put("tanh()", elementwise2 + "tanh");
        COVERED.put("sigmoid()", elementwise2 + "sigmoid");
        COVERED.put("relu()", elementwise2 + "relu");

        String activation = "ActivationGradProperties#";
        COVERED.put("sin()", activation + "sin");
        COVERED.put("cos()", activation + "cos");
        COVERED.put("log1p()", activation + "log1p");
        COVERED.put("expm1()", activation + "expm1");
        COVERED.put("reciprocal()", activation + "reciprocal");
        COVERED.put("erf()", activation + "erf");
        COVERED.put("gelu()", activation + "geluExact");
        COVERED.put("gelu(boolean)", activation + "geluTanh");
        COVERED.put("softplus()", activation + "softplus");
        COVERED.put("leakyRelu(double)", activation + "leakyRelu");
        COVERED.put("clamp(double,double)", activation + "clamp");
        COVERED.put("maximum(Tensor)", activation + "maximum");
        COVERED.put("maximum(double)", activation + "maximumScalar");
        COVERED.put("minimum(Tensor)", activation + "minimum");
        COVERED.put("minimum(double)", activation + "minimumScalar");
        COVERED.put("pow(Tensor)", activation + "powTensor");
        COVERED.put("where(Tensor,Tensor,Tensor)", activation + "where");

        String reduce2 = "ReduceGradProperties#";
        COVERED.put("sum()", reduce2 + "sumAll");
        COVERED.put("sum(int,boolean)", reduce2 + "sumAxis");
        COVERED.put("sum(int[],boolean)", reduce2 + "sumAxes");
        COVERED.put("mean()", reduce2 + "meanAll");
        COVERED.put("mean(int,boolean)", reduce2 + "meanAxis");
        COVERED.put("mean(int[],boolean)", reduce2 + "meanAxes");

        String extrema = "ExtremaReduceGradProperties#";
        COVERED.put("max()", extrema + "maxAll");
        COVERED.put("max(int,boolean)", extrema + "maxAxis");
        COVERED.put("max(int[],boolean)", extrema + "maxAxes");
        COVERED.put("min()", extrema + "minAll");
        COVERED.put("min(int,boolean)", extrema + "minAxis");
        COVERED.put("min(int[],boolean)", extrema + "minAxes");
        COVERED.put("logSumExp()", extrema + "logSumExpAll");
        COVERED.put("logSumExp(int,boolean)", extrema + "logSumExpAxis");
        COVERED.put("logSumExp(int[],boolean)", extrema + "logSumExpAxes");
        COVERED.put("var()", extrema + "varAll");
        COVERED.put("var(int,boolean)", extrema + "varAxis");
        COVERED.put("var(int,boolean,int)", extrema + "varAxisCorrection");
        COVERED.put("var(int[],boolean,int)", extrema + "varAxesCorrection");
        COVERED.put("std()", extrema + "stdAll");
        COVERED.put("std(int,boolean)", extrema + "stdAxis");
        COVERED.put("std(int,boolean,int)", extrema + "stdAxisCorrection");
        COVERED.put("std(int[],boolean,int)", extrema + "stdAxesCorrection");

        COVERED.put("matmul(Tensor)", "MatmulGradProperties#matrixMatrix");
        COVERED.put("linear(Tensor,Tensor)", "MatmulGradProperties#linear");
        COVERED.put("reshape(int[])", "MovementGradProperties#reshape");
        COVERED.put("t()", "MovementGradProperties#transposeMatrix");
        COVERED.put("transpose(int,int)", "MovementGradProperties#transposeTwoAxes");
        COVERED.put("permute(int[])", "MovementGradProperties#permute");

        String shapes = "ShapeGradProperties#";
        COVERED.put("expand(int[])", shapes + "expand");
        COVERED.put("flatten()", shapes + "flattenAll");
        COVERED.put("flatten(int,int)", shapes + "flattenRange");
        COVERED.put("squeeze(int)", shapes + "squeezeAxis");
        COVERED.put("squeeze()", shapes + "squeezeAll");
        COVERED.put("unsqueeze(int)", shapes + "unsqueeze");
        COVERED.put("concat(List,int)", shapes + "concat");
        COVERED.put("stack(List,int)", shapes + "stack");
        COVERED.put("split(int,int)", shapes + "splitBySize");
        COVERED.put("split(int[],int)", shapes + "splitBySizes");
        COVERED.put("chunk(int,int)", shapes + "chunk");
        COVERED.put("pad(int[],double)", shapes + "pad");
        COVERED.put("to(DType)", shapes + "toLowerPrecisionAndBack");

        String indexing = "IndexingGradProperties#";
        COVERED.put("slice(int,int,int,int)", indexing + "slice");
        COVERED.put("select(int,int)", indexing + "select");
        COVERED.put("indexSelect(int,int[])", indexing + "indexSelect");
        COVERED.put("gather(int,Tensor)", indexing + "gather");
        COVERED.put("scatterAdd(int,Tensor,Tensor)", indexing + "scatterAdd");

        String nn = "NnGradProperties#";
        COVERED.put("softmax(int)", nn + "softmax");
        COVERED.put("logSoftmax(int)", nn + "logSoftmax");
        COVERED.put("conv2d(Tensor,Tensor)", nn + "conv2dPlain");
        COVERED.put("conv2d(Tensor,Tensor,int,int)", nn + "conv2dStridePadding");
        COVERED.put("conv2d(Tensor,Tensor,int[],int[],int[],int)", nn + "conv2dFull");
        COVERED.put("maxPool2d(int)", nn + "maxPool2dSquare");
        COVERED.put("maxPool2d(int[],int[],int[])", nn + "maxPool2d");
        COVERED.put("avgPool2d(int)", nn + "avgPool2dSquare");
        COVERED.put("avgPool2d(int[],int[],int[])", nn + "avgPool2d");

        // names a PyTorch user reaches for (issue 14): each delegates to an op above, and is checked on its own
        COVERED.put("square()", elementwise2 + "square");
        COVERED.put("clone()", shapes + "cloneOf");
        COVERED.put("sum(int)", reduce2 + "sumAxisDropped");
        COVERED.put("mean(int)", reduce2 + "meanAxisDropped");
        for (String op : List.of("max", "min", "logSumExp", "var", "std")) {
            COVERED.put(op + "(int)", extrema + op + "AxisDropped");
        }
    }

    /** The public methods of Tensor returning Tensor or List (of tensors), as {@code name(Type,...)}. */
    static Map<String, Method> publicOps() {
        Map<String, Method> ops = new LinkedHashMap<>();
        for (Method m : Tensor.class.getMethods()) {
            if (m.getDeclaringClass() != Tensor.class || !Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            if (m.getReturnType() == Tensor.class || List.class.isAssignableFrom(m.getReturnType())) {
                ops.put(signature(m), m);
            }
        }
        return ops;
    }

    static String signature(Method m) {
        return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(",", "(", ")"));
    }

    static String nameOf(String signature) {
        return signature.substring(0, signature.indexOf('('));
    }

    // ------------------------------------------------------------ the coverage report

    /**
     * Writes {@code target/gradient-coverage.txt}: every public op of Tensor with the property that
     * gradchecks it, or the reason it has no gradient, or MISSING (which the test below turns into a
     * failed build).
     */
    @Test
    void writesTheCoverageReport() throws IOException {
        StringBuilder report = new StringBuilder("Gradient coverage of the public ops of Tensor\n\n");
        int covered = 0;
        int missing = 0;
        for (String sig : new TreeSet<>(publicOps().keySet())) {
            String property = COVERED.get(sig);
            String reason = NOT_DIFFERENTIABLE.get(nameOf(sig));
            if (property != null) {
                covered++;
            } else if (reason == null) {
                missing++;
            }
            report.append(String.format(java.util.Locale.ROOT, "%-45s %s%n", sig,
                    property != null ? "checked by " + property : reason != null ? "no gradient: " + reason : "MISSING"));
        }
        report.append(String.format(java.util.Locale.ROOT, "%n%d differentiable ops checked by a property, %d missing%n",
                covered, missing));
        Path target = Files.exists(Path.of("target")) ? Path.of("target") : Path.of("autograd-core", "target");
        Files.createDirectories(target);
        Path file = target.resolve("gradient-coverage.txt");
        Files.writeString(file, report.toString());
        // The report is what the file says: one line per public op, the totals, and no op left MISSING.
        List<String> lines = Files.readAllLines(file);
        int opLines = (int) lines.stream().filter(l -> l.matches("\\S+\\(.*\\)\\s+(checked by |no gradient: |MISSING).*"))
                .count();
        org.junit.jupiter.api.Assertions.assertEquals(publicOps().size(), opLines, "one line per public op");
        org.junit.jupiter.api.Assertions.assertEquals(0, missing, () -> "ops without a property:\n" + report);
        org.junit.jupiter.api.Assertions.assertTrue(covered >= 80, "at least 80 differentiable ops, found " + covered);
        org.junit.jupiter.api.Assertions.assertTrue(lines.get(lines.size() - 1).startsWith(covered + " differentiable ops"),
                lines.get(lines.size() - 1));
    }

    // ------------------------------------------------------------ the coverage rule

    @Test
    void everyDifferentiablePublicOpHasAGradCheckProperty() {
        Set<String> missing = new TreeSet<>();
        for (String sig : publicOps().keySet()) {
            if (!NOT_DIFFERENTIABLE.containsKey(nameOf(sig)) && !COVERED.containsKey(sig)) {
                missing.add(sig);
            }
        }
        assertTrue(missing.isEmpty(), () -> "public ops of Tensor without a GradCheck property: " + missing
                + ". Add a jqwik property that gradchecks each one and list it in OpCoverageTest.COVERED"
                + " (or, if it really has no gradient, in NOT_DIFFERENTIABLE with the reason).");
    }

    @Test
    void everyCoveredSignatureStillExists() {
        Set<String> ops = publicOps().keySet();
        Set<String> stale = COVERED.keySet().stream().filter(s -> !ops.contains(s)).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(stale.isEmpty(), () -> "COVERED lists signatures that Tensor no longer has: " + stale);
        Set<String> overlap = COVERED.keySet().stream().filter(s -> NOT_DIFFERENTIABLE.containsKey(nameOf(s)))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(overlap.isEmpty(), () -> "listed both as covered and as not differentiable: " + overlap);
    }

    // ------------------------------------------------------------ the allow-list is honest

    @Test
    void masksIndicesAndSignsDoNotRequireGrad() {
        Tensor x = Tensor.of(new double[] {1, -2, 3}, 3).requiresGrad(true);
        Tensor y = Tensor.of(new double[] {0, 0, 3}, 3).requiresGrad(true);
        List<Function<Tensor, Tensor>> ops = List.of(t -> t.gt(y), t -> t.lt(y), t -> t.ge(y), t -> t.le(y),
                t -> t.eq(y), t -> t.gt(0), t -> t.lt(0), t -> t.ge(0), t -> t.le(0), t -> t.eq(0), Tensor::sign,
                Tensor::argmax, Tensor::argmin, t -> t.argmax(0, true), t -> t.argmin(new int[] {0}, false),
                t -> t.argmax(0), t -> t.argmin(-1),
                Tensor::detach);
        for (Function<Tensor, Tensor> op : ops) {
            Tensor out = op.apply(x);
            assertFalse(out.requiresGrad(), () -> "should not require grad: " + out);
        }
    }

    @Test
    void inPlaceOpsRefuseTensorsThatRequireGrad() {
        List<Function<Tensor, Tensor>> ops = List.of(t -> t.addInPlace(1), t -> t.subInPlace(1), t -> t.mulInPlace(2),
                t -> t.divInPlace(2), t -> t.fill(0), t -> t.copyFrom(Tensor.zeros(2)),
                t -> t.addInPlace(Tensor.ones(2)), t -> t.subInPlace(Tensor.ones(2)),
                t -> t.mulInPlace(Tensor.ones(2)), t -> t.divInPlace(Tensor.ones(2)));
        for (Function<Tensor, Tensor> op : ops) {
            Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
            assertThrows(IllegalStateException.class, () -> op.apply(x));
        }
    }

    @Test
    void creationFunctionsReturnLeavesThatDoNotRequireGrad() {
        java.util.Random r = new java.util.Random(1);
        for (Tensor t : List.of(Tensor.of(new double[] {1}, 1), Tensor.scalar(1), Tensor.zeros(2), Tensor.ones(2),
                Tensor.full(3, 2), Tensor.arange(3), Tensor.linspace(0, 1, 3), Tensor.of(new double[][] {{1}}),
                Tensor.of(new float[][][] {{{1}}}), Tensor.eye(2), Tensor.rand(r, 2), Tensor.randn(r, 2),
                Tensor.zerosLike(Tensor.ones(2)), Tensor.onesLike(Tensor.ones(2)),
                Tensor.fromBits(DType.FLOAT16, new short[] {0x3c00}, 1))) {
            assertTrue(t.isLeaf());
            assertFalse(t.requiresGrad());
        }
    }

    // ------------------------------------------------------------ float32 agreement coverage

    @Test
    void everyOpHasAFloat32AgreementCase() {
        List<String> cases = Float32AgreementProperties.allCaseNames();
        Set<String> names = new TreeSet<>();
        COVERED.keySet().forEach(s -> names.add(nameOf(s)));
        names.addAll(List.of("gt", "lt", "ge", "le", "eq", "argmax", "argmin"));
        Set<String> missing = new TreeSet<>();
        for (String name : names) {
            boolean found = cases.stream().anyMatch(c -> c.equals(name) || c.startsWith(name + "(")
                    || c.startsWith(name + "/") || c.contains("/" + name + "/") || c.contains("/" + name + "("));
            if (!found) {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), () -> "ops without a FLOAT32 agreement case: " + missing);
        assertEquals(cases.size(), Set.copyOf(cases).size(), "agreement case names are unique");
    }
}
