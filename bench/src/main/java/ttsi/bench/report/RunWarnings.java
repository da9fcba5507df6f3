package ttsi.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.method.TestTimeMethod;
import ttsi.agent.method.Variant;

/**
 * Runs that were read but whose results show that something failed, as {@link Problem}s (path: the run directory)
 * listed under Warnings in the report's Problems section: a method that adapts at test time adapted none of the
 * samples it selected, or every answer of a run is unparsable.
 */
final class RunWarnings {
    private RunWarnings() {}

    /** The longest example (a rejection or parse error) quoted in a warning. */
    private static final int EXAMPLE = 120;

    /** The warnings about one run; {@code name} is how the report names it ("benchmark / label"). */
    static List<Problem> of(RunData r, String name) {
        List<Problem> out = new ArrayList<>();
        String zero = noAdaptation(r);
        if (zero != null) out.add(new Problem(r.dir(), name + " " + zero));
        String unparsable = allUnparsable(r);
        if (unparsable != null) out.add(new Problem(r.dir(), name + ": " + unparsable));
        return out;
    }

    /**
     * For a method that adapts (trains, or for tt-si-icl shows synthetic pairs): when it selected samples and used
     * none of them, what happened and why (null otherwise). Selected: what the method selects by the line's
     * "uncertainty.uncertain" (every line for all and gold-upper-bound, the drawn ones for random), or a line that
     * records a synthesis or "adapted": true.
     */
    static String noAdaptation(RunData r) {
        Variant m;
        try {
            m = Variant.of(r.method());
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!m.trains && !m.synthesizes) return null;
        List<SampleLine> selected = r.lines().stream().filter(l -> m.selects(l.uncertain(), l.selected()) || l.selected()).toList();
        if (selected.isEmpty()) return null;
        if (m.trains ? selected.stream().anyMatch(SampleLine::adapted) : selected.stream().anyMatch(l -> pairs(l) > 0)) return null;

        int n = selected.size(), teacher = 0, rejectedAll = 0, rejections = 0, attempts = 0, noSynthesis = 0, pairsNoUpdate = 0;
        String teacherExample = null, rejectionExample = null;
        for (SampleLine l : selected) {
            JsonNode syn = l.json().path("synthesis");
            if (!syn.isObject()) {
                noSynthesis++;
            } else if (pairs(l) > 0) {
                pairsNoUpdate++;
            } else {
                String failed = null;
                for (JsonNode x : syn.path("rejections")) {
                    if (x.asText().startsWith(TestTimeMethod.TEACHER_FAILED)) {
                        failed = x.asText();
                        break;
                    }
                }
                if (failed != null) {
                    teacher++;
                    if (teacherExample == null) teacherExample = failed;
                } else {
                    rejectedAll++;
                    rejections += syn.path("rejections").size();
                    attempts += syn.path("attempts").asInt(0);
                    if (rejectionExample == null && !syn.path("rejections").isEmpty()) rejectionExample = syn.path("rejections").get(0).asText();
                }
            }
        }
        List<String> causes = new ArrayList<>();
        if (teacher + rejectedAll > 0) {
            List<String> why = new ArrayList<>();
            if (teacher > 0) why.add("the teacher failed on " + teacher + ", e.g. " + quote(teacherExample));
            if (rejectedAll > 0) {
                why.add("every generated pair was rejected on " + rejectedAll + ": " + rejections + " rejection" + (rejections == 1 ? "" : "s")
                        + " in " + attempts + " attempt" + (attempts == 1 ? "" : "s") + (rejectionExample == null ? "" : ", e.g. " + quote(rejectionExample)));
            }
            causes.add("no valid synthetic pair for " + (teacher + rejectedAll) + " of " + n + " (" + String.join("; ", why) + ")");
        }
        if (noSynthesis > 0) {
            causes.add(m == Variant.GOLD ? "no update recorded for " + noSynthesis + " of " + n + " (it trains on the gold answer, without synthesis)"
                    : "no synthesis recorded for " + noSynthesis + " of " + n);
        }
        if (pairsNoUpdate > 0) causes.add("synthetic pairs but no recorded update (\"adapted\": false) for " + pairsNoUpdate + " of " + n);
        String cause = " Cause: " + String.join("; ", causes) + ".";
        String sel = "selected: " + selection(m, r.tau()), samples = n + " selected sample" + (n == 1 ? "" : "s");
        if (m.trains) return "adapted none of its " + samples + " (0 of " + n + " adapted; " + sel + "), so it answered like the unadapted model." + cause;
        return "used no synthetic demonstrations: 0 of its " + samples + " got a valid synthetic pair (" + sel + "), so it answered like the"
                + " unadapted model." + cause;
    }

    /** When every result line of the run has a parse_error: how many and an example (null otherwise). */
    static String allUnparsable(RunData r) {
        List<SampleLine> lines = r.lines();
        if (lines.isEmpty() || !lines.stream().allMatch(l -> l.json().path("parse_error").isTextual())) return null;
        int seeds = r.seeds().size();
        return "every answer is unparsable: all " + lines.size() + " result line" + (lines.size() == 1 ? "" : "s") + " (" + seeds + " seed"
                + (seeds == 1 ? "" : "s") + ") have a parse_error, e.g. " + quote(lines.getFirst().json().get("parse_error").asText()) + ".";
    }

    private static int pairs(SampleLine l) {
        return l.json().path("synthesis").path("pairs").size();
    }

    private static String selection(Variant m, double tau) {
        String t = Double.isNaN(tau) ? "" : ", margin below τ = " + Fmt.num(tau, 2);
        return switch (m) {
            case CERTAIN_ONLY -> "certain" + (t.isEmpty() ? "" : ", margin at or above τ = " + Fmt.num(tau, 2));
            case ALL, GOLD -> "every sample";
            case RANDOM -> "randomly drawn";
            default -> "uncertain" + t;
        };
    }

    private static String quote(String s) {
        return "\"" + Fmt.cut(s, EXAMPLE).replace('\n', ' ') + "\"";
    }
}
