package ttsi.agent.method;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import ttsi.agent.json.Json;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.tools.BenchmarkPrompt;
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
 *
 * <p>System messages: G never sees them, T keeps them. The generator is asked for new user requests, and a system
 * prompt is not part of the request (it is the deployer's instructions, which TT-D would otherwise send to a third-party
 * teacher); but the adapted model answers the input under its system prompt, so each pair is trained under it too
 * ({@link #trainingConversation}): T trains on the shape of the input it then answers, as the paper's x' ~ x_i.
 * (serve did this; {@code ttsi run} used to show the system turns to G and train single-turn pairs without them.)
 */
public final class DataSynthesizer {

    /** A new training pair. */
    public record Pair(String query, List<ToolCall> calls) {}

    /** What happened: the valid pairs, each raw generation, and why rejected pairs were rejected. */
    public record Result(List<Pair> pairs, List<String> raw, List<String> rejections, int attempts, double seconds) {}

    /**
     * What a synthesized pair of a multi-turn input (API-Bank's dialogues) is trained in. DIALOGUE: the input's own
     * dialogue up to its last user turn, with the new request as that last turn, so that T trains on the shape of the
     * test input; SINGLE_TURN: the new request alone (the paper's text does not say which it did).
     */
    public enum Context {
        DIALOGUE("dialogue"), SINGLE_TURN("single-turn");

        public final String key;

        Context(String key) {
            this.key = key;
        }

        public static Context of(String key) {
            for (Context c : values()) if (c.key.equalsIgnoreCase(key.strip())) return c;
            throw new IllegalArgumentException("unknown synthesis context '" + key + "' (expected dialogue or single-turn)");
        }
    }

    public record Options(int k, int maxAttempts, GenerationOptions generation, Context context) {
        public Options(int k, int maxAttempts, GenerationOptions generation) {
            this(k, maxAttempts, generation, Context.DIALOGUE);
        }

        /** K pairs in at most maxAttempts generations, sampled at this temperature with top-p 0.95, in DIALOGUE context. */
        public static Options sampling(int k, int maxAttempts, int maxTokens, double temperature) {
            return new Options(k, maxAttempts, new GenerationOptions(maxTokens, temperature, 0.95, 0, 0, List.of()), Context.DIALOGUE);
        }

        public static Options defaults() {
            return sampling(1, 3, 512, 0.7);
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

    /** The generation prompt for a seed input (its conversation and tools; no answer), single-turn. */
    public static List<Message> prompt(List<Message> seedConversation, List<ToolSpec> tools, int k) {
        return prompt(seedConversation, tools, k, Context.SINGLE_TURN);
    }

    /**
     * The generation prompt for a seed input. A multi-turn input in DIALOGUE context shows the dialogue and asks for new
     * last user turns that fit it; otherwise, the request and new requests like it.
     */
    public static List<Message> prompt(List<Message> seedConversation, List<ToolSpec> tools, int k, Context context) {
        String common = "vary the wording and the values (names, places, numbers, dates), "
                + "and state in the request every value its tool call needs. For each request give the correct tool call(s).\n"
                + "Answer with a JSON list and nothing else:\n"
                + "[{\"query\": \"<the new request>\", \"answer\": [{\"name\": \"<tool name>\", \"arguments\": {\"<argument>\": <value>}}]}]";
        String user;
        if (context == Context.DIALOGUE && !dialogueContext(seedConversation).isEmpty()) {
            user = "Here are the tools the assistant can call:\n" + BenchmarkPrompt.toolsJson(tools)
                    + "\n\nHere is a dialogue between a user and the assistant; its last turn is the user's request:\n"
                    + BenchmarkPrompt.queryText(seedConversation)
                    + "\n\nWrite " + k + " new last user turn" + (k == 1 ? "" : "s") + " that could take the place of that request in this "
                    + "same dialogue and that the assistant could fulfil with these same tools, each different from the one above: " + common;
        } else {
            user = "Here are the tools the assistant can call:\n" + BenchmarkPrompt.toolsJson(tools)
                    + "\n\nHere is a request a user sent to the assistant:\n" + BenchmarkPrompt.queryText(seedConversation)
                    + "\n\nWrite " + k + " new user request" + (k == 1 ? "" : "s") + " that the assistant could fulfil with these same "
                    + "tools, each different from the one above: " + common;
        }
        return List.of(Message.system(SYSTEM), Message.user(user));
    }

    /**
     * The turns before a conversation's last user turn (empty for a single request). Turns after it (the assistant's
     * calls for that request and their results) are not context for a new request: they answer the old one.
     */
    public static List<Message> dialogueContext(List<Message> conversation) {
        for (int i = conversation.size() - 1; i >= 0; i--) {
            if (conversation.get(i).role().equals(Message.USER)) return List.copyOf(conversation.subList(0, i));
        }
        return List.of();
    }

    /** The turns of a conversation that are not system messages: what G is shown of an input. */
    public static List<Message> withoutSystem(List<Message> conversation) {
        return conversation.stream().filter(m -> !m.role().equals(Message.SYSTEM)).toList();
    }

    /**
     * The conversation a synthesized pair is trained in (see {@link Context}), under the input's system prompt (its
     * leading system messages; see the class comment).
     */
    public List<Message> trainingConversation(List<Message> seedConversation, Pair p) {
        List<Message> out = new ArrayList<>(options.context() == Context.DIALOGUE ? dialogueContext(seedConversation)
                : seedConversation.stream().takeWhile(m -> m.role().equals(Message.SYSTEM)).toList());
        out.add(Message.user(p.query()));
        return out;
    }

    /** The text a new request must differ from: the last user turn of a dialogue in DIALOGUE context, else the whole input. */
    private String seedRequest(List<Message> seedConversation) {
        List<Message> before = dialogueContext(seedConversation);
        if (options.context() == Context.DIALOGUE && !before.isEmpty()) return seedConversation.get(before.size()).content();
        return BenchmarkPrompt.queryText(seedConversation);
    }

    /** K pairs like the input (its conversation without its system messages, and its tools), from the generator. */
    public Result synthesize(LanguageModel generator, List<Message> seedConversation, List<ToolSpec> tools, long seed) {
        long t0 = System.nanoTime();
        List<Message> request = withoutSystem(seedConversation);
        List<Pair> pairs = new ArrayList<>();
        List<String> raw = new ArrayList<>(), rejections = new ArrayList<>();
        String seedQuery = normalise(seedRequest(request));
        int attempts = 0;
        while (pairs.size() < options.k() && attempts < options.maxAttempts()) {
            int want = options.k() - pairs.size();
            Completion c = generator.generate(prompt(request, tools, want, options.context()), List.of(), options.generation().withSeed(seed * 1_000_003L + attempts));
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
