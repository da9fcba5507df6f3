package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.engine.train.StepReport;

/**
 * The loss chart: the centred moving mean and the CSV by hand; PNGs whose pixels show the smoothed line across the plot,
 * the dashed markers where their steps fall between the line's first and last step, and x ticks at round steps whose
 * labels stay apart. What the tests know of the figure they read from its pixels, not from the chart code.
 */
class LossCurveTest {
    @Test
    void centredMeanByHand() {
        double[] y = {1, 2, 3, 10, 5};
        // half 1: (1+2)/2, (1+2+3)/3, (2+3+10)/3, (3+10+5)/3, (10+5)/2 -- the window is cut at the ends
        assertArrayEquals(new double[] {1.5, 2, 5, 6, 7.5}, LossCurve.centredMean(y, 1), 1e-12);
        // half 2: (1+2+3)/3, (1+2+3+10)/4, (1+2+3+10+5)/5, (2+3+10+5)/4, (3+10+5)/3
        assertArrayEquals(new double[] {2, 4, 4.2, 5, 6}, LossCurve.centredMean(y, 2), 1e-12);
        assertArrayEquals(y, LossCurve.centredMean(y, 0), 0);
        // A boundary at 3.5 splits {1, 5, 3} from {10, 40, 10}: the mean does not reach across it.
        double[] x = {1, 2, 3, 4, 5, 6}, z = {1, 5, 3, 10, 40, 10};
        assertArrayEquals(new double[] {3, 3, 4, 25, 20, 25}, LossCurve.centredMean(x, z, 1, new double[] {3.5}), 1e-12);
        assertArrayEquals(new double[] {3, 3, 6, 53 / 3.0, 20, 25}, LossCurve.centredMean(x, z, 1, new double[0]), 1e-12);
        // A NaN spoils only the windows that hold it.
        double[] m = LossCurve.centredMean(new double[] {1, Double.NaN, 3, 4, 5, 6}, 1);
        assertTrue(Double.isNaN(m[0]) && Double.isNaN(m[2]) && m[3] == 4 && m[4] == 5 && m[5] == 5.5, java.util.Arrays.toString(m));
        assertEquals(0, LossCurve.halfWindow(4));
        assertEquals(1, LossCurve.halfWindow(5));
        assertEquals(1, LossCurve.halfWindow(30));
        assertEquals(10, LossCurve.halfWindow(1000));
    }

    @Test
    void epochMarkersSitBetweenTheLastStepOfAnEpochAndTheFirstOfTheNext() {
        List<StepReport> steps = new ArrayList<>();
        for (int i = 0; i < 6; i++) steps.add(new StepReport(i + 1, 6, i / 2, 1.0, 0, 1e-4, 10, 0.1));
        assertEquals(List.of(new LossCurve.Marker(2.5, "epoch 2"), new LossCurve.Marker(4.5, "epoch 3")), LossCurve.epochMarkers(steps));
    }

    @Test
    void csvHoldsEveryStepAndReadsBack(@TempDir Path dir) throws Exception {
        List<StepReport> steps = List.of(new StepReport(1, 2, 0, 2.5, 0.75, 1e-3, 100, 0.5),
                new StepReport(2, 2, 1, 1.25, 0.5, 5e-4, 90, 0.25));
        LossCurve.write(dir, steps, "loss", "t", List.of());
        assertEquals(List.of("step,epoch,loss,grad_norm,lr,tokens,seconds", "1,1,2.5,0.75,0.001,100,0.5", "2,2,1.25,0.5,5.0E-4,90,0.25"),
                Files.readAllLines(dir.resolve("loss.csv")));
        List<StepReport> back = LossCurve.read(dir.resolve("loss.csv"), 10);
        assertEquals(new StepReport(11, 0, 0, 2.5, 0.75, 1e-3, 100, 0.5), back.get(0));
        assertEquals(new StepReport(12, 0, 1, 1.25, 0.5, 5e-4, 90, 0.25), back.get(1));
    }

    @Test
    void thePngShowsTheSmoothedLineAndTheMarkersAtTheirSteps(@TempDir Path dir) throws Exception {
        int n = 400;
        List<StepReport> steps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double y = 0.5 + 3 * Math.exp(-i / 100.0) + (i % 3 == 0 ? 0.4 : -0.2); // a zigzag around a decay
            steps.add(new StepReport(i + 1, n, 0, y, 1, 1e-3, 100, 0.1));
        }
        double firstStep = 1, lastStep = n, m1 = 100.5, m2 = 250.5;
        List<LossCurve.Marker> markers = List.of(new LossCurve.Marker(m1, "phase full"), new LossCurve.Marker(m2, "phase more"));
        LossCurve.write(dir, steps, "loss", "test: training loss", markers);
        assertEquals(n + 1, Files.readAllLines(dir.resolve("loss.csv")).size());
        BufferedImage img = ImageIO.read(dir.resolve("loss.png").toFile());
        assertEquals(720, img.getWidth());
        assertEquals(400, img.getHeight());

        // The markers: columns where the marker grey runs down a large part of the image, broken by the dash's gaps.
        List<Integer> markerColumns = new ArrayList<>();
        for (int c = 0; c < img.getWidth(); c++) {
            int hits = 0, starts = 0;
            boolean prev = false;
            for (int r = 0; r < img.getHeight(); r++) {
                boolean on = near(img.getRGB(c, r), LossCurve.MARKER, 6);
                if (on) hits++;
                if (on && !prev) starts++;
                prev = on;
            }
            if (hits > img.getHeight() / 4 && starts >= 10) markerColumns.add(c);
        }
        assertEquals(2, markerColumns.size(), "columns of dashed marker lines: " + markerColumns);
        int c1 = markerColumns.get(0), c2 = markerColumns.get(1);
        // The rows the marker lines span are the plot's height: the dashed run down the first marker's column (its gaps,
        // with their smoothed edges, are under 7 rows).
        int top = 0;
        while (!near(img.getRGB(c1, top), LossCurve.MARKER, 6)) top++;
        int bottom = top;
        for (int r = top; r < img.getHeight() && r - bottom <= 6; r++) if (near(img.getRGB(c1, r), LossCurve.MARKER, 6)) bottom = r;
        assertTrue(bottom - top > img.getHeight() / 2, "marker line from row " + top + " to " + bottom);

        // The smoothed line, in its colour, within the plot's rows: found in most columns between its ends.
        int left = Integer.MAX_VALUE, right = -1, smoothColumns = 0;
        for (int c = 0; c < img.getWidth(); c++) {
            boolean any = false;
            for (int r = top; r <= bottom && !any; r++) any = near(img.getRGB(c, r), LossCurve.SMOOTH, 12);
            if (any) {
                smoothColumns++;
                left = Math.min(left, c);
                right = Math.max(right, c);
            }
        }
        assertTrue(right - left > img.getWidth() / 2, "smoothed line from column " + left + " to " + right);
        assertTrue(smoothColumns >= 0.9 * (right - left + 1), smoothColumns + " columns of the smoothed line between " + left + " and " + right);
        // The raw loss, drawn first, spans the same steps: its ends are those of the smoothed line, give or take a stroke.
        int rawLeft = Integer.MAX_VALUE, rawRight = -1;
        for (int c = 0; c < img.getWidth(); c++) {
            for (int r = top; r <= bottom; r++) {
                if (near(img.getRGB(c, r), LossCurve.RAW, 6)) {
                    rawLeft = Math.min(rawLeft, c);
                    rawRight = Math.max(rawRight, c);
                }
            }
        }
        assertEquals(left, rawLeft, 2, "first column of the raw line");
        assertEquals(right, rawRight, 2, "last column of the raw line");

        // The lines' ends are steps 1 and 400; the markers sit where steps 100.5 and 250.5 fall between them.
        double perStep = (right - left) / (lastStep - firstStep);
        assertTrue(c1 < c2);
        assertEquals(left + (m1 - firstStep) * perStep, c1, 2.5, "column of the marker at step " + m1);
        assertEquals(left + (m2 - firstStep) * perStep, c2, 2.5, "column of the marker at step " + m2);
        assertEquals((m2 - m1) / (lastStep - firstStep), (c2 - c1) / (double) (right - left), 0.01, "marker spacing over the data's width");
    }

    @Test
    void longRunsAndShortRunsAreDrawn(@TempDir Path dir) throws Exception {
        for (int n : new int[] {1, 3, 7, 30, 123, 2500, 20000, 1234567}) {
            List<StepReport> steps = new ArrayList<>();
            int points = Math.min(n, 3000);
            for (int i = 0; i < points; i++) {
                int s = (int) Math.round(1 + (double) i * (n - 1) / Math.max(1, points - 1));
                steps.add(new StepReport(s, n, i * 3 / points, 2.0 / (1 + i), 1, 1e-3, 100, 0.1));
            }
            LossCurve.write(dir, steps, "loss-" + n, "n = " + n, LossCurve.epochMarkers(steps));
            BufferedImage img = ImageIO.read(dir.resolve("loss-" + n + ".png").toFile());
            assertEquals(720, img.getWidth(), "n = " + n);
            assertEquals(400, img.getHeight(), "n = " + n);
        }
    }

    @Test
    void aDivergedRunWithNonFiniteLossesIsStillDrawn(@TempDir Path dir) throws Exception {
        List<StepReport> steps = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            double y = i == 40 ? Double.NaN : i == 60 ? Double.POSITIVE_INFINITY : 2.0 / (1 + i);
            steps.add(new StepReport(i + 1, 100, 0, y, 1, 1e-3, 100, 0.1));
        }
        LossCurve.write(dir, steps, "loss", "diverged", List.of(new LossCurve.Marker(50.5, "phase 2")));
        assertEquals(720, ImageIO.read(dir.resolve("loss.png").toFile()).getWidth());
    }

    @Test
    void evaluationsChartIsWritten(@TempDir Path dir) throws Exception {
        var mapper = ttsi.agent.json.Json.MAPPER;
        List<com.fasterxml.jackson.databind.node.ObjectNode> evals = new ArrayList<>();
        for (int s : new int[] {200, 400, 600}) {
            var o = mapper.createObjectNode();
            o.put("step", s);
            o.put("dev_exact_match", s / 10.0);
            o.put("dev_tool_accuracy", s / 8.0);
            evals.add(o);
        }
        LossCurve.writeEvaluations(dir, evals, "dev", "dev", List.of("dev_exact_match", "dev_tool_accuracy"), List.of(new LossCurve.Marker(300.5, "phase full")));
        assertEquals(List.of("step,dev_exact_match,dev_tool_accuracy", "200,20.0,25.0", "400,40.0,50.0", "600,60.0,75.0"),
                Files.readAllLines(dir.resolve("dev.csv")));
        BufferedImage img = ImageIO.read(dir.resolve("dev.png").toFile());
        assertEquals(720, img.getWidth());
        assertEquals(400, img.getHeight());
        for (Color line : List.of(LossCurve.PALETTE[0], LossCurve.PALETTE[1])) {
            int columns = 0;
            for (int c = 0; c < img.getWidth(); c++) {
                boolean any = false;
                for (int r = 0; r < img.getHeight() && !any; r++) any = near(img.getRGB(c, r), line, 12);
                if (any) columns++;
            }
            assertTrue(columns > img.getWidth() / 2, line + " in " + columns + " columns");
        }
    }

    @Test
    void xTicksFallOnRoundStepsAndTheirLabelsStayApart(@TempDir Path dir) throws Exception {
        for (int n : new int[] {7, 30, 400, 2500, 20000, 1234567}) {
            List<StepReport> steps = new ArrayList<>();
            int points = Math.min(n, 3000);
            for (int i = 0; i < points; i++) {
                int s = (int) Math.round(1 + (double) i * (n - 1) / (points - 1));
                steps.add(new StepReport(s, n, 0, 2.0 / (1 + i), 1, 1e-3, 100, 0.1));
            }
            LossCurve.write(dir, steps, "loss", "n = " + n, List.of());
            BufferedImage img = ImageIO.read(dir.resolve("loss.png").toFile());
            String what = "n = " + n;

            // The x axis: the lowest row dark across most of the width. Under it: the tick marks, then their labels.
            int axis = -1;
            for (int r = 0; r < img.getHeight(); r++) {
                int dark = 0;
                for (int c = 0; c < img.getWidth(); c++) if (dark(img.getRGB(c, r))) dark++;
                if (dark > img.getWidth() / 2) axis = r;
            }
            assertTrue(axis > img.getHeight() / 2, what + ": x axis at row " + axis);
            int r = axis + 1;
            int marksTop = r;
            while (!blankRow(img, r)) r++;
            int marksBottom = r - 1;
            while (blankRow(img, r)) r++;
            int labelsTop = r;
            while (!blankRow(img, r)) r++;
            int labelsBottom = r - 1;
            assertTrue(marksBottom >= marksTop && labelsBottom - labelsTop >= 5, what + ": tick marks in rows " + marksTop + "-" + marksBottom
                    + ", labels in rows " + labelsTop + "-" + labelsBottom);
            List<int[]> marks = darkRuns(img, marksTop, marksBottom, 1), labels = darkRuns(img, labelsTop, labelsBottom, 5);
            assertTrue(marks.size() >= 2, what + ": tick marks " + marks.size());
            // Every label has a tick of its own (labels that touched would run together over two ticks); only a tick at
            // either end may go without a label (XChart leaves out one that would stick out of the image).
            for (int[] label : labels) {
                long under = marks.stream().filter(m -> m[0] >= label[0] - 1 && m[1] <= label[1] + 1).count();
                assertEquals(1, under, what + ": ticks under the label in columns " + label[0] + "-" + label[1]);
            }
            assertTrue(labels.size() >= marks.size() - 2 && labels.size() >= 2, what + ": " + labels.size() + " labels for " + marks.size() + " ticks");
            for (int i = 1; i + 1 < marks.size(); i++) {
                int[] m = marks.get(i);
                assertTrue(labels.stream().anyMatch(l -> m[0] >= l[0] - 1 && m[1] <= l[1] + 1), what + ": no label at the tick in column " + m[0]);
            }

            // Where the ticks fall in steps, from the curve's ends (steps 1 and n, the leftmost and rightmost columns of
            // the line above the axis): a step of 1, 2 or 5 x 10^k apart, at its multiples.
            int left = Integer.MAX_VALUE, right = -1;
            for (int c = 0; c < img.getWidth(); c++) {
                for (int q = 0; q < axis; q++) {
                    if (near(img.getRGB(c, q), LossCurve.SMOOTH, 12)) {
                        left = Math.min(left, c);
                        right = Math.max(right, c);
                    }
                }
            }
            double perPixel = (n - 1.0) / (right - left);
            double[] value = new double[marks.size()];
            for (int i = 0; i < value.length; i++) value[i] = 1 + ((marks.get(i)[0] + marks.get(i)[1]) / 2.0 - left) * perPixel;
            double step = (value[value.length - 1] - value[0]) / (value.length - 1);
            double mantissa = step / Math.pow(10, Math.floor(Math.log10(step)));
            assertTrue(List.of(1.0, 2.0, 5.0, 10.0).stream().anyMatch(v -> Math.abs(mantissa / v - 1) < 0.03),
                    what + ": ticks " + step + " steps apart: " + java.util.Arrays.toString(value));
            double nice = List.of(1.0, 2.0, 5.0, 10.0).stream().filter(v -> Math.abs(mantissa / v - 1) < 0.03).findFirst().orElseThrow()
                    * Math.pow(10, Math.floor(Math.log10(step)));
            for (double v : value) {
                assertEquals(Math.rint(v / nice), v / nice, 0.05, what + ": tick at step " + v + " is no multiple of " + nice);
            }
        }
    }

    /** Runs of columns holding dark pixels within rows top..bottom, {first, last}, more than maxGap blank columns apart. */
    private static List<int[]> darkRuns(BufferedImage img, int top, int bottom, int maxGap) {
        List<int[]> runs = new ArrayList<>();
        int last = -1000;
        for (int c = 0; c < img.getWidth(); c++) {
            boolean any = false;
            for (int q = top; q <= bottom && !any; q++) any = dark(img.getRGB(c, q));
            if (!any) continue;
            if (c - last > maxGap + 1) runs.add(new int[] {c, c});
            else runs.getLast()[1] = c;
            last = c;
        }
        return runs;
    }

    private static boolean blankRow(BufferedImage img, int r) {
        for (int c = 0; c < img.getWidth(); c++) if (dark(img.getRGB(c, r))) return false;
        return true;
    }

    private static boolean dark(int rgb) {
        Color p = new Color(rgb);
        return p.getRed() < 160 && p.getGreen() < 160 && p.getBlue() < 160;
    }

    private static boolean near(int rgb, Color c, int tolerance) {
        Color p = new Color(rgb);
        return Math.abs(p.getRed() - c.getRed()) <= tolerance && Math.abs(p.getGreen() - c.getGreen()) <= tolerance
                && Math.abs(p.getBlue() - c.getBlue()) <= tolerance;
    }
}
