package ttsi.cli;

import java.util.List;
import picocli.CommandLine.Option;
import ttsi.engine.train.LoraConfig;

/**
 * {@code --rank} and {@code --alpha}, shared by every command that trains a LoRA adapter. Their defaults are
 * {@link LoraConfig#defaults()}'s, read from there (picocli shows a field's initial value as its default).
 */
final class LoraOptions {

    @Option(names = "--rank", description = "LoRA rank r of the adapter") int rank = LoraConfig.defaults().r();
    @Option(names = "--alpha", description = "LoRA alpha of the adapter: the update is scaled by alpha/r") double alpha = LoraConfig.defaults().alpha();

    /** {@link LoraConfig#defaults()} with --rank and --alpha, each checked. */
    LoraConfig config() {
        LoraConfig d = LoraConfig.defaults();
        return config(d.dropout(), d.useRslora(), d.targetModules(), d.seed());
    }

    /** --rank and --alpha, each checked, with the rest given. */
    LoraConfig config(double dropout, boolean rslora, List<String> targets, long seed) {
        checked();
        return new LoraConfig(rank, alpha, dropout, rslora, targets, seed);
    }

    /** Checks --rank >= 1 and --alpha > 0. */
    LoraOptions checked() {
        OptionChecks.atLeast("--rank", rank, 1);
        OptionChecks.positive("--alpha", alpha);
        return this;
    }
}
