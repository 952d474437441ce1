package dev.autograd.nn.tune;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The trials of a finished search: in run order ({@link #trials()}), ranked by score ({@link #ranked()}), the
 * best one, a printable table ({@link #table()}, also {@link #toString()}) and CSV files
 * ({@link #writeCsv(Path)}, and the per-epoch histories with {@link #writeHistoryCsv(Path)}), like
 * scikit-learn's {@code cv_results_} and {@code best_params_}.
 */
public final class SearchResult {

    private final List<String> names;
    private final List<TrialResult> trials;
    private final Mode direction;
    private final String objectiveName;

    SearchResult(List<String> names, List<TrialResult> trials, Mode direction, String objectiveName) {
        this.names = List.copyOf(names);
        this.trials = List.copyOf(trials);
        this.direction = direction;
        this.objectiveName = objectiveName;
    }

    /** @return every trial in index order */
    public List<TrialResult> trials() {
        return trials;
    }

    /** @return the hyperparameters' names in declaration order */
    public List<String> names() {
        return names;
    }

    /** @return the direction the trials are ranked in */
    public Mode direction() {
        return direction;
    }

    /** @return the objective's name, the header of its column */
    public String objectiveName() {
        return objectiveName;
    }

    /**
     * The trials from best to worst score: finite scores first in the search's direction, then NaN scores,
     * then failed trials; ties keep index order.
     *
     * @return a new list
     */
    public List<TrialResult> ranked() {
        Comparator<TrialResult> byValue = Comparator.comparingDouble(TrialResult::value);
        if (direction == Mode.MAX) {
            byValue = byValue.reversed();
        }
        Comparator<TrialResult> order = Comparator.comparingInt(SearchResult::group).thenComparing(byValue)
                .thenComparingInt(TrialResult::index);
        List<TrialResult> out = new ArrayList<>(trials);
        out.sort(order);
        return out;
    }

    private static int group(TrialResult t) {
        return t.failed() ? 2 : Double.isFinite(t.value()) ? 0 : 1;
    }

    /**
     * The trial with the best finite score.
     *
     * @return the best trial
     * @throws IllegalStateException when no trial has a finite score (the message lists the first failures)
     */
    public TrialResult best() {
        TrialResult first = ranked().get(0);
        if (group(first) != 0) {
            List<String> errors = trials.stream().filter(TrialResult::failed).limit(3)
                    .map(t -> "trial " + t.index() + ": " + t.error()).toList();
            throw new IllegalStateException("SearchResult.best: none of the " + trials.size()
                    + " trials has a finite score" + (errors.isEmpty() ? "" : "; failures: " + errors));
        }
        return first;
    }

    /**
     * The hyperparameters of {@link #best()}.
     *
     * @return them by name
     * @throws IllegalStateException when no trial has a finite score
     */
    public Map<String, Object> bestParams() {
        return best().params();
    }

    /** @return the failed trials, in index order */
    public List<TrialResult> failures() {
        return trials.stream().filter(TrialResult::failed).toList();
    }

    /**
     * The ranked trials as a text table: rank, trial index, each hyperparameter, the score, epochs run, whether
     * early stopping ended the trial, its time, and its error (if any).
     *
     * @return the table, one line per trial after a header line
     */
    public String table() {
        List<String> header = new ArrayList<>(List.of("rank", "trial"));
        header.addAll(names);
        header.addAll(List.of(objectiveName, "epochs", "stopped", "seconds"));
        List<List<String>> rows = new ArrayList<>();
        int rank = 1;
        for (TrialResult t : ranked()) {
            List<String> row = new ArrayList<>(List.of(String.valueOf(rank++), String.valueOf(t.index())));
            for (String n : names) {
                row.add(format(t.params().get(n)));
            }
            row.add(t.failed() ? "failed" : format(t.value()));
            row.add(String.valueOf(t.history().size()));
            row.add(t.stoppedEarly() ? "early" : "");
            row.add(String.format(Locale.ROOT, "%.1f", t.seconds()));
            rows.add(row);
        }
        int[] widths = new int[header.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = header.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        appendRow(out, header, widths);
        List<TrialResult> ranked = ranked();
        for (int r = 0; r < rows.size(); r++) {
            appendRow(out, rows.get(r), widths);
            if (ranked.get(r).failed()) {
                out.setLength(out.length() - 1);
                out.append("  ").append(ranked.get(r).error()).append('\n');
            }
        }
        return out.toString();
    }

    private static void appendRow(StringBuilder out, List<String> cells, int[] widths) {
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) {
                out.append("  ");
            }
            out.append(" ".repeat(widths[c] - cells.get(c).length())).append(cells.get(c));
        }
        out.append('\n');
    }

    @Override
    public String toString() {
        return table();
    }

    /**
     * Writes the ranked trials as CSV (RFC 4180, UTF-8): {@code rank,trial,<hyperparameters...>,<objective>,
     * epochs,stopped_early,seed,seconds,error}; numbers in full precision ({@code Double.toString}).
     *
     * @param file the file to write (its folder must exist)
     * @return {@code file}
     * @throws UncheckedIOException when the file cannot be written
     */
    public Path writeCsv(Path file) {
        List<String> lines = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("rank", "trial"));
        header.addAll(names);
        header.addAll(List.of(objectiveName, "epochs", "stopped_early", "seed", "seconds", "error"));
        lines.add(csvRow(header));
        int rank = 1;
        for (TrialResult t : ranked()) {
            List<String> row = new ArrayList<>(List.of(String.valueOf(rank++), String.valueOf(t.index())));
            for (String n : names) {
                row.add(String.valueOf(t.params().get(n)));
            }
            row.add(t.failed() ? "" : String.valueOf(t.value()));
            row.add(String.valueOf(t.history().size()));
            row.add(String.valueOf(t.stoppedEarly()));
            row.add(String.valueOf(t.seed()));
            row.add(String.format(Locale.ROOT, "%.3f", t.seconds()));
            row.add(t.error() == null ? "" : t.error());
            lines.add(csvRow(row));
        }
        return write("SearchResult.writeCsv", file, lines);
    }

    /**
     * Writes every trial's per-epoch metrics as CSV: {@code trial,<hyperparameters...>,epoch,<metrics...>}, one
     * line per reported epoch, trials in index order; the metric columns are the union of all names reported,
     * in alphabetical order (a {@code Map.of} iterates in an order that changes from JVM to JVM), empty where a
     * trial did not report one.
     *
     * @param file the file to write (its folder must exist)
     * @return {@code file}
     * @throws UncheckedIOException when the file cannot be written
     */
    public Path writeHistoryCsv(Path file) {
        Set<String> metrics = new TreeSet<>();
        for (TrialResult t : trials) {
            for (EpochRecord r : t.history()) {
                metrics.addAll(r.metrics().keySet());
            }
        }
        List<String> lines = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("trial"));
        header.addAll(names);
        header.add("epoch");
        header.addAll(metrics);
        lines.add(csvRow(header));
        for (TrialResult t : trials) {
            for (EpochRecord r : t.history()) {
                List<String> row = new ArrayList<>(List.of(String.valueOf(t.index())));
                for (String n : names) {
                    row.add(String.valueOf(t.params().get(n)));
                }
                row.add(String.valueOf(r.epoch()));
                for (String m : metrics) {
                    Double v = r.metrics().get(m);
                    row.add(v == null ? "" : String.valueOf(v));
                }
                lines.add(csvRow(row));
            }
        }
        return write("SearchResult.writeHistoryCsv", file, lines);
    }

    private static Path write(String method, Path file, List<String> lines) {
        try {
            return Files.writeString(file, String.join("\r\n", lines) + "\r\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(method + ": cannot write " + file.toAbsolutePath(), e);
        }
    }

    private static String csvRow(List<String> cells) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            String c = cells.get(i);
            if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
                out.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Short, readable numbers for the table: 4 significant digits, the CSV keeps them all. */
    private static String format(Object value) {
        if (value instanceof Double d) {
            return Double.isNaN(d) ? "NaN" : String.format(Locale.ROOT, "%.4g", d);
        }
        return String.valueOf(value);
    }
}
