package ttsi.bench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.report.ReportFixtures.line;
import static ttsi.bench.report.ReportFixtures.parsed;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The aggregations on hand-made result lines. */
class ReportStatsTest {
    static final double EPS = 1e-12;

    static List<SampleLine> lines(String method, double tau, double[] margins, boolean[] selected, boolean[] correct) {
        List<SampleLine> out = new ArrayList<>();
        for (int i = 0; i < margins.length; i++) out.add(parsed(line("sealtool", method, 0, i, margins[i], tau, selected[i], correct[i], 0.1, 0, 0, 0.2, 0.3)));
        return out;
    }

    @Test
    void meanAndSampleStdOverSeedsAsTheRunnerComputesThem() {
        var m = Stats.meanStd(List.of(2 / 3.0, 1 / 3.0));
        assertEquals(0.5, m.mean(), EPS);
        assertEquals(Math.sqrt(2 * (1 / 6.0) * (1 / 6.0)), m.std(), EPS);
        assertEquals(2, m.n());
        // A std over one value is undefined (summary.json writes 0); the report says n/a.
        var one = Stats.meanStd(List.of(0.7));
        assertEquals(0.7, one.mean(), EPS);
        assertTrue(Double.isNaN(one.std()), "std of one seed: " + one.std());
        assertEquals(1, one.n());
        assertEquals("70.00 ± n/a", Fmt.pm(one));
        assertTrue(Double.isNaN(Stats.meanStd(List.of()).mean()));
        assertEquals("–", Fmt.pm(Stats.meanStd(List.of())));
        assertEquals("50.00 ± 23.57", Fmt.pm(m));
        // Three seeds 0.5, 0.75, 1: mean 0.75, sample variance (0.0625 + 0 + 0.0625) / 2 = 0.0625, std 0.25.
        assertEquals("75.00 ± 25.00", Fmt.pm(Stats.meanStd(List.of(0.5, 0.75, 1.0))));
    }

    @Test
    void accuracyPerSeedCountsCorrectLinesOfEachSeed() {
        List<SampleLine> ls = new ArrayList<>();
        boolean[][] correct = {{true, true, false}, {false, true, false}};
        for (int s = 0; s < 2; s++) for (int i = 0; i < 3; i++) ls.add(parsed(line("sealtool", "base", s, i, 0.5, 0.95, false, correct[s][i])));
        Map<Long, Double> acc = Stats.accuracyPerSeed(ls);
        assertEquals(List.of(0L, 1L), List.copyOf(acc.keySet()));
        assertEquals(2 / 3.0, acc.get(0L), EPS);
        assertEquals(1 / 3.0, acc.get(1L), EPS);
        assertEquals(Map.of(0L, 3, 1L, 3), Stats.countPerSeed(ls));
    }

    @Test
    void marginHistogramSplitsCorrectAndIncorrect() {
        List<SampleLine> ls = List.of(parsed(line("b", "base", 0, 0, 0.05, 0.95, false, true)), parsed(line("b", "base", 0, 1, 0.15, 0.95, false, false)),
                parsed(line("b", "base", 0, 2, 1.0, 0.95, false, true)), parsed(line("b", "base", 0, 3, 0.0, 0.95, false, false)));
        var noMargin = line("b", "base", 0, 4, 0.5, 0.95, false, true);
        ((com.fasterxml.jackson.databind.node.ObjectNode) noMargin.get("uncertainty")).put("margin", "NaN");
        List<SampleLine> all = new ArrayList<>(ls);
        all.add(parsed(noMargin));
        var h = Stats.marginHistogram(all, 10);
        assertArrayEquals(new int[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 1}, h.correct());
        assertArrayEquals(new int[] {1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, h.incorrect());
        assertEquals(1, h.withoutMargin());
        assertEquals(0.1, h.edges()[1], EPS);
    }

    @Test
    void tauSweepOfABaseRunSplitsAccuracyBySelection() {
        double[] m = {0.1, 0.3, 0.6, 0.9};
        var base = lines("base", 0.95, m, new boolean[4], new boolean[] {false, true, false, true});
        var sweep = Stats.tauSweep(base, null, "this is the base run", List.of(0.0, 0.5, 1.0));
        var p = sweep.points();
        assertEquals(0, p.get(0).selected());
        assertTrue(Double.isNaN(p.get(0).accSelected()));
        assertEquals(0.5, p.get(0).accUnselected(), EPS);
        assertEquals(0.5, p.get(1).selectedFraction(), EPS);
        assertEquals(0.5, p.get(1).accSelected(), EPS);
        assertEquals(0.5, p.get(1).accUnselected(), EPS);
        assertEquals(4, p.get(2).selected());
        assertFalse(sweep.hasSimulated());
        assertEquals("this is the base run", sweep.simulatedNote());
    }

    @Test
    void tauSweepSimulatesAdaptingOnlyBelowTauFromAnAllRunAndTheBaseRun() {
        double[] m = {0.1, 0.3, 0.6, 0.9};
        var base = lines("base", 0.95, m, new boolean[4], new boolean[] {false, true, false, true});
        var all = lines("all", 0.95, m, new boolean[] {true, true, true, true}, new boolean[] {true, true, true, false});
        var sweep = Stats.tauSweep(all, base, null, List.of(0.0, 0.5, 1.0));
        assertNull(sweep.simulatedNote());
        var p = sweep.points();
        assertEquals(0.5, p.get(0).simulated(), EPS, "τ = 0: nothing adapted, the base run's accuracy");
        assertEquals(0.75, p.get(1).simulated(), EPS, "τ = 0.5: all-run verdicts for 0.1, 0.3 (✓✓), base for 0.6, 0.9 (✗✓)");
        assertEquals(1.0, p.get(1).accSelected(), EPS);
        assertEquals(0.5, p.get(1).accUnselected(), EPS);
        assertEquals(0.75, p.get(2).simulated(), EPS, "τ = 1: every sample adapted, the all run's accuracy");
    }

    @Test
    void aTtSiRunIsSimulatedOnlyUpToTheTausWhereItActedOnEverySampleBelow() {
        double[] m = {0.1, 0.3, 0.6, 0.9};
        var base = lines("base", 0.5, m, new boolean[4], new boolean[] {false, true, false, true});
        var ttsi = lines("tt-si", 0.5, m, new boolean[] {true, true, false, false}, new boolean[] {true, false, false, true});
        var p = Stats.tauSweep(ttsi, base, null, Stats.defaultTaus(0.5)).points();
        for (Stats.SweepPoint x : p) {
            if (x.tau() <= 0.6) assertFalse(Double.isNaN(x.simulated()), "τ " + x.tau());
            else assertTrue(Double.isNaN(x.simulated()), "τ " + x.tau() + ": 0.6 lies below but was not adapted");
        }
        var at05 = p.stream().filter(x -> x.tau() == 0.5).findFirst().orElseThrow();
        assertEquals(0.5, at05.simulated(), EPS, "tt-si verdicts ✓✗ + base ✗✓");
    }

    @Test
    void noSimulationWhenTheBaseRunLacksSamplesOrItsMarginsDiffer() {
        double[] m = {0.1, 0.3};
        var all = lines("all", 0.95, m, new boolean[] {true, true}, new boolean[] {true, true});
        var shortBase = lines("base", 0.95, new double[] {0.1}, new boolean[1], new boolean[] {true});
        var s1 = Stats.tauSweep(all, shortBase, null, List.of(0.5));
        assertFalse(s1.hasSimulated());
        assertTrue(s1.simulatedNote().contains("lacks 1"), s1.simulatedNote());
        var otherModel = lines("base", 0.95, new double[] {0.1, 0.31}, new boolean[2], new boolean[] {true, true});
        var s2 = Stats.tauSweep(all, otherModel, null, List.of(0.5));
        assertFalse(s2.hasSimulated());
        assertTrue(s2.simulatedNote().contains("margins differ"), s2.simulatedNote());
    }

    @Test
    void defaultTausCoverZeroToOneAndTheRunsTau() {
        assertEquals(21, Stats.defaultTaus(0.95).size());
        var t = Stats.defaultTaus(0.42);
        assertEquals(22, t.size());
        assertTrue(t.contains(0.42));
        assertEquals(0.4, t.get(8), EPS);
        assertEquals(0.42, t.get(9), EPS);
    }

    @Test
    void stageTimesAreMeansPerSampleWithTheRestAsOther() {
        var a = parsed(line("b", "tt-si", 0, 0, 0.1, 0.95, true, true, 1, 2, 3, 4, 11));
        var bLine = line("b", "base", 0, 1, 0.9, 0.95, false, true);
        bLine.putObject("seconds").put("score", 1).put("answer", 1).put("total", 2.5);
        var t = Stats.stageTimes(List.of(a, parsed(bLine)));
        assertEquals(List.of("score", "synthesize", "train", "answer", "other"), List.copyOf(t.meanSeconds().keySet()));
        assertEquals(1, t.meanSeconds().get("score"), EPS);
        assertEquals(1, t.meanSeconds().get("synthesize"), EPS);
        assertEquals(1.5, t.meanSeconds().get("train"), EPS);
        assertEquals(2.5, t.meanSeconds().get("answer"), EPS);
        assertEquals(0.75, t.meanSeconds().get("other"), EPS);
        assertEquals(6.75, t.meanTotal(), EPS);
        assertEquals(13.5, t.sumTotal(), EPS);
    }

    @Test
    void paperNumbersAreLabelledAndOnlyForTheSetsThePaperUsed() {
        assertEquals(66.37, PaperNumbers.accuracy("sealtool", "base", "direct").orElseThrow(), EPS);
        assertEquals(72.43, PaperNumbers.accuracy("sealtool", "tt-si", "direct").orElseThrow(), EPS);
        assertEquals(73.47, PaperNumbers.accuracy("sealtool", "all", "direct").orElseThrow(), EPS);
        assertEquals(70.07, PaperNumbers.accuracy("sealtool", "certain-only", "direct").orElseThrow(), EPS);
        assertEquals(78.89, PaperNumbers.accuracy("sealtool", "gold-upper-bound", "direct").orElseThrow(), EPS);
        assertTrue(PaperNumbers.accuracy("sealtool-official", "base", "direct").isEmpty(), "another test set");
        assertTrue(PaperNumbers.gain("nexusraven", "tt-si", "direct").startsWith("+6.05"));
        assertTrue(PaperNumbers.gain("apibank-l2", "tt-si", "direct").contains("level not stated"));
        assertTrue(PaperNumbers.gain("toolalpaca", "tt-d", "majority").startsWith("+5.53"));
        assertNull(PaperNumbers.gain("bfcl-simple_python", "tt-si", "direct"));
        assertEquals("paper, Qwen2.5-1.5B-Instruct", PaperNumbers.LABEL);
    }
}
