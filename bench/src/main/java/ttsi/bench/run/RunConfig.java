package ttsi.bench.run;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything that determines a run's results. Written to run.json; a resumed run must match it exactly.
 */
public record RunConfig(
        Path model,
        String benchmark,
        Path dataDir,
        String method,
        String format,
        double tau,
        boolean meanScores,
        String singleTool,
        int k,
        int maxAttempts,
        double synthesisTemperature,
        String inference,
        int samples,
        double sampleTemperature,
        int maxTokens,
        List<Long> seeds,
        int limit,
        String iclPool,
        int iclShots,
        int epochs,
        double learningRate,
        int loraRank,
        double loraAlpha,
        String teacherUrl,
        String teacherModel) {

    public RunConfig {
        seeds = List.copyOf(seeds);
        if (seeds.isEmpty()) throw new IllegalArgumentException("at least one seed");
    }
}
