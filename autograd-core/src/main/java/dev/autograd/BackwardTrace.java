package dev.autograd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Records every step of the backward passes run on this thread while it is open, and prints them as a
 * table a learner can check by hand: for each node, the upstream gradient it received, its local
 * derivative rule, the local derivative's value (for scalar graphs) and the gradient it sent to each
 * input.
 *
 * <pre>{@code
 * try (BackwardTrace trace = BackwardTrace.start()) {
 *     loss.backward();
 *     System.out.println(trace.toTable());
 * }
 * }</pre>
 */
public final class BackwardTrace implements BackwardListener, AutoCloseable {

    private final List<BackwardStep> steps = Collections.synchronizedList(new ArrayList<>());
    private final HookHandle registration;

    private BackwardTrace() {
        registration = Autograd.addBackwardListener(this);
    }

    /**
     * Starts recording the backward passes of the current thread.
     *
     * @return the trace; close it to stop recording (what was recorded stays readable)
     */
    public static BackwardTrace start() {
        return new BackwardTrace();
    }

    @Override
    public void onStep(BackwardStep step) {
        steps.add(step);
    }

    /** @return the recorded steps, in the order backward ran them */
    public List<BackwardStep> steps() {
        synchronized (steps) {
            return List.copyOf(steps);
        }
    }

    /** Stops recording. */
    @Override
    public void close() {
        registration.remove();
    }

    /**
     * One row per (node, input): step, op, the output's label, the upstream gradient, the rule, the local
     * derivative (scalars: sent / upstream) and the gradient sent to that input.
     *
     * @return the table as text
     */
    public String toTable() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"step", "op", "output", "upstream dL/dout", "local rule", "input", "local dout/din",
                "sends dL/din"});
        for (BackwardStep step : steps()) {
            Tensor out = step.node().output();
            String outLabel = out == null ? "?" : out.labelOrShape();
            List<Tensor> grads = step.inputGradients();
            List<GradFn> next = step.node().nextFunctions();
            if (grads.isEmpty()) {
                rows.add(new String[] {Integer.toString(step.order()), step.op(), outLabel, brief(step.upstream()),
                        step.formula(), "", "", ""});
            }
            for (int i = 0; i < grads.size(); i++) {
                Tensor g = grads.get(i);
                String local = "";
                if (g != null && g.numel() == 1 && step.upstream().numel() == 1 && step.upstream().item() != 0) {
                    local = number(g.item() / step.upstream().item());
                }
                Tensor input = next.get(i) == null ? null : next.get(i).output();
                String inputLabel = "#" + i + (input == null ? "" : " " + input.labelOrShape());
                rows.add(new String[] {i == 0 ? Integer.toString(step.order()) : "", i == 0 ? step.op() : "",
                        i == 0 ? outLabel : "", i == 0 ? brief(step.upstream()) : "", i == 0 ? step.formula() : "",
                        inputLabel, local, g == null ? "(not needed)" : brief(g)});
            }
        }
        return TextTable.format(rows);
    }

    @Override
    public String toString() {
        return toTable();
    }

    static String brief(Tensor t) {
        if (t == null) {
            return "";
        }
        if (t.numel() == 1) {
            return number(t.toDoubleArray()[0]);
        }
        double[] v = t.toDoubleArray();
        StringBuilder sb = new StringBuilder(Shapes.format(t.shapeRef())).append(" {");
        for (int i = 0; i < Math.min(4, v.length); i++) {
            sb.append(i == 0 ? "" : ", ").append(number(v[i]));
        }
        return sb.append(v.length > 4 ? ", ...}" : "}").toString();
    }

    static String number(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
