package ttsi.engine.sample;

import java.util.List;

/**
 * How to pick tokens: temperature 0 means greedy; topK 0 and topP 1 disable those filters. The same seed gives
 * the same tokens.
 */
public record SamplingParams(double temperature, int topK, double topP, long seed, int maxTokens,
                             List<Integer> stopIds, List<String> stopStrings) {

    public SamplingParams {
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (maxTokens < 0) throw new IllegalArgumentException("max tokens must be >= 0, got " + maxTokens);
        stopIds = stopIds == null ? List.of() : List.copyOf(stopIds);
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0, 0, 1, 0, maxTokens, List.of(), List.of());
    }

    public SamplingParams withStopIds(List<Integer> ids) {
        return new SamplingParams(temperature, topK, topP, seed, maxTokens, ids, stopStrings);
    }

    public SamplingParams withSeed(long s) {
        return new SamplingParams(temperature, topK, topP, s, maxTokens, stopIds, stopStrings);
    }
}
