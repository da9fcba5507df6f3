package ttsi.agent.method;

/**
 * How the final answer is produced, the answer step's settings: one greedy answer ({@link InferenceMode#DIRECT}), or
 * {@code samples} answers sampled at {@code sampleTemperature} and scored by majority or pass@k; generations stop at
 * {@code maxTokens}. {@code ttsi run} records it as run.json's {@code config.inference}.
 */
public record Answering(InferenceMode mode, int samples, double sampleTemperature, int maxTokens) {
    /** Answers sampled per input for majority / pass@k (--samples). */
    public static final int SAMPLES = 5;
    /** Temperature of those sampled answers (--sample-temperature). */
    public static final double SAMPLE_TEMPERATURE = 0.7;
    /** Longest generation in tokens (--max-tokens). */
    public static final int MAX_TOKENS = 512;

    public Answering {
        if (mode == null) throw new IllegalArgumentException("inference mode: expected direct, majority or pass@k, got null");
        if (samples < 1) throw new IllegalArgumentException("samples: must be at least 1, got " + samples);
        if (!(sampleTemperature >= 0)) throw new IllegalArgumentException("sample temperature: must be >= 0, got " + sampleTemperature);
        if (maxTokens < 1) throw new IllegalArgumentException("max tokens: must be at least 1, got " + maxTokens);
    }

    public static Answering defaults() {
        return new Answering(InferenceMode.DIRECT, SAMPLES, SAMPLE_TEMPERATURE, MAX_TOKENS);
    }

    public Answering withMode(InferenceMode m) {
        return new Answering(m, samples, sampleTemperature, maxTokens);
    }

    public Answering withMaxTokens(int n) {
        return new Answering(mode, samples, sampleTemperature, n);
    }
}
