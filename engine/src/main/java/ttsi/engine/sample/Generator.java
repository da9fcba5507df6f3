package ttsi.engine.sample;

import java.util.Arrays;
import java.util.function.Consumer;
import ttsi.engine.model.Decoder;
import ttsi.engine.model.State;
import ttsi.engine.tokenizer.StreamingDecoder;
import ttsi.engine.tokenizer.Tokenizer;

/**
 * Autoregressive generation: prefill the prompt in one batch, then decode one token at a time with the KV cache,
 * until an end-of-sequence id, a stop string or the token limit. Streams text as it becomes final: never half a
 * UTF-8 character, and never text that might turn out to be the start of a stop string.
 */
public final class Generator {
    private Generator() {}

    /** The result: generated ids (without a final stop id), text (cut before any stop string), why it ended. */
    public record Generation(int promptTokens, int[] ids, String text, String finishReason, long prefillNanos, long decodeNanos) {
        public int completionTokens() {
            return ids.length;
        }
    }

    public static Generation generate(Decoder d, Tokenizer tok, int[] prompt, SamplingParams params, Consumer<String> onText) {
        return generate(d, d.newState(), tok, prompt, params, onText);
    }

    /** Generates after the prompt, using (and extending) the given state, e.g. one that carries an adapter. */
    public static Generation generate(Decoder d, State state, Tokenizer tok, int[] prompt, SamplingParams params, Consumer<String> onText) {
        return generate(d, state, tok, prompt, params, onText, null);
    }

    /** Sees each sampled token with the logits row it was drawn from; returning false stops generation. */
    @FunctionalInterface
    public interface TokenObserver {
        boolean onToken(int id, float[] logits, int offset, int vocab);
    }

    /**
     * As above, with an observer called for every sampled token (not stop ids) before it is kept; when it
     * returns false generation ends with finish reason "cancelled" (the token is not kept).
     */
    public static Generation generate(Decoder d, State state, Tokenizer tok, int[] prompt, SamplingParams params, Consumer<String> onText,
                                      TokenObserver observer) {
        if (prompt.length == 0) throw new IllegalArgumentException("generation needs a non-empty prompt");
        checkContext(d, state.length() + prompt.length, params);
        long t0 = System.nanoTime();
        float[] logits = params.maxTokens() == 0 ? null : d.forward(state, prompt, 0, prompt.length, 1);
        return decode(d, state, tok, prompt.length, logits, params, onText, observer, System.nanoTime() - t0);
    }

    /**
     * Generation after a prompt that is already in the state, from the logits of its last position (e.g. kept from
     * scoring the same prompt): the same tokens as {@link #generate} on that prompt, without running it again.
     */
    public static Generation generateAfterPrompt(Decoder d, State state, float[] lastLogits, Tokenizer tok, SamplingParams params,
                                                 Consumer<String> onText, TokenObserver observer) {
        if (state.length() == 0) throw new IllegalArgumentException("generation needs a non-empty prompt");
        checkContext(d, state.length(), params);
        return decode(d, state, tok, state.length(), lastLogits, params, onText, observer, 0);
    }

    private static void checkContext(Decoder d, int promptEnd, SamplingParams params) {
        if (promptEnd + params.maxTokens() > d.config().maxPositionEmbeddings()) {
            throw new IllegalArgumentException("prompt of " + promptEnd + " tokens + max_tokens " + params.maxTokens()
                    + " exceeds the model's context of " + d.config().maxPositionEmbeddings() + " tokens");
        }
    }

    /** Samples from the prompt's last logits on, one token at a time. */
    private static Generation decode(Decoder d, State state, Tokenizer tok, int promptTokens, float[] logits, SamplingParams params,
                                     Consumer<String> onText, TokenObserver observer, long prefillNanos) {
        int vocab = d.config().vocabSize();
        Sampler sampler = new Sampler(params);
        StreamingDecoder stream = tok.streamingDecoder(true);
        StringBuilder text = new StringBuilder();
        int emitted = 0;
        int[] ids = new int[Math.max(16, params.maxTokens())];
        int n = 0;
        String finish = "length";
        long t1 = System.nanoTime();
        int[] one = new int[1];
        while (n < params.maxTokens()) {
            int next = sampler.next(logits, 0, vocab);
            if (params.stopIds().contains(next)) {
                finish = "stop";
                break;
            }
            if (observer != null && !observer.onToken(next, logits, 0, vocab)) {
                finish = "cancelled";
                break;
            }
            ids[n++] = next;
            text.append(stream.push(next));
            int cut = stopIndex(text, params);
            if (cut >= 0) {
                text.setLength(cut);
                finish = "stop";
                break;
            }
            if (onText != null) {
                int safe = text.length() - heldBack(text, params);
                if (safe > emitted) {
                    onText.accept(text.substring(emitted, safe));
                    emitted = safe;
                }
            }
            if (n == params.maxTokens()) break;
            one[0] = next;
            logits = d.forward(state, one, 0, 1, 1);
        }
        if (finish.equals("length")) {
            text.append(stream.flush());
            int cut = stopIndex(text, params);
            if (cut >= 0) {
                text.setLength(cut);
                finish = "stop";
            }
        }
        if (onText != null && text.length() > emitted) onText.accept(text.substring(emitted));
        return new Generation(promptTokens, Arrays.copyOf(ids, n), text.toString(), finish, prefillNanos, System.nanoTime() - t1);
    }

    /** Index of the earliest stop string in text, or -1. */
    static int stopIndex(CharSequence text, SamplingParams p) {
        int best = -1;
        String s = text.toString();
        for (String stop : p.stopStrings()) {
            if (stop.isEmpty()) continue;
            int i = s.indexOf(stop);
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }

    /** How many trailing chars could still grow into a stop string (so must not be streamed yet). */
    static int heldBack(CharSequence text, SamplingParams p) {
        int hold = 0;
        for (String stop : p.stopStrings()) {
            for (int k = Math.min(stop.length() - 1, text.length()); k > hold; k--) {
                if (text.subSequence(text.length() - k, text.length()).toString().equals(stop.substring(0, k))) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }
}
