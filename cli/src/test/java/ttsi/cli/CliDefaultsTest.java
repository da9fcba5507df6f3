package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.UncertaintyEstimator;
import ttsi.bench.run.RunConfig;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/**
 * Every shared setting has one default: the mixins read the engine's and agent's defaults, every command that takes a
 * setting shows that default (the paper's value), and run.json records the values the student's
 * test-time training is built with.
 */
class CliDefaultsTest {
    @Command(name = "holder")
    static final class Holder {
        @Mixin UncertaintyOptions uncertainty;
        @Mixin SynthesisOptions synthesis;
        @Mixin LoraOptions lora;
        @Mixin TrainingOptions training;
    }

    @Test
    void theMixinsDefaultsAreTheEngineAndAgentDefaults() {
        DataSynthesizer.Options s = DataSynthesizer.Options.defaults();
        // Parsed with no options, the mixins build the defaults themselves.
        Holder h = new Holder();
        new CommandLine(h).parseArgs();
        assertEquals(UncertaintyEstimator.Options.defaults().tau(), h.uncertainty.tau());
        assertEquals(s.k(), h.synthesis.checked().k);
        assertEquals(s.maxAttempts(), h.synthesis.maxAttempts);
        assertEquals(s.generation().temperature(), h.synthesis.temperature);
        assertEquals(LoraConfig.defaults(), h.lora.config());
        assertEquals(TrainConfig.paperDefaults(), h.training.config());
    }

    @Test
    void everyCommandThatTakesASettingShowsTheOneDefault() {
        CommandLine root = new CommandLine(new Main());
        // The paper's settings (τ 0.95, K 1, 3 attempts at 0.7, LoRA r 8 / alpha 16, 5 epochs at lr 1e-4), as picocli prints them.
        String[][] expected = {
                {"--tau", "0.95", "run", "serve", "demo"},
                {"--k", "1", "run", "serve"},
                {"--max-attempts", "3", "run", "serve"},
                {"--synthesis-temperature", "0.7", "run", "serve"},
                {"--rank", "8", "run", "serve", "finetune"},
                {"--alpha", "16.0", "run", "serve", "finetune"},
                {"--epochs", "5", "run", "serve", "finetune", "demo"},
                {"--lr", "1.0E-4", "run", "serve", "finetune"}};
        for (String[] e : expected) {
            for (int i = 2; i < e.length; i++) {
                CommandLine.Model.OptionSpec o = root.getSubcommands().get(e[i]).getCommandSpec().findOption(e[0]);
                assertEquals(e[1], String.valueOf(o.initialValue()), e[i] + " " + e[0]);
                String help = CliTest.run(e[i], "--help").out();
                assertTrue(help.contains("Default: " + e[1]), e[i] + " --help shows " + e[0] + "'s default: " + help);
            }
        }
        // The demo's lr is its own, chosen on ToolShift's dev split.
        assertEquals("1e-2", root.getSubcommands().get("demo").getCommandSpec().findOption("--lr").defaultValue());
    }

    @Test
    void runJsonRecordsTheTrainingTheStudentIsBuiltWith(@TempDir Path dir) {
        for (List<String> extra : List.of(List.<String>of(), List.of("--lr", "3e-3", "--epochs", "2", "--rank", "4", "--alpha", "8"))) {
            RunCommand run = new RunCommand();
            List<String> args = new java.util.ArrayList<>(List.of("--model", dir.resolve("m").toString(), "--benchmark", "toolshift",
                    "--data-dir", dir.toString(), "--out", dir.resolve("out").toString()));
            args.addAll(extra);
            new CommandLine(run).parseArgs(args.toArray(String[]::new));
            // The run's config holds the very LoRA and training configs the student is built with (RunCommand.open).
            RunConfig c = run.config();
            if (extra.isEmpty()) {
                assertEquals(TrainConfig.paperDefaults(), c.training());
                assertEquals(LoraConfig.defaults(), c.lora());
            } else {
                assertEquals(3e-3, c.training().learningRate());
                assertEquals(2, c.training().epochs());
                assertEquals(4, c.lora().r());
                assertEquals(8.0, c.lora().alpha());
                assertEquals(TrainConfig.paperDefaults().withEpochs(2).withLearningRate(3e-3), c.training());
            }
        }
    }

    @Test
    void runJsonRecordsTheAnswerSettingsAsBefore(@TempDir Path dir) throws Exception {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs("--model", dir.resolve("m").toString(), "--benchmark", "toolshift", "--data-dir", dir.toString(), "--out",
                dir.resolve("out").toString(), "--inference", "pass@k");
        // run.json's config.inference keeps its layout (older readers and resumed runs compare it key by key)
        var written = ttsi.agent.json.Json.MAPPER.valueToTree(run.config()).get("inference");
        assertEquals(ttsi.agent.json.Json.parse("{\"mode\": \"pass@k\", \"samples\": 5, \"sampleTemperature\": 0.7, \"maxTokens\": 512}"), written);
        assertEquals(run.config(), ttsi.agent.json.Json.MAPPER.treeToValue(ttsi.agent.json.Json.MAPPER.valueToTree(run.config()), RunConfig.class));
    }
}
