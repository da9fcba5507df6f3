package ttsi.bench.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import ttsi.agent.json.Json;

/** Hand-made result lines and run directories in the runner's format. */
final class ReportFixtures {
    private ReportFixtures() {}

    /** A result line; selected adds synthesis (one pair) and adaptation with one train loss. */
    static ObjectNode line(String benchmark, String method, long seed, int index, double margin, double tau, boolean selected, boolean correct,
                           double... seconds) {
        ObjectNode r = Json.object();
        r.put("id", benchmark + "_" + index);
        r.put("index", index);
        r.put("seed", seed);
        r.put("benchmark", benchmark);
        r.put("method", method);
        ObjectNode u = r.putObject("uncertainty");
        u.put("margin", margin);
        u.put("uncertain", margin < tau);
        u.put("tau", tau);
        u.put("top", "getA");
        ArrayNode c = u.putArray("candidates");
        double p1 = (1 + margin) / 2;
        c.addObject().put("name", "getA").put("score", Math.log(p1)).put("probability", p1);
        c.addObject().put("name", "getB").put("score", Math.log(1 - p1)).put("probability", 1 - p1);
        r.put("adapted", selected);
        if (selected) {
            ObjectNode sy = r.putObject("synthesis");
            ObjectNode pair = sy.putArray("pairs").addObject();
            pair.put("query", "Find A for item " + index);
            pair.putArray("calls").addObject().put("name", "getA").putObject("arguments").put("item", index);
            sy.putArray("raw").add("[{\"query\": \"Find A for item " + index + "\"}]");
            sy.putArray("rejections").add("attempt 1: <missing> answer");
            sy.put("attempts", 1);
            r.putArray("train_losses").add(1.25);
        } else {
            r.putNull("synthesis");
            r.putArray("train_losses");
        }
        String out = correct ? "[{\"name\": \"getA\", \"arguments\": {}}]" : "[{\"name\": \"getB\", \"arguments\": {}}]";
        r.putArray("outputs").add(out);
        ObjectNode call = Json.object();
        call.put("name", correct ? "getA" : "getB");
        call.putObject("arguments");
        r.putArray("parsed_calls").addArray().add(call);
        r.putArray("parse_errors").addNull();
        r.putArray("calls").add(call);
        r.putNull("parse_error");
        r.putArray("gold").addObject().put("name", "getA").putObject("arguments");
        r.put("correct", correct);
        r.put("final_correct", correct);
        r.put("any_correct", correct);
        if (!correct) r.put("reason", "wrong function getB (gold getA)");
        ObjectNode s = r.putObject("seconds");
        String[] names = {"score", "synthesize", "train", "answer", "total"};
        for (int i = 0; i < seconds.length; i++) s.put(names[i], seconds[i]);
        return r;
    }

    static SampleLine parsed(ObjectNode line) {
        return SampleLine.parse(line, line.path("seed").asLong(), line.path("index").asInt());
    }

    /** Writes run.json, results-seed-S.jsonl per seed and summary.json like the runner. */
    static Path writeRun(Path dir, String benchmark, String method, double tau, Map<Long, List<ObjectNode>> lines) throws IOException {
        Files.createDirectories(dir);
        ObjectNode run = Json.object();
        ObjectNode cfg = run.putObject("config");
        cfg.put("model", "/models/tiny");
        cfg.put("benchmark", benchmark);
        cfg.put("method", method);
        cfg.put("format", "native");
        cfg.put("tau", tau);
        cfg.put("inference", "direct");
        cfg.put("k", 1);
        cfg.put("epochs", 1);
        ArrayNode seeds = cfg.putArray("seeds");
        lines.keySet().forEach(seeds::add);
        ObjectNode prov = run.putObject("provenance");
        prov.put("ttsi_version", "0.1.0");
        prov.put("model_path", "/models/tiny");
        prov.put("started", "2025-01-01T00:00:00Z");
        Files.writeString(dir.resolve("run.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(run));
        int samples = 0;
        for (Map.Entry<Long, List<ObjectNode>> e : lines.entrySet()) {
            StringBuilder b = new StringBuilder();
            for (ObjectNode l : e.getValue()) b.append(l).append('\n');
            Files.writeString(dir.resolve("results-seed-" + e.getKey() + ".jsonl"), b);
            samples = Math.max(samples, e.getValue().size());
        }
        ObjectNode sum = Json.object();
        sum.put("benchmark", benchmark);
        sum.put("method", method);
        sum.put("samples", samples);
        Files.writeString(dir.resolve("summary.json"), sum.toString());
        return dir;
    }
}
