package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every op's two backward forms agree: the fused kernels of a plain backward ({@code createGraph} off) and
 * the differentiable formula written with tensor ops (which createGraph records). Each case runs both on
 * the same random inputs and upstream gradient, in FLOAT64 (to 1e-12, relative) and FLOAT32 (to 1e-5);
 * cases include broadcast operands and the lazily broadcast gradient of a sum. A completeness check finds,
 * by reflection, every node class that overrides {@code fusedBackward} and fails when no case runs it.
 */
class FusedBackwardTest {

    /** A graph to differentiate: a name, the input shapes, and the function. */
    record Case(String name, int[][] shapes, Function<Tensor[], Tensor> f, boolean positive) {
    }

    private static Case c(String name, Function<Tensor[], Tensor> f, int[]... shapes) {
        return new Case(name, shapes, f, false);
    }

    private static Case positive(String name, Function<Tensor[], Tensor> f, int[]... shapes) {
        return new Case(name, shapes, f, true);
    }

    private static int[] s(int... dims) {
        return dims;
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        int[] m = s(3, 4);
        cases.add(c("neg", in -> in[0].neg(), m));
        cases.add(c("ops with a number", in -> in[0].mul(3).add(2).sub(0.5).div(4), m));
        cases.add(c("ops with a number on a scalar", in -> in[0].mul(-1.5).add(0.25).div(3).sub(1).mul(in[0]),
                s()));
        cases.add(c("ops with a number after a full sum", in -> in[0].sum().mul(3).div(2).add(in[0]), m));
        cases.add(c("exp", in -> in[0].exp(), m));
        cases.add(positive("log", in -> in[0].log(), m));
        cases.add(positive("sqrt", in -> in[0].sqrt(), m));
        cases.add(c("abs", in -> in[0].abs(), m));
        cases.add(c("tanh", in -> in[0].tanh(), m));
        cases.add(c("sigmoid", in -> in[0].sigmoid(), m));
        cases.add(c("relu", in -> in[0].relu(), m));
        cases.add(c("leakyRelu", in -> in[0].leakyRelu(0.1), m));
        cases.add(c("sin", in -> in[0].sin(), m));
        cases.add(c("cos", in -> in[0].cos(), m));
        cases.add(positive("log1p", in -> in[0].log1p(), m));
        cases.add(c("expm1", in -> in[0].expm1(), m));
        cases.add(c("erf", in -> in[0].erf(), m));
        cases.add(c("softplus", in -> in[0].softplus(), m));
        cases.add(positive("pow", in -> in[0].pow(2.5), m));
        cases.add(positive("reciprocal", in -> in[0].reciprocal(), m));
        cases.add(c("gelu", in -> in[0].gelu(), m));
        cases.add(c("gelu tanh", in -> in[0].gelu(true), m));
        // A full sum hands the unary op a gradient of shape [1, 1] to broadcast; a partial sum a column.
        cases.add(c("tanh of a full sum", in -> in[0].tanh().sum(), m));
        cases.add(c("sigmoid of a sum over axis 1", in -> in[0].sigmoid().sum(1, true), m));
        cases.add(c("add broadcast", in -> in[0].add(in[1]), s(2, 1, 3), s(4, 1)));
        cases.add(c("add broadcast, full sum", in -> in[0].add(in[1]).sum(), s(2, 1, 3), s(4, 1)));
        cases.add(c("sub broadcast", in -> in[0].sub(in[1]), s(2, 3), s(3)));
        cases.add(c("sub broadcast, mean", in -> in[0].sub(in[1]).mean(), s(2, 3), s(1, 3)));
        cases.add(c("mul broadcast", in -> in[0].mul(in[1]), s(2, 1, 3), s(4, 1)));
        cases.add(c("mul broadcast, full sum", in -> in[0].mul(in[1]).sum(), s(2, 1, 3), s(4, 1)));
        cases.add(c("mul same shape, tanh, sum", in -> in[0].mul(in[1]).add(in[2]).tanh().sum(), m, m, m));
        cases.add(positive("div broadcast", in -> in[0].div(in[1]), s(2, 3), s(3)));
        cases.add(c("sum axis", in -> in[0].sum(0, false), m));
        cases.add(c("mean axes", in -> in[0].mean(new int[] {0, 2}, true), s(2, 3, 4)));
        cases.add(c("matmul", in -> in[0].matmul(in[1]), s(3, 5), s(5, 2)));
        cases.add(c("matmul vector", in -> in[0].matmul(in[1]), s(5), s(5, 2)));
        cases.add(c("matmul batched, broadcast", in -> in[0].matmul(in[1]), s(2, 3, 4), s(4, 5)));
        cases.add(c("matmul batched, both broadcast", in -> in[0].matmul(in[1]), s(2, 1, 3, 4), s(3, 4, 2)));
        cases.add(c("linear", in -> in[0].linear(in[1], in[2]), s(2, 3, 4), s(5, 4), s(5)));
        cases.add(c("linear without bias", in -> in[0].linear(in[1], null), s(4), s(5, 4)));
        cases.add(c("softmax last axis", in -> in[0].softmax(-1), s(3, 5)));
        cases.add(c("softmax middle axis", in -> in[0].softmax(1), s(2, 3, 4)));
        cases.add(c("logSoftmax last axis", in -> in[0].logSoftmax(1), s(3, 5)));
        cases.add(c("logSoftmax first axis", in -> in[0].logSoftmax(0), s(3, 2, 2)));
        cases.add(c("conv2d", in -> in[0].conv2d(in[1], in[2], 1, 1), s(2, 3, 5, 5), s(4, 3, 3, 3), s(4)));
        cases.add(c("conv2d strided, dilated, grouped", in -> in[0].conv2d(in[1], null, new int[] {2, 1},
                new int[] {1, 2}, new int[] {1, 2}, 2), s(2, 4, 6, 7), s(6, 2, 2, 3)));
        cases.add(c("maxPool2d", in -> in[0].maxPool2d(2), s(2, 3, 4, 4)));
        cases.add(c("maxPool2d padded, overlapping", in -> in[0].maxPool2d(new int[] {3, 2}, new int[] {1, 2},
                new int[] {1, 1}), s(1, 2, 5, 4)));
        cases.add(c("cross-entropy-like chain", in -> in[0].linear(in[1], in[2]).relu().logSoftmax(1)
                .gather(1, Tensor.of(new double[] {0, 2, 1}, 3, 1)).mean(), s(3, 4), s(3, 4), s(3)));
        return cases;
    }

    @Test
    void fusedAndDifferentiableBackwardAgreeInFloat64() {
        Random random = new Random(11);
        for (Case c : cases()) {
            for (int trial = 0; trial < 3; trial++) {
                compare(c, random, DType.FLOAT64, 1e-12);
            }
        }
    }

    @Test
    void fusedAndDifferentiableBackwardAgreeInFloat32() {
        Random random = new Random(12);
        for (Case c : cases()) {
            compare(c, random, DType.FLOAT32, 1e-5);
        }
    }

    @Test
    void everyUnaryEntrySavesWhatItsFusedKernelReads() {
        for (UnaryOps entry : UnaryOps.values()) {
            if (entry.saves == UnaryOps.Saves.NOTHING) {
                assertEquals(dev.autograd.internal.kernel.UnaryOp.NEG, entry.kernel, entry + " saves nothing");
                continue;
            }
            assertEquals(entry.kernel.derivativeFromOutput(), entry.saves == UnaryOps.Saves.OUTPUT,
                    () -> entry + " saves " + entry.saves + " but its fused kernel reads "
                            + (entry.kernel.derivativeFromOutput() ? "the output" : "the input"));
        }
    }

    @Test
    void maxPoolTiesAgreeToo() {
        // Values on a coarse grid: windows hold ties, which both forms share evenly.
        Tensor x = Tensor.of(new double[] {1, 1, 0, 1, 2, 2, 2, 0, 1, 1, 1, 1, 0, 2, 2, 0}, 1, 1, 4, 4)
                .requiresGrad(true);
        Case c = c("maxPool2d ties", in -> in[0].maxPool2d(new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}),
                s(1, 1, 4, 4));
        compareOn(c, new Tensor[] {x}, new Random(3), 1e-12);
    }

    @Test
    void everyFusedBackwardIsCompared() throws IOException, URISyntaxException {
        Set<String> overriding = new TreeSet<>();
        Path root = Path.of(Node.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/autograd");
        try (Stream<Path> files = Files.list(root)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".class")) {
                    continue;
                }
                Class<?> type;
                try {
                    type = Class.forName("dev.autograd." + name.substring(0, name.length() - 6));
                } catch (ClassNotFoundException e) {
                    continue;
                }
                if (Node.class.isAssignableFrom(type) && !Modifier.isAbstract(type.getModifiers())
                        && overrides(type, "fusedBackward")) {
                    overriding.add(type.getSimpleName());
                }
            }
        }
        Set<String> seen = new TreeSet<>();
        Random random = new Random(1);
        for (Case c : cases()) {
            Tensor[] inputs = inputs(c, random, DType.FLOAT64);
            collect(c.f().apply(inputs).gradFn(), seen);
        }
        seen.add("AccumulateGrad");
        Set<String> missing = new TreeSet<>(overriding);
        missing.removeAll(seen);
        assertTrue(overriding.size() >= 10, () -> "found too few fused nodes to be believable: " + overriding);
        assertTrue(missing.isEmpty(), () -> "node classes with a fused backward but no case here: " + missing);
    }

    private static boolean overrides(Class<?> type, String method) {
        for (Method m : type.getDeclaredMethods()) {
            if (m.getName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    private static void collect(GradFn root, Set<String> seen) {
        Deque<GradFn> stack = new ArrayDeque<>();
        if (root != null) {
            stack.push(root);
        }
        while (!stack.isEmpty()) {
            GradFn node = stack.pop();
            seen.add(node.getClass().getSimpleName());
            for (GradFn next : node.nextFunctions()) {
                if (next != null) {
                    stack.push(next);
                }
            }
        }
    }

    private static Tensor[] inputs(Case c, Random random, DType dtype) {
        Tensor[] inputs = new Tensor[c.shapes().length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = Tensor.randn(random, c.shapes()[i]);
            if (c.positive()) {
                t = t.abs().add(0.5);
            }
            inputs[i] = t.to(dtype).detach().requiresGrad(true);
        }
        return inputs;
    }

    private static void compare(Case c, Random random, DType dtype, double tolerance) {
        compareOn(c, inputs(c, random, dtype), random, tolerance);
    }

    private static void compareOn(Case c, Tensor[] inputs, Random random, double tolerance) {
        Tensor out = c.f().apply(inputs);
        Tensor upstream = Tensor.randn(random, out.shape()).to(out.dtype());
        List<Tensor> fused = Autograd.grad(List.of(out), List.of(inputs), List.of(upstream), true, false);
        List<Tensor> differentiable = Autograd.grad(List.of(out), List.of(inputs), List.of(upstream), true, true);
        for (int i = 0; i < inputs.length; i++) {
            Tensor a = fused.get(i);
            Tensor b = differentiable.get(i);
            String where = c.name() + " (" + inputs[0].dtype() + "), input " + i;
            assertArrayEquals(inputs[i].shape(), a.shape(), () -> where + ": shape of the fused gradient");
            assertArrayEquals(inputs[i].shape(), b.shape(), () -> where + ": shape of the differentiable gradient");
            assertEquals(a.dtype(), b.dtype(), where);
            double[] av = a.toDoubleArray();
            double[] bv = b.toDoubleArray();
            for (int j = 0; j < av.length; j++) {
                double tol = tolerance * Math.max(1, Math.abs(bv[j]));
                int index = j;
                assertEquals(bv[j], av[j], tol, () -> where + ", element " + index + ": fused " + av[index]
                        + " vs differentiable " + bv[index]);
            }
        }
    }
}
