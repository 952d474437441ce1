package dev.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * Every differentiable public op of {@link Tensor} (the signatures {@link OpCoverageTest#COVERED} lists,
 * itself checked against {@code Tensor} by reflection) has a second-order property in
 * {@link SecondOrderGradProperties}. Adding an op without a second-order check fails here, and
 * {@link GradCheckEvidenceTest} runs each listed property and checks that its second-order check
 * differentiated the gradient of a graph containing the op.
 */
class SecondOrderCoverageTest {

    private static final String P = "SecondOrderGradProperties#";

    /** Differentiable op signature -> the property that runs the second-order check on it. */
    static final Map<String, String> SECOND_ORDER = new LinkedHashMap<>();

    static {
        for (String op : List.of("add", "sub", "mul", "div")) {
            SECOND_ORDER.put(op + "(Tensor)", P + op);
            SECOND_ORDER.put(op + "(double)", P + op + "Number");
        }
        SECOND_ORDER.put("neg()", P + "neg");
        SECOND_ORDER.put("pow(double)", P + "powOfAnExponent");
        for (String op : List.of("exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "sin", "cos", "log1p", "expm1",
                "reciprocal", "erf", "softplus")) {
            SECOND_ORDER.put(op + "()", P + op);
        }
        SECOND_ORDER.put("gelu()", P + "geluExact");
        SECOND_ORDER.put("gelu(boolean)", P + "geluBothForms");
        SECOND_ORDER.put("leakyRelu(double)", P + "leakyRelu");
        SECOND_ORDER.put("clamp(double,double)", P + "clamp");
        SECOND_ORDER.put("maximum(Tensor)", P + "maximum");
        SECOND_ORDER.put("maximum(double)", P + "maximumScalar");
        SECOND_ORDER.put("minimum(Tensor)", P + "minimum");
        SECOND_ORDER.put("minimum(double)", P + "minimumScalar");
        SECOND_ORDER.put("pow(Tensor)", P + "powTensor");
        SECOND_ORDER.put("where(Tensor,Tensor,Tensor)", P + "where");

        for (String op : List.of("sum", "mean", "max", "min", "logSumExp")) {
            SECOND_ORDER.put(op + "()", P + op + "All");
            SECOND_ORDER.put(op + "(int,boolean)", P + op + "Axis");
            SECOND_ORDER.put(op + "(int[],boolean)", P + op + "Axes");
        }
        for (String op : List.of("var", "std")) {
            SECOND_ORDER.put(op + "()", P + op + "All");
            SECOND_ORDER.put(op + "(int,boolean)", P + op + "Axis");
            SECOND_ORDER.put(op + "(int,boolean,int)", P + op + "AxisCorrection");
            SECOND_ORDER.put(op + "(int[],boolean,int)", P + op + "AxesCorrection");
        }

        SECOND_ORDER.put("matmul(Tensor)", P + "matmul");
        SECOND_ORDER.put("linear(Tensor,Tensor)", P + "linear");
        SECOND_ORDER.put("reshape(int[])", P + "reshape");
        SECOND_ORDER.put("t()", P + "transposeMatrix");
        SECOND_ORDER.put("transpose(int,int)", P + "transposeTwoAxes");
        SECOND_ORDER.put("permute(int[])", P + "permute");
        SECOND_ORDER.put("expand(int[])", P + "expand");
        SECOND_ORDER.put("flatten()", P + "flattenAll");
        SECOND_ORDER.put("flatten(int,int)", P + "flattenRange");
        SECOND_ORDER.put("squeeze(int)", P + "squeezeAxis");
        SECOND_ORDER.put("squeeze()", P + "squeezeAll");
        SECOND_ORDER.put("unsqueeze(int)", P + "unsqueeze");
        SECOND_ORDER.put("concat(List,int)", P + "concat");
        SECOND_ORDER.put("stack(List,int)", P + "stack");
        SECOND_ORDER.put("split(int,int)", P + "splitBySize");
        SECOND_ORDER.put("split(int[],int)", P + "splitBySizes");
        SECOND_ORDER.put("chunk(int,int)", P + "chunk");
        SECOND_ORDER.put("pad(int[],double)", P + "pad");
        SECOND_ORDER.put("to(DType)", P + "toFloat32AndBack");

        SECOND_ORDER.put("slice(int,int,int,int)", P + "slice");
        SECOND_ORDER.put("select(int,int)", P + "select");
        SECOND_ORDER.put("indexSelect(int,int[])", P + "indexSelect");
        SECOND_ORDER.put("gather(int,Tensor)", P + "gather");
        SECOND_ORDER.put("scatterAdd(int,Tensor,Tensor)", P + "scatterAdd");

        SECOND_ORDER.put("softmax(int)", P + "softmax");
        SECOND_ORDER.put("logSoftmax(int)", P + "logSoftmax");
        SECOND_ORDER.put("conv2d(Tensor,Tensor)", P + "conv2dPlain");
        SECOND_ORDER.put("conv2d(Tensor,Tensor,int,int)", P + "conv2dStridePadding");
        SECOND_ORDER.put("conv2d(Tensor,Tensor,int[],int[],int[],int)", P + "conv2dFull");
        SECOND_ORDER.put("maxPool2d(int)", P + "maxPool2dSquare");
        SECOND_ORDER.put("maxPool2d(int[],int[],int[])", P + "maxPool2d");
        SECOND_ORDER.put("avgPool2d(int)", P + "avgPool2dSquare");
        SECOND_ORDER.put("avgPool2d(int[],int[],int[])", P + "avgPool2d");

        SECOND_ORDER.put("square()", P + "square");
        SECOND_ORDER.put("clone()", P + "cloneOf");
        for (String op : List.of("sum", "mean", "max", "min", "logSumExp", "var", "std")) {
            SECOND_ORDER.put(op + "(int)", P + op + "AxisDropped");
        }
    }

    @Test
    void everyDifferentiableOpHasASecondOrderProperty() {
        Set<String> missing = new TreeSet<>(OpCoverageTest.COVERED.keySet());
        missing.removeAll(SECOND_ORDER.keySet());
        assertTrue(missing.isEmpty(), () -> "differentiable ops without a second-order property: " + missing
                + ". Add a property running GradCheck.assertSecondOrderGradientsMatch to SecondOrderGradProperties"
                + " and list it in SecondOrderCoverageTest.SECOND_ORDER.");
        Set<String> stale = new TreeSet<>(SECOND_ORDER.keySet());
        stale.removeAll(OpCoverageTest.publicOps().keySet());
        assertTrue(stale.isEmpty(), () -> "SECOND_ORDER lists signatures Tensor no longer has: " + stale);
    }
}
