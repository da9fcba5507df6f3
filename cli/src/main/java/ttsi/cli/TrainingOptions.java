package ttsi.cli;

import picocli.CommandLine.Option;
import ttsi.engine.train.TrainConfig;

/**
 * {@code --epochs} and {@code --lr}, shared by every command that trains with the paper's optimisation settings. Their
 * defaults are {@link TrainConfig#paperDefaults()}'s, read from there (picocli shows a field's initial value as its
 * default). A command whose default differs (demo's lr) declares its own option and says why.
 */
final class TrainingOptions {

    @Option(names = "--epochs", description = "training epochs: passes over the (synthetic) data") int epochs = TrainConfig.paperDefaults().epochs();
    @Option(names = "--lr", description = "peak learning rate (AdamW)") double lr = TrainConfig.paperDefaults().learningRate();

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
