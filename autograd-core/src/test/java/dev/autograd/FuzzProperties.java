package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import dev.autograd.internal.kernel.Shape;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * A fuzzer over the public {@link Tensor} API (issue 13, "Reliability").
 *
 * <p>{@link #everyCallReturnsAConsistentTensorOrRefusesNamingTheOp} runs random programs: each step calls one
 * public op on tensors made by earlier steps, with ranks 0 to 5, extents 0, 1, small, and now and then huge
 * ones (65536, {@code Integer.MAX_VALUE}, next to a 0 so that nothing is allocated), axes in and out of
 * range, negative ones, both dtypes, NaN and infinities, and null arguments. Every call must either return
 * tensors whose shape, element count, values and dtype agree (and, where the fuzzer knows it, the expected
 * shape), or refuse with an {@link IllegalArgumentException}, {@link IllegalStateException},
 * {@link NullPointerException} or {@link IndexOutOfBoundsException} whose message names the op the user
 * called. Anything else (another throwable, a message without the op, a call that hangs) fails the property.
 *
 * <p>{@link #backwardOfRandomValidProgramsMatchesFiniteDifferences} composes random differentiable programs
 * on small FLOAT64 shapes and checks them with {@link GradCheck}.
 *
 * <p>The default build runs the jqwik default number of tries (short programs, a few seconds);
 * {@code -Pproperties-long} raises the tries and, through {@code autograd.longTests}, the program length.
 * The outcome counts are printed as one line when the class is done. With {@code -Dautograd.fuzz.collect=true}
 * an unexpected outcome is printed and counted instead of failing the property, with per-op counts of
 * returned and refused calls: a way to see every kind of bug of a run, and which ops a run really reached.
 *
 * <p>Not covered: {@code split(size)} into more than 10,000 pieces (an empty tensor with an axis of 2^30
 * split by 1 is 2^30 tensors, which the JVM cannot hold; the engine refuses only past the array limit).
 */
class FuzzProperties {

    static final boolean LONG = Boolean.getBoolean("autograd.longTests");
    /** Most elements the fuzzer lets a call produce: a larger (but allocatable) result is skipped, not run. */
    static final long OUTPUT_LIMIT = 100_000;
    /** Results larger than this are checked but not reused, so that broadcasts of two of them stay small. */
    static final long POOL_LIMIT = 10_000;
    /** A call that takes longer than this is reported as a hang. */
    static final long CALL_TIMEOUT_SECONDS = 20;

    // ------------------------------------------------------------------------------------ counts

    static final AtomicLong CALLS = new AtomicLong();
    static final AtomicLong RETURNED = new AtomicLong();
    static final AtomicLong SKIPPED = new AtomicLong();
    static final Map<Refusal, AtomicLong> REFUSED = new EnumMap<>(Refusal.class);
    static final AtomicLong GRADCHECKS = new AtomicLong();
    static final AtomicLong UNEXPECTED = new AtomicLong();
    /**
     * With {@code -Dautograd.fuzz.collect=true} an unexpected outcome is printed (once per op and kind) and
     * counted instead of failing the property: a way to see every kind of bug of a run at once.
     */
    static final boolean COLLECT = Boolean.getBoolean("autograd.fuzz.collect");
    private static final java.util.Set<String> REPORTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Fails the property on an unexpected outcome, or in collect mode prints it once and goes on. */
    static void unexpected(String key, String message, Throwable cause) {
        UNEXPECTED.incrementAndGet();
        if (!COLLECT) {
            throw new AssertionError(message, cause);
        }
        if (REPORTED.add(key)) {
            System.out.println("FUZZ-UNEXPECTED " + message + (cause == null ? "" : " <- " + cause.getStackTrace()[0]));
        }
    }

    /** The exception kinds a call may refuse with. */
    enum Refusal {
        IllegalArgument, IllegalState, NullPointer, IndexOutOfBounds
    }

    static {
        for (Refusal r : Refusal.values()) {
            REFUSED.put(r, new AtomicLong());
        }
    }

    /** Per op: calls that returned and calls that were refused; printed in collect mode, to see coverage. */
    static final Map<Op, long[]> PER_OP = new java.util.concurrent.ConcurrentHashMap<>();

    static void tally(Op op, int outcome) {
        synchronized (PER_OP) {
            PER_OP.computeIfAbsent(op, o -> new long[2])[outcome]++;
        }
    }

    @AfterContainer
    static void printCounts() {
        if (COLLECT) {
            for (Op op : Op.values()) {
                long[] c = PER_OP.getOrDefault(op, new long[2]);
                System.out.println("FUZZ-OP " + op + " returned=" + c[0] + " refused=" + c[1]);
            }
        }
        StringBuilder sb = new StringBuilder("Fuzzer: ").append(CALLS.get()).append(" calls, ")
                .append(RETURNED.get()).append(" returned, refused");
        for (Refusal r : Refusal.values()) {
            sb.append(' ').append(r).append('=').append(REFUSED.get(r).get());
        }
        sb.append(", unexpected=").append(UNEXPECTED.get()).append(", skipped as too large=").append(SKIPPED.get())
                .append(", gradchecked programs=").append(GRADCHECKS.get())
                .append(LONG ? " (long run)" : " (short run)");
        System.out.println(sb);
    }

    // ------------------------------------------------------------------------------------ the ops

    /** Every public op the fuzzer calls, with the name its refusals must carry. */
    enum Op {
        OF_DOUBLE("of"), OF_FLOAT("of"), SCALAR("scalar"), ZEROS("zeros"), ONES("ones"), FULL("full"),
        ARANGE_N("arange"), ARANGE("arange"), EYE("eye"), RAND("rand"), RANDN("randn"),
        ZEROS_LIKE("zerosLike"), ONES_LIKE("onesLike"),
        ITEM("item"), GET("get"), TO("to"),
        NEG("neg"), EXP("exp"), LOG("log"), SQRT("sqrt"), ABS("abs"), TANH("tanh"), SIGMOID("sigmoid"),
        RELU("relu"), SIGN("sign"), SIN("sin"), COS("cos"), LOG1P("log1p"), EXPM1("expm1"),
        RECIPROCAL("reciprocal"), ERF("erf"), GELU("gelu"), GELU_TANH("gelu"), SOFTPLUS("softplus"),
        LEAKY_RELU("leakyRelu"), CLAMP("clamp"), POW_SCALAR("pow"),
        ADD_S("add"), SUB_S("sub"), MUL_S("mul"), DIV_S("div"), GT_S("gt"), LT_S("lt"), GE_S("ge"), LE_S("le"),
        EQ_S("eq"), MAXIMUM_S("maximum"), MINIMUM_S("minimum"),
        ADD("add"), SUB("sub"), MUL("mul"), DIV("div"), POW("pow"), GT("gt"), LT("lt"), GE("ge"), LE("le"),
        EQ("eq"), MAXIMUM("maximum"), MINIMUM("minimum"), WHERE("where"),
        SUM_ALL("sum"), SUM("sum"), SUM_AXES("sum"), MEAN_ALL("mean"), MEAN("mean"), MEAN_AXES("mean"),
        MAX_ALL("max"), MAX("max"), MAX_AXES("max"), MIN_ALL("min"), MIN("min"), MIN_AXES("min"),
        LSE_ALL("logSumExp"), LSE("logSumExp"), LSE_AXES("logSumExp"),
        VAR_ALL("var"), VAR("var"), VAR_AXES("var"), STD_ALL("std"), STD("std"), STD_AXES("std"),
        ARGMAX_ALL("argmax"), ARGMAX("argmax"), ARGMAX_AXES("argmax"),
        ARGMIN_ALL("argmin"), ARGMIN("argmin"), ARGMIN_AXES("argmin"),
        RESHAPE("reshape"), TRANSPOSE_2D("t"), TRANSPOSE("transpose"), PERMUTE("permute"),
        EXPAND("expand"), FLATTEN_ALL("flatten"), FLATTEN("flatten"), SQUEEZE_ALL("squeeze"), SQUEEZE("squeeze"),
        UNSQUEEZE("unsqueeze"), SLICE("slice"), SELECT("select"), INDEX_SELECT("indexSelect"),
        GATHER("gather"), SCATTER_ADD("scatterAdd"), CONCAT("concat"), STACK("stack"), SPLIT("split"),
        SPLIT_SIZES("split"), CHUNK("chunk"), PAD("pad"),
        SOFTMAX("softmax"), LOG_SOFTMAX("logSoftmax"), MATMUL("matmul"), LINEAR("linear"),
        MAX_POOL("maxPool2d"), AVG_POOL("avgPool2d"), MAX_POOL_FULL("maxPool2d"), AVG_POOL_FULL("avgPool2d"),
        CONV2D("conv2d"),
        REQUIRES_GRAD("requiresGrad"), DETACH("detach"), BACKWARD("backward"),
        BACKWARD_FULL("backward"), RETAIN_GRAD("retainGrad"), ZERO_GRAD("zeroGrad"),
        ADD_IN_PLACE("addInPlace"), ADD_IN_PLACE_ALPHA("addInPlace"), SUB_IN_PLACE("subInPlace"),
        MUL_IN_PLACE("mulInPlace"), DIV_IN_PLACE("divInPlace"), ADD_IN_PLACE_S("addInPlace"),
        SUB_IN_PLACE_S("subInPlace"), MUL_IN_PLACE_S("mulInPlace"), DIV_IN_PLACE_S("divInPlace"), FILL("fill"),
        COPY_FROM("copyFrom");

        final String opName;

        Op(String opName) {
            this.opName = opName;
        }
    }

    /** One step of a program: the op and the raw material its arguments are made of. */
    record Step(Op op, List<Integer> ints, double value, boolean flag, int nulls) {

        int i(int k) {
            return ints.get(k % ints.size());
        }

        /** Whether argument {@code k} should be null: rare, so that most calls get past the null checks. */
        boolean isNull(int k) {
            return nulls == k + 1;
        }
    }

    // ------------------------------------------------------------------------------------ generators

    /** Small ints most of the time (extents, axes), negative ones, and now and then the edges of the range. */
    static Arbitrary<Integer> interestingInts() {
        return Arbitraries.frequencyOf(
                Tuple.of(14, Arbitraries.integers().between(0, 5)),
                Tuple.of(4, Arbitraries.integers().between(-6, -1)),
                Tuple.of(1, Arbitraries.of(65536, Integer.MAX_VALUE, Integer.MIN_VALUE, Shape.MAX_ELEMENTS,
                        46341, -65536, 1 << 30)),
                Tuple.of(1, Arbitraries.integers()));
    }

    static Arbitrary<Double> interestingDoubles() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.doubles().between(-4, 4)),
                Tuple.of(2, Arbitraries.of(0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0)),
                Tuple.of(1, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, 1e308, 1e-320, 65536.0)));
    }

    @Provide
    Arbitrary<List<Step>> programs() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.of(Op.class),
                interestingInts().list().ofSize(10),
                interestingDoubles(),
                Arbitraries.of(true, false),
                Arbitraries.frequencyOf(Tuple.of(24, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(1, 3))))
                .as(Step::new);
        // long programs: each try then reaches tensors made by many earlier calls (views of views, empty
        // results of reductions, grads), and the jqwik default of 100 tries makes thousands of calls
        return step.list().ofMinSize(1).ofMaxSize(LONG ? 2000 : 800).withSizeDistribution(RandomDistribution.uniform());
    }

    // ------------------------------------------------------------------------------------ property 1

    private static ExecutorService executor = newExecutor();

    private static ExecutorService newExecutor() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzzer-call");
            t.setDaemon(true); // a hung call must not keep the test JVM alive
            return t;
        });
    }

    // no generated edge cases: they are programs of one step with every int 0, which say little; the ints
    // and doubles carry their own edge values (0, 1, the int limits, NaN, infinities) by frequency
    @Property(edgeCases = EdgeCasesMode.NONE)
    void everyCallReturnsAConsistentTensorOrRefusesNamingTheOp(@ForAll("programs") List<Step> program) {
        Run run = new Run();
        for (Step step : program) {
            run.execute(step);
        }
    }

    /** The state of one program: the tensors made so far. */
    static final class Run {
        final List<Tensor> pool = new ArrayList<>();
        /** The shape a call must return, when the fuzzer knows it; null when it does not. */
        int[] expected;
        /** The dtype a call must return, when the fuzzer knows it. */
        DType expectedDType;

        void execute(Step step) {
            expected = null;
            expectedDType = null;
            Invocation call = Invocation.of(this, step);
            if (call == null) {
                SKIPPED.incrementAndGet();
                return;
            }
            CALLS.incrementAndGet();
            Object result;
            Future<Object> future = executor.submit(call.body::call);
            try {
                result = future.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                executor = newExecutor();
                unexpected(step.op + "hang", step.op + ": did not return within " + CALL_TIMEOUT_SECONDS + " s: " + call.text, null);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } catch (ExecutionException e) {
                checkRefusal(step.op, call.text, e.getCause());
                return;
            }
            RETURNED.incrementAndGet();
            tally(step.op, 0);
            try {
                check(step.op, call.text, result);
                if (step.op == Op.BACKWARD || step.op == Op.BACKWARD_FULL) {
                    // every gradient a backward left behind has its tensor's shape and dtype
                    for (Tensor t : pool) {
                        Tensor g = t.grad();
                        if (g != null) {
                            checkTensor(step.op, "grad of " + FuzzCalls.str(t) + " after " + call.text, g, t.shape(), t.dtype());
                        }
                    }
                }
            } catch (AssertionError e) {
                unexpected(step.op + "result", e.getMessage(), null);
            }
        }

        void check(Op op, String text, Object result) {
            if (result instanceof Tensor t) {
                checkTensor(op, text, t, expected, expectedDType);
                if (t.numel() <= POOL_LIMIT) {
                    keep(t);
                }
            } else if (result instanceof List<?> pieces) {
                for (Object p : pieces) {
                    checkTensor(op, text, (Tensor) p, null, expectedDType);
                }
                if (expected != null) {
                    // for split and chunk, expected holds the extents of the pieces along the axis
                    int[] actual = pieces.stream().mapToInt(p -> ((Tensor) p).shape()[expected[0]]).toArray();
                    int[] want = Arrays.copyOfRange(expected, 1, expected.length);
                    if (!Arrays.equals(actual, want)) {
                        throw new AssertionError(op.opName + ": pieces of extents " + Arrays.toString(actual)
                                + " along the axis, expected " + Arrays.toString(want) + ": " + text);
                    }
                }
                for (Object p : pieces) {
                    if (((Tensor) p).numel() <= POOL_LIMIT) {
                        keep((Tensor) p);
                    }
                }
            }
        }

        /** Adds a result to the pool; a full pool replaces an older tensor, so memory stays bounded. */
        void keep(Tensor t) {
            if (pool.size() < 128) {
                pool.add(t);
            } else {
                pool.set(Math.floorMod(System.identityHashCode(t), pool.size()), t);
            }
        }

        Tensor pick(int k) {
            if (pool.isEmpty()) {
                pool.add(Tensor.of(new double[] {1, Double.NaN, 3, Double.NEGATIVE_INFINITY, 0, -2}, 2, 3));
            }
            return pool.get(Math.floorMod(k, pool.size()));
        }
    }

    static void checkTensor(Op op, String text, Tensor t, int[] expected, DType dtype) {
        assertNotNull(t, () -> op.opName + " returned null: " + text);
        int[] shape = t.shape();
        long product = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new AssertionError(op.opName + ": returned shape " + Arrays.toString(shape) + ": " + text);
            }
            product = saturatingMultiply(product, d);
        }
        String what = op.opName + " returned shape " + Arrays.toString(shape) + " for " + text;
        assertEquals(product, t.numel(), () -> "numel disagrees with the shape: " + what);
        assertEquals(t.numel(), t.toDoubleArray().length, () -> "stored values disagree with numel: " + what);
        assertEquals(t.numel(), t.toFloatArray().length, () -> "stored float values disagree with numel: " + what);
        assertEquals(shape.length, t.dim(), () -> "dim disagrees with the shape: " + what);
        if (expected != null && !Arrays.equals(expected, shape)) {
            throw new AssertionError("expected shape " + Arrays.toString(expected) + ": " + what);
        }
        if (dtype != null) {
            assertEquals(dtype, t.dtype(), () -> "dtype: " + what);
        }
    }

    static void checkRefusal(Op op, String text, Throwable e) {
        Refusal kind;
        if (e instanceof IndexOutOfBoundsException) {
            kind = Refusal.IndexOutOfBounds;
        } else if (e instanceof IllegalArgumentException) {
            kind = Refusal.IllegalArgument;
        } else if (e instanceof IllegalStateException) {
            kind = Refusal.IllegalState;
        } else if (e instanceof NullPointerException) {
            kind = Refusal.NullPointer;
        } else {
            unexpected(op + e.getClass().getName(), op.opName + ": unexpected " + e + " for " + text, e);
            return;
        }
        String message = e.getMessage();
        if (message == null || !(message.startsWith(op.opName + ":") || namesOp(message, op.opName))) {
            unexpected(op + "message" + e.getClass().getName(), op.opName + ": the message does not name the op: " + e
                    + " for " + text, e);
            return;
        }
        REFUSED.get(kind).incrementAndGet();
        tally(op, 1);
    }

    /** Whether the message holds the op's name as a word (not as part of a longer identifier). */
    static boolean namesOp(String message, String opName) {
        int i = message.indexOf(opName);
        while (i >= 0) {
            int end = i + opName.length();
            boolean before = i == 0 || !Character.isJavaIdentifierPart(message.charAt(i - 1));
            boolean after = end == message.length() || !Character.isJavaIdentifierPart(message.charAt(end));
            if (before && after) {
                return true;
            }
            i = message.indexOf(opName, i + 1);
        }
        return false;
    }

    static long saturatingMultiply(long a, long b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    /** The exact element count of a shape whose extents are not negative, saturated. */
    static long count(int[] shape) {
        long n = 1;
        boolean zero = false;
        for (int d : shape) {
            zero |= d == 0;
        }
        if (zero) {
            return 0;
        }
        for (int d : shape) {
            n = saturatingMultiply(n, d);
        }
        return n;
    }

    static boolean hasNegative(int[] shape) {
        return Arrays.stream(shape).anyMatch(d -> d < 0);
    }

    /**
     * Whether a call that would produce {@code count} elements is safe to make: small, or so large that the
     * engine must refuse it before allocating anything.
     */
    static boolean affordable(long count) {
        return count <= OUTPUT_LIMIT || count > Shape.MAX_ELEMENTS;
    }

    /** A call ready to run, and how it reads in a failure report. */
    record Invocation(java.util.concurrent.Callable<Object> body, String text) {

        static Invocation of(Run run, Step s) {
            return FuzzCalls.make(run, s);
        }
    }

    // ------------------------------------------------------------------------------------ property 2

    @Property
    void backwardOfRandomValidProgramsMatchesFiniteDifferences(@ForAll("validPrograms") FuzzGradPrograms.Program p) {
        GRADCHECKS.incrementAndGet();
        GradCheck.assertGradientsMatch(p::apply, p.inputs());
    }

    @Provide
    Arbitrary<FuzzGradPrograms.Program> validPrograms() {
        return FuzzGradPrograms.programs(LONG ? 12 : 6);
    }
}
