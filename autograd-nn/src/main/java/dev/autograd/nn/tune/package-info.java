/**
 * Hyperparameter tuning: grid and random search over named hyperparameters, run in parallel with
 * reproducible per-trial seeds, with early stopping, a validation split, and the learning-rate range test.
 *
 * <ul>
 *   <li>{@link dev.autograd.nn.tune.SearchSpace}: choices of doubles, ints and strings; uniform, log-uniform
 *       and int ranges (with optional grid points).</li>
 *   <li>{@link dev.autograd.nn.tune.Tuner}: {@code grid(space)} (the cartesian product, as scikit-learn's
 *       {@code GridSearchCV}) or {@code random(space, n)} (seeded draws); runs the user's
 *       {@link dev.autograd.nn.tune.Objective} on each {@link dev.autograd.nn.tune.Trial}, with
 *       {@link dev.autograd.nn.tune.EarlyStopping}, on several threads, and returns a
 *       {@link dev.autograd.nn.tune.SearchResult} (ranked table, CSV, best setting, per-epoch histories).</li>
 *   <li>{@link dev.autograd.nn.tune.ValidationSplit}: a seeded random split of a data set into training and
 *       validation parts.</li>
 *   <li>{@link dev.autograd.nn.tune.LrRangeTest}: Smith's learning-rate range test (fastai's {@code lr_find}),
 *       which restores the model and the optimizer afterwards.</li>
 * </ul>
 *
 * <pre>{@code
 * SearchSpace space = SearchSpace.create().logUniform("lr", 1e-3, 1e-1, 3).intChoice("batchSize", 16, 64);
 * SearchResult result = Tuner.grid(space).seed(42).earlyStopping(EarlyStopping.of("valLoss", Mode.MIN, 5))
 *         .run(trial -> trainAndValidate(trial));      // returns e.g. the best validation loss
 * System.out.println(result.table());
 * result.bestParams();                                 // {lr=0.01, batchSize=16}
 * }</pre>
 */
package dev.autograd.nn.tune;
