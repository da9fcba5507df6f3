package ttsi.cli;

import picocli.CommandLine.Option;
import ttsi.agent.method.DataSynthesizer;

/**
 * {@code --k}, {@code --max-attempts} and {@code --synthesis-temperature}, shared by every command that synthesizes
 * training data. Their defaults are {@link DataSynthesizer.Options#defaults()}'s, read from there (picocli shows a field's
 * initial value as its default).
 */
final class SynthesisOptions {
    private static final DataSynthesizer.Options DEFAULTS = DataSynthesizer.Options.defaults();

    @Option(names = "--k", description = "synthetic pairs per adaptation (per uncertain input)") int k = DEFAULTS.k();
    @Option(names = "--max-attempts", description = "synthesis attempts per adaptation") int maxAttempts = DEFAULTS.maxAttempts();
    @Option(names = "--synthesis-temperature", description = "sampling temperature of the synthetic examples")
    double temperature = DEFAULTS.generation().temperature();

    /**
     * {@link DataSynthesizer.Options} from these options: K pairs in at most --max-attempts generations of up to
     * maxTokens tokens, sampled at --synthesis-temperature (top-p as the defaults'), trained in the given context
     * (dialogue or single-turn).
     */
    DataSynthesizer.Options config(int maxTokens, DataSynthesizer.Context context) {
        return new DataSynthesizer.Options(k, maxAttempts, DEFAULTS.generation().withTemperature(temperature).withMaxTokens(maxTokens), context);
    }

    /** Checks each: --k and --max-attempts >= 1, --synthesis-temperature >= 0. */
    SynthesisOptions checked() {
        OptionChecks.atLeast("--k", k, 1);
        OptionChecks.atLeast("--max-attempts", maxAttempts, 1);
        OptionChecks.nonNegative("--synthesis-temperature", temperature);
        return this;
    }
}
