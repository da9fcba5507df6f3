package ttsi.bench.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.json.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;

/**
 * A BFCL category ({@code BFCL_v4_<category>.json}, JSON Lines of {id, question: [[turn messages]], function})
 * with its answers ({@code possible_answer/BFCL_v4_<category>.json}: {id, ground_truth: [{fn: {param:
 * [accepted values]}}]}). Categories without an answer file (irrelevance) expect no call. The gold call list
 * takes the first accepted value of each parameter ("" first means: leave it out, unless required); {@code goldRaw} keeps every
 * accepted value for the AST checker. The group is the category.
 */
public final class BfclLoader implements DatasetLoader {
    @Override
    public Dataset load(String benchmark, Path file) {
        Issues issues = new Issues(file);
        String category = category(file);
        Path answersFile = file.resolveSibling("possible_answer").resolve(file.getFileName());
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        boolean hasAnswers = Files.exists(answersFile);
        if (hasAnswers) {
            for (Records.Record r : Records.read(answersFile, issues::add)) {
                String id = r.node().path("id").asText(null);
                if (id == null || !r.node().path("ground_truth").isArray()) {
                    issues.add(new LoadIssue(answersFile, r.where(), "needs \"id\" and a \"ground_truth\" list", true));
                } else if (answers.put(id, r.node().get("ground_truth")) != null) {
                    issues.add(new LoadIssue(answersFile, r.where(), "id " + id + " appears twice; the later answer is used", false));
                }
            }
        }
        List<Sample> samples = new ArrayList<>();
        for (Records.Record r : Records.read(file, issues::add)) {
            try {
                JsonNode n = r.node();
                String id = n.path("id").asText(null);
                if (id == null) throw new IllegalArgumentException("missing \"id\"");
                JsonNode truth = hasAnswers ? answers.remove(id) : Json.array();
                if (truth == null) throw new IllegalArgumentException("id " + id + " has no entry in " + answersFile.getFileName());
                samples.add(sample(benchmark, category, r, truth));
            } catch (IllegalArgumentException e) {
                issues.skip(r.where(), Issues.message(e));
            }
        }
        for (String orphan : answers.keySet()) {
            issues.add(new LoadIssue(answersFile, "id " + orphan, "answer without a question", true));
        }
        return new Dataset(benchmark, file, samples, issues.list);
    }

    static String category(Path file) {
        return file.getFileName().toString().replaceFirst("^BFCL_v\\d+_", "").replaceFirst("\\.jsonl?$", "");
    }

    private static Sample sample(String benchmark, String category, Records.Record r, JsonNode truth) {
        JsonNode n = r.node();
        if (!n.path("question").isArray()) throw new IllegalArgumentException("\"question\" must be a list of turns");
        if (!n.path("function").isArray()) throw new IllegalArgumentException("\"function\" must be a list");
        List<Message> conversation = new ArrayList<>();
        for (JsonNode turn : n.get("question")) {
            for (JsonNode m : turn.isArray() ? turn : Json.array().add(turn)) {
                String role = m.path("role").asText(null);
                if (role == null) throw new IllegalArgumentException("a question message has no role");
                conversation.add(new Message(role, m.path("content").asText(""), null));
            }
        }
        List<ToolSpec> tools = new ArrayList<>();
        for (int i = 0; i < n.get("function").size(); i++) {
            try {
                tools.add(ToolSpec.fromJson(n.get("function").get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("function " + i + ": " + e.getMessage(), e);
            }
        }
        List<ToolCall> gold = new ArrayList<>();
        for (JsonNode answer : truth) {
            if (!answer.isObject() || answer.size() != 1) throw new IllegalArgumentException("a ground_truth entry must be {function: {param: [values]}}");
            var e = answer.fields().next();
            if (!e.getValue().isObject()) throw new IllegalArgumentException("ground_truth of " + e.getKey() + " is not an object");
            ToolSpec spec = null;
            for (ToolSpec t : tools) if (t.name().equals(e.getKey())) spec = t;
            gold.add(new ToolCall(e.getKey(), firstChoice((ObjectNode) e.getValue(), spec)));
        }
        ObjectNode meta = Json.object();
        meta.put("group", category);
        meta.put("category", category);
        meta.put("index", r.index());
        return new Sample(n.get("id").asText(), benchmark, conversation, tools, gold, truth, meta);
    }

    /** One concrete argument set: the first accepted value of each parameter, dict values expanded the same way. */
    static ObjectNode firstChoice(ObjectNode accepted, ToolSpec spec) {
        ObjectNode out = Json.object();
        for (Iterator<Map.Entry<String, JsonNode>> it = accepted.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode alts = e.getValue();
            if (!alts.isArray()) throw new IllegalArgumentException("accepted values of " + e.getKey() + " must be a list");
            if (alts.isEmpty()) throw new IllegalArgumentException("no accepted value for " + e.getKey());
            JsonNode v = alts.get(0);
            if (v.isTextual() && v.textValue().isEmpty()) {
                // "" first: leave the parameter out, unless the function requires it (simple_python_200 lists "" first
                // for a required parameter); then take the first real value.
                boolean required = spec != null && spec.required().contains(e.getKey());
                v = null;
                if (required) for (JsonNode a : alts) if (!(a.isTextual() && a.textValue().isEmpty())) { v = a; break; }
                if (v == null) continue;
            }
            JsonNode prop = spec == null ? null : spec.property(e.getKey());
            String type = prop == null ? null : prop.path("type").asText(null);
            if ("dict".equals(type) && v.isObject() && allLists(v)) {
                v = firstChoice((ObjectNode) v, null);
            } else if (("array".equals(type) || "tuple".equals(type)) && "dict".equals(prop.path("items").path("type").asText())
                    && v.isArray()) {
                var list = Json.array();
                for (JsonNode d : v) list.add(d.isObject() && allLists(d) ? firstChoice((ObjectNode) d, null) : d);
                v = list;
            }
            out.set(e.getKey(), v);
        }
        return out;
    }

    private static boolean allLists(JsonNode o) {
        for (JsonNode v : o) if (!v.isArray()) return false;
        return true;
    }
}
