package ttsi.toolshift;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import ttsi.agent.json.Json;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;
import ttsi.bench.data.Sample;
import ttsi.bench.data.SftRecords;
import ttsi.toolshift.World.Split;

/**
 * Generates the ToolShift data set from a seed and writes it:
 * <ul>
 *   <li>{@code train.jsonl}: the training distribution (SFT and ICL pool), Hammer's {query, tools, answers} records
 *       plus a "meta" object that loaders ignore;</li>
 *   <li>{@code dev.jsonl}: fresh samples of the training distribution (in-distribution evaluation);</li>
 *   <li>{@code test.jsonl}: the shifted test set;</li>
 *   <li>{@code sft.jsonl}: chat records {"messages", "tools"} for {@code ttsi finetune}: each training sample as an
 *       answering example in the given prompt format, and synthesis examples in DataSynthesizer's format;</li>
 *   <li>{@code manifest.json}: the seed, sizes, statistics and exactly what shifts.</li>
 * </ul>
 */
public final class ToolShift {
    /**
     * Sizes and rates. {@code seed} makes the world (tools, splits, training samples, tokenizer); {@code sampleSeed}
     * draws the dev and test requests (equal to seed by default; another value gives fresh requests from the same
     * world, to check models on requests nobody has seen).
     */
    public record Config(long seed, int train, int dev, int test, int synthesis, double pMulti, PromptFormat format, long sampleSeed) {
        public Config(long seed, int train, int dev, int test, int synthesis, double pMulti, PromptFormat format) {
            this(seed, train, dev, test, synthesis, pMulti, format, seed);
        }

        public static Config defaults(long seed) {
            return new Config(seed, 4000, 300, 300, 2000, 0.15, PromptFormat.NATIVE);
        }

        public Config withSampleSeed(long s) {
            return new Config(seed, train, dev, test, synthesis, pMulti, format, s);
        }
    }

    /** The generated splits. */
    public record Data(World world, Config config, List<Sample> train, List<Sample> dev, List<Sample> test,
                       List<World.Synthesis> synthesis) {}

    private ToolShift() {}

    public static Data generate(Config c) {
        World w = new World(c.seed());
        List<Sample> train = samples(w, Split.TRAIN, "toolshift-train", c.train(), c.seed() * 31 + 1, c.pMulti());
        List<Sample> dev = samples(w, Split.TRAIN, "toolshift-dev", c.dev(), c.sampleSeed() * 31 + 2, c.pMulti());
        List<Sample> test = samples(w, Split.TEST, "toolshift", c.test(), c.sampleSeed() * 31 + 3, c.pMulti());
        List<World.Synthesis> syn = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(c.seed() * 31 + 4);
        for (int i = 0; i < c.synthesis(); i++) {
            SplittableRandom ri = r.split();
            Sample seedSample = train.get(ri.nextInt(train.size()));
            syn.add(w.synthesis(Split.TRAIN, seedSample, ri.nextDouble() < 0.75 ? 1 : 2, ri));
        }
        return new Data(w, c, train, dev, test, syn);
    }

    static List<Sample> samples(World w, Split split, String prefix, int n, long seed, double pMulti) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(w.answering(split, prefix + "_" + i, r.split(), pMulti));
        return out;
    }

    // ------------------------------------------------------------------ records

    /** Hammer's record: {query, tools: [listing], answers: [{name, arguments}], meta}. */
    public static ObjectNode hammerRecord(Sample s) {
        ObjectNode o = Json.object();
        o.put("query", s.query());
        ArrayNode ts = o.putArray("tools");
        for (ToolSpec t : s.tools()) ts.add(t.toListingJson());
        ArrayNode as = o.putArray("answers");
        for (ToolCall c : s.gold()) as.add(c.toJson());
        o.set("meta", s.meta());
        return o;
    }

    /** A chat record for {@code ttsi finetune} (see {@link SftRecords#chat}). */
    public static ObjectNode chatRecord(List<Message> messages, List<ToolSpec> tools) {
        return SftRecords.chat(messages, tools);
    }

    /** The answering example of a sample in a prompt format. */
    public static ObjectNode answeringRecord(Sample s, PromptFormat f) {
        return SftRecords.answering(s, f);
    }

    /**
     * An answering example after earlier requests over the same tools: each earlier one a user turn and its answer,
     * as the format renders ICL demonstrations, then the sample's request and answer.
     */
    public static ObjectNode answeringRecord(Sample s, List<PromptFormat.Demo> earlier, PromptFormat f) {
        return SftRecords.answering(s, earlier, f);
    }

    /** The synthesis example: DataSynthesizer's prompt and the JSON-list answer. */
    public static ObjectNode synthesisRecord(World.Synthesis s) {
        List<Message> ms = new ArrayList<>(s.prompt());
        ms.add(Message.assistant(s.answer()));
        return chatRecord(ms, List.of());
    }

    /** The SFT records: answering examples, then synthesis examples, interleaved deterministically. */
    public static List<ObjectNode> sftRecords(Data d) {
        List<ObjectNode> out = new ArrayList<>();
        for (Sample s : d.train()) out.add(answeringRecord(s, d.config().format()));
        for (World.Synthesis s : d.synthesis()) out.add(synthesisRecord(s));
        World.shuffle(out, new SplittableRandom(d.config().seed() * 31 + 5));
        return out;
    }

    /** The texts a tokenizer is trained on: every SFT record rendered by the chat template (training data only). */
    public static List<String> tokenizerCorpus(Data d) {
        ttsi.engine.tokenizer.ChatTemplate t = ttsi.engine.tokenizer.ChatTemplate.of(BpeTrainer.CHAT_TEMPLATE,
                Map.of("eos_token", "<|im_end|>", "pad_token", "<|endoftext|>"));
        List<String> out = new ArrayList<>();
        for (ObjectNode r : sftRecords(d)) out.add(t.render(r.deepCopy().put("add_generation_prompt", false)));
        return out;
    }

    // ------------------------------------------------------------------ writing

    public static void write(Data d, Path dir) {
        try {
            Files.createDirectories(dir);
            writeJsonl(dir.resolve("train.jsonl"), d.train().stream().map(ToolShift::hammerRecord).toList());
            writeJsonl(dir.resolve("dev.jsonl"), d.dev().stream().map(ToolShift::hammerRecord).toList());
            writeJsonl(dir.resolve("test.jsonl"), d.test().stream().map(ToolShift::hammerRecord).toList());
            writeJsonl(dir.resolve("sft.jsonl"), sftRecords(d));
            Files.writeString(dir.resolve("manifest.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(manifest(d)) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeJsonl(Path f, List<ObjectNode> records) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (ObjectNode o : records) sb.append(Json.compact(o)).append('\n');
        Files.writeString(f, sb.toString(), StandardCharsets.UTF_8);
    }

    /** Seed, sizes, what shifts and statistics. */
    public static ObjectNode manifest(Data d) {
        ObjectNode m = Json.object();
        m.put("name", "ToolShift");
        m.put("seed", d.config().seed());
        m.put("sample_seed", d.config().sampleSeed());
        m.put("format", d.config().format().name());
        ObjectNode sizes = m.putObject("sizes");
        sizes.put("train", d.train().size());
        sizes.put("dev", d.dev().size());
        sizes.put("test", d.test().size());
        sizes.put("synthesis", d.synthesis().size());
        ObjectNode shift = m.putObject("shift");
        var held = shift.putArray("held_out_domains");
        Catalog.HELD_OUT_DOMAINS.forEach(held::add);
        var tools = shift.putArray("held_out_tools");
        d.world().heldOutTools().stream().sorted().forEach(tools::add);
        var trainTools = shift.putArray("train_tools");
        d.world().pool(Split.TRAIN).stream().map(World.Tool::name).sorted().forEach(trainTools::add);
        var tf = shift.putArray("train_frames");
        Catalog.TRAIN_FRAMES.forEach(tf::add);
        var xf = shift.putArray("test_frames");
        Catalog.TEST_FRAMES.forEach(xf::add);
        var tj = shift.putArray("train_joins");
        Catalog.TRAIN_JOINS.forEach(tj::add);
        var xj = shift.putArray("test_joins");
        Catalog.TEST_JOINS.forEach(xj::add);
        ObjectNode held2 = shift.putObject("held_out_verb_phrasings");
        Catalog.VERBS.values().forEach(v -> held2.put(v.name(), v.phrasings().getLast()));
        ObjectNode stats = m.putObject("stats");
        stats.set("train", stats(d.train()));
        stats.set("dev", stats(d.dev()));
        stats.set("test", stats(d.test()));
        return m;
    }

    public static ObjectNode stats(List<Sample> samples) {
        ObjectNode o = Json.object();
        Map<String, Integer> domains = new TreeMap<>(), cands = new TreeMap<>(), calls = new TreeMap<>();
        java.util.Set<String> toolNames = new java.util.TreeSet<>();
        long chars = 0;
        for (Sample s : samples) {
            domains.merge(s.meta().path("domain").asText(), 1, Integer::sum);
            cands.merge(String.valueOf(s.tools().size()), 1, Integer::sum);
            calls.merge(String.valueOf(s.gold().size()), 1, Integer::sum);
            s.gold().forEach(c -> toolNames.add(c.name()));
            chars += s.query().length();
        }
        o.put("samples", samples.size());
        o.put("distinct_gold_tools", toolNames.size());
        o.put("mean_query_chars", samples.isEmpty() ? 0 : (double) chars / samples.size());
        o.set("calls", Json.MAPPER.valueToTree(calls));
        o.set("candidates", Json.MAPPER.valueToTree(cands));
        o.set("domains", Json.MAPPER.valueToTree(domains));
        return o;
    }

    /** {@code ToolShift OUT_DIR [seed] [train] [test]}: writes the data set. */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ToolShift OUT_DIR [seed=1] [train=4000] [test=300]");
            System.exit(2);
        }
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        Config c = Config.defaults(seed);
        if (args.length > 2) c = new Config(seed, Integer.parseInt(args[2]), c.dev(), c.test(), c.synthesis(), c.pMulti(), c.format());
        if (args.length > 3) c = new Config(seed, c.train(), c.dev(), Integer.parseInt(args[3]), c.synthesis(), c.pMulti(), c.format());
        Data d = generate(c);
        write(d, Path.of(args[0]));
        System.out.println(Json.MAPPER.valueToTree(manifest(d)).get("stats").toPrettyString());
    }
}
