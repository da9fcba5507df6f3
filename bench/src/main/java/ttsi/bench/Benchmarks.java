package ttsi.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import ttsi.bench.Benchmark.Scoring;
import ttsi.bench.Benchmark.Source;
import ttsi.bench.data.ApiBankLoader;
import ttsi.bench.data.BfclLoader;
import ttsi.bench.data.HammerLoader;
import ttsi.bench.data.NexusRavenLoader;
import ttsi.bench.data.SealToolsLoader;
import ttsi.bench.data.ToolAlpacaLoader;

/**
 * The benchmark registry: name -> files under the data folder, loader, scoring and download sources (the
 * repositories and commits listed in shared/data/SOURCES.md). Any BFCL category in the standard layout is
 * {@code bfcl-<category>} without registration.
 */
public final class Benchmarks {
    private static final String HAMMER = "https://raw.githubusercontent.com/MadeAgents/Hammer/ff415d9998180b5a68bbfdda3309ec04b472fb49/data/test/original/";
    private static final String SEAL = "https://raw.githubusercontent.com/fairyshine/Seal-Tools/ce753ecd60ed08dd376984035de531ab8421f1c6/Seal-Tools_Dataset/";
    private static final String APIBANK = "https://raw.githubusercontent.com/AlibabaResearch/DAMO-ConvAI/1d76900822d9ecfcd6e9eb0ca64a073cb892b735/api-bank/";
    private static final String TOOLALPACA = "https://raw.githubusercontent.com/tangqiaoyu/ToolAlpaca/189069998d64a7baf1b4a1c3c4b2e75eb9d05532/data/";
    private static final String BFCL = "https://raw.githubusercontent.com/ShishirPatil/gorilla/6ea57973c7a6097fd7c5915698c54c17c5b1b6c8/berkeley-function-call-leaderboard/bfcl_eval/data/";
    /** API-Bank's training data is on the Hub only (the GitHub repository holds the test data), at this commit. */
    private static final String APIBANK_TRAIN = "https://huggingface.co/datasets/liminghao1630/API-Bank/resolve/12e8158b7628c168f07e8f31fbbe3445e99f44cf/training-data/";
    /** Hugging Face's datasets-server, paged by the fetcher ("hf-rows:" dataset, config, split). */
    private static final String NEXUS_HF = "hf-rows:Nexusflow/NexusRaven_API_evaluation:";
    /** The BFCL categories the project uses; others load by name too. */
    public static final List<String> BFCL_CATEGORIES = List.of("simple_python", "multiple", "parallel", "irrelevance");

    private static final Map<String, Benchmark> FIXED = new LinkedHashMap<>();

    static {
        var hammer = new HammerLoader();
        add(new Benchmark("sealtool", "Seal-Tools, Hammer's processed set: the 294 single-call items, 5 candidate tools each",
                List.of("sealtool/hammer/sealtool.json"), hammer, Scoring.CALLS,
                List.of(new Source(HAMMER + "sealtool.json", "sealtool/hammer/sealtool.json"))));
        add(new Benchmark("apibank-l1", "API-Bank level 1 (call, APIs given), Hammer's processed set: 399 dialogues",
                List.of("apibank/hammer/apibank_l1.json"), hammer, Scoring.CALLS,
                List.of(new Source(HAMMER + "apibank_l1.json", "apibank/hammer/apibank_l1.json"))));
        add(new Benchmark("apibank-l2", "API-Bank level 2 (retrieve + call), Hammer's processed set: 127 dialogues",
                List.of("apibank/hammer/apibank_l2.json"), hammer, Scoring.CALLS,
                List.of(new Source(HAMMER + "apibank_l2.json", "apibank/hammer/apibank_l2.json"))));
        add(new Benchmark("toolalpaca", "ToolAlpaca real-API evaluation, Hammer's processed set: 114 instructions",
                List.of("toolalpaca/hammer/toolalpaca.json"), hammer, Scoring.CALLS,
                List.of(new Source(HAMMER + "toolalpaca.json", "toolalpaca/hammer/toolalpaca.json"))));
        add(new Benchmark("nexusraven", "NexusRaven API evaluation: 318 standardized queries over 65 APIs, scored per sub-task",
                List.of("nexusraven/derived/standardized_queries.jsonl"), new NexusRavenLoader(), Scoring.NEXUSRAVEN,
                List.of(new Source(NEXUS_HF + "standardized_queries:train", "nexusraven/derived/standardized_queries.jsonl"),
                        new Source(NEXUS_HF + "standardized_api_list:train", "nexusraven/derived/standardized_api_list.jsonl"))));
        var seal = new SealToolsLoader();
        List<Source> sealIn = List.of(new Source(SEAL + "test_in_domain.jsonl", "sealtool/test_in_domain.jsonl"),
                new Source(SEAL + "dataset_for_finetune/test_in_domain.json", "sealtool/dataset_for_finetune/test_in_domain.json"));
        List<Source> sealOut = List.of(new Source(SEAL + "test_out_domain.jsonl", "sealtool/test_out_domain.jsonl"),
                new Source(SEAL + "dataset_for_finetune/test_out_domain.json", "sealtool/dataset_for_finetune/test_out_domain.json"));
        add(new Benchmark("sealtool-official", "Seal-Tools official test sets, in- and out-of-domain, single and multiple calls: 1354 items",
                List.of("sealtool/test_in_domain.jsonl", "sealtool/test_out_domain.jsonl"), seal, Scoring.CALLS,
                Stream.concat(sealIn.stream(), sealOut.stream()).toList()));
        add(new Benchmark("sealtool-in-domain", "Seal-Tools official in-domain test set: 700 items",
                List.of("sealtool/test_in_domain.jsonl"), seal, Scoring.CALLS, sealIn));
        add(new Benchmark("sealtool-out-domain", "Seal-Tools official out-of-domain test set: 654 items",
                List.of("sealtool/test_out_domain.jsonl"), seal, Scoring.CALLS, sealOut));
        add(new Benchmark("sealtool-dev", "Seal-Tools official dev split: 700 items (the ICL demonstration pool for the Seal-Tools sets)",
                List.of("sealtool/dev.jsonl"), seal, Scoring.CALLS, List.of(new Source(SEAL + "dev.jsonl", "sealtool/dev.jsonl"))));
        add(new Benchmark("sealtool-train", "Seal-Tools official training split (~12k items; the SFT data and ICL pool for the Seal-Tools sets)",
                List.of("sealtool/train.jsonl"), seal, Scoring.CALLS, List.of(new Source(SEAL + "train.jsonl", "sealtool/train.jsonl"),
                        new Source(SEAL + "tool.jsonl", "sealtool/tool.jsonl"),
                        new Source(SEAL + "dataset_for_finetune/train.json", "sealtool/dataset_for_finetune/train.json", true))));
        var apibank = new ApiBankLoader();
        add(new Benchmark("apibank-l1-train", "API-Bank level-1 API-call training data (Hub; same format as the test data): SFT data and ICL pool",
                List.of("apibank/training-data/lv1-api-train.json"), apibank, Scoring.CALLS,
                List.of(new Source(APIBANK_TRAIN + "lv1-api-train.json", "apibank/training-data/lv1-api-train.json"))));
        add(new Benchmark("apibank-l2-train", "API-Bank level-2 API-call training data (Hub; same format as the test data): SFT data and ICL pool",
                List.of("apibank/training-data/lv2-api-train.json"), apibank, Scoring.CALLS,
                List.of(new Source(APIBANK_TRAIN + "lv2-api-train.json", "apibank/training-data/lv2-api-train.json"))));
        add(new Benchmark("apibank-l1-official", "API-Bank level-1 API-call test set (official): 399 items",
                List.of("apibank/test-data/level-1-api.json"), apibank, Scoring.CALLS,
                List.of(new Source(APIBANK + "test-data/level-1-api.json", "apibank/test-data/level-1-api.json"))));
        add(new Benchmark("apibank-l2-official", "API-Bank level-2 API-call test set (official; ToolSearcher given): 135 items",
                List.of("apibank/test-data/level-2-api.json"), apibank, Scoring.CALLS,
                List.of(new Source(APIBANK + "test-data/level-2-api.json", "apibank/test-data/level-2-api.json"))));
        var alpaca = new ToolAlpacaLoader();
        add(new Benchmark("toolalpaca-real", "ToolAlpaca official evaluation, real APIs: 114 instructions",
                List.of("toolalpaca/eval_real.json"), alpaca, Scoring.CALLS,
                List.of(new Source(TOOLALPACA + "eval_real.json", "toolalpaca/eval_real.json"))));
        add(new Benchmark("toolalpaca-train", "ToolAlpaca training data: 400+ simulated APIs, ~3.9k instances (SFT data and ICL pool)",
                List.of("toolalpaca/train_data.json"), alpaca, Scoring.CALLS,
                List.of(new Source(TOOLALPACA + "train_data.json", "toolalpaca/train_data.json"))));
        add(new Benchmark("toolalpaca-simulated", "ToolAlpaca official evaluation, simulated APIs: 100 instructions",
                List.of("toolalpaca/eval_simulated.json"), alpaca, Scoring.CALLS,
                List.of(new Source(TOOLALPACA + "eval_simulated.json", "toolalpaca/eval_simulated.json"))));
        for (String c : BFCL_CATEGORIES) add(bfcl(c));
        // ToolShift is generated, not downloaded (ttsi.toolshift.ToolShift writes these files from a seed).
        add(new Benchmark("toolshift", "ToolShift shifted test set (generated; held-out domains, tools and phrasings): 300 items",
                List.of("toolshift/test.jsonl"), hammer, Scoring.CALLS, List.of()));
        add(new Benchmark("toolshift-train", "ToolShift training split (generated; the ICL pool and SFT data for ToolShift)",
                List.of("toolshift/train.jsonl"), hammer, Scoring.CALLS, List.of()));
        add(new Benchmark("toolshift-dev", "ToolShift in-distribution dev split (generated; training tools and phrasings)",
                List.of("toolshift/dev.jsonl"), hammer, Scoring.CALLS, List.of()));
    }

    private Benchmarks() {}

    private static void add(Benchmark b) {
        FIXED.put(b.name(), b);
    }

    /** A BFCL v4 category in the standard layout: bfcl/BFCL_v4_<category>.json and possible_answer/ beside it. */
    public static Benchmark bfcl(String category) {
        if (!category.matches("[A-Za-z0-9_]+")) throw new IllegalArgumentException("bad BFCL category '" + category + "'");
        String file = "bfcl/BFCL_v4_" + category + ".json";
        return new Benchmark("bfcl-" + category, "BFCL v4 " + category + " (AST checker)", List.of(file), new BfclLoader(),
                Scoring.BFCL, List.of(new Source(BFCL + "BFCL_v4_" + category + ".json", file),
                        new Source(BFCL + "possible_answer/BFCL_v4_" + category + ".json", "bfcl/possible_answer/BFCL_v4_" + category + ".json", true)));
    }

    /** The registered benchmarks. */
    public static List<Benchmark> all() {
        return List.copyOf(FIXED.values());
    }

    /** The registered benchmarks plus any other BFCL category found under {@code dataDir/bfcl}. */
    public static List<Benchmark> all(Path dataDir) {
        List<Benchmark> out = new ArrayList<>(FIXED.values());
        Path dir = dataDir == null ? null : dataDir.resolve("bfcl");
        if (dir != null && Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(f -> f.matches("BFCL_v4_[A-Za-z0-9_]+\\.json")).sorted()
                        .map(f -> f.substring("BFCL_v4_".length(), f.length() - ".json".length()))
                        .filter(c -> !BFCL_CATEGORIES.contains(c)).forEach(c -> out.add(bfcl(c)));
            } catch (IOException e) {
                // an unreadable folder only hides extra categories
            }
        }
        return out;
    }

    /** By name; case and '-' vs '_' do not matter ("apibank_l1", "BFCL_simple_python"). */
    public static Benchmark get(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.startsWith("bfcl-") || n.startsWith("bfcl_")) {
            String cat = name.strip().substring(5);
            Benchmark known = FIXED.get("bfcl-" + cat);
            return known != null ? known : bfcl(cat);
        }
        String key = n.replace('_', '-');
        for (Benchmark b : FIXED.values()) if (b.name().equals(key)) return b;
        throw new IllegalArgumentException("unknown benchmark '" + name + "'; known: " + String.join(", ", FIXED.keySet())
                + ", or bfcl-<category> for any BFCL category");
    }
}
