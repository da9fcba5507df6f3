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
 * Every shared setting has one default: the mixins' compile-time strings equal the engine's and agent's runtime
 * defaults, every command that takes a setting shows that default, and run.json records the values the student's
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
        assertEquals(UncertaintyEstimator.Options.defaults().tau(), Double.parseDouble(UncertaintyOptions.TAU));
        DataSynthesizer.Options s = DataSynthesizer.Options.defaults();
        assertEquals(s.k(), Integer.parseInt(SynthesisOptions.K));
        assertEquals(s.maxAttempts(), Integer.parseInt(SynthesisOptions.MAX_ATTEMPTS));
        assertEquals(s.generation().temperature(), Double.parseDouble(SynthesisOptions.TEMPERATURE));
        assertEquals(LoraConfig.defaults().r(), Integer.parseInt(LoraOptions.RANK));
        assertEquals(LoraConfig.defaults().alpha(), Double.parseDouble(LoraOptions.ALPHA));
        assertEquals(TrainConfig.paperDefaults().epochs(), Integer.parseInt(TrainingOptions.EPOCHS));
        assertEquals(TrainConfig.paperDefaults().learningRate(), Double.parseDouble(TrainingOptions.LR));

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
        String[][] expected = {
                {"--tau", UncertaintyOptions.TAU, "run", "serve", "demo"},
                {"--k", SynthesisOptions.K, "run", "serve"},
                {"--max-attempts", SynthesisOptions.MAX_ATTEMPTS, "run", "serve"},
                {"--synthesis-temperature", SynthesisOptions.TEMPERATURE, "run", "serve"},
                {"--rank", LoraOptions.RANK, "run", "serve", "finetune"},
                {"--alpha", LoraOptions.ALPHA, "run", "serve", "finetune"},
                {"--epochs", TrainingOptions.EPOCHS, "run", "serve", "finetune", "demo"},
                {"--lr", TrainingOptions.LR, "run", "serve", "finetune"}};
        for (String[] e : expected) {
            for (int i = 2; i < e.length; i++) {
                CommandLine.Model.OptionSpec o = root.getSubcommands().get(e[i]).getCommandSpec().findOption(e[0]);
                assertEquals(e[1], o.defaultValue(), e[i] + " " + e[0]);
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
