package dev.autograd.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A contour plot of a function of two variables, drawn by hand with Java2D (XChart has none): colour bands
 * between given levels, iso-lines at the levels traced by marching squares, paths drawn over them with start
 * and end markers, marked points, a legend, a colour bar, ticked and titled axes.
 *
 * <pre>{@code
 * ContourPlot plot = new ContourPlot("Rosenbrock", "x", "y", -2, 2, -1, 3, field, levels);
 * plot.addPath("Adam, lr 0.1", new Color(0x1F77B4), xs, ys, "reached in 846");
 * plot.addPoint("global minimum (1, 1)", 1, 1);
 * plot.save(Path.of("rosenbrock.png"));
 * }</pre>
 */
final class ContourPlot {

    /** Values of the plotted function at points {@code (xs[i], ys[i])}, all at once (so a tensor can compute them). */
    @FunctionalInterface
    interface Field {
        /** @return {@code f(xs[i], ys[i])} for every {@code i} */
        double[] at(double[] xs, double[] ys);
    }

    private static final int WIDTH = 1280;
    private static final int HEIGHT = 900;
    private static final int LEFT = 90;
    private static final int TOP = 96;
    private static final int BOTTOM = 70;
    private static final int PANEL = 430;
    /** Grid cells per side for the iso-lines: fine enough that the segments read as smooth curves. */
    private static final int ISO_GRID = 300;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 20);
    private static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
    private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    private static final Font LEGEND_SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    /** ColorBrewer's RdYlBu, reversed and without its darkest ends: low values blue, high orange. */
    private static final Color[] PALETTE = {new Color(0x4575B4), new Color(0x91BFDB), new Color(0xE0F3F8),
            new Color(0xFEE090), new Color(0xFC8D59)};

    private record Trace(String name, Color colour, double[] xs, double[] ys, String note) {
    }

    private record Point(String name, double x, double y) {
    }

    private final String title;
    private final String subtitle;
    private final double xMin;
    private final double xMax;
    private final double yMin;
    private final double yMax;
    private final Field field;
    private final double[] levels;
    private final List<Trace> traces = new ArrayList<>();
    private final List<Point> points = new ArrayList<>();

    /**
     * A plot of {@code field} over {@code [xMin, xMax] x [yMin, yMax]}.
     *
     * @param title    the title, above the plot
     * @param subtitle a line under the title (the function, the start, the criterion)
     * @param levels   the iso-line levels, increasing; the bands lie between them
     */
    ContourPlot(String title, String subtitle, double xMin, double xMax, double yMin, double yMax, Field field,
                double[] levels) {
        if (!(xMin < xMax) || !(yMin < yMax) || levels.length < 2) {
            throw new IllegalArgumentException("ContourPlot: need xMin < xMax, yMin < yMax and 2 or more levels, got ["
                    + xMin + ", " + xMax + "] x [" + yMin + ", " + yMax + "] and " + levels.length + " levels");
        }
        for (int i = 1; i < levels.length; i++) {
            if (!(levels[i] > levels[i - 1])) {
                throw new IllegalArgumentException("ContourPlot: levels must increase, got " + levels[i - 1] + " then "
                        + levels[i]);
            }
        }
        this.title = title;
        this.subtitle = subtitle;
        this.xMin = xMin;
        this.xMax = xMax;
        this.yMin = yMin;
        this.yMax = yMax;
        this.field = field;
        this.levels = levels.clone();
    }

    /**
     * Adds a path, drawn as a line in {@code colour} with a circle at its start and a square at its end.
     *
     * @param name the legend's first line (e.g. the optimizer and its learning rate)
     * @param note the legend's second line (e.g. the iterations it needed)
     */
    void addPath(String name, Color colour, double[] xs, double[] ys, String note) {
        traces.add(new Trace(name, colour, xs.clone(), ys.clone(), note));
    }

    /** Marks a point (a minimum, a saddle point) with a star and names it in the legend (unless the name is empty). */
    void addPoint(String name, double x, double y) {
        points.add(new Point(name, x, y));
    }

    /** Draws the plot and writes it as a PNG file; returns the file. */
    Path save(Path file) {
        BufferedImage image = Charts.canvas(WIDTH, HEIGHT);
        Graphics2D g = Charts.graphics(image);
        try {
            int plotW = WIDTH - LEFT - PANEL - 30;
            int plotH = HEIGHT - TOP - BOTTOM;
            // Keep one unit of x as long as one unit of y when it fits, so that the surface is not distorted.
            double scale = Math.min(plotW / (xMax - xMin), plotH / (yMax - yMin));
            int w = (int) Math.round(scale * (xMax - xMin));
            int h = (int) Math.round(scale * (yMax - yMin));
            int left = LEFT + (plotW - w) / 2;
            int top = TOP + (plotH - h) / 2;
            drawBands(image, left, top, w, h);
            g.setClip(left, top, w, h);
            drawIsoLines(g, left, top, w, h);
            drawTraces(g, left, top, w, h);
            for (Point p : points) {
                g.setColor(Color.BLACK);
                g.fill(star(px(p.x(), left, w), py(p.y(), top, h), 11));
            }
            g.setClip(null);
            g.setColor(Color.DARK_GRAY);
            g.setStroke(new BasicStroke(1.2f));
            g.drawRect(left, top, w, h);
            drawAxes(g, left, top, w, h);
            g.setColor(Color.BLACK);
            g.setFont(TITLE);
            Charts.centered(g, title, WIDTH / 2, 34);
            g.setFont(SUBTITLE);
            Charts.centered(g, subtitle, WIDTH / 2, 60);
            drawLegend(g, WIDTH - PANEL, TOP);
        } finally {
            g.dispose();
        }
        return Charts.savePng(image, file);
    }

    private void drawBands(BufferedImage image, int left, int top, int w, int h) {
        double[] xs = new double[w * h];
        double[] ys = new double[w * h];
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                xs[j * w + i] = xMin + (xMax - xMin) * (i + 0.5) / w;
                ys[j * w + i] = yMax - (yMax - yMin) * (j + 0.5) / h;
            }
        }
        double[] f = field.at(xs, ys);
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                image.setRGB(left + i, top + j, bandColour(band(f[j * w + i])).getRGB());
            }
        }
    }

    /** The band of value {@code v}: 0 below the first level, {@code levels.length} above the last. */
    private int band(double v) {
        int b = 0;
        while (b < levels.length && v >= levels[b]) {
            b++;
        }
        return b;
    }

    /** The palette, lightened towards white so that the paths drawn over it stand out. */
    private Color bandColour(int band) {
        Color c = palette((double) band / levels.length);
        return new Color(lighten(c.getRed()), lighten(c.getGreen()), lighten(c.getBlue()));
    }

    private static int lighten(int channel) {
        return (int) Math.round(channel + 0.4 * (255 - channel));
    }

    private static Color palette(double t) {
        double s = Math.max(0, Math.min(1, t)) * (PALETTE.length - 1);
        int i = Math.min((int) s, PALETTE.length - 2);
        double u = s - i;
        Color a = PALETTE[i];
        Color b = PALETTE[i + 1];
        return new Color((int) Math.round(a.getRed() + u * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + u * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + u * (b.getBlue() - a.getBlue())));
    }

    /** Marching squares: in each grid cell, joins the points where {@code f - level} changes sign along its edges. */
    private void drawIsoLines(Graphics2D g, int left, int top, int w, int h) {
        int n = ISO_GRID + 1;
        double[] xs = new double[n * n];
        double[] ys = new double[n * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                xs[j * n + i] = xMin + (xMax - xMin) * i / ISO_GRID;
                ys[j * n + i] = yMin + (yMax - yMin) * j / ISO_GRID;
            }
        }
        double[] f = field.at(xs, ys);
        g.setColor(new Color(90, 90, 90, 150));
        g.setStroke(new BasicStroke(0.9f));
        double cw = (double) w / ISO_GRID;
        double ch = (double) h / ISO_GRID;
        double[] cx = new double[4];
        double[] cy = new double[4];
        double[] cv = new double[4];
        double[] hitX = new double[4];
        double[] hitY = new double[4];
        for (double level : levels) {
            for (int j = 0; j < ISO_GRID; j++) {
                for (int i = 0; i < ISO_GRID; i++) {
                    // Corners counter-clockwise from the lower left, in pixels (y grows downwards).
                    int[][] corner = {{i, j}, {i + 1, j}, {i + 1, j + 1}, {i, j + 1}};
                    for (int c = 0; c < 4; c++) {
                        cx[c] = left + corner[c][0] * cw;
                        cy[c] = top + h - corner[c][1] * ch;
                        cv[c] = f[corner[c][1] * n + corner[c][0]] - level;
                    }
                    int hits = 0;
                    for (int e = 0; e < 4; e++) {
                        double a = cv[e];
                        double b = cv[(e + 1) % 4];
                        if ((a >= 0) != (b >= 0)) {
                            double t = a / (a - b);
                            hitX[hits] = cx[e] + t * (cx[(e + 1) % 4] - cx[e]);
                            hitY[hits] = cy[e] + t * (cy[(e + 1) % 4] - cy[e]);
                            hits++;
                        }
                    }
                    // Two crossings: one segment; four (a saddle cell): pair them in edge order, which is
                    // right for one of the two ambiguous cases and off by less than a cell for the other.
                    for (int k = 0; k + 1 < hits; k += 2) {
                        g.draw(new Line2D.Double(hitX[k], hitY[k], hitX[k + 1], hitY[k + 1]));
                    }
                }
            }
        }
    }

    /**
     * Draws every path: first all white halos, then the lines from the first to the last path, each a little
     * narrower than the one before, so that paths running on top of each other show as nested stripes.
     */
    private void drawTraces(Graphics2D g, int left, int top, int w, int h) {
        List<Path2D.Double> lines = new ArrayList<>();
        for (Trace t : traces) {
            lines.add(polyline(t, left, top, w, h));
        }
        float widest = 2.2f + 0.9f * (traces.size() - 1);
        g.setColor(new Color(255, 255, 255, 190));
        g.setStroke(new BasicStroke(widest + 2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (Path2D.Double line : lines) {
            g.draw(line);
        }
        for (int i = 0; i < traces.size(); i++) {
            g.setColor(traces.get(i).colour());
            g.setStroke(new BasicStroke(widest - 0.9f * i, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(lines.get(i));
        }
        for (int i = 0; i < traces.size(); i++) {
            Trace t = traces.get(i);
            if (t.xs().length == 0) {
                continue;
            }
            double ex = lines.get(i).getCurrentPoint().getX();
            double ey = lines.get(i).getCurrentPoint().getY();
            marker(g, new Rectangle2D.Double(ex - 6, ey - 6, 12, 12), t.colour());
        }
        for (Trace t : traces) {
            if (t.xs().length > 0) {
                double sx = px(t.xs()[0], left, w);
                double sy = py(t.ys()[0], top, h);
                marker(g, new Ellipse2D.Double(sx - 7, sy - 7, 14, 14), Color.WHITE);
            }
        }
    }

    /** The path in pixels, up to its first non-finite point, clamped where a diverging path leaves far behind. */
    private Path2D.Double polyline(Trace t, int left, int top, int w, int h) {
        Path2D.Double line = new Path2D.Double();
        int kept = 0;
        for (int k = 0; k < t.xs().length; k++) {
            if (!Double.isFinite(t.xs()[k]) || !Double.isFinite(t.ys()[k])) {
                break;
            }
            // Far outside the plot a diverging path would overflow Java2D's coordinates: clamp it.
            double x = Math.max(-1e5, Math.min(1e5, px(t.xs()[k], left, w)));
            double y = Math.max(-1e5, Math.min(1e5, py(t.ys()[k], top, h)));
            if (kept++ == 0) {
                line.moveTo(x, y);
            } else {
                line.lineTo(x, y);
            }
        }
        return line;
    }

    private static void marker(Graphics2D g, Shape shape, Color colour) {
        g.setColor(colour);
        g.fill(shape);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        g.draw(shape);
    }

    private double px(double x, int left, int w) {
        return left + (x - xMin) / (xMax - xMin) * w;
    }

    private double py(double y, int top, int h) {
        return top + h - (y - yMin) / (yMax - yMin) * h;
    }

    private void drawAxes(Graphics2D g, int left, int top, int w, int h) {
        g.setFont(TICK);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        for (double x : ticks(xMin, xMax)) {
            int p = (int) Math.round(px(x, left, w));
            g.drawLine(p, top + h, p, top + h + 6);
            Charts.centered(g, tickLabel(x), p, top + h + 22);
        }
        for (double y : ticks(yMin, yMax)) {
            int p = (int) Math.round(py(y, top, h));
            g.drawLine(left - 6, p, left, p);
            String s = tickLabel(y);
            g.drawString(s, left - 10 - g.getFontMetrics().stringWidth(s), p + 5);
        }
        g.setFont(LABEL);
        Charts.centered(g, "x", left + w / 2, top + h + 48);
        g.drawString("y", left - 62, top + h / 2 + 5);
    }

    /** Round tick positions (steps of 1, 2 or 5 times a power of ten), about six to ten of them. */
    private static double[] ticks(double min, double max) {
        double raw = (max - min) / 8;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= raw) {
                step = m * magnitude;
                break;
            }
        }
        List<Double> out = new ArrayList<>();
        for (double v = Math.ceil(min / step - 1e-9) * step; v <= max + 1e-9 * step; v += step) {
            out.add(Math.abs(v) < 1e-9 * step ? 0 : v);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String tickLabel(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private void drawLegend(Graphics2D g, int x, int y) {
        int row = y;
        g.setFont(LEGEND);
        for (Trace t : traces) {
            g.setColor(t.colour());
            g.setStroke(new BasicStroke(3f));
            g.drawLine(x, row - 5, x + 34, row - 5);
            g.setColor(Color.BLACK);
            g.setFont(LEGEND);
            g.drawString(t.name(), x + 44, row);
            g.setFont(LEGEND_SMALL);
            g.setColor(new Color(60, 60, 60));
            g.drawString(t.note(), x + 44, row + 18);
            row += 46;
        }
        g.setFont(LEGEND_SMALL);
        marker(g, new Ellipse2D.Double(x + 10, row - 12, 14, 14), Color.WHITE);
        g.setColor(Color.BLACK);
        g.drawString("start", x + 44, row);
        marker(g, new Rectangle2D.Double(x + 130, row - 11, 12, 12), Color.WHITE);
        g.setColor(Color.BLACK);
        g.drawString("end of the run", x + 152, row);
        row += 26;
        for (Point p : points) {
            if (p.name().isEmpty()) {
                continue;
            }
            g.setColor(Color.BLACK);
            g.fill(star(x + 17, row - 5, 9));
            g.drawString(p.name(), x + 44, row);
            row += 22;
        }
        row += 12;
        drawColourBar(g, x, row, HEIGHT - BOTTOM - row);
    }

    /** A vertical bar of the bands, lowest at the bottom, with the level of each boundary. */
    private void drawColourBar(Graphics2D g, int x, int y, int height) {
        g.setFont(LEGEND_SMALL);
        g.setColor(Color.BLACK);
        g.drawString("f(x, y): bands between the iso-lines", x, y);
        int top = y + 12;
        int bands = levels.length + 1;
        double bandH = (double) (height - 20) / bands;
        if (bandH < 2) {
            return;
        }
        // Label every level when they fit, else every second or third, so that labels do not overlap.
        int every = (int) Math.ceil(15 / bandH);
        for (int b = 0; b < bands; b++) {
            int y0 = (int) Math.round(top + (bands - 1 - b) * bandH);
            int y1 = (int) Math.round(top + (bands - b) * bandH);
            g.setColor(bandColour(b));
            g.fillRect(x, y0, 28, y1 - y0);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x, top, 28, (int) Math.round(bands * bandH));
        for (int l = 0; l < levels.length; l++) {
            int yl = (int) Math.round(top + (bands - 1 - l) * bandH);
            g.drawLine(x + 28, yl, x + 34, yl);
            if (l % every == 0) {
                g.drawString(levelLabel(levels[l]), x + 40, yl + 5);
            }
        }
    }

    private static String levelLabel(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 0.01 || a >= 1e4)) {
            return String.format(Locale.ROOT, "%.0e", v);
        }
        return a < 1 ? String.format(Locale.ROOT, "%.3g", v) : String.format(Locale.ROOT, "%.4g", v);
    }

    private static Shape star(double cx, double cy, double r) {
        Path2D.Double s = new Path2D.Double();
        for (int k = 0; k < 10; k++) {
            double radius = k % 2 == 0 ? r : r * 0.45;
            double a = -Math.PI / 2 + k * Math.PI / 5;
            double x = cx + radius * Math.cos(a);
            double y = cy + radius * Math.sin(a);
            if (k == 0) {
                s.moveTo(x, y);
            } else {
                s.lineTo(x, y);
            }
        }
        s.closePath();
        return s;
    }
}
