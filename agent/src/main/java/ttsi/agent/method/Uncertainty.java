package ttsi.agent.method;

import java.util.List;

/**
 * The estimator's verdict on one input: each candidate's score (log-probability of the tokens naming it),
 * the relative softmax over the scores, the margin between the top two, and whether it is below τ.
 */
public record Uncertainty(List<String> candidates, double[] scores, double[] probabilities, double margin, double tau,
                          boolean uncertain, String top, String reason) {

    /** A verdict without scoring (e.g. a single candidate, which the paper treats as certain). */
    public static Uncertainty certain(List<String> candidates, double tau, String reason) {
        double[] one = new double[candidates.size()];
        if (one.length > 0) one[0] = 1;
        return new Uncertainty(candidates, new double[candidates.size()], one, 1.0, tau, false,
                candidates.isEmpty() ? null : candidates.getFirst(), reason);
    }

    /** Relative softmax scoring: p_n = exp(ℓ_n − max ℓ) / Σ exp(ℓ_k − max ℓ); margin = p(1) − p(2). */
    public static Uncertainty fromScores(List<String> candidates, double[] scores, double tau) {
        int n = scores.length;
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) max = Math.max(max, s);
        double z = 0;
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(scores[i] - max);
            z += p[i];
        }
        int best = 0;
        double first = -1, second = 0;
        for (int i = 0; i < n; i++) {
            p[i] /= z;
            if (p[i] > first) {
                second = first;
                first = p[i];
                best = i;
            } else if (p[i] > second) {
                second = p[i];
            }
        }
        if (n < 2) second = 0;
        double margin = first - Math.max(0, second);
        return new Uncertainty(candidates, scores, p, margin, tau, margin < tau, candidates.get(best), null);
    }

    /** Whether the verdict would be "uncertain" at another threshold (for τ sweeps from recorded scores). */
    public boolean uncertainAt(double otherTau) {
        return margin < otherTau;
    }
}
