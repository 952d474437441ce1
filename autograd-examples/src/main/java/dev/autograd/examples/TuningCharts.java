package dev.autograd.examples;

import dev.autograd.nn.tune.LrRangeTest;
import dev.autograd.nn.tune.SearchResult;
import dev.autograd.nn.tune.TrialResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The pictures of {@link Tuning}: the grid, the trials' validation curves and the learning-rate range test. */
final class TuningCharts {

    /** One colour per batch size (grid) or learning rate (curves), matplotlib's first five. */
    private static final Color[] COLOURS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189)};

    private TuningCharts() {
    }

    /** Best validation loss against the learning rate (log axis), one line per batch size; the chosen setting marked. */
    static Path grid(SearchResult search, Path file) {
        XYChart chart = Charts.lineChart("Grid search: best validation loss per setting (early stopping)",
                "learning rate (log scale)", "best validation loss (binary cross-entropy)", false);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("0.#E0");
        Map<Integer, TreeMap<Double, Double>> byBatch = new TreeMap<>();
        for (TrialResult t : search.trials()) {
            if (!t.failed()) {
                byBatch.computeIfAbsent((Integer) t.params().get("batchSize"), k -> new TreeMap<>())
                        .put((Double) t.params().get("lr"), t.value());
            }
        }
        int c = 0;
        for (var e : byBatch.entrySet()) {
            double[] lrs = e.getValue().keySet().stream().mapToDouble(Double::doubleValue).toArray();
            double[] losses = e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
            XYSeries s = Charts.addLine(chart, "batch size " + e.getKey(), lrs, losses);
            if (s != null) {
                s.setLineColor(COLOURS[c % COLOURS.length]);
                s.setMarkerColor(COLOURS[c % COLOURS.length]);
            }
            c++;
        }
        TrialResult best = search.best();
        Charts.addPoints(chart, String.format(Locale.ROOT, "chosen: lr %s, batch size %s", best.params().get("lr"),
                best.params().get("batchSize")), new double[] {(Double) best.params().get("lr")},
                new double[] {best.value()}, SeriesMarkers.CIRCLE, Color.BLACK);
        return Charts.savePng(chart, file);
    }

    /**
     * Every trial's validation loss per epoch: colour by learning rate, line style by batch size (solid, dashed,
     * dotted); a curve ends where early stopping stopped the trial.
     */
    static Path curves(SearchResult search, Path file) {
        XYChart chart = Charts.lineChart("Validation loss of every trial (a line ends where early stopping stopped it)",
                "epoch", "validation loss (log scale)", true);
        // Fifteen entries: a column beside the plot, not a row below it.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setXAxisTickMarkSpacingHint(60);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(16f));
        List<Integer> batchSizes = search.trials().stream().map(t -> (Integer) t.params().get("batchSize")).distinct()
                .sorted().toList();
        float[][] dashes = {null, {9f, 5f}, {2f, 4f}};
        for (TrialResult t : search.trials()) {
            double[] epochs = t.history().stream().mapToDouble(r -> r.epoch() + 1).toArray();
            double[] losses = t.history().stream().mapToDouble(r -> r.get("valLoss")).toArray();
            XYSeries s = Charts.addLine(chart, String.format(Locale.ROOT, "lr %.0e, bs %s", (Double) t.params().get("lr"),
                    t.params().get("batchSize")), epochs, losses);
            if (s != null) {
                s.setLineColor(COLOURS[rankOfLr(search, (Double) t.params().get("lr")) % COLOURS.length]);
                s.setMarker(SeriesMarkers.NONE);
                float[] dash = dashes[batchSizes.indexOf((Integer) t.params().get("batchSize")) % dashes.length];
                s.setLineStyle(dash == null ? new BasicStroke(2f)
                        : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
            }
        }
        chart.getStyler().setLegendFont(chart.getStyler().getLegendFont().deriveFont(11f));
        return Charts.savePng(chart, file);
    }

    private static int rankOfLr(SearchResult search, double lr) {
        return (int) search.trials().stream().map(t -> (Double) t.params().get("lr")).distinct()
                .filter(v -> v < lr).count();
    }

    /** Raw and smoothed loss against the learning rate (log axis); the suggestion, the minimum and the steepest point marked. */
    static Path rangeTest(LrRangeTest.Result r, Path file) {
        XYChart chart = Charts.lineChart("Learning-rate range test: loss while the rate grows each step",
                "learning rate (log scale)", "training loss", false);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("0.#E0");
        // Five entries do not fit in one row below the plot; the top left, above the flat start, is empty.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        double[] lrs = r.lrs();
        XYSeries raw = Charts.addLine(chart, "batch loss", lrs, r.losses());
        if (raw != null) {
            raw.setLineColor(new Color(170, 170, 170));
            raw.setLineWidth(1.2f);
            raw.setMarker(SeriesMarkers.NONE);
        }
        XYSeries smooth = Charts.addLine(chart, "smoothed loss (moving average)", lrs, r.smoothedLosses());
        if (smooth != null) {
            smooth.setLineColor(COLOURS[0]);
            smooth.setMarker(SeriesMarkers.NONE);
        }
        double top = 0;
        for (double v : r.losses()) {
            if (Double.isFinite(v)) {
                top = Math.max(top, v);
            }
        }
        // Losses that exploded would flatten the interesting part: cap the view at 1.5x the first loss.
        double cap = Math.min(top, 1.5 * Math.max(r.points().get(0).loss(), r.points().get(0).smoothedLoss()));
        chart.getStyler().setYAxisMax(cap);
        chart.getStyler().setYAxisMin(0.0);
        vertical(chart, String.format(Locale.ROOT, "suggested: minimum / 10 = %.2g", r.suggestedLr()),
                r.suggestedLr(), cap, new Color(214, 39, 40));
        vertical(chart, String.format(Locale.ROOT, "minimum of the smoothed loss: %.2g", r.minimumLr()), r.minimumLr(),
                cap, new Color(120, 120, 120));
        if (Double.isFinite(r.steepestLr())) {
            vertical(chart, String.format(Locale.ROOT, "steepest descent: %.2g", r.steepestLr()), r.steepestLr(), cap,
                    new Color(44, 160, 44));
        }
        return Charts.savePng(chart, file);
    }

    private static void vertical(XYChart chart, String name, double x, double top, Color colour) {
        XYSeries s = chart.addSeries(name, new double[] {x, x}, new double[] {0, top});
        s.setLineColor(colour);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f));
    }
}
