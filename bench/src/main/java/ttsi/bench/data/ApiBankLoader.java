package ttsi.bench.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ttsi.agent.json.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolCallParser;
import ttsi.agent.tools.ToolSpec;

/**
 * API-Bank's official flattened test sets ({@code test-data/level-1-api.json}, {@code level-2-api.json}): a JSON
 * array of {file, id, instruction, input, expected_output} (the training data on the Hub: {instruction, input, output}). The conversation is the dialogue history in
 * {@code input} ("User: ...", "AI: ...", "API-Request: [F(k='v')]->result"); the tools are the API
 * descriptions listed in {@code instruction} (for level 2 only ToolSearcher). The gold call comes from the raw
 * dialogue ({@code lv1-lv2-samples/<level folder>/<file>}, the {@code id}-th evaluation point, as upstream's
 * evaluator numbers them), whose param_dict holds exact values; without that file, from
 * {@code expected_output} read as API-Bank's own regex does.
 */
public final class ApiBankLoader implements DatasetLoader {
    private static final Pattern REQUEST = Pattern.compile("^API-Request:\\s*(\\[.*?\\])->(.*)$", Pattern.DOTALL);

    @Override
    public Dataset load(String benchmark, Path file) {
        Issues issues = new Issues(file);
        String name = file.getFileName().toString();
        Path samplesDir = file.toAbsolutePath().getParent().resolveSibling("lv1-lv2-samples")
                .resolve(name.startsWith("level-2") ? "level-2-toolsearcher" : "level-1-given-desc");
        if (!Files.isDirectory(samplesDir)) {
            issues.kept("file", "raw dialogues " + samplesDir + " not found; gold calls are read from expected_output");
        }
        Map<String, List<JsonNode>> dialogues = new HashMap<>();
        List<Sample> samples = new ArrayList<>();
        for (Records.Record r : Records.read(file, issues::add)) {
            try {
                samples.add(sample(benchmark, r, samplesDir, dialogues));
            } catch (IllegalArgumentException e) {
                issues.skip(r.where(), Issues.message(e));
            }
        }
        return new Dataset(benchmark, file, samples, issues.list);
    }

    private static Sample sample(String benchmark, Records.Record r, Path samplesDir, Map<String, List<JsonNode>> dialogues) {
        JsonNode n = r.node();
        for (String k : new String[] {"instruction", "input"}) {
            if (!n.has(k)) throw new IllegalArgumentException("missing \"" + k + "\"");
        }
        // The test data names the answer expected_output; the training data (on the Hub) names it output.
        String answerKey = n.has("expected_output") ? "expected_output" : "output";
        if (!n.has(answerKey)) throw new IllegalArgumentException("missing \"expected_output\" (test data) or \"output\" (training data)");
        List<ToolSpec> tools = tools(n.get("instruction").asText());
        List<Message> conversation = conversation(n.get("input").asText());
        ToolCall expected = expectedCall(n.get(answerKey).asText());
        ToolCall gold = expected;
        JsonNode raw = n.get(answerKey);
        boolean located = n.has("file") && n.has("id");
        if (located && Files.isDirectory(samplesDir)) {
            JsonNode turn = groundTruth(samplesDir, n.get("file").asText(), n.get("id").asInt(), dialogues);
            if (!turn.path("param_dict").isObject()) throw new IllegalArgumentException("the API turn has no param_dict");
            gold = new ToolCall(turn.path("api_name").asText(), (ObjectNode) turn.get("param_dict"));
            if (!gold.name().equals(expected.name())) {
                throw new IllegalArgumentException("dialogue calls " + gold.name() + " but expected_output calls " + expected.name());
            }
            raw = turn;
        }
        ObjectNode meta = Json.object();
        meta.put("index", r.index());
        if (located) {
            meta.put("file", n.get("file").asText());
            meta.put("dialogue_id", n.get("id").asInt());
        }
        meta.put("expected_output", n.get(answerKey).asText());
        return new Sample(benchmark + "_" + r.index(), benchmark, conversation, tools, List.of(gold), raw, meta);
    }

    /** The API descriptions after "API descriptions:", one JSON object per line. */
    static List<ToolSpec> tools(String instruction) {
        int i = instruction.indexOf("API descriptions:");
        if (i < 0) throw new IllegalArgumentException("instruction has no \"API descriptions:\" section");
        List<ToolSpec> out = new ArrayList<>();
        for (String line : instruction.substring(i + "API descriptions:".length()).split("\n")) {
            if (line.isBlank()) continue;
            try {
                out.add(ToolSpec.fromJson(Json.parse(line.strip())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("API description is not a tool spec: " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("instruction lists no API");
        return out;
    }

    /** The dialogue in "input": User/AI turns and earlier API requests with their results. */
    static List<Message> conversation(String input) {
        List<Message> out = new ArrayList<>();
        String role = null;
        StringBuilder text = new StringBuilder();
        for (String line : input.split("\n", -1)) {
            String next = null;
            String body = null;
            if (line.startsWith("User: ") || line.equals("User:")) {
                next = Message.USER;
                body = line.substring(Math.min(line.length(), 6));
            } else if (line.startsWith("AI: ") || line.equals("AI:")) {
                next = Message.ASSISTANT;
                body = line.substring(Math.min(line.length(), 4));
            } else if (line.startsWith("API-Request:")) {
                next = "api";
                body = line;
            } else if (line.strip().equals("Generate API Request:")) {
                next = "end";
            }
            if (next != null) {
                flush(out, role, text);
                role = next.equals("end") ? null : next;
                text.setLength(0);
                if (body != null) text.append(body);
            } else if (role != null) {
                text.append('\n').append(line);
            }
        }
        flush(out, role, text);
        if (out.isEmpty()) throw new IllegalArgumentException("input holds no dialogue turn");
        return out;
    }

    private static void flush(List<Message> out, String role, StringBuilder text) {
        if (role == null) return;
        String t = text.toString().strip();
        if (!role.equals("api")) {
            out.add(new Message(role, t, null));
            return;
        }
        Matcher m = REQUEST.matcher(t);
        if (m.matches()) {
            ToolCallParser.ParseResult calls = ToolCallParser.parse(m.group(1));
            if (calls.ok() && !calls.calls().isEmpty()) {
                out.add(Message.assistantCalls("", calls.calls()));
                out.add(Message.tool(m.group(2).strip()));
                return;
            }
        }
        out.add(Message.assistant(t)); // unreadable request: keep its text
    }

    /** API-Bank reads the request with a greedy regex; the loose call reading does the same. */
    static ToolCall expectedCall(String expected) {
        ToolCallParser.ParseResult r = ToolCallParser.parse(expected.strip());
        if (!r.ok() || r.calls().size() != 1) {
            throw new IllegalArgumentException("expected_output is not one API request: " + (r.ok() ? r.calls().size() + " calls" : r.error()));
        }
        return r.calls().getFirst();
    }

    /**
     * The id-th evaluation point of a dialogue: upstream makes two per API turn (the API turn itself, then the
     * turn after it), in order; the API-call test keeps those whose truth is an API turn.
     */
    private static JsonNode groundTruth(Path dir, String file, int id, Map<String, List<JsonNode>> cache) {
        List<JsonNode> turns = cache.computeIfAbsent(file, f -> {
            Path p = dir.resolve(f);
            if (!Files.exists(p)) throw new IllegalArgumentException("dialogue file " + p + " not found");
            List<JsonNode> t = new ArrayList<>();
            List<LoadIssue> bad = new ArrayList<>();
            for (Records.Record r : Records.read(p, bad::add)) t.add(r.node());
            if (!bad.isEmpty()) throw new IllegalArgumentException("dialogue file " + f + ": " + bad.getFirst());
            return t;
        });
        List<JsonNode> points = new ArrayList<>();
        for (int i = 0; i < turns.size(); i++) {
            if ("API".equals(turns.get(i).path("role").asText())) {
                points.add(turns.get(i));
                points.add(i + 1 < turns.size() ? turns.get(i + 1) : null);
            }
        }
        if (id < 0 || id >= points.size() || points.get(id) == null) {
            throw new IllegalArgumentException("dialogue " + file + " has no evaluation point " + id);
        }
        JsonNode gt = points.get(id);
        if (!"API".equals(gt.path("role").asText())) throw new IllegalArgumentException("evaluation point " + id + " of " + file + " is not an API call");
        return gt;
    }
}
