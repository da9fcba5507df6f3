package ttsi.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ttsi.engine.format.FormatException;
import ttsi.jinja.JinjaFunction;
import ttsi.jinja.JsonValues;
import ttsi.jinja.Strftime;
import ttsi.jinja.Template;
import ttsi.jinja.TemplateException;

/**
 * A model's chat template, rendered as Hugging Face transformers' {@code apply_chat_template(..., tokenize=False)}
 * does: variables {@code messages}, {@code tools} (each {@code {"type": "function", "function": spec}}),
 * {@code documents} (None), {@code add_generation_prompt}, the special tokens of tokenizer_config.json, and the
 * functions {@code raise_exception(msg)} and {@code strftime_now(fmt)}.
 *
 * <p>Instances are immutable and thread-safe. Template errors, including {@code raise_exception}, surface as
 * {@link TemplateException} ({@code reason()} is the template's own message).
 */
public final class ChatTemplate {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RESERVED = Set.of("messages", "tools", "add_generation_prompt", "documents");

    private final Map<String, Template> templates;
    private final Map<String, String> sources;
    private final Map<String, String> specialTokens;
    private final Clock clock; // null: strftime_now is left undefined

    private ChatTemplate(Map<String, String> sources, Map<String, String> specialTokens, Clock clock,
            Map<String, Template> parsed) {
        this.sources = sources;
        this.specialTokens = specialTokens;
        this.clock = clock;
        this.templates = parsed;
    }

    /**
     * Reads the template from chat_template.jinja if present (as transformers does, it wins over the config), else
     * from tokenizer_config.json's {@code chat_template} (a string, or a list of {@code {name, template}} of which
     * "default" is used, and "tool_use" when tools are given); special tokens ({@code *_token} keys, string or {@code {content: ...}}) from
     * tokenizer_config.json.
     *
     * @throws FormatException naming the file when no template is found or a file cannot be read
     */
    public static ChatTemplate load(Path modelDir) {
        Path gguf = ttsi.engine.format.GgufCheckpoint.find(modelDir);
        if (gguf != null) return GgufTokenizer.chatTemplate(gguf);
        Path config = modelDir.resolve("tokenizer_config.json");
        Path jinja = modelDir.resolve("chat_template.jinja");
        JsonNode cfg = null;
        if (Files.exists(config)) {
            try {
                cfg = JSON.readTree(config.toFile());
            } catch (IOException e) {
                throw new FormatException(config, "cannot read as JSON: " + e.getMessage(), e);
            }
            if (!cfg.isObject()) throw new FormatException(config, "expected a JSON object");
        }
        Map<String, String> sources = new LinkedHashMap<>();
        JsonNode tpl = cfg == null ? null : cfg.get("chat_template");
        boolean fromFile = Files.exists(jinja); // transformers lets the file clobber the config's template
        if (fromFile) {
            try {
                sources.put("default", Files.readString(jinja, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new FormatException(jinja, "cannot read: " + e.getMessage(), e);
            }
        } else if (tpl != null && tpl.isTextual()) {
            sources.put("default", tpl.textValue());
        } else if (tpl != null && tpl.isArray()) {
            for (JsonNode entry : tpl) {
                if (!entry.path("name").isTextual() || !entry.path("template").isTextual()) {
                    throw new FormatException(config, "chat_template list entries need string 'name' and 'template'");
                }
                sources.put(entry.get("name").textValue(), entry.get("template").textValue());
            }
            if (!sources.containsKey("default")) {
                throw new FormatException(config, "chat_template list has no 'default' entry (names: "
                        + sources.keySet() + ")");
            }
        } else if (tpl != null && !tpl.isNull()) {
            throw new FormatException(config, "chat_template must be a string or a list of {name, template}");
        } else {
            throw new FormatException(config, "no chat_template in this file and no " + jinja.getFileName()
                    + " beside it");
        }
        Map<String, String> tokens = new LinkedHashMap<>();
        if (cfg != null) {
            for (Map.Entry<String, JsonNode> e : cfg.properties()) {
                if (e.getKey().endsWith("_token")) putToken(tokens, e.getKey(), e.getValue());
            }
            JsonNode extra = cfg.get("extra_special_tokens");
            if (extra != null && extra.isObject()) {
                for (Map.Entry<String, JsonNode> e : extra.properties()) putToken(tokens, e.getKey(), e.getValue());
            }
        }
        Path where = fromFile ? jinja : config;
        return create(sources, tokens, Clock.systemDefaultZone(), where.toString());
    }

    /** A GGUF file's tokenizer.chat_template, with the special tokens its metadata names. */
    static ChatTemplate fromGguf(String template, Map<String, String> specialTokens, Path file) {
        return create(Map.of("default", template), new LinkedHashMap<>(specialTokens), Clock.systemDefaultZone(),
                file + " [tokenizer.chat_template]");
    }

    /** A template given as text, with the special tokens it may reference (e.g. bos_token). */
    public static ChatTemplate of(String template, Map<String, String> specialTokens) {
        return create(Map.of("default", template), new LinkedHashMap<>(specialTokens), Clock.systemDefaultZone(),
                "chat template");
    }

    private static ChatTemplate create(Map<String, String> sources, Map<String, String> tokens, Clock clock,
            String where) {
        Map<String, Template> parsed = new HashMap<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            String name = sources.size() == 1 ? where : where + " [" + e.getKey() + "]";
            parsed.put(e.getKey(), Template.parse(name, e.getValue()));
        }
        return new ChatTemplate(Collections.unmodifiableMap(new LinkedHashMap<>(sources)),
                Collections.unmodifiableMap(tokens), clock, Collections.unmodifiableMap(parsed));
    }

    private static void putToken(Map<String, String> tokens, String key, JsonNode v) {
        if (v.isTextual()) tokens.put(key, v.textValue());
        else if (v.isObject() && v.path("content").isTextual()) tokens.put(key, v.get("content").textValue());
    }

    /** strftime_now(fmt) formats the local time of this clock (default: the system clock). */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(sources, specialTokens, clock, templates);
    }

    /** Leaves strftime_now undefined, as ../shared/tools/render_chat.py does (Llama then prints its default date). */
    public ChatTemplate withoutStrftime() {
        return new ChatTemplate(sources, specialTokens, null, templates);
    }

    /** The template text ("default" when the model has several). */
    public String source() {
        return sources.get("default");
    }

    /** Named templates as found ("default", "tool_use", ...). */
    public Map<String, String> sources() {
        return sources;
    }

    public Map<String, String> specialTokens() {
        return specialTokens;
    }

    public String render(List<?> messages, List<?> tools, boolean addGenerationPrompt) {
        return render(messages, tools, addGenerationPrompt, Map.of());
    }

    /**
     * @param messages maps with "role", "content" and optionally "tool_calls", "reasoning_content", ...
     * @param tools function specs, bare or already {@code {"type": "function", "function": ...}}; null means no
     *     tools (an empty list is passed on as one, as transformers does)
     * @param extraVariables more template variables, e.g. {@code enable_thinking} (Qwen3) or {@code date_string}
     *     (Llama 3.x); they override special tokens of the same name
     */
    public String render(List<?> messages, List<?> tools, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
        if (messages == null) throw new IllegalArgumentException("messages is null");
        if (extraVariables == null) extraVariables = Map.of();
        for (String k : extraVariables.keySet()) {
            if (RESERVED.contains(k)) throw new IllegalArgumentException(k + " cannot be passed as an extra variable");
        }
        List<Object> wrapped = wrapTools(tools);
        Map<String, Object> vars = new HashMap<>(specialTokens);
        vars.put("raise_exception", (JinjaFunction) (args, kw) -> {
            throw new TemplateException("TemplateError", args.isEmpty() ? "" : String.valueOf(args.get(0)));
        });
        if (clock != null) {
            Clock c = clock;
            vars.put("strftime_now", (JinjaFunction) (args, kw) -> {
                if (args.size() != 1 || !(args.get(0) instanceof String fmt)) {
                    throw new TemplateException("TypeError", "strftime_now() takes one format string");
                }
                return Strftime.format(fmt, LocalDateTime.now(c));
            });
        }
        vars.putAll(extraVariables);
        vars.put("messages", messages);
        vars.put("tools", wrapped);
        vars.put("documents", null);
        vars.put("add_generation_prompt", addGenerationPrompt);
        Template t = wrapped != null && templates.containsKey("tool_use") ? templates.get("tool_use")
                : templates.get("default");
        return t.render(vars);
    }

    /** Renders {@code {"messages": [...], "tools": [...], "add_generation_prompt": bool}} (default true). */
    public String render(JsonNode chat) {
        return render(chat, Map.of());
    }

    public String render(JsonNode chat, Map<String, ?> extraVariables) {
        JsonNode messages = chat.get("messages");
        if (messages == null || !messages.isArray()) throw new IllegalArgumentException("chat has no messages array");
        JsonNode tools = chat.get("tools");
        if (tools != null && !tools.isNull() && !tools.isArray()) {
            throw new IllegalArgumentException("chat tools must be an array");
        }
        boolean agp = chat.path("add_generation_prompt").asBoolean(true);
        return render((List<?>) JsonValues.fromJson(messages),
                tools == null || tools.isNull() ? null : (List<?>) JsonValues.fromJson(tools), agp, extraVariables);
    }

    /** A bare function spec gets the {"type": "function"} wrapper; null stays None and [] stays [] (as in
     * transformers, where Llama 3.2 then still announces tools). */
    private static List<Object> wrapTools(List<?> tools) {
        if (tools == null) return null;
        List<Object> out = new ArrayList<>(tools.size());
        for (Object t : tools) {
            if (t instanceof JsonNode n) t = JsonValues.fromJson(n);
            if (t instanceof Map<?, ?> m && !m.containsKey("type")) {
                Map<String, Object> w = new LinkedHashMap<>();
                w.put("type", "function");
                w.put("function", m);
                out.add(w);
            } else {
                out.add(t);
            }
        }
        return out;
    }
}
