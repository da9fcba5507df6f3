package ttsi.agent.model;

import java.util.List;

/** How to sample a completion. temperature 0 is greedy; topK 0 and topP 1 are off. */
public record GenerationOptions(int maxTokens, double temperature, double topP, int topK, long seed, List<String> stop) {
    public GenerationOptions {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    public static GenerationOptions greedy(int maxTokens) {
        return new GenerationOptions(maxTokens, 0, 1, 0, 0, List.of());
    }

    public GenerationOptions withSeed(long s) {
        return new GenerationOptions(maxTokens, temperature, topP, topK, s, stop);
    }

    public GenerationOptions withTemperature(double t) {
        return new GenerationOptions(maxTokens, t, topP, topK, seed, stop);
    }

    public GenerationOptions withMaxTokens(int n) {
        return new GenerationOptions(n, temperature, topP, topK, seed, stop);
    }
}
