package ttsi.bench.score;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ttsi.bench.Benchmark;
import ttsi.bench.data.Dataset;
import ttsi.bench.data.Sample;

/**
 * Scores predictions against a dataset with the benchmark's metrics:
 * <ul>
 *   <li>CALLS: accuracy = exact match; hammer.* (one-to-one) and hammer_script.* (the script's quirks);
 *       sealtools.* and sealtools_script.*.</li>
 *   <li>NEXUSRAVEN: accuracy = NexusRaven's rule, also per sub-task; exact_match and hammer.* besides.</li>
 *   <li>BFCL: accuracy = the AST checker, per category.</li>
 * </ul>
 * A sample without a prediction counts as an unparsable answer ("no prediction").
 */
public final class Evaluation {
    private Evaluation() {}

    public static EvalReport evaluate(Benchmark benchmark, Dataset data, Map<String, Prediction> predictions) {
        Benchmark.Scoring scoring = benchmark.scoring();
        HammerF1 hammer = new HammerF1(false), hammerScript = new HammerF1(true);
        SealToolsF1 seal = new SealToolsF1(false), sealScript = new SealToolsF1(true);
        List<SampleResult> results = new ArrayList<>();
        Map<String, int[]> groups = new TreeMap<>();
        int predicted = 0, missing = 0, unparsable = 0, correct = 0, exact = 0;
        for (Sample s : data.samples()) {
            Prediction p = predictions.get(s.id());
            boolean isMissing = p == null;
            if (isMissing) {
                missing++;
                p = new Prediction(s.id(), null, List.of(), "no prediction");
            } else {
                predicted++;
                if (!p.parsed()) unparsable++;
            }
            Map<String, Verdict> checks = new LinkedHashMap<>();
            Verdict primary;
            switch (scoring) {
                case BFCL -> {
                    primary = BfclChecker.check(s, p);
                    checks.put("bfcl_ast", primary);
                }
                case NEXUSRAVEN -> {
                    primary = NexusRavenCheck.check(s, p);
                    checks.put("nexusraven", primary);
                    Verdict em = ExactMatch.check(s.gold(), p);
                    checks.put("exact_match", em);
                    if (em.correct()) exact++;
                    hammer.add(s.gold(), p);
                }
                default -> {
                    primary = ExactMatch.check(s.gold(), p);
                    checks.put("exact_match", primary);
                    hammer.add(s.gold(), p);
                    hammerScript.add(s.gold(), p);
                    seal.add(s.gold(), p);
                    sealScript.add(s.gold(), p);
                }
            }
            if (primary.correct()) correct++;
            if (s.group() != null) {
                int[] g = groups.computeIfAbsent(s.group(), k -> new int[2]);
                g[0]++;
                if (primary.correct()) g[1]++;
            }
            results.add(new SampleResult(s, p, isMissing, primary.correct(), primary.reason(), checks));
        }
        int n = data.size();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", n == 0 ? 0 : (double) correct / n);
        metrics.put("parsed", n == 0 ? 0 : (double) (n - missing - unparsable) / n);
        switch (scoring) {
            case NEXUSRAVEN -> {
                metrics.put("exact_match", n == 0 ? 0 : (double) exact / n);
                metrics.putAll(hammer.metrics("hammer."));
            }
            case CALLS -> {
                metrics.putAll(hammer.metrics("hammer."));
                metrics.putAll(hammerScript.metrics("hammer_script."));
                metrics.putAll(seal.metrics("sealtools."));
                metrics.putAll(sealScript.metrics("sealtools_script."));
            }
            default -> { }
        }
        Map<String, EvalReport.Group> g = new LinkedHashMap<>();
        groups.forEach((k, v) -> g.put(k, new EvalReport.Group(v[0], v[1])));
        List<String> unknown = new ArrayList<>();
        var ids = data.byId();
        for (String id : predictions.keySet()) if (!ids.containsKey(id)) unknown.add(id);
        return new EvalReport(benchmark.name(), metrics, g, new EvalReport.Counts(n, predicted, missing, unparsable, correct), results, unknown);
    }

    /** The gold calls of every sample as predictions: each benchmark must score 1.0 on them. */
    public static Map<String, Prediction> goldPredictions(Dataset data) {
        Map<String, Prediction> m = new LinkedHashMap<>();
        for (Sample s : data.samples()) m.put(s.id(), Prediction.ofCalls(s.id(), s.gold()));
        return m;
    }
}
