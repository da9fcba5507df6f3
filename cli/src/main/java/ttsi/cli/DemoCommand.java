package ttsi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import ttsi.bench.report.Report;
import ttsi.bench.report.RunLoader;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.train.StepReport;
import ttsi.engine.train.TrainConfig;
import ttsi.toolshift.Demo;

@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
        "The ToolShift experiment on the committed student and teacher, every method against the base model, with a report.",
        "It runs base, ICL, SFT, TT-SI, TT-D, TT-SI+ICL, all samples, certain-only, random selection and the gold upper "
                + "bound over several seeds, TT-SI with K = 2 and 4, the teacher alone, and a report (OUT/report/report.html, "
                + "with the tau sweep). Every run is a 'ttsi run' folder under OUT/runs: a killed demo resumes.",
        "At the end it prints each variant's difference from base with a 95%% confidence interval (paired bootstrap over samples)."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "demo", description = "output folder") Path out;
    @Option(names = "--models", description = "folder with student/ and teacher/ (default: models/toolshift of this checkout)") Path models;
    @Option(names = "--limit", defaultValue = "240", description = "only the first N test samples: 240 of the 300 keep the demo within 20 min on 2 cores, with CIs of ±1.5 to ±4 points on the method's variants (docs/RESULTS.md; 0: all 300)") int limit;
    @Option(names = "--seeds", defaultValue = "2", description = "seeds of the runs that sample (greedy runs use one)") int seeds;
    @Option(names = "--k", split = ",", defaultValue = "1,2,4", description = "synthetic pairs per uncertain input to compare") List<Integer> ks;
    @Mixin UncertaintyOptions uncertaintyOptions;
    @Option(names = "--epochs", description = "test-time training epochs") int epochs = TrainConfig.paperDefaults().epochs();
    // Deliberately not the paper's 1e-4 (TrainConfig.paperDefaults()): 1e-2 was chosen on ToolShift's dev split (docs/RESULTS.md).
    @Option(names = "--lr", defaultValue = "1e-2", description = "test-time training learning rate (chosen on the dev split, docs/RESULTS.md; the paper's is 1e-4)") double lr;
    @Option(names = "--sft-epochs", defaultValue = "1", description = "epochs of the SFT baseline (LoRA on the training split)") int sftEpochs;
    @Option(names = "--sft-lr", defaultValue = "2e-4", description = "learning rate of the SFT baseline") double sftLr;
    @Option(names = "--max-tokens", defaultValue = "256", description = "longest generation (answers and synthesis)") int maxTokens;
    @Option(names = "--threads", description = "kernel threads (default: all cores)") Integer threads;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--limit", limit, 0);
        OptionChecks.atLeast("--seeds", seeds, 1);
        for (int k : ks) OptionChecks.atLeast("--k", k, 1);
        double tau = uncertaintyOptions.tau();
        OptionChecks.atLeast("--epochs", epochs, 1);
        OptionChecks.positive("--lr", lr);
        OptionChecks.atLeast("--sft-epochs", sftEpochs, 1);
        OptionChecks.positive("--sft-lr", sftLr);
        OptionChecks.atLeast("--max-tokens", maxTokens, 1);
        if (threads != null) OptionChecks.atLeast("--threads", threads, 1);
        if (threads != null) Parallel.setGlobalThreads(threads);
        Path m = models != null ? models : defaultModels();
        Demo demo = new Demo(new Demo.Options(m, out, limit, seeds, ks, tau, epochs, lr, sftEpochs, sftLr, maxTokens));
        ProgressBar[] bar = new ProgressBar[1];
        String[] name = {""};
        long t0 = System.nanoTime();
        List<Path> files;
        try {
            files = demo.run(new Demo.Listener() {
                @Override
                public void jobStarted(Demo.Job job, int index, int total) {
                    name[0] = String.format("[%d/%d] %s", index + 1, total, job.name());
                }

                @Override
                public void note(String message) {
                    System.err.println("demo: " + message);
                }

                @Override
                public void sftStep(StepReport r) {
                    if (bar[0] == null) bar[0] = Bars.steps("[sft] training", r.totalSteps(), 0);
                    bar[0].stepTo(r.step());
                    bar[0].setExtraMessage(Bars.extra("epoch " + (r.epoch() + 1), Bars.loss(r.loss())));
                    if (r.step() == r.totalSteps()) close();
                }

                @Override
                public void seedStarted(long seed, int total, int alreadyDone) {
                    close();
                    bar[0] = Bars.samples(name[0] + " seed " + seed, total, alreadyDone);
                }

                @Override
                public void sampleDone(long seed, int done, int total, int correct) {
                    bar[0].stepTo(done);
                    bar[0].setExtraMessage(Bars.extra(Bars.accuracy(correct, done)));
                }

                private void close() {
                    if (bar[0] != null) bar[0].close();
                    bar[0] = null;
                }
            });
        } finally {
            if (bar[0] != null) bar[0].close();
        }
        System.out.print(deltaTable(out));
        System.out.printf("demo finished in %.1f min; report: %s%n", (System.nanoTime() - t0) / 6e10, files);
        return 0;
    }

    /**
     * The report's Δ-vs-base section over the demo's runs (OUT/runs), as report.md has it; empty without a base run.
     * Read back from the run folders, so the numbers are the report's own.
     */
    static String deltaTable(Path out) {
        String section = Report.of(RunLoader.load(List.of(out.resolve("runs")))).deltaMarkdown();
        return section.isEmpty() ? "" : "\n" + section;
    }

    /** models/toolshift beside the jar's checkout (cli/target/ttsi.jar), else under the working directory. */
    static Path defaultModels() {
        try {
            Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent() == null ? null : jar.getParent().getParent() == null ? null : jar.getParent().getParent().getParent();
            if (root != null && Files.isDirectory(root.resolve("models/toolshift"))) return root.resolve("models/toolshift");
        } catch (Exception e) {
            // fall through to the working directory
        }
        return Path.of("models/toolshift");
    }
}
