package ttsi.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationTextPanel;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import ttsi.engine.train.StepReport;

/**
 * Writes a training run's loss per step as NAME.csv and a NAME.png chart (drawn with XChart) into a folder: the loss of
 * every step as a faint line, a centred moving mean over it, and a labelled dashed marker where an epoch or a curriculum
 * phase begins.
 */
final class LossCurve {
    /** Line colours, one per series of the evaluations chart; the first is the smoothed loss. */
    static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
            new Color(148, 103, 189)};
    /** The smoothed line. */
    static final Color SMOOTH = PALETTE[0];
    /** The raw loss of every step: the same blue, faint (as 80/255 of it over white, but opaque). */
    static final Color RAW = new Color(185, 212, 231);
    /** Marker lines and their labels. */
    static final Color MARKER = new Color(110, 110, 110);
    private static final Color GRID = new Color(232, 232, 232);
    private static final Color AXIS = new Color(90, 90, 90);
    private static final Color TEXT = new Color(40, 40, 40);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font SMALL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    /** The marker lines' dash: 5 pixels on, 3 off. */
    private static final float[] DASH = {5f, 3f};
    private static final Color LABEL_BACKGROUND = new Color(255, 255, 255, 210);
    private static final int LABEL_PADDING = 1;
    /** Marker lines closer than this (pixels) to the last one drawn are left out (a hundred one-step epochs). */
    private static final int MIN_MARKER_SPACING = 4;
    static final int WIDTH = 720, HEIGHT = 400;

    private LossCurve() {}

    /**
     * Writes NAME.csv and NAME.png. markers: where the caller's epochs or phases begin (may be empty); the smoothing
     * does not reach across them, so a jump at a phase change stays a jump.
     */
    static void write(Path dir, List<StepReport> steps, String name, String title, List<LossCurve.Marker> markers) throws IOException {
        StringBuilder csv = new StringBuilder("step,epoch,loss,grad_norm,lr,tokens,seconds\n");
        for (var s : steps) {
            csv.append(s.step()).append(',').append(s.epoch() + 1).append(',').append(s.loss()).append(',').append(s.gradNorm())
                    .append(',').append(s.lr()).append(',').append(s.tokens()).append(',').append(s.seconds()).append('\n');
        }
        Files.writeString(dir.resolve(name + ".csv"), csv);
        save(lossChart(steps, title, markers), dir.resolve(name + ".png"));
    }

    /** The loss chart of {@link #write}, with its markers placed (the PNG is this chart, drawn). */
    static XYChart lossChart(List<StepReport> steps, String title, List<LossCurve.Marker> markers) {
        double[] x = new double[steps.size()], y = new double[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            x[i] = steps.get(i).step();
            y[i] = steps.get(i).loss();
        }
        XYChart chart = chart(title, "loss");
        int half = halfWindow(steps.size());
        boolean dots = steps.size() <= 50;
        if (half == 0) {
            series(chart, "loss per step", x, y, SMOOTH, 1.5f, dots);
        } else {
            double[] bounds = markers.stream().mapToDouble(LossCurve.Marker::x).toArray();
            series(chart, "loss per step", x, y, RAW, 1f, dots);
            series(chart, "centred mean of " + (2 * half + 1) + " steps", x, centredMean(x, y, half, bounds), SMOOTH, 2f, false);
        }
        roundXTicks(chart, x);
        return placeMarkers(chart, x, y, markers);
    }

    /** A marker at the first step of every epoch after the first ("epoch 2", ...). */
    static List<LossCurve.Marker> epochMarkers(List<StepReport> steps) {
        List<LossCurve.Marker> out = new ArrayList<>();
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i).epoch() != steps.get(i - 1).epoch()) out.add(new LossCurve.Marker(steps.get(i).step() - 0.5, "epoch " + (steps.get(i).epoch() + 1)));
        }
        return out;
    }

    /** Points on each side of the moving mean for n steps: about n/100 (a window of 1/50 of the run); 0 under 5 steps. */
    static int halfWindow(int n) {
        return n < 5 ? 0 : Math.max(1, (int) Math.round(n / 100.0));
    }

    /**
     * The centred moving mean: point i is the mean of y[i-half..i+half], cut to the points that exist near either end
     * (pandas' rolling(2 * half + 1, center=True, min_periods=1)). Centred, it does not lag behind the curve as an
     * exponential average does; at the ends it averages at least half + 1 points, so the last value, the one people
     * read, is not a single noisy step. A non-finite value makes the windows that hold it NaN.
     */
    static double[] centredMean(double[] y, int half) {
        int n = y.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int lo = Math.max(0, i - half), hi = Math.min(n - 1, i + half);
            double sum = 0;
            for (int j = lo; j <= hi; j++) sum += y[j];
            out[i] = sum / (hi - lo + 1);
        }
        return out;
    }

    /** {@link #centredMean(double[], int)} within each run of points between two boundaries (x ascending). */
    static double[] centredMean(double[] x, double[] y, int half, double[] boundaries) {
        double[] b = boundaries.clone();
        Arrays.sort(b);
        double[] out = new double[y.length];
        int start = 0, k = 0;
        while (start < y.length) {
            while (k < b.length && b[k] <= x[start]) k++;
            int end = start;
            while (end < y.length && (k == b.length || x[end] < b[k])) end++;
            double[] part = centredMean(Arrays.copyOfRange(y, start, end), half);
            System.arraycopy(part, 0, out, start, part.length);
            start = end;
        }
        return out;
    }

    /**
     * Writes the figures measured at each checkpoint (e.g. dev exact match, in %) as NAME.csv and a NAME.png chart,
     * one series per field, the y axis from 0 to 100 at least; markers as for {@link #write}.
     */
    static void writeEvaluations(Path dir, List<ObjectNode> evals, String name, String title, List<String> fields,
                                 List<LossCurve.Marker> markers) throws IOException {
        StringBuilder csv = new StringBuilder("step," + String.join(",", fields) + "\n");
        double[] x = new double[evals.size()];
        double[][] ys = new double[fields.size()][evals.size()];
        for (int i = 0; i < evals.size(); i++) {
            var e = evals.get(i);
            x[i] = e.path("step").asDouble();
            csv.append(e.path("step").asInt());
            for (int f = 0; f < fields.size(); f++) {
                ys[f][i] = e.path(fields.get(f)).asDouble();
                csv.append(',').append(ys[f][i]);
            }
            csv.append('\n');
        }
        Files.writeString(dir.resolve(name + ".csv"), csv);
        if (evals.isEmpty()) return;
        XYChart chart = chart(title, "%");
        double lo = 0, hi = 100;
        for (double[] y : ys) {
            for (double v : y) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        chart.getStyler().setYAxisMin(lo).setYAxisMax(hi);
        for (int f = 0; f < fields.size(); f++) series(chart, fields.get(f), x, ys[f], PALETTE[f % PALETTE.length], 1.5f, true);
        roundXTicks(chart, x);
        save(placeMarkers(chart, x, ys.length == 0 ? new double[0] : ys[0], markers), dir.resolve(name + ".png"));
    }

    /** Reads a loss CSV written by {@link #write}, numbering its steps on from offset. */
    static List<StepReport> read(Path csv, int offset) throws IOException {
        List<StepReport> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            if (f.length < 7) throw new IOException(csv + ":" + (i + 1) + ": expected 7 columns (step,epoch,loss,grad_norm,lr,tokens,seconds)");
            out.add(new StepReport(Integer.parseInt(f[0]) + offset, 0, Integer.parseInt(f[1]) - 1, Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Integer.parseInt(f[5]), Double.parseDouble(f[6])));
        }
        return out;
    }

    // ---- drawing, with XChart ----

    /**
     * An empty chart in the figures' style: white, light grid, the legend in one row under the x axis. The x tick labels
     * are numbers with thousands separators, whole where the steps are; XChart picks their step (1, 2 or 5 x 10^k) at
     * least 80 pixels apart and widens it until the longest label, plus a tenth, fits between two ticks, so they never
     * overlap (given {@link #roundXTicks}).
     */
    private static XYChart chart(String title, String yTitle) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChart(WIDTH, HEIGHT);
        chart.setTitle(title == null ? "" : title);
        chart.setXAxisTitle("optimizer step");
        chart.setYAxisTitle(yTitle);
        XYStyler st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setChartFontColor(TEXT);
        st.setChartTitleFont(TITLE_FONT);
        st.setChartTitleBoxVisible(false);
        st.setChartTitleVisible(title != null && !title.isEmpty());
        st.setAxisTitleFont(FONT);
        st.setAxisTickLabelsFont(FONT);
        st.setAxisTickLabelsColor(TEXT);
        st.setAxisTickMarksColor(AXIS);
        st.setPlotBorderColor(AXIS);
        st.setPlotGridLinesColor(GRID);
        st.setPlotGridLinesStroke(new BasicStroke(1f));
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setLegendFont(FONT);
        st.setLegendBorderColor(Color.WHITE);
        st.setLegendBackgroundColor(Color.WHITE);
        st.setMarkerSize(5);
        st.setXAxisDecimalPattern("#,##0");
        st.setXAxisTickMarkSpacingHint(80);
        st.setAnnotationLineColor(MARKER);
        st.setAnnotationLineStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, DASH, 0f));
        st.setAnnotationTextPanelFont(SMALL_FONT);
        st.setAnnotationTextPanelFontColor(MARKER);
        st.setAnnotationTextPanelBackgroundColor(LABEL_BACKGROUND);
        st.setAnnotationTextPanelBorderColor(LABEL_BACKGROUND);
        st.setAnnotationTextPanelPadding(LABEL_PADDING);
        return chart;
    }

    /** A line through the points in x order; a non-finite y (XChart refuses infinities) leaves a gap. */
    private static void series(XYChart chart, String name, double[] x, double[] y, Color color, float width, boolean dots) {
        double[] finite = new double[y.length];
        for (int i = 0; i < y.length; i++) finite[i] = Double.isFinite(y[i]) ? y[i] : Double.NaN;
        XYSeries s = chart.addSeries(name, x, finite);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        s.setMarker(dots ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setMarkerColor(color);
    }

    /**
     * Makes XChart choose round x ticks. Where the x values of all series are equally spaced (steps 1, 2, 3, ...), XChart
     * 3.8.8 puts its ticks on every k-th value (1, 18, 35, ...) instead of at multiples of 1, 2 or 5 x 10^k, and takes no
     * spacing hint (knowm/XChart#731). It looks at the x values of every series, drawn or not, in the order added, and one
     * value out of that order is enough: a series that is neither drawn, nor ranged, nor in the legend, at one step
     * before the first.
     */
    private static void roundXTicks(XYChart chart, double[] x) {
        if (x.length < 2) return;
        XYSeries s = chart.addSeries(" ", new double[] {x[0] - 1}, new double[] {0});
        s.setEnabled(false);
        s.setShowInLegend(false);
        s.setMarker(SeriesMarkers.NONE);
    }

    /**
     * Adds a dashed vertical line (XChart's AnnotationLine, in data units) for every marker within the data's x range,
     * leaving out one closer than a few pixels to the last drawn, then the labels, each on a light panel at the top of the
     * plot, right of its line (left where it would leave the data's width) in the first of three rows where it overlaps
     * no other label; a label that fits nowhere is left out. Labels need pixel positions, so the chart is laid out (drawn
     * once) first.
     */
    private static XYChart placeMarkers(XYChart chart, double[] x, double[] y, List<LossCurve.Marker> markers) {
        double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY, ytop = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            if (Double.isFinite(v)) {
                xmin = Math.min(xmin, v);
                xmax = Math.max(xmax, v);
            }
        }
        for (double v : y) if (Double.isFinite(v)) ytop = Math.max(ytop, v);
        Double fixedTop = chart.getStyler().getYAxisMax();
        if (fixedTop != null) ytop = fixedTop;
        if (markers.isEmpty() || !(xmin < xmax) || !Double.isFinite(ytop)) return chart;

        BufferedImage layout = BitmapEncoder.getBufferedImage(chart);
        Graphics2D g = layout.createGraphics();
        FontMetrics fm = g.getFontMetrics(SMALL_FONT);
        g.dispose();
        double left = chart.getScreenXFromChart(xmin), right = chart.getScreenXFromChart(xmax);
        int top = (int) Math.round(chart.getScreenYFromChart(ytop) - fm.getHeight() / 2.0);

        List<LossCurve.Marker> sorted = new ArrayList<>(markers);
        sorted.sort(Comparator.comparingDouble(LossCurve.Marker::x));
        List<Rectangle> placed = new ArrayList<>();
        List<AnnotationTextPanel> labels = new ArrayList<>();
        double last = Double.NEGATIVE_INFINITY;
        for (LossCurve.Marker m : sorted) {
            if (!(m.x() >= xmin && m.x() <= xmax)) continue;
            double c = chart.getScreenXFromChart(m.x());
            if (c - last < MIN_MARKER_SPACING) continue;
            last = c;
            chart.addAnnotation(new AnnotationLine(m.x(), true, false));
            String label = m.label();
            if (label == null || label.isEmpty()) continue;
            int w = fm.stringWidth(label) + 2 * LABEL_PADDING + 2, h = fm.getHeight();
            Rectangle spot = null;
            for (int row = 0; row < 3 && spot == null; row++) {
                for (int sx : new int[] {(int) Math.round(c) + 2, (int) Math.round(c) - 2 - w}) {
                    Rectangle r = new Rectangle(sx, top + row * h, w, h);
                    if (r.x >= left && r.x + r.width <= right && placed.stream().noneMatch(r::intersects)) {
                        spot = r;
                        break;
                    }
                }
            }
            if (spot == null) continue;
            placed.add(spot);
            // In screen space XChart puts the panel's lower left corner at (x, chart height - y).
            labels.add(new AnnotationTextPanel(label, spot.x, HEIGHT - (spot.y + spot.height), true));
        }
        labels.forEach(chart::addAnnotation); // over all the lines
        return chart;
    }

    private static void save(XYChart chart, Path png) throws IOException {
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /** A dashed vertical line at x (in data units) with a label beside it at the top of the plot (an epoch or a phase). */
    record Marker(double x, String label) {}
}
