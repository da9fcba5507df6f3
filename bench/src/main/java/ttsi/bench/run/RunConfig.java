package ttsi.bench.run;

import java.nio.file.Path;
import java.util.List;
import ttsi.agent.method.DataSynthesizer;

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
        String teacherModel,
        Path adapter,
        String synthesisContext,
        Shard shard,
        String weights) {

    /**
     * @param adapter a PEFT adapter folder merged into the student before every sample (null: none); run.json's
     *                provenance records a hash of its files
     * @param synthesisContext what a multi-turn input's synthesized pairs are trained in: dialogue (null) or single-turn
     *                ({@link DataSynthesizer.Context})
     * @param shard the part of the samples this run covers ({@link Shard}); null: all of them
     * @param weights the dtype the student's weights are converted to when loaded (--dtype: bf16, f16, f32, q8_0);
     *                null: as stored
     */
    /** Answers sampled per input for majority / pass@k (--samples). */
    public static final int ANSWER_SAMPLES = 5;
    /** Temperature of those sampled answers (--sample-temperature). */
    public static final double SAMPLE_TEMPERATURE = 0.7;
    /** Longest generation in tokens, answers and synthesis (--max-tokens). */
    public static final int MAX_TOKENS = 512;
    /** Demonstrations in an ICL prompt (--icl-shots). */
    public static final int ICL_SHOTS = 3;

    public RunConfig {
        seeds = List.copyOf(seeds);
        synthesisContext = synthesisContext == null ? DataSynthesizer.Context.DIALOGUE.key : DataSynthesizer.Context.of(synthesisContext).key;
        if (seeds.isEmpty()) throw new IllegalArgumentException("at least one seed");
    }

    /** A run over all the samples. */
    public RunConfig(Path model, String benchmark, Path dataDir, String method, String format, double tau, boolean meanScores,
                     String singleTool, int k, int maxAttempts, double synthesisTemperature, String inference, int samples,
                     double sampleTemperature, int maxTokens, List<Long> seeds, int limit, String iclPool, int iclShots, int epochs,
                     double learningRate, int loraRank, double loraAlpha, String teacherUrl, String teacherModel, Path adapter,
                     String synthesisContext) {
        this(model, benchmark, dataDir, method, format, tau, meanScores, singleTool, k, maxAttempts, synthesisTemperature, inference, samples,
                sampleTemperature, maxTokens, seeds, limit, iclPool, iclShots, epochs, learningRate, loraRank, loraAlpha, teacherUrl, teacherModel,
                adapter, synthesisContext, null, null);
    }

    /** The same run over another part of the samples (null: all). */
    public RunConfig withShard(Shard s) {
        return new RunConfig(model, benchmark, dataDir, method, format, tau, meanScores, singleTool, k, maxAttempts, synthesisTemperature, inference,
                samples, sampleTemperature, maxTokens, seeds, limit, iclPool, iclShots, epochs, learningRate, loraRank, loraAlpha, teacherUrl,
                teacherModel, adapter, synthesisContext, s, weights);
    }

    /** Whether this run covers the sample at a 0-based index. */
    public boolean covers(int sampleIndex) {
        return shard == null || shard.holds(sampleIndex);
    }

    /** A run of the student as it is (no adapter). */
    public RunConfig(Path model, String benchmark, Path dataDir, String method, String format, double tau, boolean meanScores,
                     String singleTool, int k, int maxAttempts, double synthesisTemperature, String inference, int samples,
                     double sampleTemperature, int maxTokens, List<Long> seeds, int limit, String iclPool, int iclShots, int epochs,
                     double learningRate, int loraRank, double loraAlpha, String teacherUrl, String teacherModel) {
        this(model, benchmark, dataDir, method, format, tau, meanScores, singleTool, k, maxAttempts, synthesisTemperature, inference, samples,
                sampleTemperature, maxTokens, seeds, limit, iclPool, iclShots, epochs, learningRate, loraRank, loraAlpha, teacherUrl, teacherModel, null, null, null, null);
    }
}
