package ttsi.agent.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.model.AdaptableModel;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationListener;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.TokenChoice;
import ttsi.agent.model.TokenLogprobs;
import ttsi.agent.model.TrainingPair;
import ttsi.agent.tools.ChatToolPrompt;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;
import ttsi.engine.model.Adapter;
import ttsi.engine.model.Model;
import ttsi.engine.sample.Generator;
import ttsi.engine.sample.SamplingParams;
import ttsi.engine.sample.Scorer;
import ttsi.engine.tokenizer.ChatTemplate;
import ttsi.engine.tokenizer.Tokenizer;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.SftExamples;
import ttsi.engine.train.StepReport;
import ttsi.engine.train.TestTimeTrainer;
import ttsi.engine.train.TrainConfig;
import ttsi.engine.train.TrainingExample;

/**
 * The embedded engine as a {@link LanguageModel}: the model folder's own chat template, generation and scoring
 * on the pure-Java decoder, and adaptation by LoRA test-time training (reset = dropping the adapter).
 */
public final class EmbeddedModel implements AdaptableModel {
    private final Model model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final TestTimeTrainer trainer;
    private final List<Integer> stopIds;
    private final String id;
    /**
     * The base model's last scored prompt: the method scores a prompt (H) and, unless it adapts, answers the same
     * prompt; that generation starts from a copy of this KV cache instead of running the prompt again. Same
     * computation, same bits.
     */
    private record ScoredPrompt(int[] tokens, Scorer.Prompt prompt) {}
    private ScoredPrompt lastScored; // guarded by this
    private int promptsReused; // guarded by this

    public EmbeddedModel(Model model, LoraConfig lora, TrainConfig train) {
        this.model = model;
        this.tokenizer = model.tokenizer();
        this.template = ChatTemplate.load(model.dir());
        this.trainer = new TestTimeTrainer(model.decoder(), lora, train);
        this.stopIds = model.stopIds();
        this.id = model.dir().toString();
    }

    /** Loads a checkpoint folder with the paper's LoRA and training defaults. */
    public static EmbeddedModel load(Path dir) {
        return new EmbeddedModel(Model.load(dir), LoraConfig.defaults(), TrainConfig.paperDefaults());
    }

    public Model model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String id() {
        return id;
    }

    /** The prompt text: the chat template over messages and tools, with the assistant's generation prompt. */
    public String render(List<Message> messages, List<ToolSpec> tools) {
        return ChatPrompts.prompt(template, messages, tools);
    }

    @Override
    public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions o) {
        return generate(null, messages, tools, o);
    }

    private Completion generate(Adapter adapter, List<Message> messages, List<ToolSpec> tools, GenerationOptions o) {
        return generate(adapter, messages, tools, "", o, -1, null);
    }

    @Override
    public Completion generate(List<Message> messages, List<ToolSpec> tools, String prefill, GenerationOptions o, int topLogprobs,
                               GenerationListener listener) {
        return generate(null, messages, tools, prefill, o, topLogprobs, listener);
    }

    private Completion generate(Adapter adapter, List<Message> messages, List<ToolSpec> tools, String prefill, GenerationOptions o,
                                int topLogprobs, GenerationListener listener) {
        return continueText(adapter, tokenizer.encode(render(messages, tools) + (prefill == null ? "" : prefill)), o, topLogprobs, listener);
    }

    /** How many generations started from a scored prompt's KV cache instead of running the prompt. */
    public synchronized int promptsReused() {
        return promptsReused;
    }

    /** The last scored base-model prompt if it is exactly these tokens, else null. */
    private synchronized ScoredPrompt scoredPrompt(int[] prompt) {
        if (lastScored == null || !java.util.Arrays.equals(lastScored.tokens(), prompt)) return null;
        promptsReused++;
        return lastScored;
    }

    /** Generates after a raw token prompt (no chat template), reporting to the listener (may be null). */
    public Completion continueText(int[] prompt, GenerationOptions o, int topLogprobs, GenerationListener listener) {
        return continueText(null, prompt, o, topLogprobs, listener);
    }

    private Completion continueText(Adapter adapter, int[] prompt, GenerationOptions o, int topLogprobs, GenerationListener listener) {
        SamplingParams p = new SamplingParams(o.temperature(), o.topK(), o.topP(), o.seed(), o.maxTokens(), stopIds, o.stop());
        long t0 = System.nanoTime();
        Generator.TokenObserver observer = listener == null ? null
                : (id, logits, off, vocab) -> listener.token(topLogprobs < 0 ? new TokenChoice(id, tokenText(id), Double.NaN, List.of())
                        : choice(id, logits, off, vocab, topLogprobs));
        ScoredPrompt scored = adapter == null ? scoredPrompt(prompt) : null;
        Generator.Generation g;
        if (scored != null && o.maxTokens() > 0) {
            var state = model.decoder().newState();
            state.copyPrefix(scored.prompt().state(), prompt.length);
            g = Generator.generateAfterPrompt(model.decoder(), state, scored.prompt().lastLogits().clone(), tokenizer, p,
                    listener == null ? null : listener::text, observer);
        } else {
            g = Generator.generate(model.decoder(), model.decoder().newState(adapter), tokenizer, prompt, p,
                    listener == null ? null : listener::text, observer);
        }
        return new Completion(g.text(), g.finishReason(), g.promptTokens(), g.completionTokens(), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Each prompt token with its log-probability given the tokens before it (the first has none: NaN) and the
     * {@code top} most likely tokens at its position. Runs the prompt in chunks to bound memory.
     */
    public List<TokenChoice> promptLogprobs(int[] ids, int top) {
        List<TokenChoice> out = new ArrayList<>(ids.length);
        if (ids.length == 0) return out;
        int max = model.config().maxPositionEmbeddings();
        if (ids.length > max) throw new IllegalArgumentException("prompt of " + ids.length + " tokens exceeds the model's context of " + max + " tokens");
        out.add(new TokenChoice(ids[0], tokenText(ids[0]), Double.NaN, List.of()));
        var decoder = model.decoder();
        var state = decoder.newState();
        int vocab = decoder.config().vocabSize();
        final int chunk = 32;
        for (int a = 0; a + 1 < ids.length; a += chunk) {
            int len = Math.min(chunk, ids.length - 1 - a); // the last token predicts nothing we need
            float[] logits = decoder.forward(state, ids, a, len, len);
            for (int r = 0; r < len; r++) out.add(choice(ids[a + r + 1], logits, r * vocab, vocab, top));
        }
        return out;
    }

    /** The token's log-probability under the logits row, with the {@code top} best alternatives. */
    private TokenChoice choice(int id, float[] logits, int off, int vocab, int top) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[off + i]);
        double sum = 0;
        for (int i = 0; i < vocab; i++) sum += Math.exp(logits[off + i] - max);
        double logZ = max + Math.log(sum);
        List<TokenChoice> alts = new ArrayList<>();
        if (top > 0) {
            int k = Math.min(top, vocab);
            int[] best = new int[k];
            int n = 0;
            for (int i = 0; i < vocab; i++) { // insertion into a small sorted array (k <= 20)
                float v = logits[off + i];
                if (n == k && v <= logits[off + best[n - 1]]) continue;
                int j = n < k ? n++ : n - 1;
                while (j > 0 && logits[off + best[j - 1]] < v) {
                    best[j] = best[j - 1];
                    j--;
                }
                best[j] = i;
            }
            for (int i = 0; i < n; i++) alts.add(new TokenChoice(best[i], tokenText(best[i]), logits[off + best[i]] - logZ, List.of()));
        }
        return new TokenChoice(id, tokenText(id), logits[off + id] - logZ, alts);
    }

    /** A token's own text, special tokens included. */
    public String tokenText(int id) {
        return tokenizer.decode(new int[] {id}, false);
    }

    @Override
    public int contextLength() {
        return model.config().maxPositionEmbeddings();
    }

    @Override
    public int promptTokens(List<Message> messages, List<ToolSpec> tools, String prefill) {
        return tokenizer.encode(render(messages, tools) + (prefill == null ? "" : prefill)).length;
    }

    @Override
    public List<TokenLogprobs> score(List<Message> messages, List<ToolSpec> tools, List<String> continuations) {
        return score(null, messages, tools, continuations, null);
    }

    @Override
    public List<TokenLogprobs> scoreThrough(List<Message> messages, List<ToolSpec> tools, List<String> continuations, int[] ends) {
        return score(null, messages, tools, continuations, ends);
    }

    /** Scores each continuation, tokenized whole, through the token that covers char ends[i] - 1 (ends null: all). */
    private List<TokenLogprobs> score(Adapter adapter, List<Message> messages, List<ToolSpec> tools, List<String> continuations, int[] ends) {
        if (ends != null && ends.length != continuations.size()) throw new IllegalArgumentException("one end per continuation");
        int[] prompt = tokenizer.encode(render(messages, tools));
        List<int[]> conts = new ArrayList<>();
        List<int[]> tokenEnds = new ArrayList<>();
        for (int i = 0; i < continuations.size(); i++) {
            String c = continuations.get(i);
            int[] ids = tokenizer.encode(c);
            int[] e = charEnds(c, ids);
            if (ends != null) {
                int last = 0;
                while (last < e.length - 1 && e[last] < ends[i]) last++;
                ids = java.util.Arrays.copyOf(ids, Math.min(ids.length, last + 1));
                e = java.util.Arrays.copyOf(e, ids.length);
            }
            conts.add(ids);
            tokenEnds.add(e);
        }
        Scorer.Prompt prefilled = Scorer.prefill(model.decoder(), adapter, prompt);
        List<Scorer.Score> scores = Scorer.score(model.decoder(), prefilled, conts);
        if (adapter == null) {
            synchronized (this) {
                lastScored = new ScoredPrompt(prompt, prefilled);
            }
        }
        List<TokenLogprobs> out = new ArrayList<>();
        for (int i = 0; i < conts.size(); i++) {
            List<String> toks = new ArrayList<>();
            for (int id : conts.get(i)) toks.add(tokenizer.decode(new int[] {id}));
            out.add(new TokenLogprobs(toks, scores.get(i).tokenLogprobs(), conts.get(i), tokenEnds.get(i)));
        }
        return out;
    }

    /**
     * Where each token ends in text (a char index): from the tokens' bytes over text's UTF-8 (a token that ends
     * inside a char counts as covering it), or from the decoded tokens' lengths when the bytes do not spell text
     * (a normalizer changed it).
     */
    private int[] charEnds(String text, int[] ids) {
        byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] charEndAfterByte = new int[utf8.length + 1];
        for (int c = 0, b = 0; c < text.length() && b < utf8.length; ) {
            int cp = text.codePointAt(c);
            int n = cp < 0x80 || Character.isSurrogate((char) cp) && Character.charCount(cp) == 1 ? 1
                    : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            c += Character.charCount(cp);
            for (int k = 1; k <= n && b + k <= utf8.length; k++) charEndAfterByte[b + k] = c;
            b += n;
        }
        int[] ends = new int[ids.length];
        int at = 0;
        boolean spelled = true;
        for (int i = 0; i < ids.length && spelled; i++) {
            byte[] tb = tokenizer.tokenBytes(ids[i]);
            at += tb == null ? 0 : tb.length;
            spelled = at <= utf8.length;
            if (spelled) ends[i] = charEndAfterByte[at];
        }
        if (spelled && at == utf8.length) return ends;
        at = 0;
        for (int i = 0; i < ids.length; i++) ends[i] = Math.min(text.length(), at += tokenizer.decode(new int[] {ids[i]}).length());
        return ends;
    }

    @Override
    public String assistantText(List<Message> messages, List<ToolSpec> tools, Message answer) {
        return ChatPrompts.assistantText(template, messages, tools, answer);
    }

    /** The training sequence of a pair: the prompt, then the answer as the chat template renders it (loss on the answer). */
    public TrainingExample example(TrainingPair pair) {
        List<Message> all = new ArrayList<>(pair.messages());
        all.add(pair.answer());
        return SftExamples.fromChat(tokenizer, template, ChatToolPrompt.chatJson(all, pair.tools()));
    }

    @Override
    public Adapted adapt(List<TrainingPair> examples, long seed) {
        List<TrainingExample> data = new ArrayList<>();
        for (TrainingPair p : examples) data.add(example(p));
        TestTimeTrainer.Adaptation a = trainer.adapt(data, seed, null);
        double[] losses = a.steps().stream().mapToDouble(StepReport::loss).toArray();
        return new Adapted() {
            @Override
            public String id() {
                return id + "+lora";
            }

            @Override
            public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions o) {
                return EmbeddedModel.this.generate(a.adapter(), messages, tools, o);
            }

            @Override
            public Completion generate(List<Message> messages, List<ToolSpec> tools, String prefill, GenerationOptions o, int topLogprobs,
                                       GenerationListener listener) {
                return EmbeddedModel.this.generate(a.adapter(), messages, tools, prefill, o, topLogprobs, listener);
            }

            @Override
            public int contextLength() {
                return EmbeddedModel.this.contextLength();
            }

            @Override
            public int promptTokens(List<Message> messages, List<ToolSpec> tools, String prefill) {
                return EmbeddedModel.this.promptTokens(messages, tools, prefill);
            }

            @Override
            public List<TokenLogprobs> score(List<Message> messages, List<ToolSpec> tools, List<String> continuations) {
                return EmbeddedModel.this.score(a.adapter(), messages, tools, continuations, null);
            }

            @Override
            public List<TokenLogprobs> scoreThrough(List<Message> messages, List<ToolSpec> tools, List<String> continuations, int[] ends) {
                return EmbeddedModel.this.score(a.adapter(), messages, tools, continuations, ends);
            }

            @Override
            public String assistantText(List<Message> messages, List<ToolSpec> tools, Message answer) {
                return EmbeddedModel.this.assistantText(messages, tools, answer);
            }

            @Override
            public double[] losses() {
                return losses;
            }

            @Override
            public void close() {
                a.close();
            }
        };
    }

    @Override
    public void close() {
        model.close();
    }
}
