package ttsi.bench.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The report's aggregations over result lines; pure functions. */
public final class Stats {
    private Stats() {}

    /**
     * Mean and sample standard deviation (n − 1), as the runner's summary.json, except that the std of a single value
     * is NaN (undefined; summary.json writes 0). Both are NaN for none.
     */
    public record MeanStd(double mean, double std, int n) {}

    public static MeanStd meanStd(Collection<Double> xs) {
        if (xs.isEmpty()) return new MeanStd(Double.NaN, Double.NaN, 0);
        double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double ss = xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
        return new MeanStd(mean, xs.size() < 2 ? Double.NaN : Math.sqrt(ss / (xs.size() - 1)), xs.size());
    }

    /** Fraction correct per seed, seeds ascending. */
    public static Map<Long, Double> accuracyPerSeed(List<SampleLine> lines) {
        Map<Long, int[]> c = new TreeMap<>();
        for (SampleLine l : lines) {
            int[] k = c.computeIfAbsent(l.seed(), s -> new int[2]);
            k[0]++;
            if (l.correct()) k[1]++;
        }
        Map<Long, Double> out = new LinkedHashMap<>();
        c.forEach((s, k) -> out.put(s, (double) k[1] / k[0]));
        return out;
    }

    public static Map<Long, Integer> countPerSeed(List<SampleLine> lines) {
        Map<Long, Integer> c = new TreeMap<>();
        for (SampleLine l : lines) c.merge(l.seed(), 1, Integer::sum);
        return c;
    }

    /** Fraction of lines for which the predicate holds (NaN for none). */
    public static double fraction(List<SampleLine> lines, java.util.function.Predicate<SampleLine> p) {
        return lines.isEmpty() ? Double.NaN : (double) lines.stream().filter(p).count() / lines.size();
    }

    /** Margin counts of correct and incorrect lines in equal bins over [0, 1] (1 falls in the last bin). */
    public record Histogram(double[] edges, int[] correct, int[] incorrect, int withoutMargin) {}

    public static Histogram marginHistogram(List<SampleLine> lines, int bins) {
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) edges[i] = (double) i / bins;
        int[] ok = new int[bins], bad = new int[bins];
        int none = 0;
        for (SampleLine l : lines) {
            if (!l.hasMargin()) {
                none++;
                continue;
            }
            int b = Math.clamp((int) Math.floor(l.margin() * bins), 0, bins - 1);
            if (l.correct()) ok[b]++;
            else bad[b]++;
        }
        return new Histogram(edges, ok, bad, none);
    }

    /**
     * One threshold of the τ sweep, over the lines with a recorded margin (all seeds pooled). Selected: margin &lt; τ,
     * the estimator's rule. accSelected/accUnselected: this run's accuracy on each part (NaN when empty).
     * simulated: accuracy had only the selected inputs been adapted — this run's verdict below τ, the matching base
     * run's verdict at or above τ; NaN where not computable (no base run, or an input below τ that this run did
     * not act on).
     */
    public record SweepPoint(double tau, int total, int selected, double selectedFraction, double accSelected, double accUnselected,
                             double simulated) {}

    /** The sweep, how many lines had no margin, and why there is no simulated column (null when there is). */
    public record Sweep(List<SweepPoint> points, int withoutMargin, String simulatedNote) {
        public boolean hasSimulated() {
            return points.stream().anyMatch(p -> !Double.isNaN(p.simulated()));
        }
    }

    /** τ = 0, 0.05, ..., 1, plus the run's own τ when it lies in [0, 1] and off that grid. */
    public static List<Double> defaultTaus(double runTau) {
        List<Double> taus = new ArrayList<>();
        for (int i = 0; i <= 20; i++) taus.add(i / 20.0);
        if (runTau >= 0 && runTau <= 1 && taus.stream().noneMatch(t -> Math.abs(t - runTau) < 1e-9)) {
            taus.add(runTau);
            taus.sort(Double::compare);
        }
        return taus;
    }

    /**
     * The τ sweep from recorded margins. {@code base} (may be null, then {@code noBaseReason} says why) is the base run
     * of the same benchmark and model, matched by (seed, id); its margins must equal this run's.
     */
    public static Sweep tauSweep(List<SampleLine> run, List<SampleLine> base, String noBaseReason, List<Double> taus) {
        List<SampleLine> lines = run.stream().filter(SampleLine::hasMargin).toList();
        int without = run.size() - lines.size();
        Map<String, SampleLine> baseByKey = null;
        String note = noBaseReason;
        if (base != null) {
            Map<String, SampleLine> m = new HashMap<>();
            for (SampleLine b : base) m.putIfAbsent(key(b), b);
            int missing = 0, differ = 0;
            for (SampleLine l : lines) {
                SampleLine b = m.get(key(l));
                if (b == null) missing++;
                else if (!b.hasMargin() || Math.abs(b.margin() - l.margin()) > 1e-9) differ++;
            }
            if (missing > 0) note = "the base run lacks " + missing + " of this run's samples (seed, id)";
            else if (differ > 0) note = differ + " samples' margins differ from the base run's (another model or scoring setting)";
            else baseByKey = m;
        }
        List<SweepPoint> points = new ArrayList<>();
        for (double tau : taus) {
            int sel = 0, selOk = 0, unsel = 0, unselOk = 0, simOk = 0;
            boolean simulable = baseByKey != null;
            for (SampleLine l : lines) {
                if (l.margin() < tau) {
                    sel++;
                    if (l.correct()) selOk++;
                    if (!l.selected()) simulable = false;
                    if (l.correct()) simOk++;
                } else {
                    unsel++;
                    if (l.correct()) unselOk++;
                    if (baseByKey != null && baseByKey.get(key(l)).correct()) simOk++;
                }
            }
            int n = lines.size();
            points.add(new SweepPoint(tau, n, sel, n == 0 ? Double.NaN : (double) sel / n, sel == 0 ? Double.NaN : (double) selOk / sel,
                    unsel == 0 ? Double.NaN : (double) unselOk / unsel, simulable && n > 0 ? (double) simOk / n : Double.NaN));
        }
        Sweep s = new Sweep(points, without, null);
        if (!s.hasSimulated() && note == null) note = "below every τ > 0 there are inputs this run did not act on";
        return new Sweep(points, without, s.hasSimulated() ? null : note);
    }

    private static String key(SampleLine l) {
        return l.seed() + "\u0000" + l.id();
    }

    /**
     * Mean seconds per sample in each stage (score, synthesize, train, answer, then other = total minus the stages,
     * never below 0), the mean total and the sum of totals.
     */
    public record StageTimes(Map<String, Double> meanSeconds, double meanTotal, double sumTotal, int samples) {}

    public static StageTimes stageTimes(List<SampleLine> lines) {
        Map<String, Double> sums = new LinkedHashMap<>();
        for (String s : SampleLine.STAGES) sums.put(s, 0.0);
        sums.put("other", 0.0);
        double total = 0;
        for (SampleLine l : lines) {
            double staged = 0;
            for (String s : SampleLine.STAGES) {
                sums.merge(s, l.seconds(s), Double::sum);
                staged += l.seconds(s);
            }
            double t = l.seconds().containsKey("total") ? l.seconds("total") : staged;
            sums.merge("other", Math.max(0, t - staged), Double::sum);
            total += t;
        }
        int n = lines.size();
        Map<String, Double> means = new LinkedHashMap<>();
        sums.forEach((k, v) -> means.put(k, n == 0 ? Double.NaN : v / n));
        return new StageTimes(means, n == 0 ? Double.NaN : total / n, total, n);
    }
}
