package dev.autograd.examples;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The examples' charts, drawn by XChart and written as PNG files without a display. One look for all of
 * them: a title, titled axes, a legend, readable fonts.
 */
final class Charts {

    static {
        // Charts are drawn off-screen: no window, no X server needed (CI machines have none).
        System.setProperty("java.awt.headless", "true");
    }

    static final int WIDTH = 960;
    static final int HEIGHT = 600;

    private Charts() {
    }

    /** An empty line chart; with {@code logY} the y axis is logarithmic (values must then be positive). */
    static XYChart lineChart(String title, String xTitle, String yTitle, boolean logY) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        style(chart.getStyler(), logY);
        return chart;
    }

    /**
     * An empty bar chart, one group of bars per category; with {@code logY} the y axis is logarithmic (values
     * must then be positive), for ratios that span orders of magnitude.
     */
    static CategoryChart barChart(String title, String xTitle, String yTitle, boolean logY) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(chart.getStyler(), logY);
        return chart;
    }

    private static void style(AxesChartStyler styler, boolean logY) {
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(220, 220, 220));
        styler.setChartTitleBoxVisible(false);
        styler.setMarkerSize(7);
        styler.setYAxisLogarithmic(logY);
        if (logY) {
            styler.setYAxisDecimalPattern("0.#E0");
        }
    }

    /** An empty scatter chart. */
    static XYChart scatterChart(String title, String xTitle, String yTitle) {
        XYChart chart = lineChart(title, xTitle, yTitle, false);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        return chart;
    }

    /**
     * Adds a line with markers, leaving out points whose y is not finite (or not positive on a log axis):
     * a diverged run simply stops.
     *
     * @return the series, or {@code null} when no point is left
     */
    static XYSeries addLine(XYChart chart, String name, double[] x, double[] y) {
        boolean log = chart.getStyler().isYAxisLogarithmic();
        double[] xs = new double[x.length];
        double[] ys = new double[y.length];
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(y[i]) && (!log || y[i] > 0)) {
                xs[n] = x[i];
                ys[n] = y[i];
                n++;
            }
        }
        if (n == 0) {
            return null;
        }
        XYSeries series = chart.addSeries(name, Arrays.copyOf(xs, n), Arrays.copyOf(ys, n));
        series.setLineWidth(2.5f);
        if (n > 60) {
            series.setMarker(SeriesMarkers.NONE);
        }
        return series;
    }

    /** Adds a set of points drawn with one marker and colour. */
    static XYSeries addPoints(XYChart chart, String name, double[] x, double[] y, Marker marker, Color color) {
        XYSeries series = chart.addSeries(name, x, y);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        series.setMarker(marker);
        series.setMarkerColor(color);
        return series;
    }

    /** Writes the chart as a PNG file (parent folders created) and returns the path. */
    static Path savePng(Chart<?, ?> chart, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart " + file, e);
        }
    }

    /** A white picture to draw on by hand (a heatmap XChart does not draw), with antialiased shapes and text. */
    static BufferedImage canvas(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The canvas's graphics, antialiased and black; dispose of it when done. */
    static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        return g;
    }

    /** Draws {@code text} centred on {@code x}, with its baseline at {@code y}. */
    static void centered(Graphics2D g, String text, int x, int y) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, y);
    }

    /** Writes a hand-drawn picture as a PNG file (parent folders created) and returns the path. */
    static Path savePng(BufferedImage image, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ImageIO.write(image, "png", file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the picture " + file, e);
        }
    }
}
