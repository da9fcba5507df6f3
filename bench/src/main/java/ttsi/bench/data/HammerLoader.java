package ttsi.bench.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.json.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolCallParser;
import ttsi.agent.tools.ToolSpec;

/**
 * Hammer's processed test sets ({@code data/test/original/*.json}): a JSON array of
 * {@code {query, tools, answers}}. The query is a string or a dialogue of {role, content} turns with roles user,
 * agent (the assistant's words), assistant (its earlier tool calls, as a fenced JSON list) and tool (their
 * results). Answers are {name, arguments} or, in sealtool.json, {tool, parameters}. Ids are
 * {@code <benchmark>_<index>}.
 */
public final class HammerLoader implements DatasetLoader {
    @Override
    public Dataset load(String benchmark, Path file) {
        Issues issues = new Issues(file);
        List<Sample> samples = new ArrayList<>();
        for (Records.Record r : Records.read(file, issues::add)) {
            try {
                samples.add(sample(benchmark, file, r));
            } catch (IllegalArgumentException e) {
                issues.skip(r.where(), Issues.message(e));
            }
        }
        return new Dataset(benchmark, file, samples, issues.list);
    }

    private static Sample sample(String benchmark, Path file, Records.Record r) {
        JsonNode n = r.node();
        if (!n.isObject()) throw new IllegalArgumentException("expected an object {query, tools, answers}, got " + n.getNodeType());
        for (String k : new String[] {"query", "tools", "answers"}) {
            if (!n.has(k)) throw new IllegalArgumentException("missing \"" + k + "\"");
        }
        List<Message> conversation = conversation(n.get("query"));
        List<ToolSpec> tools = new ArrayList<>();
        JsonNode ts = n.get("tools");
        if (!ts.isArray()) throw new IllegalArgumentException("\"tools\" must be a list");
        for (int i = 0; i < ts.size(); i++) {
            try {
                tools.add(ToolSpec.fromJson(ts.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tool " + i + ": " + e.getMessage(), e);
            }
        }
        JsonNode answers = n.get("answers");
        if (!answers.isArray()) throw new IllegalArgumentException("\"answers\" must be a list");
        ToolCallParser.ParseResult gold = ToolCallParser.interpret(answers);
        if (!gold.ok()) throw new IllegalArgumentException("answers: " + gold.error());
        ObjectNode meta = Json.object();
        meta.put("source", file.getFileName().toString());
        meta.put("index", r.index());
        return new Sample(benchmark + "_" + r.index(), benchmark, conversation, tools, gold.calls(), answers, meta);
    }

    static List<Message> conversation(JsonNode q) {
        if (q.isTextual()) return List.of(Message.user(q.textValue()));
        if (!q.isArray() || q.isEmpty()) throw new IllegalArgumentException("\"query\" must be a string or a non-empty list of turns");
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < q.size(); i++) {
            JsonNode t = q.get(i);
            if (!t.isObject() || !t.path("role").isTextual()) {
                throw new IllegalArgumentException("query turn " + i + " must be {role, content}");
            }
            String role = t.get("role").textValue();
            String content = t.path("content").asText("");
            out.add(switch (role) {
                case "user", "human" -> Message.user(content);
                case "system" -> Message.system(content);
                case "tool", "function", "observation" -> Message.tool(content);
                case "agent", "gpt" -> Message.assistant(content);
                case "assistant" -> {
                    // Hammer writes earlier calls as a fenced JSON list; keep them as calls when they parse.
                    ToolCallParser.ParseResult calls = ToolCallParser.parse(content);
                    yield calls.ok() && !calls.calls().isEmpty() && !calls.format().startsWith("embedded") ? Message.assistantCalls(content, calls.calls()) : Message.assistant(content);
                }
                default -> throw new IllegalArgumentException("query turn " + i + " has unknown role '" + role + "'");
            });
        }
        return out;
    }
}
