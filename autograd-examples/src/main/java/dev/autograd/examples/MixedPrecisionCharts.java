package dev.autograd.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The two charts of {@link MixedPrecision}: loss curves of the runs, and underflow per layer over training. */
final class MixedPrecisionCharts {

    /** One colour per run (loss chart) or per layer (underflow chart). */
    private static final Color[] COLOURS = {new Color(0x1F77B4), new Color(0xD62728), new Color(0x2CA02C),
            new Color(0xFF7F0E), new Color(0x9467BD)};

    private MixedPrecisionCharts() {
    }

    /** About 10 points per epoch: each the mean over a stretch of steps (several underflow samples). */
    private static int window(int perEpoch) {
        return Math.max(1, perEpoch / 10);
    }

    /** Draws each run's training loss, averaged over stretches of about 1/10 epoch. */
    static Path drawLosses(String task, List<MixedPrecision.Run> runs, int perEpoch, Path file) {
        XYChart chart = Charts.lineChart(task + ": training loss, float32 and mixed precision", "epoch", "mean training loss over 1/10 epoch", false);
        int w = window(perEpoch);
        for (int r = 0; r < runs.size(); r++) {
            MixedPrecision.Run run = runs.get(r);
            double[] losses = run.losses();
            List<double[]> points = new ArrayList<>();
            for (int start = 0; start < losses.length; start += w) {
                int end = Math.min(losses.length, start + w);
                double sum = 0;
                for (int i = start; i < end; i++) {
                    sum += losses[i];
                }
                points.add(new double[] {(double) end / perEpoch, sum / (end - start)});
            }
            XYSeries s = Charts.addLine(chart, run.mode().label(), column(points, 0), column(points, 1));
            if (s != null) {
                style(s, COLOURS[r % COLOURS.length], r == 0 ? null : new float[] {2 + 3f * r, 4f});
            }
        }
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("0.#");
        return Charts.savePng(chart, file);
    }

    /**
     * Draws the underflow fraction of each layer over training, in percent, for every half-precision run: one
     * colour per layer, one line style per run; each point is the mean of the samples in a stretch of about
     * 1/10 epoch. The legend stands at the right, one entry per line: there are up to nine.
     */
    static Path drawUnderflow(String task, List<String> layers, List<MixedPrecision.Run> runs, int perEpoch, Path file) {
        XYChart chart = Charts.lineChart(task + ": gradient underflow per layer", "epoch",
                "underflowed gradient elements (% of those non-zero in float32)", false);
        int w = window(perEpoch);
        float[][] dashes = {null, {10f, 6f}, {2f, 4f}};
        int styleIndex = 0;
        for (MixedPrecision.Run run : runs) {
            if (run.mode().autocast() == null) {
                continue;
            }
            int[] steps = run.sampleSteps();
            for (int l = 0; l < layers.size(); l++) {
                List<double[]> points = new ArrayList<>();
                int i = 0;
                while (i < steps.length) {
                    int bucket = steps[i] / w;
                    double sum = 0;
                    int n = 0;
                    while (i < steps.length && steps[i] / w == bucket) {
                        sum += run.underflow()[l][i];
                        n++;
                        i++;
                    }
                    points.add(new double[] {(double) Math.min((bucket + 1) * w, run.losses().length) / perEpoch, 100 * sum / n});
                }
                XYSeries s = Charts.addLine(chart, layers.get(l) + ", " + run.mode().label(), column(points, 0),
                        column(points, 1));
                if (s != null) {
                    style(s, COLOURS[l % COLOURS.length], dashes[styleIndex % dashes.length]);
                }
            }
            styleIndex++;
        }
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("0.#");
        chart.getStyler().setYAxisDecimalPattern("0.##");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return Charts.savePng(chart, file);
    }

    private static void style(XYSeries s, Color colour, float[] dash) {
        s.setLineColor(colour);
        s.setMarkerColor(colour);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(dash == null ? new BasicStroke(2.5f)
                : new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f));
    }

    private static double[] column(List<double[]> points, int c) {
        double[] out = new double[points.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = points.get(i)[c];
        }
        return out;
    }
}
