package ttsi.bench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.report.ReportFixtures.line;
import static ttsi.bench.report.ReportFixtures.parsed;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The paired bootstrap of exact-match differences on hand-made lines, checked against values worked out by hand. */
class PairedBootstrapTest {
    static final double EPS = 1e-12;

    static SampleLine sample(String id, long seed, boolean correct) {
        var l = line("toolshift", "base", seed, 0, 0.5, 0.95, false, correct);
        l.put("id", id);
        return parsed(l);
    }

    @Test
    void whenEverySampleDiffersByTheSameAmountTheIntervalCollapsesToIt() {
        // Each sample: the base is right at one seed of three, the run at that seed and the next, so every sample gains 1/3.
        List<SampleLine> run = new ArrayList<>(), base = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            for (long s = 0; s < 3; s++) {
                base.add(sample("s" + i, s, s == i % 3));
                run.add(sample("s" + i, s, s == i % 3 || s == (i + 1) % 3));
            }
        }
        var r = PairedBootstrap.compare(run, base);
        assertEquals(1 / 3.0, r.delta(), EPS);
        assertEquals(1 / 3.0, r.low(), EPS);
        assertEquals(1 / 3.0, r.high(), EPS);
        assertEquals(0, r.standardError(), EPS);
        assertEquals(7, r.samples());
    }

    @Test
    void equalGainsAndLossesGiveAnIntervalAroundZero() {
        // Differences +1 (5 samples) and −1 (5): a resample's mean is (2K − 10)/10 with K ~ Binomial(10, 1/2).
        // P(K ≤ 1) = 11/1024 < 2.5% < P(K ≤ 2) = 56/1024, so the 2.5th percentile is K = 2, a mean of −0.6; by symmetry +0.6.
        List<SampleLine> run = new ArrayList<>(), base = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            run.add(sample("s" + i, 0, i < 5));
            base.add(sample("s" + i, 0, i >= 5));
        }
        var r = PairedBootstrap.compare(run, base);
        assertEquals(0, r.delta(), EPS);
        assertTrue(r.low() < 0 && r.high() > 0, r.toString());
        assertEquals(-0.6, r.low(), EPS);
        assertEquals(0.6, r.high(), EPS);
        assertEquals(10, r.samples());
    }

    @Test
    void bootstrapErrorMatchesTheAnalyticErrorOfAPairedMeanDifference() {
        // 400 samples, 2 seeds; the run is right more often than the base. Independent computation: the mean difference
        // is the difference of the two runs' means, its standard error sd(d)/√n over the per-sample differences d.
        Random random = new Random(11);
        int n = 400;
        List<SampleLine> run = new ArrayList<>(), base = new ArrayList<>();
        double[] d = new double[n];
        int runCorrect = 0, baseCorrect = 0;
        for (int i = 0; i < n; i++) {
            for (long s = 0; s < 2; s++) {
                boolean b = random.nextDouble() < 0.5, r = b ? random.nextDouble() < 0.9 : random.nextDouble() < 0.3;
                base.add(sample("s" + i, s, b));
                run.add(sample("s" + i, s, r));
                d[i] += ((r ? 1 : 0) - (b ? 1 : 0)) / 2.0;
                runCorrect += r ? 1 : 0;
                baseCorrect += b ? 1 : 0;
            }
        }
        double mean = 0, ss = 0;
        for (double x : d) mean += x / n;
        for (double x : d) ss += (x - mean) * (x - mean);
        double analyticSe = Math.sqrt(ss / (n - 1)) / Math.sqrt(n);

        var r = PairedBootstrap.compare(run, base);
        assertEquals((runCorrect - baseCorrect) / (2.0 * n), r.delta(), EPS);
        assertEquals(analyticSe, r.standardError(), 0.06 * analyticSe, "bootstrap SE " + r.standardError() + " vs analytic " + analyticSe);
        // A near-normal mean: the percentile interval lies close to Δ ± 1.96 SE.
        assertEquals(r.delta() - 1.96 * analyticSe, r.low(), 0.25 * analyticSe);
        assertEquals(r.delta() + 1.96 * analyticSe, r.high(), 0.25 * analyticSe);
        assertEquals(n, r.samples());
    }

    @Test
    void pairsBySampleAndComparesTheMeansOverEachRunsSeeds() {
        List<SampleLine> run = List.of(
                sample("a", 0, true), sample("a", 1, false), // mean 0.5 − base's 1 = −0.5 (a greedy base with one seed)
                sample("b", 0, false), sample("b", 1, false), // base has "b" only at seed 5: mean 0 − mean 1 = −1
                sample("c", 0, true)); // not in the base: left out
        List<SampleLine> base = List.of(sample("a", 0, true), sample("b", 5, true), sample("d", 0, false));
        assertArrayEquals(new double[] {-0.5, -1}, PairedBootstrap.pair(run, base), EPS);
        var r = PairedBootstrap.compare(run, base);
        assertEquals(-0.75, r.delta(), EPS);
        assertEquals(2, r.samples());
    }

    @Test
    void nothingPairedGivesNoNumbers() {
        var r = PairedBootstrap.compare(List.of(sample("a", 0, true)), List.of(sample("b", 0, true)));
        assertEquals(0, r.samples());
        assertTrue(Double.isNaN(r.delta()) && Double.isNaN(r.low()) && Double.isNaN(r.high()));
        assertEquals("–", Fmt.ci(r));
    }

    @Test
    void theSameRunsGiveTheSameInterval() {
        List<SampleLine> run = new ArrayList<>(), base = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            run.add(sample("s" + i, 0, i % 3 != 0));
            base.add(sample("s" + i, 0, i % 2 == 0));
        }
        assertEquals(PairedBootstrap.compare(run, base), PairedBootstrap.compare(run, base));
    }

    @Test
    void percentilesInterpolateBetweenNeighboursLikeNumpy() {
        double[] v = {1, 2, 3, 4, 5};
        assertEquals(1.1, PairedBootstrap.percentile(v, 0.025), EPS); // numpy.percentile([1, 2, 3, 4, 5], 2.5)
        assertEquals(4.9, PairedBootstrap.percentile(v, 0.975), EPS);
        assertEquals(3, PairedBootstrap.percentile(v, 0.5), EPS);
    }
}
