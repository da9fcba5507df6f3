package ttsi.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.backend.OpenAiModel;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.Plan;
import ttsi.agent.method.SampleOutcome;
import ttsi.agent.method.TestTimeMethod;
import ttsi.agent.method.Uncertainty;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.tools.ToolSpec;
import ttsi.engine.model.Model;
import ttsi.engine.train.LoraMerge;

/**
 * A self-improving tool-calling agent over a Hugging Face model folder, in-process: {@link #answer(Request)} runs
 * the paper's Algorithm 1 on one request (H: uncertainty over the request's tools → G: K synthetic pairs like it →
 * T: LoRA test-time training → answer → reset to the base weights), through the same implementation as
 * {@code ttsi run} ({@code TestTimeMethod}).
 *
 * <pre>{@code
 * try (Agent agent = Agent.load(Path.of("models/Qwen2.5-1.5B-Instruct"))) {
 *     Answer a = agent.answer(Request.builder().user("Weather in Paris?").tool(weatherTool).build());
 *     a.toolCalls();   // [ToolCall[name=get_weather, arguments={"city":"Paris"}]]
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> An agent answers one request at a time: {@link #answer} holds a fair lock for the whole
 * request (an adaptation trains on, answers with and then drops an adapter over the shared base weights), so
 * concurrent callers wait their turn in order. The engine's kernels use all cores for each request. For many
 * concurrent clients, run {@code ttsi serve} instead. {@link #close()} waits for the request in progress, then
 * frees the model; later calls throw IllegalStateException.
 *
 * <p>The JVM needs {@code --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED} (the engine's
 * Vector API kernels and memory-mapped weights).
 */
public final class Agent implements AutoCloseable {
    private final EmbeddedModel student;
    private final LanguageModel teacher;
    private final AgentOptions options;
    private final Map<Mode, TestTimeMethod> methods = new EnumMap<>(Mode.class);
    private final ReentrantLock lock = new ReentrantLock(true);
    private boolean closed; // guarded by lock

    private Agent(EmbeddedModel student, LanguageModel teacher, AgentOptions options) {
        this.student = student;
        this.teacher = teacher;
        this.options = options;
    }

    private static boolean holdsGguf(Path folder) {
        try (var files = Files.list(folder)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".gguf"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Loads a model folder with {@link AgentOptions#defaults()}. */
    public static Agent load(Path modelFolder) {
        return load(modelFolder, AgentOptions.defaults());
    }

    /**
     * Loads a Hugging Face model folder: {@code config.json}, {@code model.safetensors} (or an index and its
     * shards), {@code tokenizer.json} (or vocab.json + merges.txt) and a chat template ({@code tokenizer_config.json}
     * or {@code chat_template.jinja}). Weights are memory-mapped. With a teacher in the options, its server is
     * contacted only when a request is adapted.
     */
    public static Agent load(Path modelFolder, AgentOptions options) {
        return load(modelFolder, null, options);
    }

    /**
     * As {@link #load(Path, AgentOptions)}, with a PEFT LoRA adapter folder ({@code adapter_config.json} +
     * {@code adapter_model.safetensors}, e.g. an SFT adapter) merged into the weights first; test-time adaptation then
     * trains over base+adapter and resets to it. {@code adapterFolder} null: none.
     */
    public static Agent load(Path modelFolder, Path adapterFolder, AgentOptions options) {
        if (modelFolder == null) throw new IllegalArgumentException("modelFolder: must not be null");
        if (options == null) throw new IllegalArgumentException("options: must not be null (AgentOptions.defaults() for the defaults)");
        if (!Files.exists(modelFolder)) throw new IllegalArgumentException("modelFolder: " + modelFolder + " does not exist");
        boolean gguf = modelFolder.getFileName().toString().endsWith(".gguf");
        if (!gguf && !Files.isDirectory(modelFolder)) throw new IllegalArgumentException("modelFolder: " + modelFolder + " is not a folder (nor a .gguf file)");
        // A GGUF file (or a folder holding one) carries config and tokenizer itself; the engine's loader checks it.
        if (!gguf && !Files.isRegularFile(modelFolder.resolve("config.json")) && !holdsGguf(modelFolder)) {
            throw new IllegalArgumentException("modelFolder: " + modelFolder + " has no config.json (expected a Hugging Face model folder or a .gguf file)");
        }
        if (!gguf && Files.isRegularFile(modelFolder.resolve("config.json")) && !Files.isRegularFile(modelFolder.resolve("tokenizer.json"))
                && !Files.isRegularFile(modelFolder.resolve("vocab.json"))) {
            throw new IllegalArgumentException("modelFolder: " + modelFolder + " has no tokenizer.json (nor vocab.json + merges.txt)");
        }
        if (adapterFolder != null && !Files.isDirectory(adapterFolder)) throw new IllegalArgumentException("adapterFolder: " + adapterFolder + " is not a folder");
        Model model = LoraMerge.load(modelFolder, adapterFolder);
        EmbeddedModel student;
        try {
            student = new EmbeddedModel(model, options.lora(), options.training());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        LanguageModel teacher = null;
        try {
            if (options.teacher() != null) {
                teacher = new OpenAiModel(OpenAiModel.Config.fromEnvironment(options.teacher().baseUrl(), options.teacher().model()));
            }
            Agent agent = new Agent(student, teacher, options);
            for (Mode m : Mode.values()) agent.methods.put(m, new TestTimeMethod(student, teacher, options.methodConfig(m)));
            return agent;
        } catch (RuntimeException e) {
            student.close();
            if (teacher != null) teacher.close();
            throw e;
        }
    }

    public AgentOptions options() {
        return options;
    }

    /** The model folder. */
    public String modelId() {
        return student.id();
    }

    /** Answers a request in the options' mode. */
    public Answer answer(Request request) {
        return answer(request, options.mode());
    }

    /**
     * Answers a request in the given mode (e.g. {@link Mode#OFF} for one request without adaptation). Every mode runs
     * H, OFF included, so that the answer reports the uncertainty (unlike {@code ttsi serve}, where off skips H's
     * forward passes); only whether G and T follow depends on the mode.
     */
    public Answer answer(Request request, Mode mode) {
        if (request == null) throw new IllegalArgumentException("request: must not be null");
        if (mode == null) throw new IllegalArgumentException("mode: must not be null");
        TestTimeMethod method = methods.get(mode);
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("this agent is closed");
            SampleOutcome outcome = method.run(method.input(conversation(request), tools(request)), false, options.seed());
            return toAnswer(outcome, mode, method.config().plan());
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the request in progress, then frees the model (and the teacher's client). */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            student.close();
            if (teacher != null) teacher.close();
        } finally {
            lock.unlock();
        }
    }

    /** The embedded model (tests). */
    EmbeddedModel student() {
        return student;
    }

    // ---- mapping to and from the method's types ----

    /** The method's conversation for a request: its messages in order. */
    static List<ttsi.agent.tools.Message> conversation(Request r) {
        List<ttsi.agent.tools.Message> conversation = new ArrayList<>(r.messages().size());
        for (Message m : r.messages()) conversation.add(m.toAgent());
        return conversation;
    }

    /** The method's tools for a request, in order. */
    static List<ToolSpec> tools(Request r) {
        List<ToolSpec> tools = new ArrayList<>(r.tools().size());
        for (Tool t : r.tools()) tools.add(t.toSpec());
        return tools;
    }

    static Answer toAnswer(SampleOutcome o, Mode mode, Plan plan) {
        int chosen = 0;
        for (int i = 0; i < o.outputs().size(); i++) {
            if (o.parsedCalls().get(i).equals(o.finalCalls()) && Objects.equals(o.parseErrors().get(i), o.finalParseError())) {
                chosen = i;
                break;
            }
        }
        List<Double> losses = new ArrayList<>();
        if (o.losses() != null) for (double l : o.losses()) losses.add(l);
        return new Answer(ToolCall.fromAgent(o.finalCalls()), o.outputs().get(chosen), o.finalParseError(), mode,
                uncertainty(o.uncertainty()), o.adapted(), synthesis(o.synthesis(), plan), losses, o.seconds());
    }

    private static Answer.Uncertainty uncertainty(Uncertainty u) {
        Map<String, Double> p = new LinkedHashMap<>(), s = new LinkedHashMap<>();
        for (int i = 0; i < u.candidates().size(); i++) {
            if (i < u.probabilities().length) p.put(u.candidates().get(i), u.probabilities()[i]);
            if (i < u.scores().length) s.put(u.candidates().get(i), u.scores()[i]);
        }
        return new Answer.Uncertainty(u.margin(), u.tau(), u.uncertain(), p, s, u.top(), u.reason());
    }

    private static Answer.Synthesis synthesis(DataSynthesizer.Result r, Plan plan) {
        if (r == null) return Answer.Synthesis.none();
        List<Answer.SyntheticPair> pairs = new ArrayList<>();
        for (DataSynthesizer.Pair p : r.pairs()) pairs.add(new Answer.SyntheticPair(p.query(), ToolCall.fromAgent(p.calls())));
        return new Answer.Synthesis(true, plan.data().key(), pairs, r.rejections(), r.raw(), r.attempts());
    }
}
