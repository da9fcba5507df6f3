package ttsi.cli;

import picocli.CommandLine.Option;
import ttsi.agent.method.UncertaintyEstimator;

/**
 * {@code --tau}, shared by every command that decides when the model is unsure. Its default mirrors
 * {@link UncertaintyEstimator.Options#defaults()} (picocli needs a compile-time string; {@code CliDefaultsTest} holds
 * them equal).
 */
final class UncertaintyOptions {
    /** {@link UncertaintyEstimator.Options#defaults()}'s tau. */
    static final String TAU = "0.95";

    @Option(names = "--tau", defaultValue = TAU, description = "uncertain when the top-2 tool margin is below tau") double tau;

    /** --tau, checked to be in [0, 1]. */
    double tau() {
        return OptionChecks.inRange("--tau", tau, 0, 1);
    }
}
