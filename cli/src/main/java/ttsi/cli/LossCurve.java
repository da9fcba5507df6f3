package ttsi.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import ttsi.engine.train.LoraTrainer;

/** Writes a training run's loss per step as loss.csv and a loss.png chart (XChart) into a folder. */
final class LossCurve {
    private LossCurve() {}

    static void write(Path dir, List<LoraTrainer.StepReport> steps) throws IOException {
        write(dir, steps, "loss", "Training loss");
    }

    /** Writes NAME.csv and NAME.png. */
    static void write(Path dir, List<LoraTrainer.StepReport> steps, String name, String title) throws IOException {
        StringBuilder csv = new StringBuilder("step,epoch,loss,grad_norm,lr,tokens,seconds\n");
        double[] x = new double[steps.size()], y = new double[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            var s = steps.get(i);
            csv.append(s.step()).append(',').append(s.epoch() + 1).append(',').append(s.loss()).append(',').append(s.gradNorm())
                    .append(',').append(s.lr()).append(',').append(s.tokens()).append(',').append(s.seconds()).append('\n');
            x[i] = s.step();
            y[i] = s.loss();
        }
        Files.writeString(dir.resolve(name + ".csv"), csv);
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(720).height(400).title(title).xAxisTitle("optimizer step").yAxisTitle("loss").build();
        chart.getStyler().setLegendVisible(false);
        chart.addSeries("loss", x, y).setMarker(steps.size() > 50 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        BitmapEncoder.saveBitmap(chart, dir.resolve(name + ".png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * Writes the figures measured at each checkpoint (e.g. dev exact match) as NAME.csv and a NAME.png chart, one
     * series per numeric field ending in one of the suffixes.
     */
    static void writeEvaluations(Path dir, List<com.fasterxml.jackson.databind.node.ObjectNode> evals, String name, String title,
                                 List<String> fields) throws IOException {
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
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(720).height(400).title(title).xAxisTitle("optimizer step").yAxisTitle("%").build();
        for (int f = 0; f < fields.size(); f++) chart.addSeries(fields.get(f), x, ys[f]).setMarker(SeriesMarkers.CIRCLE);
        BitmapEncoder.saveBitmap(chart, dir.resolve(name + ".png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Reads a loss CSV written by {@link #write}, numbering its steps on from offset. */
    static List<LoraTrainer.StepReport> read(Path csv, int offset) throws IOException {
        List<LoraTrainer.StepReport> out = new java.util.ArrayList<>();
        List<String> lines = Files.readAllLines(csv);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            if (f.length < 7) throw new IOException(csv + ":" + (i + 1) + ": expected 7 columns (step,epoch,loss,grad_norm,lr,tokens,seconds)");
            out.add(new LoraTrainer.StepReport(Integer.parseInt(f[0]) + offset, 0, Integer.parseInt(f[1]) - 1, Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Integer.parseInt(f[5]), Double.parseDouble(f[6])));
        }
        return out;
    }
}
