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
        StringBuilder csv = new StringBuilder("step,epoch,loss,grad_norm,lr,tokens,seconds\n");
        double[] x = new double[steps.size()], y = new double[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            var s = steps.get(i);
            csv.append(s.step()).append(',').append(s.epoch() + 1).append(',').append(s.loss()).append(',').append(s.gradNorm())
                    .append(',').append(s.lr()).append(',').append(s.tokens()).append(',').append(s.seconds()).append('\n');
            x[i] = s.step();
            y[i] = s.loss();
        }
        Files.writeString(dir.resolve("loss.csv"), csv);
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(720).height(400).title("Training loss").xAxisTitle("optimizer step").yAxisTitle("loss").build();
        chart.getStyler().setLegendVisible(false);
        chart.addSeries("loss", x, y).setMarker(steps.size() > 50 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        BitmapEncoder.saveBitmap(chart, dir.resolve("loss.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
