package ttsi.cli;

import picocli.CommandLine.Option;
import ttsi.agent.method.UncertaintyEstimator;

/**
 * {@code --tau}, shared by every command that decides when the model is unsure. Its default is
 * {@link UncertaintyEstimator.Options#defaults()}'s, read from there (picocli shows a field's initial value as its default).
 */
final class UncertaintyOptions {
    @Option(names = "--tau", description = "uncertain when the top-2 tool margin is below tau") double tau = UncertaintyEstimator.Options.defaults().tau();

    /** --tau, checked to be in [0, 1]. */
    double tau() {
        return OptionChecks.inRange("--tau", tau, 0, 1);
    }
}
