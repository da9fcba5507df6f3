package ttsi.cli;

import picocli.CommandLine.Option;
import ttsi.agent.method.DataSynthesizer;

/**
 * {@code --k}, {@code --max-attempts} and {@code --synthesis-temperature}, shared by every command that synthesizes
 * training data. Their defaults mirror {@link DataSynthesizer.Options#defaults()} (picocli needs compile-time strings;
 * {@code CliDefaultsTest} holds them equal).
 */
final class SynthesisOptions {
    /** {@link DataSynthesizer.Options#defaults()}'s k. */
    static final String K = "1";
    /** {@link DataSynthesizer.Options#defaults()}'s maxAttempts. */
    static final String MAX_ATTEMPTS = "3";
    /** {@link DataSynthesizer.Options#defaults()}'s sampling temperature. */
    static final String TEMPERATURE = "0.7";

    @Option(names = "--k", defaultValue = K, description = "synthetic pairs per adaptation (per uncertain input)") int k;
    @Option(names = "--max-attempts", defaultValue = MAX_ATTEMPTS, description = "synthesis attempts per adaptation") int maxAttempts;
    @Option(names = "--synthesis-temperature", defaultValue = TEMPERATURE, description = "sampling temperature of the synthetic examples")
    double temperature;

    /**
     * {@link DataSynthesizer.Options} from these options: K pairs in at most --max-attempts generations of up to
     * maxTokens tokens, sampled at --synthesis-temperature (top-p as the defaults'), trained in the given context
     * (dialogue or single-turn).
     */
    DataSynthesizer.Options config(int maxTokens, String context) {
        DataSynthesizer.Options d = DataSynthesizer.Options.defaults();
        return new DataSynthesizer.Options(k, maxAttempts, d.generation().withTemperature(temperature).withMaxTokens(maxTokens),
                DataSynthesizer.Context.of(context));
    }

    /** Checks each: --k and --max-attempts >= 1, --synthesis-temperature >= 0. */
    SynthesisOptions checked() {
        OptionChecks.atLeast("--k", k, 1);
        OptionChecks.atLeast("--max-attempts", maxAttempts, 1);
        OptionChecks.nonNegative("--synthesis-temperature", temperature);
        return this;
    }
}
