package dev.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.autograd.GradCheck;
import dev.autograd.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Helpers shared by the nn tests. */
public final class NnTestSupport {

    private NnTestSupport() {
    }

    /**
     * GradCheck of a module as a function of its input (when {@code checkInput}) and of all its
     * parameters: the parameters are passed to GradCheck as inputs and substituted with
     * {@link Module#functionalCall}, since GradCheck only checks the tensors it is given.
     */
    public static void assertModuleGradients(Module module, Tensor input, boolean checkInput) {
        Map<String, Tensor> params = module.namedParameters();
        List<String> names = new ArrayList<>(params.keySet());
        // Guard against a vacuous pass: every parameter handed to GradCheck must reach the output.
        Tensor base = module.functionalCall(Map.of(), input.detach());
        for (String name : names) {
            Tensor moved = params.get(name).detach().add(0.5);
            Tensor out = module.functionalCall(Map.of(name, moved), input.detach());
            if (java.util.Arrays.equals(out.toDoubleArray(), base.toDoubleArray())) {
                throw new AssertionError("parameter '" + name + "' does not influence the output of " + module);
            }
        }
        Tensor[] inputs = new Tensor[1 + names.size()];
        inputs[0] = input.detach().requiresGrad(checkInput);
        for (int i = 0; i < names.size(); i++) {
            inputs[i + 1] = params.get(names.get(i)).detach().requiresGrad(true);
        }
        GradCheck.assertGradientsMatch(in -> {
            Map<String, Tensor> replacements = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                replacements.put(names.get(i), in[i + 1]);
            }
            return module.functionalCall(replacements, in[0]);
        }, inputs);
    }

    /** A FLOAT64 tensor with values drawn from N(0, 1) with a fixed seed. */
    public static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Random(seed), shape);
    }

    /** Asserts values and shape, with an absolute tolerance. */
    public static void assertValues(double[] expected, Tensor actual, double tolerance) {
        assertArrayEquals(expected, actual.toDoubleArray(), tolerance);
    }

    /** Asserts a scalar with an absolute tolerance. */
    public static void assertScalar(double expected, Tensor actual, double tolerance) {
        assertEquals(1, actual.numel(), "expected a single value");
        assertEquals(expected, actual.item(), tolerance);
    }

    /**
     * Asserts that a refusal's message mentions each fragment (case-insensitive): an exception type alone
     * does not say that the user learns what went wrong.
     *
     * @param e         the exception thrown
     * @param fragments what the message must mention, e.g. the method the user called
     * @param <T>       its type
     * @return the exception
     */
    public static <T extends Throwable> T assertMentions(T e, String... fragments) {
        String message = String.valueOf(e.getMessage());
        for (String fragment : fragments) {
            if (!message.toLowerCase(java.util.Locale.ROOT).contains(fragment.toLowerCase(java.util.Locale.ROOT))) {
                throw new AssertionError("the message should mention '" + fragment + "' but was: " + message, e);
            }
        }
        return e;
    }
}
