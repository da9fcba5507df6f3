package ttsi.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The difference in mean verdict ({@link SampleLine#correct}: the run's scoring rule) between a run and the base run, with a 95% confidence
 * interval from a paired bootstrap over samples. A sample's difference is the run's mean over its seeds minus the
 * base's (with the same seeds in both, that is the mean of the per-seed differences; a greedy base run needs only
 * one seed). Resampling whole samples keeps the correlation between a sample's seeds and the pairing of the runs.
 */
public final class PairedBootstrap {
    public static final int RESAMPLES = 2000;
    /** Fixed, so that the same run directories always give the same report. */
    public static final long SEED = 2510_07841L;

    private PairedBootstrap() {}

    /**
     * delta: mean over the paired samples of (run − base); low/high: the 2.5th and 97.5th percentiles of that mean
     * over the resamples; standardError: the standard deviation of the resampled means; samples: how many samples
     * both runs have. All NaN when no sample is paired.
     */
    public record Result(double delta, double low, double high, double standardError, int samples) {}

    public static Result compare(List<SampleLine> run, List<SampleLine> base) {
        return bootstrap(pair(run, base), RESAMPLES, SEED);
    }

    /**
     * Pairs the lines by sample id: each sample's difference, the run's mean over its seeds minus the base's, in the
     * run's order of samples. Samples only one run has are left out.
     */
    static double[] pair(List<SampleLine> run, List<SampleLine> base) {
        Map<String, Map<Long, Double>> runBySample = bySample(run), baseBySample = bySample(base);
        List<Double> differences = new ArrayList<>();
        for (Map.Entry<String, Map<Long, Double>> e : runBySample.entrySet()) {
            Map<Long, Double> b = baseBySample.get(e.getKey());
            if (b != null) differences.add(mean(e.getValue().values()) - mean(b.values()));
        }
        return differences.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Resamples the differences with replacement; the mean of each resample gives the percentiles and the error. */
    static Result bootstrap(double[] differences, int resamples, long seed) {
        int n = differences.length;
        if (n == 0) return new Result(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
        Random random = new Random(seed); // its algorithm is specified, so the draws are the same on every JDK
        double[] means = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += differences[random.nextInt(n)];
            means[b] = sum / n;
        }
        Arrays.sort(means);
        double meanOfMeans = Arrays.stream(means).average().orElseThrow();
        double ss = 0;
        for (double m : means) ss += (m - meanOfMeans) * (m - meanOfMeans);
        double delta = Arrays.stream(differences).average().orElseThrow();
        return new Result(delta, percentile(means, 0.025), percentile(means, 0.975), Math.sqrt(ss / (resamples - 1)), n);
    }

    /** The p-quantile of sorted values, interpolating linearly between neighbours (numpy's default). */
    static double percentile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Exact match (1 or 0) per seed of each sample id, samples in the order they first appear. */
    private static Map<String, Map<Long, Double>> bySample(List<SampleLine> lines) {
        Map<String, Map<Long, Double>> m = new LinkedHashMap<>();
        for (SampleLine l : lines) m.computeIfAbsent(l.id(), id -> new TreeMap<>()).putIfAbsent(l.seed(), l.correct() ? 1.0 : 0.0);
        return m;
    }

    private static double mean(Collection<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
