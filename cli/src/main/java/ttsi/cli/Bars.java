package ttsi.cli;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.StringJoiner;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The one way the CLI builds its progress bars, so that every command's bar reads the same:
 * <pre>finetune  40% [====      ] 12/30 steps (0:00:05 / 0:00:08) 2.67 steps/s | epoch 2 | loss 0.431</pre>
 * The library writes the speed and then the extra message with nothing between them ("2.7 steps/sepoch 11"), so the
 * extra message always starts with {@link #SEPARATOR}; numbers use a fixed format (and '.' in every locale).
 */
final class Bars {
    /** Between the bar's own fields and each extra field. */
    static final String SEPARATOR = " | ";

    private Bars() {}

    /** A bar of optimizer steps, the speed in steps per second; starts at done (a resumed run). */
    static ProgressBar steps(String task, long total, long done) {
        return builder(task, total, done, "steps", ChronoUnit.SECONDS).build();
    }

    /** A bar of samples, the speed in samples per minute (a TT-SI sample takes seconds to minutes); starts at done. */
    static ProgressBar samples(String task, long total, long done) {
        return builder(task, total, done, "samples", ChronoUnit.MINUTES).build();
    }

    /** The shared settings: ASCII, ratio with the unit, elapsed / ETA, speed with two decimals per `per`. */
    static ProgressBarBuilder builder(String task, long total, long done, String unit, ChronoUnit per) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII).setUnit(" " + unit, 1)
                .showSpeed(new DecimalFormat("0.00", DecimalFormatSymbols.getInstance(Locale.ROOT))).setSpeedUnit(per)
                .startsFrom(done, Duration.ZERO)
                // Without a terminal (a log file, CI) the library assumes 80 columns and cuts the extra fields off.
                .setMaxRenderedLength(System.console() == null ? 200 : -1);
    }

    /** The extra message: " | a | b" (blank fields are left out; none: ""). */
    static String extra(String... fields) {
        StringJoiner j = new StringJoiner(SEPARATOR, SEPARATOR, "").setEmptyValue("");
        for (String f : fields) if (f != null && !f.isBlank()) j.add(f.strip());
        return j.toString();
    }

    /** "loss 0.431". */
    static String loss(double loss) {
        return format("loss %.3f", loss);
    }

    /** "acc 87.5%" for 7 of 8. */
    static String accuracy(int correct, int done) {
        return format("acc %.1f%%", 100.0 * correct / Math.max(1, done));
    }

    /** String.format in Locale.ROOT: the same digits on every machine. */
    static String format(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
