package ttsi.bench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import ttsi.agent.json.Json;
import ttsi.agent.method.InferenceMode;
import ttsi.bench.score.InferenceScoring;

/**
 * Reads run directories written by {@code ttsi run}. Never throws on bad input: every missing or damaged file,
 * and every line that cannot be used, becomes a {@link Problem} with its path and reason, and the rest is read.
 */
public final class RunLoader {
    private static final Pattern RESULTS = Pattern.compile("results-seed-(-?\\d+)\\.jsonl");

    /** The runs read and the problems met. */
    public record Loaded(List<RunData> runs, List<Problem> problems) {}

    private RunLoader() {}

    /**
     * Loads each argument: a run directory, or a directory whose subdirectories are run directories (all of them
     * are loaded, in name order).
     */
    public static Loaded load(List<Path> args) {
        List<RunData> runs = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Path arg : args) {
            if (!Files.exists(arg)) {
                problems.add(new Problem(arg, "no such file or directory"));
                continue;
            }
            if (!Files.isDirectory(arg)) {
                problems.add(new Problem(arg, "not a directory (expected a run directory from 'ttsi run --out')"));
                continue;
            }
            List<Path> dirs = new ArrayList<>();
            if (isRunDir(arg)) {
                dirs.add(arg);
            } else {
                try (Stream<Path> s = Files.list(arg)) {
                    s.filter(Files::isDirectory).filter(RunLoader::isRunDir).sorted().forEach(dirs::add);
                } catch (IOException e) {
                    problems.add(new Problem(arg, "cannot list: " + reason(e)));
                    continue;
                }
                if (dirs.isEmpty()) {
                    problems.add(new Problem(arg, "not a run directory: no run.json or results-seed-*.jsonl here or in its subdirectories"));
                }
            }
            for (Path d : dirs) {
                if (!seen.add(d.toAbsolutePath().normalize())) continue;
                RunData r = loadRun(d, problems);
                if (r != null) runs.add(r);
            }
        }
        return new Loaded(runs, problems);
    }

    static boolean isRunDir(Path d) {
        if (Files.exists(d.resolve("run.json"))) return true;
        try (Stream<Path> s = Files.list(d)) {
            return s.anyMatch(p -> RESULTS.matcher(p.getFileName().toString()).matches());
        } catch (IOException e) {
            return false;
        }
    }

    /** One run directory, or null when it has no result lines at all (a problem says so). */
    static RunData loadRun(Path dir, List<Problem> problems) {
        JsonNode config = MissingNode.getInstance(), provenance = MissingNode.getInstance();
        Path runJson = dir.resolve("run.json");
        if (!Files.exists(runJson)) {
            problems.add(new Problem(runJson, "missing; benchmark and method are taken from the result lines"));
        } else {
            JsonNode run = readJson(runJson, problems);
            if (run != null && !run.path("config").isObject()) {
                problems.add(new Problem(runJson, "has no \"config\" object"));
            } else if (run != null) {
                config = run.get("config");
                provenance = run.path("provenance");
            }
        }
        Integer expected = null;
        JsonNode summary = MissingNode.getInstance();
        Path summaryJson = dir.resolve("summary.json");
        if (Files.exists(summaryJson)) {
            JsonNode s = readJson(summaryJson, problems);
            if (s != null) {
                summary = s;
                if (s.path("samples").isInt()) expected = s.get("samples").asInt();
            }
        }

        Map<Long, Path> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                Matcher m = RESULTS.matcher(p.getFileName().toString());
                if (m.matches()) {
                    try {
                        files.put(Long.parseLong(m.group(1)), p);
                    } catch (NumberFormatException e) {
                        problems.add(new Problem(p, "seed in the file name is out of range"));
                    }
                }
            });
        } catch (IOException e) {
            problems.add(new Problem(dir, "cannot list: " + reason(e)));
            return null;
        }
        for (JsonNode seed : config.path("seeds")) {
            if (!files.containsKey(seed.asLong())) {
                problems.add(new Problem(dir.resolve("results-seed-" + seed.asLong() + ".jsonl"), "missing (seed " + seed.asLong() + " of run.json not run yet?)"));
            }
        }
        if (files.isEmpty()) {
            problems.add(new Problem(dir, "no results-seed-*.jsonl: nothing to report for this run"));
            return null;
        }

        // Every line is scored by the run's inference mode (InferenceScoring), as the runner's summary and metrics are;
        // without a mode in run.json, by the mode each line names, else by the line's own "correct".
        String recorded = RunData.recordedInference(config);
        InferenceMode mode = InferenceScoring.mode(recorded);
        if (recorded != null && mode == null) {
            problems.add(new Problem(runJson, "unknown inference mode \"" + recorded + "\"; each result line's own \"correct\" is used"));
        }
        List<SampleLine> lines = new ArrayList<>();
        for (Map.Entry<Long, Path> f : files.entrySet()) readResults(f.getValue(), f.getKey(), mode, lines, problems);
        Map<String, Integer> fallbacks = new LinkedHashMap<>();
        for (SampleLine l : lines) {
            InferenceMode m = mode != null ? mode : InferenceScoring.mode(l.json().path("inference").asText(null));
            if (m == null) fallbacks.merge("no inference mode recorded (neither run.json's config.inference nor the line's \"inference\")", 1, Integer::sum);
            else if (!InferenceScoring.hasField(l.json(), m)) fallbacks.merge("no \"" + InferenceScoring.field(m) + "\" (the " + m.key + " verdict)", 1, Integer::sum);
        }
        fallbacks.forEach((what, n) -> problems.add(new Problem(dir, n + " result line" + (n == 1 ? "" : "s") + " with " + what
                + ": scored by " + (n == 1 ? "its" : "their") + " own \"correct\", which the runner writes by the run's mode")));

        String benchmark = firstText(config.path("benchmark"), summary.path("benchmark"));
        String method = firstText(config.path("method"), summary.path("method"));
        if (benchmark == null) benchmark = lines.stream().map(SampleLine::benchmark).filter(b -> b != null).findFirst().orElse("?");
        if (method == null) method = lines.stream().map(SampleLine::method).filter(b -> b != null).findFirst().orElse("?");
        // Lines that name another benchmark or method than the run: kept, but said.
        Map<String, Integer> odd = new LinkedHashMap<>();
        for (SampleLine l : lines) {
            if (l.benchmark() != null && !l.benchmark().equals(benchmark)) odd.merge("benchmark " + l.benchmark(), 1, Integer::sum);
            if (l.method() != null && !l.method().equals(method)) odd.merge("method " + l.method(), 1, Integer::sum);
        }
        String b = benchmark, m = method;
        odd.forEach((what, n) -> problems.add(new Problem(dir, n + " result lines name " + what + ", not the run's "
                + (what.startsWith("benchmark") ? b : m) + "; they are counted with this run")));
        if (expected != null) {
            for (Map.Entry<Long, Integer> c : Stats.countPerSeed(lines).entrySet()) {
                if (c.getValue() < expected) {
                    problems.add(new Problem(files.get(c.getKey()), c.getValue() + " of " + expected + " samples (run unfinished?); accuracy is over the ones there"));
                }
            }
        }
        if (lines.isEmpty()) {
            problems.add(new Problem(dir, "no usable result lines: nothing to report for this run"));
            return null;
        }
        return new RunData(dir, benchmark, method, config, provenance, expected, lines);
    }

    private static void readResults(Path file, long seed, InferenceMode mode, List<SampleLine> out, List<Problem> problems) {
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            problems.add(new Problem(file, "not UTF-8 text"));
            return;
        } catch (IOException e) {
            problems.add(new Problem(file, "cannot read: " + reason(e)));
            return;
        }
        String[] rows = text.split("\n", -1);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < rows.length; i++) {
            String row = rows[i];
            if (row.isBlank()) continue;
            int lineNo = i + 1;
            boolean last = i == rows.length - 1; // no newline after it
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(row);
            } catch (JsonProcessingException e) {
                problems.add(new Problem(file, "line " + lineNo + ": " + (last ? "incomplete (a torn last line; a resumed run redoes this sample), skipped"
                        : "not valid JSON (" + jsonReason(e, false) + "), skipped")));
                continue;
            }
            if (!(node instanceof ObjectNode o)) {
                problems.add(new Problem(file, "line " + lineNo + ": not a JSON object, skipped"));
                continue;
            }
            SampleLine l;
            try {
                l = mode != null ? SampleLine.parse(o, seed, out.size(), mode) : SampleLine.parse(o, seed, out.size());
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(file, "line " + lineNo + ": " + e.getMessage() + ", skipped"));
                continue;
            }
            if (l.seed() != seed) {
                problems.add(new Problem(file, "line " + lineNo + ": seed " + l.seed() + " in a file of seed " + seed + ", skipped"));
                continue;
            }
            if (!ids.add(l.id())) {
                problems.add(new Problem(file, "line " + lineNo + ": sample " + l.id() + " appears again; the first is used"));
                continue;
            }
            out.add(l);
        }
    }

    /** A JSON file, or null with a problem. */
    private static JsonNode readJson(Path f, List<Problem> problems) {
        try {
            return Json.MAPPER.readTree(Files.readString(f));
        } catch (JsonProcessingException e) {
            problems.add(new Problem(f, "not valid JSON (" + jsonReason(e, true) + "); ignored"));
        } catch (IOException e) {
            problems.add(new Problem(f, "cannot read: " + reason(e)));
        }
        return null;
    }

    private static String firstText(JsonNode... nodes) {
        for (JsonNode n : nodes) if (n.isTextual() && !n.asText().isBlank()) return n.asText();
        return null;
    }

    static String jsonReason(JsonProcessingException e, boolean withLine) {
        String m = e.getOriginalMessage();
        m = m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
        if (m.length() > 160) m = m.substring(0, 160) + "…";
        var loc = e.getLocation();
        if (loc == null) return m;
        return m + (withLine ? " at line " + loc.getLineNr() + ", column " : " at column ") + loc.getColumnNr();
    }

    static String reason(IOException e) {
        String m = e.getMessage();
        String kind = e.getClass().getSimpleName();
        return m == null ? kind : kind.equals("IOException") ? m : kind + " " + m;
    }
}
