package ttsi.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.json.Json;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationListener;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.TokenChoice;
import ttsi.engine.tokenizer.StreamingDecoder;
import ttsi.engine.tokenizer.Tokenizer;

/**
 * POST /v1/completions on a raw text prompt (no chat template), with vLLM's {@code echo} + {@code logprobs}: the
 * prompt's own tokens come back with their log-probabilities (the first has none), so a remote client can score
 * candidate continuations. Token texts are exact pieces of the text (a character split over tokens goes to the
 * token that completes it) and {@code text_offset} counts code points.
 */
final class CompletionService {
    private final ServeOptions options;
    private final EmbeddedModel model; // null: the endpoint answers that it is not supported
    private final EngineQueue queue;
    private final Metrics metrics;

    CompletionService(ServeOptions options, EmbeddedModel model, EngineQueue queue, Metrics metrics) {
        this.options = options;
        this.model = model;
        this.queue = queue;
        this.metrics = metrics;
    }

    void handle(Exchange ex, JsonNode body, String requestId) {
        if (body == null || !body.isObject()) throw ApiError.invalid(null, "The request body must be a JSON object, got " + Params.kind(body) + ".");
        if (model == null) throw ApiError.invalid(null, "unsupported", "This server's model does not support /v1/completions.");
        Api.checkModel(Params.text(body, "model"), options, model);
        Tokenizer tok = model.tokenizer();
        String promptText;
        int[] ids;
        JsonNode p = body.get("prompt");
        if (Params.absent(p)) throw ApiError.invalid("prompt", "'prompt' is required: a string (or a list of token ids).");
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) p = p.get(0);
        if (p.isTextual()) {
            promptText = p.textValue();
            ids = tok.encode(promptText);
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) {
            ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode v = p.get(i);
                if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() >= tok.vocabSize()) {
                    throw ApiError.invalid("prompt", "prompt[" + i + "] is not a token id in [0, " + tok.vocabSize() + ").");
                }
                ids[i] = v.intValue();
            }
            promptText = tok.decode(ids, false);
        } else {
            throw ApiError.invalid("prompt", "'prompt' must be a string, a list with one string, or a list of token ids; batches are not supported.");
        }
        if (ids.length == 0) throw ApiError.invalid("prompt", "'prompt' is empty.");
        long n = Params.integer(body, "n", 1, 1, 128);
        if (n != 1) throw ApiError.invalid("n", "Only n=1 is supported by this server.");
        if (Params.integer(body, "best_of", 1, 1, 128) != 1) throw ApiError.invalid("best_of", "Only best_of=1 is supported by this server.");
        boolean echo = Params.bool(body, "echo", false);
        int logprobs = (int) Params.integer(body, "logprobs", -1, 0, 20);
        long mt = Params.integer(body, "max_tokens", 16, 0, Integer.MAX_VALUE);
        if (mt == 0 && !echo) throw ApiError.invalid("max_tokens", "'max_tokens' 0 only makes sense with 'echo' (scoring the prompt).");
        int maxTokens = mt == 0 ? 0 : Api.maxTokens(model, (int) mt, ids.length, options);
        if (ids.length > model.contextLength()) Api.maxTokens(model, 1, ids.length, options); // raises the context error
        boolean stream = Params.bool(body, "stream", false);
        if (stream && echo) throw ApiError.invalid("stream", "'echo' with 'stream' is not supported; send stream=false to score a prompt.");
        GenerationOptions gen = new GenerationOptions(maxTokens, Params.number(body, "temperature", 1.0, 0, 2),
                Math.max(Double.MIN_VALUE, Params.number(body, "top_p", 1.0, 0, 1)), (int) Math.max(0, Params.integer(body, "top_k", 0, -1, 1_000_000)),
                Params.integer(body, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE), Params.stop(body));
        long created = System.currentTimeMillis() / 1000;
        Cancel cancel = ex.cancel();

        List<TokenChoice> promptLps = echo && logprobs >= 0
                ? queue.call(cancel, "prompt_logprobs", () -> model.promptLogprobs(ids, logprobs)) : null;
        List<TokenChoice> generated = new ArrayList<>();
        Completion c;
        if (maxTokens > 0) {
            GenerationListener l = new GenerationListener() {
                @Override
                public void text(String piece) {
                    if (stream && !piece.isEmpty()) {
                        ObjectNode o = chunk(requestId, created);
                        ObjectNode ch = o.putArray("choices").addObject();
                        ch.put("text", piece);
                        ch.put("index", 0);
                        ch.putNull("logprobs");
                        ch.putNull("finish_reason");
                        if (!ex.event(Json.compact(o))) throw new Cancel.Cancelled("client disconnected");
                    }
                }

                @Override
                public boolean token(TokenChoice t) {
                    generated.add(t);
                    return !cancel.cancelled();
                }
            };
            if (stream) ex.startEvents(Map.of("x-request-id", requestId));
            c = queue.call(cancel, "answer", () -> model.continueText(ids, gen, logprobs, l));
            cancel.check();
        } else {
            c = new Completion("", "length", ids.length, 0, 0);
        }
        metrics.add("ttsi_tokens_total", Metrics.labels("kind", "prompt"), ids.length);
        metrics.add("ttsi_tokens_total", Metrics.labels("kind", "completion"), c.completionTokens());
        String finish = c.finishReason().equals("length") ? "length" : "stop";
        if (stream) {
            ObjectNode o = chunk(requestId, created);
            ObjectNode ch = o.putArray("choices").addObject();
            ch.put("text", "");
            ch.put("index", 0);
            ch.putNull("logprobs");
            ch.put("finish_reason", finish);
            o.set("usage", ChatService.usage(ids.length, c.completionTokens()));
            ex.event(Json.compact(o));
            ex.event("[DONE]");
            ex.endEvents();
            return;
        }
        ObjectNode o = chunk(requestId, created);
        o.put("object", "text_completion");
        ObjectNode ch = o.putArray("choices").addObject();
        ch.put("text", (echo ? promptText : "") + c.text());
        ch.put("index", 0);
        if (logprobs >= 0) ch.set("logprobs", logprobsJson(tok, echo ? ids : new int[0], promptLps, generated, logprobs));
        else ch.putNull("logprobs");
        ch.put("finish_reason", finish);
        o.set("usage", ChatService.usage(ids.length, c.completionTokens()));
        ex.respond(200, "application/json", Map.of("x-request-id", requestId), Json.compact(o).getBytes(StandardCharsets.UTF_8));
    }

    private ObjectNode chunk(String id, long created) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", "text_completion");
        o.put("created", created);
        o.put("model", options.servedName());
        o.put("system_fingerprint", Api.FINGERPRINT);
        return o;
    }

    /** {tokens, token_logprobs, top_logprobs, text_offset} over the echoed prompt and then the generated tokens. */
    static ObjectNode logprobsJson(Tokenizer tok, int[] promptIds, List<TokenChoice> promptLps, List<TokenChoice> generated, int top) {
        ObjectNode lp = Json.object();
        ArrayNode tokens = lp.putArray("tokens"), values = lp.putArray("token_logprobs"), tops = lp.putArray("top_logprobs"),
                offsets = lp.putArray("text_offset");
        int[] genIds = generated.stream().mapToInt(TokenChoice::id).toArray();
        int offset = 0;
        for (int part = 0; part < 2; part++) {
            int[] ids = part == 0 ? promptIds : genIds;
            List<TokenChoice> lps = part == 0 ? promptLps : generated;
            List<String> pieces = pieces(tok, ids, part == 1);
            for (int i = 0; i < ids.length; i++) {
                String piece = pieces.get(i);
                TokenChoice t = lps.get(i);
                tokens.add(piece);
                if (Double.isNaN(t.logprob())) values.addNull();
                else values.add(t.logprob());
                if (Double.isNaN(t.logprob()) || top <= 0) tops.addNull();
                else {
                    ObjectNode m = tops.addObject();
                    for (TokenChoice alt : t.top()) m.put(alt.token(), alt.logprob());
                    m.put(piece, t.logprob());
                }
                offsets.add(offset);
                offset += piece.codePointCount(0, piece.length());
            }
        }
        return lp;
    }

    /** Each token's share of the decoded text: the pieces add up to the text exactly. */
    static List<String> pieces(Tokenizer tok, int[] ids, boolean skipSpecial) {
        StreamingDecoder d = tok.streamingDecoder(skipSpecial);
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) out.add(d.push(id));
        String tail = d.flush();
        if (!tail.isEmpty() && !out.isEmpty()) out.set(out.size() - 1, out.getLast() + tail);
        return out;
    }
}
