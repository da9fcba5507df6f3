package ttsi.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.json.Json;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationListener;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.model.TokenChoice;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolCallParser;
import ttsi.agent.tools.ToolSpec;

/** POST /v1/chat/completions: validation, TT-SI, the answer (whole or streamed), tool calls, usage and the TT-SI report. */
final class ChatService {
    private final ServeOptions options;
    private final LanguageModel model;
    private final EngineQueue queue;
    private final SelfImprovement si;
    private final Metrics metrics;

    ChatService(ServeOptions options, LanguageModel model, EngineQueue queue, SelfImprovement si, Metrics metrics) {
        this.options = options;
        this.model = model;
        this.queue = queue;
        this.si = si;
        this.metrics = metrics;
    }

    void handle(Exchange ex, JsonNode body, String requestId) {
        ChatRequest asked = ChatRequest.parse(body, ex.header("x-ttsi"), options.ttsi());
        TtsiMode granted = options.access().grant(asked.ttsi(), options.ttsi());
        ChatRequest r = asked.withTtsi(granted);
        Api.checkModel(r.model(), options, model);
        boolean toolsOn = !r.tools().isEmpty() && !r.toolChoice().mode().equals("none");
        List<ToolSpec> promptTools = toolsOn ? r.tools() : List.of();
        String prefill = toolsOn ? prefill(r) : "";
        int maxTokens = Api.maxTokens(model, r.maxTokens(), model.promptTokens(r.messages(), promptTools, prefill), options);
        GenerationOptions gen = new GenerationOptions(maxTokens, r.temperature(), r.topP(), r.topK(), r.seed(), r.stop());

        QueuedModel qm = QueuedModel.of(model, queue, ex.cancel());
        SelfImprovement.Outcome outcome = null;
        if (toolsOn) {
            outcome = si.run(qm, r.messages(), r.tools(), r.ttsi(), r.seed(), ex.cancel());
            metrics.inc("ttsi_adaptations_total", Metrics.labels("outcome", outcome.verdict().label));
            if (granted != asked.ttsi()) {
                metrics.inc("ttsi_client_hints_total", Metrics.labels("outcome", "lowered"));
                outcome = outcome.withReason("the client asked for TT-SI '" + asked.ttsi().key() + "'; this server allows at most '" + granted.key() + "'"
                        + (outcome.reason() != null ? "; " + outcome.reason() : ""));
            }
        }
        LanguageModel answerer = outcome != null && outcome.adapted() != null ? outcome.adapted() : qm;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-request-id", requestId);
        if (outcome != null) {
            headers.put("x-ttsi-mode", outcome.mode().key());
            headers.put("x-ttsi-adapted", Boolean.toString(outcome.adapted() != null));
            if (outcome.uncertainty() != null) headers.put("x-ttsi-margin", Double.toString(outcome.uncertainty().margin()));
        }
        long created = System.currentTimeMillis() / 1000;
        try {
            qm.stage("answer"); // the adapted view shares the request's stage
            long t = System.nanoTime();
            if (r.stream()) {
                stream(ex, r, answerer, promptTools, prefill, gen, outcome, headers, requestId, created, toolsOn);
            } else {
                Collector c = new Collector(ex.startNanos(), r.topLogprobs() >= 0);
                Completion done = answerer.generate(r.messages(), promptTools, prefill, gen, r.topLogprobs(), c);
                if (outcome != null) outcome.seconds().put("answer", (System.nanoTime() - t) / 1e9);
                countTokens(done);
                ObjectNode resp = response(r, done, prefill, c.tokens, outcome, requestId, created, toolsOn);
                ex.respond(200, "application/json", headers, Json.compact(resp).getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            if (outcome != null && outcome.adapted() != null) outcome.adapted().close(); // the reset
        }
    }

    private void countTokens(Completion c) {
        metrics.add("ttsi_tokens_total", Metrics.labels("kind", "prompt"), c.promptTokens());
        metrics.add("ttsi_tokens_total", Metrics.labels("kind", "completion"), c.completionTokens());
    }

    /** For a required or named tool choice, the start of a tool call that the answer continues. */
    private String prefill(ChatRequest r) {
        String mode = r.toolChoice().mode();
        if (!mode.equals("required") && !mode.equals("function")) return "";
        String name = mode.equals("function") ? r.toolChoice().function() : r.tools().getFirst().name();
        try {
            String p = PromptFormat.NATIVE.callPrefix(model, r.messages(), r.tools(), name);
            if (mode.equals("function")) return p;
            int at = p.lastIndexOf(name);
            return at < 0 ? "" : p.substring(0, at);
        } catch (RuntimeException e) { // a model without a visible chat template: no forcing
            return "";
        }
    }

    /** Collects per-token log-probabilities and the time to the first token. */
    private final class Collector implements GenerationListener {
        final List<TokenChoice> tokens = new ArrayList<>();
        final long start;
        final boolean keep;
        boolean first = true;

        Collector(long start, boolean keep) {
            this.start = start;
            this.keep = keep;
        }

        @Override
        public boolean token(TokenChoice t) {
            if (first) {
                first = false;
                metrics.observe("ttsi_time_to_first_token_seconds", "", (System.nanoTime() - start) / 1e9);
            }
            if (keep) tokens.add(t);
            return true;
        }
    }

    private record Answer(String content, List<ToolCall> calls, String finish) {}

    private static Answer interpret(String text, String finish, List<ToolSpec> tools, boolean toolsOn) {
        if (toolsOn && text.contains(ContentFilter.TAG)) {
            var parsed = ToolCallParser.parse(text, tools);
            if (parsed.ok() && !parsed.calls().isEmpty()) {
                String before = text.substring(0, text.indexOf(ContentFilter.TAG)).strip();
                return new Answer(before.isEmpty() ? null : before, parsed.calls(), "tool_calls");
            }
        }
        return new Answer(text, List.of(), finish.equals("length") ? "length" : "stop");
    }

    private ObjectNode response(ChatRequest r, Completion c, String prefill, List<TokenChoice> tokens, SelfImprovement.Outcome outcome,
                                String id, long created, boolean toolsOn) {
        Answer a = interpret(prefill + c.text(), c.finishReason(), r.tools(), toolsOn);
        String choice = r.toolChoice().mode();
        if (toolsOn && a.calls().isEmpty() && (choice.equals("required") || choice.equals("function"))) {
            // The contract of a required or named tool choice is a tool call; raw text in content would break clients
            // that rely on it. OpenAI answers its own models' failures of this kind with a 500 of this wording.
            throw new ApiError(500, "server_error", "invalid_model_output", "tool_choice", "The model produced invalid content: tool_choice '"
                    + (choice.equals("function") ? r.toolChoice().function() : "required") + "' needs a tool call, and the model's output did not parse as one"
                    + (c.finishReason().equals("length") ? " (it hit max_tokens)" : "") + ". Retry, raise max_tokens, or use tool_choice 'auto'.");
        }
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", "chat.completion");
        o.put("created", created);
        o.put("model", options.servedName());
        o.put("system_fingerprint", Api.FINGERPRINT);
        ArrayNode choices = o.putArray("choices");
        ObjectNode ch = choices.addObject();
        ch.put("index", 0);
        ObjectNode msg = ch.putObject("message");
        msg.put("role", "assistant");
        if (a.content() == null) msg.putNull("content");
        else msg.put("content", a.content());
        msg.putNull("refusal");
        if (!a.calls().isEmpty()) msg.set("tool_calls", toolCalls(a.calls(), id, false));
        if (r.topLogprobs() >= 0) {
            ObjectNode lp = Json.object();
            lp.set("content", logprobs(tokens));
            lp.putNull("refusal");
            ch.set("logprobs", lp);
        } else {
            ch.putNull("logprobs");
        }
        ch.put("finish_reason", a.finish());
        o.set("usage", usage(c.promptTokens(), c.completionTokens()));
        if (outcome != null) o.set("ttsi", outcome.toJson());
        return o;
    }

    static ObjectNode usage(int prompt, int completion) {
        ObjectNode u = Json.object();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        return u;
    }

    static ArrayNode toolCalls(List<ToolCall> calls, String requestId, boolean indexed) {
        ArrayNode a = Json.array();
        for (int i = 0; i < calls.size(); i++) {
            ToolCall c = calls.get(i);
            ObjectNode tc = a.addObject();
            if (indexed) tc.put("index", i);
            tc.put("id", "call_" + requestId.substring(requestId.indexOf('-') + 1) + "_" + i);
            tc.put("type", "function");
            ObjectNode fn = tc.putObject("function");
            fn.put("name", c.name());
            fn.put("arguments", Json.compact(c.arguments()));
        }
        return a;
    }

    static ArrayNode logprobs(List<TokenChoice> tokens) {
        ArrayNode a = Json.array();
        for (TokenChoice t : tokens) {
            ObjectNode e = entry(t);
            ArrayNode top = e.putArray("top_logprobs");
            for (TokenChoice alt : t.top()) top.add(entry(alt));
            a.add(e);
        }
        return a;
    }

    private static ObjectNode entry(TokenChoice t) {
        ObjectNode e = Json.object();
        e.put("token", t.token());
        if (Double.isNaN(t.logprob())) e.putNull("logprob");
        else e.put("logprob", t.logprob());
        ArrayNode b = e.putArray("bytes");
        for (byte x : t.token().getBytes(StandardCharsets.UTF_8)) b.add(x & 0xff);
        return e;
    }

    // ---- streaming ----

    private void stream(Exchange ex, ChatRequest r, LanguageModel answerer, List<ToolSpec> promptTools, String prefill, GenerationOptions gen,
                        SelfImprovement.Outcome outcome, Map<String, String> headers, String id, long created, boolean toolsOn) {
        ContentFilter filter = new ContentFilter(toolsOn);
        List<TokenChoice> pending = new ArrayList<>();
        boolean[] first = {true};
        Chunks chunks = new Chunks(ex, id, created, options.servedName(), r.includeUsage());
        ex.startEvents(headers);
        ObjectNode role = Json.object();
        role.put("role", "assistant");
        role.put("content", "");
        chunks.send(role, null, null);
        filter.push(prefill);
        long t = System.nanoTime();
        Completion done = answerer.generate(r.messages(), promptTools, prefill, gen, r.topLogprobs(), new GenerationListener() {
            @Override
            public void text(String piece) {
                String out = filter.push(piece);
                if (!out.isEmpty()) {
                    ObjectNode d = Json.object();
                    d.put("content", out);
                    chunks.send(d, drain(pending, r), null);
                }
            }

            @Override
            public boolean token(TokenChoice tc) {
                if (first[0]) {
                    first[0] = false;
                    metrics.observe("ttsi_time_to_first_token_seconds", "", (System.nanoTime() - ex.startNanos()) / 1e9);
                }
                if (r.topLogprobs() >= 0) pending.add(tc);
                return !ex.cancel().cancelled();
            }
        });
        if (outcome != null) outcome.seconds().put("answer", (System.nanoTime() - t) / 1e9);
        countTokens(done);
        Answer a = interpret(filter.text(), done.finishReason(), r.tools(), toolsOn);
        if (a.calls().isEmpty()) {
            String rest = filter.rest();
            if (!rest.isEmpty()) {
                ObjectNode d = Json.object();
                d.put("content", rest);
                chunks.send(d, drain(pending, r), null);
            }
        } else {
            ObjectNode d = Json.object();
            d.set("tool_calls", toolCalls(a.calls(), id, true));
            chunks.send(d, drain(pending, r), null);
        }
        ObjectNode last = chunks.chunk(Json.object(), drain(pending, r), a.finish());
        if (outcome != null) last.set("ttsi", outcome.toJson());
        chunks.sendRaw(last);
        if (r.includeUsage()) {
            ObjectNode u = chunks.base();
            u.putArray("choices");
            u.set("usage", usage(done.promptTokens(), done.completionTokens()));
            chunks.sendRaw(u);
        }
        ex.event("[DONE]");
        ex.endEvents();
    }

    private static ArrayNode drain(List<TokenChoice> pending, ChatRequest r) {
        if (r.topLogprobs() < 0) return null;
        ArrayNode a = logprobs(pending);
        pending.clear();
        return a;
    }

    /** chat.completion.chunk events. */
    private record Chunks(Exchange ex, String id, long created, String model, boolean includeUsage) {
        ObjectNode base() {
            ObjectNode o = Json.object();
            o.put("id", id);
            o.put("object", "chat.completion.chunk");
            o.put("created", created);
            o.put("model", model);
            o.put("system_fingerprint", Api.FINGERPRINT);
            return o;
        }

        ObjectNode chunk(ObjectNode delta, ArrayNode logprobs, String finish) {
            ObjectNode o = base();
            ObjectNode ch = o.putArray("choices").addObject();
            ch.put("index", 0);
            ch.set("delta", delta);
            if (logprobs == null) ch.putNull("logprobs");
            else {
                ObjectNode lp = ch.putObject("logprobs");
                lp.set("content", logprobs);
                lp.putNull("refusal");
            }
            if (finish == null) ch.putNull("finish_reason");
            else ch.put("finish_reason", finish);
            if (includeUsage) o.putNull("usage");
            return o;
        }

        void send(ObjectNode delta, ArrayNode logprobs, String finish) {
            sendRaw(chunk(delta, logprobs, finish));
        }

        void sendRaw(ObjectNode o) {
            if (!ex.event(Json.compact(o))) throw new Cancel.Cancelled(ex.cancel().reason() == null ? "client disconnected" : ex.cancel().reason());
        }
    }
}
