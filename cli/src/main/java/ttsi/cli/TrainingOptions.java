package ttsi.cli;

import picocli.CommandLine.Option;
import ttsi.engine.train.TrainConfig;

/**
 * {@code --epochs} and {@code --lr}, shared by every command that trains with the paper's optimisation settings. Their
 * defaults mirror {@link TrainConfig#paperDefaults()} (picocli needs compile-time strings; {@code CliDefaultsTest}
 * holds them equal). A command whose default differs (demo's lr) declares its own option and says why.
 */
final class TrainingOptions {
    /** {@link TrainConfig#paperDefaults()}'s epochs. */
    static final String EPOCHS = "5";
    /** {@link TrainConfig#paperDefaults()}'s learning rate. */
    static final String LR = "1e-4";

    @Option(names = "--epochs", defaultValue = EPOCHS, description = "training epochs: passes over the (synthetic) data") int epochs;
    @Option(names = "--lr", defaultValue = LR, description = "peak learning rate (AdamW)") double lr;

    /** --epochs, checked to be >= 1. */
    int epochs() {
        return OptionChecks.atLeast("--epochs", epochs, 1);
    }

    /** --lr, checked to be a number > 0. */
    double lr() {
        return OptionChecks.positive("--lr", lr);
    }

    /** {@link TrainConfig#paperDefaults()} with --epochs and --lr, each checked. */
    TrainConfig config() {
        return TrainConfig.paperDefaults().withEpochs(epochs()).withLearningRate(lr());
    }
}
