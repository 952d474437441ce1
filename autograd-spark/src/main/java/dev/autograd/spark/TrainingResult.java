package dev.autograd.spark;

import dev.autograd.nn.Module;
import dev.autograd.nn.optim.Optimizer;
import java.util.List;

/**
 * The outcome of {@link SparkTrainer#fit}: the trained model and its optimizer on the driver (save them with
 * {@code SafeTensors}), and one {@link StepStats} per step run by this call (per round for local SGD).
 *
 * @param model     the trained model
 * @param optimizer the driver's optimizer with its state (for local SGD: the averaged state)
 * @param history   the steps of this call, in order
 */
public record TrainingResult(Module model, Optimizer optimizer, List<StepStats> history) {

    /**
     * Copies the history.
     *
     * @param model     the trained model
     * @param optimizer its optimizer
     * @param history   the steps
     */
    public TrainingResult {
        history = List.copyOf(history);
    }
}
