package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarConsumer;
import org.junit.jupiter.api.Test;

/** Progress bars: the bar's own fields, the speed and each extra field stay apart, numbers in a fixed format. */
class BarsTest {
    /** Renders into a list instead of the terminal. */
    static final class Lines implements ProgressBarConsumer {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public int getMaxRenderedLength() {
            return 160;
        }

        @Override
        public void accept(String s) {
            lines.add(s);
        }

        @Override
        public void close() {}
    }

    @Test
    void theSpeedAndTheExtraFieldsAreSeparated() {
        Lines out = new Lines();
        try (ProgressBar bar = Bars.builder("finetune", 30, 0, "steps", ChronoUnit.SECONDS).setConsumer(out).build()) {
            bar.stepTo(12);
            bar.setExtraMessage(Bars.extra(Bars.format("epoch %d/%d", 2, 3), Bars.loss(0.43149)));
        }
        String last = out.lines.getLast();
        // e.g. "finetune  40% [=====>      ] 12/30 steps (0:00:00 / 0:00:00) ? steps/s | epoch 2/3 | loss 0.431"
        assertTrue(last.matches("finetune +40% \\[[=> ]+\\] 12/30 steps \\(\\d+:\\d\\d:\\d\\d / [^)]+\\) (\\?|\\d+\\.\\d\\d) steps/s \\| epoch 2/3 \\| loss 0\\.431"),
                last);
    }

    @Test
    void sampleBarsCountPerMinuteAndStartWhereTheRunResumed() {
        Lines out = new Lines();
        try (ProgressBar bar = Bars.builder("tt-si seed 0", 300, 120, "samples", ChronoUnit.MINUTES).setConsumer(out).build()) {
            bar.stepTo(150);
            bar.setExtraMessage(Bars.extra(Bars.accuracy(7, 8), "resumed at 120"));
        }
        String last = out.lines.getLast();
        assertTrue(last.matches("tt-si seed 0 +50% \\[[=> ]+\\] 150/300 samples \\([^)]+\\) (\\?|\\d+\\.\\d\\d) samples/min \\| acc 87\\.5% \\| resumed at 120"), last);
    }

    @Test
    void extraFieldsAndNumberFormats() {
        assertEquals("", Bars.extra());
        assertEquals("", Bars.extra(null, " ", ""));
        assertEquals(" | a | b", Bars.extra(" a ", null, "b"));
        assertEquals("acc 0.0%", Bars.accuracy(0, 0));
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY); // a decimal comma must not leak in
            assertEquals("loss 0.500", Bars.loss(0.5));
            assertEquals("acc 33.3%", Bars.accuracy(1, 3));
        } finally {
            Locale.setDefault(before);
        }
    }
}
