package ttsi.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import ttsi.agent.json.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ParameterSchema;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;

/** A validated chat-completions request. */
record ChatRequest(String model, List<Message> messages, List<ToolSpec> tools, ToolChoice toolChoice, Integer maxTokens,
                   double temperature, double topP, int topK, long seed, List<String> stop, boolean stream, boolean includeUsage,
                   int topLogprobs, TtsiMode ttsi) {

    ChatRequest withTtsi(TtsiMode mode) {
        return mode == ttsi ? this : new ChatRequest(model, messages, tools, toolChoice, maxTokens, temperature, topP, topK, seed, stop, stream,
                includeUsage, topLogprobs, mode);
    }

    /** none, auto, required, or one named function. */
    record ToolChoice(String mode, String function) {
        static final ToolChoice AUTO = new ToolChoice("auto", null);
    }

    static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,64}");

    /**
     * Reads the body. header: the X-TTSI header (null when absent); the body's "ttsi" field wins over it, and both over
     * dflt.
     */
    static ChatRequest parse(JsonNode body, String header, TtsiMode dflt) {
        if (body == null || !body.isObject()) throw ApiError.invalid(null, "The request body must be a JSON object, got " + Params.kind(body) + ".");
        String model = Params.text(body, "model");
        List<Message> messages = messages(body.get("messages"));
        List<ToolSpec> tools = tools(body.get("tools"));
        ToolChoice choice = toolChoice(body.get("tool_choice"), tools);
        long n = Params.integer(body, "n", 1, 1, 128);
        if (n != 1) throw ApiError.invalid("n", "Only n=1 is supported by this server.");
        Integer maxTokens = null;
        long mt = Params.integer(body, "max_completion_tokens", -1, 1, Integer.MAX_VALUE);
        if (mt < 0) mt = Params.integer(body, "max_tokens", -1, 1, Integer.MAX_VALUE);
        if (mt > 0) maxTokens = (int) mt;
        double temperature = Params.number(body, "temperature", 1.0, 0, 2);
        double topP = Params.number(body, "top_p", 1.0, 0, 1);
        if (topP == 0) topP = Double.MIN_VALUE; // greedy in effect
        int topK = (int) Params.integer(body, "top_k", 0, -1, 1_000_000);
        if (topK < 0) topK = 0;
        long seed = Params.integer(body, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        List<String> stop = Params.stop(body);
        boolean stream = Params.bool(body, "stream", false);
        boolean includeUsage = false;
        JsonNode so = body.get("stream_options");
        if (!Params.absent(so)) {
            if (!so.isObject()) throw ApiError.invalid("stream_options", "'stream_options' must be an object.");
            includeUsage = Params.bool(so, "include_usage", false);
        }
        boolean logprobs = Params.bool(body, "logprobs", false);
        int top = (int) Params.integer(body, "top_logprobs", 0, 0, 20);
        if (!logprobs && body.hasNonNull("top_logprobs") && top > 0) {
            throw ApiError.invalid("top_logprobs", "'top_logprobs' needs 'logprobs' set to true.");
        }
        TtsiMode mode = dflt;
        if (header != null && !header.isBlank()) mode = TtsiMode.of(header, "X-TTSI");
        JsonNode t = body.get("ttsi");
        if (!Params.absent(t)) {
            if (t.isBoolean()) mode = t.booleanValue() ? TtsiMode.AUTO : TtsiMode.OFF;
            else if (t.isTextual()) mode = TtsiMode.of(t.textValue(), "ttsi");
            else if (t.isObject() && t.path("mode").isTextual()) mode = TtsiMode.of(t.get("mode").textValue(), "ttsi.mode");
            else throw ApiError.invalid("ttsi", "'ttsi' must be \"off\", \"auto\", \"force\", a boolean, or {\"mode\": ...}.");
        }
        return new ChatRequest(model, messages, tools, choice, maxTokens, temperature, topP, topK, seed, stop, stream, includeUsage,
                logprobs ? top : -1, mode);
    }

    static List<Message> messages(JsonNode ms) {
        if (Params.absent(ms)) throw ApiError.invalid("messages", "'messages' is required: a non-empty list of {role, content}.");
        if (!ms.isArray() || ms.isEmpty()) throw ApiError.invalid("messages", "'messages' must be a non-empty list, got " + Params.kind(ms) + ".");
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            JsonNode m = ms.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw ApiError.invalid(where, where + " must be an object, got " + Params.kind(m) + ".");
            JsonNode r = m.get("role");
            if (r == null || !r.isTextual()) throw ApiError.invalid(where + ".role", where + " needs a 'role' string.");
            String role = switch (r.textValue()) {
                case "system", "developer" -> Message.SYSTEM;
                case "user" -> Message.USER;
                case "assistant" -> Message.ASSISTANT;
                case "tool", "function" -> Message.TOOL;
                default -> throw ApiError.invalid(where + ".role", where + " has unknown role '" + r.textValue()
                        + "' (expected system, developer, user, assistant or tool).");
            };
            String content = content(m.get("content"), where + ".content");
            List<ToolCall> calls = new ArrayList<>();
            JsonNode tc = m.get("tool_calls");
            if (!Params.absent(tc)) {
                if (!role.equals(Message.ASSISTANT)) throw ApiError.invalid(where + ".tool_calls", "only assistant messages carry 'tool_calls'.");
                if (!tc.isArray()) throw ApiError.invalid(where + ".tool_calls", where + ".tool_calls must be a list.");
                for (int j = 0; j < tc.size(); j++) calls.add(call(tc.get(j), where + ".tool_calls[" + j + "]"));
            }
            if (content == null && calls.isEmpty() && !role.equals(Message.ASSISTANT)) {
                throw ApiError.invalid(where + ".content", where + " needs 'content'.");
            }
            out.add(new Message(role, content, calls));
        }
        return out;
    }

    /** A string, or a list of text parts; null stays null. */
    static String content(JsonNode c, String where) {
        if (Params.absent(c)) return null;
        if (c.isTextual()) return c.textValue();
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (part.isTextual()) sb.append(part.textValue());
                else if (part.isObject() && part.path("text").isTextual()) sb.append(part.get("text").textValue());
                else throw ApiError.invalid(where, where + " parts must be {\"type\": \"text\", \"text\": ...}; this server reads text only.");
            }
            return sb.toString();
        }
        throw ApiError.invalid(where, where + " must be a string or a list of text parts, got " + Params.kind(c) + ".");
    }

    static ToolCall call(JsonNode tc, String where) {
        JsonNode fn = tc.isObject() ? tc.get("function") : null;
        if (fn == null || !fn.isObject() || !fn.path("name").isTextual() || fn.get("name").textValue().isBlank()) {
            throw ApiError.invalid(where, where + " must be {\"type\": \"function\", \"function\": {\"name\", \"arguments\"}}.");
        }
        JsonNode args = fn.get("arguments");
        ObjectNode parsed;
        if (Params.absent(args)) parsed = Json.object();
        else if (args.isObject()) parsed = (ObjectNode) args;
        else if (args.isTextual()) {
            JsonNode a = args.textValue().isBlank() ? Json.object() : Json.tryParse(args.textValue());
            if (a == null || !a.isObject()) throw ApiError.invalid(where + ".function.arguments", where + ".function.arguments must be a JSON object encoded as a string.");
            parsed = (ObjectNode) a;
        } else {
            throw ApiError.invalid(where + ".function.arguments", where + ".function.arguments must be a string.");
        }
        return new ToolCall(fn.get("name").textValue(), parsed);
    }

    static List<ToolSpec> tools(JsonNode ts) {
        List<ToolSpec> out = new ArrayList<>();
        if (Params.absent(ts)) return out;
        if (!ts.isArray()) throw ApiError.invalid("tools", "'tools' must be a list, got " + Params.kind(ts) + ".");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ts.size(); i++) {
            JsonNode t = ts.get(i);
            String where = "tools[" + i + "]";
            if (!t.isObject()) throw ApiError.invalid(where, where + " must be an object.");
            JsonNode type = t.get("type");
            if (type != null && !(type.isTextual() && type.textValue().equals("function"))) {
                throw ApiError.invalid(where + ".type", where + ".type must be \"function\", got " + type + ".");
            }
            JsonNode fn = t.get("function");
            if (fn == null || !fn.isObject()) throw ApiError.invalid(where + ".function", where + " needs a 'function' object {name, description, parameters}.");
            JsonNode name = fn.get("name");
            if (name == null || !name.isTextual() || !TOOL_NAME.matcher(name.textValue()).matches()) {
                throw ApiError.invalid(where + ".function.name", "Invalid tool name " + (name == null ? "(missing)" : name)
                        + ": it must be 1 to 64 letters, digits, '_', '-' or '.'.");
            }
            String n = name.textValue();
            if (!names.add(n)) throw ApiError.invalid(where + ".function.name", "Duplicate tool name '" + n + "'.");
            JsonNode d = fn.get("description");
            if (!Params.absent(d) && !d.isTextual()) throw ApiError.invalid(where + ".function.description", "The description of '" + n + "' must be a string.");
            JsonNode p = fn.get("parameters");
            if (!Params.absent(p)) schema(p, where + ".function.parameters", n);
            try {
                out.add(ToolSpec.fromJson(t.has("type") ? t : fn));
            } catch (RuntimeException e) {
                throw ApiError.invalid(where, "Invalid schema for function '" + n + "': " + e.getMessage());
            }
        }
        return out;
    }

    /** The parameters must be a JSON-schema object ({@link ParameterSchema}: one check for the server and the API). */
    static void schema(JsonNode p, String where, String fn) {
        try {
            ParameterSchema.check(p);
        } catch (ParameterSchema.Invalid e) {
            String field = e.path().isEmpty() ? "parameters" : e.path().substring(1);
            throw ApiError.invalid(where, "Invalid schema for function '" + fn + "': " + field + ": " + e.getMessage() + ".");
        }
    }

    static ToolChoice toolChoice(JsonNode c, List<ToolSpec> tools) {
        if (Params.absent(c)) return tools.isEmpty() ? new ToolChoice("none", null) : ToolChoice.AUTO;
        if (c.isTextual()) {
            String s = c.textValue();
            if (!s.equals("none") && !s.equals("auto") && !s.equals("required")) {
                throw ApiError.invalid("tool_choice", "'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}, got '" + s + "'.");
            }
            if (!s.equals("none") && tools.isEmpty()) {
                if (s.equals("auto")) return new ToolChoice("none", null);
                throw ApiError.invalid("tool_choice", "'tool_choice' is \"required\" but no 'tools' were given.");
            }
            return new ToolChoice(s, null);
        }
        JsonNode name = c.path("function").path("name");
        if (!c.isObject() || !name.isTextual()) {
            throw ApiError.invalid("tool_choice", "'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}.");
        }
        String n = name.textValue();
        if (tools.stream().noneMatch(t -> t.name().equals(n))) {
            throw ApiError.invalid("tool_choice", "'tool_choice' names function '" + n + "', which is not among the 'tools'.");
        }
        return new ToolChoice("function", n);
    }
}
