package ttsi.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import ttsi.agent.json.Json;
import ttsi.agent.tools.BenchmarkPrompt;
import ttsi.agent.tools.ChatToolPrompt;
import ttsi.agent.tools.Message;
import ttsi.bench.Benchmark;
import ttsi.bench.Benchmarks;
import ttsi.bench.data.DataDirs;
import ttsi.bench.data.Dataset;
import ttsi.bench.data.Sample;
import ttsi.bench.fetch.Fetcher;

@Command(name = "data", mixinStandardHelpOptions = true, description = "Benchmark data: what is available where, downloads from the official sources, samples.",
        subcommands = {DataCommand.ListCommand.class, DataCommand.FetchCommand.class, DataCommand.ShowCommand.class, DataCommand.ConvertCommand.class})
final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, showDefaultValues = true, description = "Lists the benchmarks, their files under the data folder and whether they are there.")
    static final class ListCommand implements Callable<Integer> {
        @Option(names = "--data-dir", description = "folder holding the benchmark folders (default: shared/data beside the checkout)")
        Path dataDir;

        @Option(names = "--count", description = "load each present benchmark and show its sample count and data issues")
        boolean count;

        @Option(names = "--format", defaultValue = "text", description = "text or json")
        String format;

        @Override
        public Integer call() {
            Path dir = dataDir != null ? DataDirs.resolve(dataDir) : DataDirs.defaultDataDir();
            var arr = Json.array();
            if (format.equals("text")) System.out.println("data folder: " + (dir == null ? "(none found; pass --data-dir)" : dir));
            for (Benchmark b : dir == null ? Benchmarks.all() : Benchmarks.all(dir)) {
                boolean present = dir != null && b.available(dir);
                String samples = "";
                int n = -1, issues = 0;
                if (count && present) {
                    try {
                        Dataset d = b.load(dir);
                        n = d.size();
                        issues = d.issues().size();
                        samples = n + " samples" + (issues > 0 ? ", " + issues + " issues (" + d.skipped() + " skipped)" : "");
                    } catch (RuntimeException e) {
                        samples = "unreadable: " + Main.message(e);
                    }
                }
                var o = arr.addObject();
                o.put("name", b.name());
                o.put("present", present);
                o.put("scoring", b.scoring().name().toLowerCase());
                var files = o.putArray("files");
                b.files().forEach(files::add);
                if (n >= 0) {
                    o.put("samples", n);
                    o.put("issues", issues);
                }
                o.put("description", b.description());
                if (format.equals("text")) {
                    System.out.printf("%-24s %-8s %-36s %s%n", b.name(), present ? "present" : "missing", samples, String.join(", ", b.files()));
                    System.out.printf("%-24s %s%n", "", b.description());
                }
            }
            if (format.equals("json")) System.out.println(Json.compact(arr));
            return 0;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true, showDefaultValues = true, description = {"Downloads a benchmark from its official public source (pinned commits) into the data folder.",
            "Needs internet; offline it stops at once and lists the URLs to copy by other means."})
    static final class FetchCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "BENCHMARK", description = "benchmark name ('ttsi data list' shows them), or 'all'")
        String name;

        @Option(names = "--data-dir", description = "where to write (default: shared/data beside the checkout, else ./data)")
        Path dataDir;

        @Option(names = "--force", description = "download again even when the files are there")
        boolean force;

        @Override
        public Integer call() {
            Path dir = dataDir != null ? dataDir : DataDirs.defaultDataDir() != null ? DataDirs.defaultDataDir() : Path.of("data");
            List<Benchmark> which = name.equals("all") ? Benchmarks.all() : List.of(Benchmarks.get(name));
            Fetcher f = new Fetcher();
            for (Benchmark b : which) {
                var r = f.fetch(b, dir, force, System.out::println);
                Dataset d = b.load(dir);
                System.out.printf("%s: %d file(s) written, %d already present; %d samples%s%n", b.name(), r.written().size(),
                        r.present().size(), d.size(), d.issues().isEmpty() ? "" : ", " + d.issues().size() + " data issues");
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, showDefaultValues = true, description = "Prints one sample: its id, tools, gold calls and the prompt in the chosen format.")
    static final class ShowCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "BENCHMARK", description = "benchmark name ('ttsi data list' shows them)")
        String name;

        @Option(names = "--index", defaultValue = "0", description = "sample position")
        int index;

        @Option(names = "--id", description = "sample id, instead of --index (default: none: --index chooses)")
        String id;

        @Option(names = "--prompt", defaultValue = "benchmark", description = "benchmark (JSON-list prompt) or chat (messages + OpenAI tools)")
        String prompt;

        @Option(names = "--data-dir", description = "folder holding the benchmark folders (default: shared/data beside the checkout)")
        Path dataDir;

        @Override
        public Integer call() {
            Benchmark b = Benchmarks.get(name);
            Dataset d = b.load(DataDirs.resolve(dataDir));
            Sample s;
            if (id != null) {
                s = d.byId().get(id);
                if (s == null) throw new IllegalArgumentException("no sample with id " + id + " in " + b.name());
            } else {
                if (index < 0 || index >= d.size()) throw new IllegalArgumentException("--index must be in 0.." + (d.size() - 1));
                s = d.samples().get(index);
            }
            System.out.println("id: " + s.id() + (s.group() != null ? "   group: " + s.group() : ""));
            System.out.println("gold: " + BenchmarkPrompt.answer(s.gold()));
            if (prompt.equals("chat")) {
                System.out.println(Json.dumps(ChatToolPrompt.chatJson(s.conversation(), s.tools())));
                System.out.println("answer (Qwen template):\n" + ChatToolPrompt.answer(s.gold()));
            } else if (prompt.equals("benchmark")) {
                for (Message m : BenchmarkPrompt.render(s.conversation(), s.tools(), BenchmarkPrompt.Layout.USER_ONLY)) System.out.println("--- " + m.role() + "\n" + m.content());
            } else {
                throw new IllegalArgumentException("--prompt must be benchmark or chat, got " + prompt);
            }
            return 0;
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
            "Writes a benchmark's samples as fine-tuning data for 'ttsi finetune'.",
            "One chat {\"messages\": [...], \"tools\": [...]} per line, answered with the gold calls in the chosen prompt format.",
            "Meant for the training splits (sealtool-train, toolalpaca-train, apibank-l1-train, ...): the paper's SFT baseline is a",
            "LoRA fine-tune on them."})
    static final class ConvertCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "BENCHMARK", description = "benchmark name ('ttsi data list' shows them)")
        String name;

        @Option(names = "--out", required = true, description = "JSONL file to write (refused if it exists, unless --force)")
        Path out;

        @Option(names = "--format", defaultValue = "native", description = "native (the model's chat template with tools) or json-list (the benchmark prompt)")
        String format;

        @Option(names = "--limit", description = "at most this many samples, the first ones (default: all)")
        Integer limit;

        @Option(names = "--data-dir", description = "folder holding the benchmark folders (default: shared/data beside the checkout)")
        Path dataDir;

        @Option(names = "--force", description = "overwrite --out")
        boolean force;

        @Override
        public Integer call() throws java.io.IOException {
            ttsi.agent.method.PromptFormat f = ttsi.agent.method.PromptFormat.of(format);
            if (limit != null) OptionChecks.atLeast("--limit", limit, 1);
            if (java.nio.file.Files.exists(out) && !force) throw new IllegalArgumentException("--out " + out + " exists (pass --force to overwrite it)");
            Dataset d = Benchmarks.get(name).load(DataDirs.resolve(dataDir));
            List<Sample> samples = limit == null ? d.samples() : d.samples().subList(0, Math.min(limit, d.size()));
            int written = 0, skipped = 0;
            StringBuilder sb = new StringBuilder();
            for (Sample s : samples) {
                // A sample without gold calls teaches nothing about calling (and the trainer needs an answer).
                if (s.gold().isEmpty()) {
                    skipped++;
                    continue;
                }
                sb.append(Json.compact(ttsi.bench.data.SftRecords.answering(s, f))).append('\n');
                written++;
            }
            if (out.toAbsolutePath().getParent() != null) java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
            java.nio.file.Files.writeString(out, sb.toString());
            System.out.printf("%s: %d records written to %s (%s format)%s%s%n", d.name(), written, out, f.name(),
                    skipped > 0 ? ", " + skipped + " samples without gold calls skipped" : "",
                    d.issues().isEmpty() ? "" : "; " + d.issues().size() + " data issues while loading");
            return 0;
        }
    }
}
