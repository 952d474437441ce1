package dev.autograd.nn.tune;

/**
 * What a search evaluates, written by the user: trains a model with the trial's hyperparameters and seed,
 * reports per-epoch validation metrics with {@link Trial#report} (which also says when to stop early), and
 * returns the trial's score, which the search ranks in its {@link Tuner#direction}: as Optuna's
 * {@code objective(trial)}.
 *
 * <p>The search may call it from several threads at once, each with its own {@link Trial}: it must not share
 * mutable state (a model, an optimizer, a {@code DataLoader}) between calls; read-only data sets may be shared.
 */
@FunctionalInterface
public interface Objective {

    /**
     * Runs one trial.
     *
     * @param trial the hyperparameters, the seed and the reporting channel of this trial
     * @return the trial's score (e.g. the best validation loss); NaN ranks after every finite score
     * @throws Exception anything; the search records the trial as failed with the exception's message
     */
    double evaluate(Trial trial) throws Exception;
}
