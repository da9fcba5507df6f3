package ttsi.agent.method;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.tools.BenchmarkPrompt;
import ttsi.agent.tools.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.SchemaTypes;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolCallParser;
import ttsi.agent.tools.ToolSpec;

/**
 * G: asks a generator (the model itself for TT-SI, a teacher for TT-D) for K new (query, calls) pairs like an
 * uncertain input, using the same tools with other values and wording. The input's gold answer is never shown.
 * Each pair is validated (parses, tools exist, required arguments present, no unknown arguments, plausible
 * types); failed attempts are retried a bounded number of times. Every raw generation is kept.
 */
public final class DataSynthesizer {

    /** A new training pair. */
    public record Pair(String query, List<ToolCall> calls) {}

    /** What happened: the valid pairs, each raw generation, and why rejected pairs were rejected. */
    public record Result(List<Pair> pairs, List<String> raw, List<String> rejections, int attempts, double seconds) {}

    public record Options(int k, int maxAttempts, GenerationOptions generation) {
        public static Options defaults() {
            return new Options(1, 3, new GenerationOptions(512, 0.7, 0.95, 0, 0, List.of()));
        }
    }

    static final String SYSTEM = "You write training data for an assistant that answers requests by calling tools.";

    private final Options options;

    public DataSynthesizer(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** The generation prompt for a seed input (its conversation and tools; no answer). */
    public static List<Message> prompt(List<Message> seedConversation, List<ToolSpec> tools, int k) {
        String user = "Here are the tools the assistant can call:\n" + BenchmarkPrompt.toolsJson(tools)
                + "\n\nHere is a request a user sent to the assistant:\n" + BenchmarkPrompt.queryText(seedConversation)
                + "\n\nWrite " + k + " new user request" + (k == 1 ? "" : "s") + " that the assistant could fulfil with these same "
                + "tools, each different from the one above: vary the wording and the values (names, places, numbers, dates), "
                + "and state in the request every value its tool call needs. For each request give the correct tool call(s).\n"
                + "Answer with a JSON list and nothing else:\n"
                + "[{\"query\": \"<the new request>\", \"answer\": [{\"name\": \"<tool name>\", \"arguments\": {\"<argument>\": <value>}}]}]";
        return List.of(Message.system(SYSTEM), Message.user(user));
    }

    public Result synthesize(LanguageModel generator, List<Message> seedConversation, List<ToolSpec> tools, long seed) {
        long t0 = System.nanoTime();
        List<Pair> pairs = new ArrayList<>();
        List<String> raw = new ArrayList<>(), rejections = new ArrayList<>();
        String seedQuery = normalise(BenchmarkPrompt.queryText(seedConversation));
        int attempts = 0;
        while (pairs.size() < options.k() && attempts < options.maxAttempts()) {
            int want = options.k() - pairs.size();
            Completion c = generator.generate(prompt(seedConversation, tools, want), List.of(), options.generation().withSeed(seed * 1_000_003L + attempts));
            attempts++;
            raw.add(c.text());
            JsonNode list = extractJson(c.text());
            if (list == null) {
                rejections.add("attempt " + attempts + ": no JSON list or object in the output");
                continue;
            }
            if (list.isObject()) list = Json.array().add(list);
            for (JsonNode item : list) {
                if (pairs.size() >= options.k()) break;
                String why = validate(item, tools, seedQuery);
                if (why != null) {
                    rejections.add("attempt " + attempts + ": " + why);
                    continue;
                }
                pairs.add(new Pair(item.get("query").asText().strip(), ToolCallParser.interpret(item.get("answer")).calls()));
            }
        }
        return new Result(pairs, raw, rejections, attempts, (System.nanoTime() - t0) / 1e9);
    }

    /** Null when the item is a valid pair for these tools, else the reason. */
    static String validate(JsonNode item, List<ToolSpec> tools, String seedQuery) {
        if (!item.isObject()) return "an item is not an object";
        JsonNode q = item.get("query");
        if (q == null || !q.isTextual() || q.asText().isBlank()) return "missing 'query' text";
        if (normalise(q.asText()).equals(seedQuery)) return "the query repeats the input";
        JsonNode a = item.get("answer");
        if (a == null) return "missing 'answer'";
        var parsed = ToolCallParser.interpret(a);
        if (!parsed.ok()) return "answer does not parse: " + parsed.error();
        if (parsed.calls().isEmpty()) return "answer has no call";
        for (ToolCall call : parsed.calls()) {
            ToolSpec t = tools.stream().filter(s -> s.name().equals(call.name())).findFirst().orElse(null);
            if (t == null) return "unknown tool '" + call.name() + "'";
            for (String r : t.required()) if (!call.arguments().has(r)) return call.name() + ": missing required argument '" + r + "'";
            var it = call.arguments().fieldNames();
            while (it.hasNext()) {
                String name = it.next();
                if (!t.hasParameter(name)) return call.name() + ": unknown argument '" + name + "'";
                String type = t.type(name);
                if (type != null && !plausible(SchemaTypes.jsonSchemaType(type), call.arguments().get(name))) {
                    return call.name() + ": argument '" + name + "' should be " + type + ", got " + call.arguments().get(name);
                }
            }
        }
        return null;
    }

    /** Loose type check: numbers may be given as numeric strings, anything may be a string for string types. */
    static boolean plausible(String jsonType, JsonNode v) {
        if (jsonType == null || v == null || v.isNull()) return true;
        return switch (jsonType) {
            case "integer" -> v.isIntegralNumber() || (v.isTextual() && v.asText().strip().matches("-?\\d+"));
            case "number" -> v.isNumber() || (v.isTextual() && v.asText().strip().matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?"));
            case "boolean" -> v.isBoolean() || (v.isTextual() && v.asText().matches("(?i)true|false"));
            case "array" -> v.isArray() || v.isTextual();
            case "object" -> v.isObject() || v.isTextual();
            default -> true;
        };
    }

    /** The first JSON list (or object) in a text, allowing code fences and chatter around it. */
    static JsonNode extractJson(String text) {
        String t = text.strip();
        JsonNode whole = Json.tryParse(t);
        if (whole != null && (whole.isArray() || whole.isObject())) return whole;
        for (char open : new char[] {'[', '{'}) {
            int start = t.indexOf(open);
            char close = open == '[' ? ']' : '}';
            int end = t.lastIndexOf(close);
            while (start >= 0 && end > start) {
                JsonNode n = Json.tryParse(t.substring(start, end + 1));
                if (n != null) return n;
                end = t.lastIndexOf(close, end - 1);
            }
        }
        return null;
    }

    static String normalise(String s) {
        return s.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }
}
