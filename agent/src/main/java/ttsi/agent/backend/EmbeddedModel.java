package ttsi.agent.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
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
import ttsi.engine.train.LoraTrainer;
import ttsi.engine.train.SftExamples;
import ttsi.engine.train.TestTimeTrainer;
import ttsi.engine.train.TrainConfig;
import ttsi.engine.train.TrainingExample;

/**
 * The embedded engine as a {@link LanguageModel}: the model folder's own chat template, generation and scoring
 * on the pure-Java decoder, and adaptation by LoRA test-time training (reset = dropping the adapter).
 */
public final class EmbeddedModel implements LanguageModel {
    private final Model model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final TestTimeTrainer trainer;
    private final List<Integer> stopIds;
    private final String id;

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
        ObjectNode chat = ChatToolPrompt.chatJson(messages, tools);
        chat.put("add_generation_prompt", true);
        return template.render(chat);
    }

    @Override
    public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions o) {
        return generate(null, messages, tools, o);
    }

    private Completion generate(Adapter adapter, List<Message> messages, List<ToolSpec> tools, GenerationOptions o) {
        int[] prompt = tokenizer.encode(render(messages, tools));
        SamplingParams p = new SamplingParams(o.temperature(), o.topK(), o.topP(), o.seed(), o.maxTokens(), stopIds, o.stop());
        long t0 = System.nanoTime();
        Generator.Generation g = Generator.generate(model.decoder(), model.decoder().newState(adapter), tokenizer, prompt, p, null);
        return new Completion(g.text(), g.finishReason(), g.promptTokens(), g.completionTokens(), (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public boolean canScore() {
        return true;
    }

    @Override
    public List<TokenLogprobs> score(List<Message> messages, List<ToolSpec> tools, List<String> continuations) {
        return score(null, messages, tools, continuations);
    }

    private List<TokenLogprobs> score(Adapter adapter, List<Message> messages, List<ToolSpec> tools, List<String> continuations) {
        int[] prompt = tokenizer.encode(render(messages, tools));
        List<int[]> conts = new ArrayList<>();
        for (String c : continuations) conts.add(tokenizer.encode(c));
        List<Scorer.Score> scores = Scorer.score(model.decoder(), adapter, prompt, conts);
        List<TokenLogprobs> out = new ArrayList<>();
        for (int i = 0; i < conts.size(); i++) {
            List<String> toks = new ArrayList<>();
            for (int id : conts.get(i)) toks.add(tokenizer.decode(new int[] {id}));
            out.add(new TokenLogprobs(toks, scores.get(i).tokenLogprobs()));
        }
        return out;
    }

    @Override
    public String assistantText(List<Message> messages, List<ToolSpec> tools, Message answer) {
        String prompt = render(messages, tools);
        List<Message> all = new ArrayList<>(messages);
        all.add(answer);
        ObjectNode chat = ChatToolPrompt.chatJson(all, tools);
        chat.put("add_generation_prompt", false);
        String full = template.render(chat);
        if (!full.startsWith(prompt)) {
            throw new IllegalStateException("the chat template does not render the conversation without its answer as a prefix of it");
        }
        return full.substring(prompt.length());
    }

    @Override
    public boolean canAdapt() {
        return true;
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
        double[] losses = a.steps().stream().mapToDouble(LoraTrainer.StepReport::loss).toArray();
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
            public boolean canScore() {
                return true;
            }

            @Override
            public List<TokenLogprobs> score(List<Message> messages, List<ToolSpec> tools, List<String> continuations) {
                return EmbeddedModel.this.score(a.adapter(), messages, tools, continuations);
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
