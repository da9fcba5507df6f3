package ttsi.bench.run;

import java.nio.file.Path;
import java.util.List;
import ttsi.agent.method.Answering;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.UncertaintyEstimator;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/**
 * Everything that determines a run's results, as the run uses it: the method's own settings records (estimate:
 * {@link UncertaintyEstimator.Options}; synthesize: {@link DataSynthesizer.Options}; adapt: {@link LoraConfig} and
 * {@link TrainConfig}, the very objects the student is built with; answer: {@link Answering}, recorded as
 * {@code inference}), ICL, the teacher.
 * Written to run.json nested as here; a resumed run must match it exactly. Each setting has one default, in its own
 * record ({@link #defaults}).
 *
 * @param format    native (the model's chat template with tools) or json-list
 * @param adapter   a PEFT adapter folder merged into the student before every sample (null: none); run.json's
 *                  provenance records a hash of its files
 * @param weights   the dtype the student's weights are held in once loaded (--dtype: bf16, f16, f32, q8_0); null: as stored
 * @param limit     only the first N samples (0: all)
 * @param shard     the part of the samples this run covers ({@link Shard}); null: all of them
 */
public record RunConfig(
        Path model,
        String benchmark,
        Path dataDir,
        String method,
        String format,
        UncertaintyEstimator.Options uncertainty,
        DataSynthesizer.Options synthesis,
        Answering inference,
        Icl icl,
        LoraConfig lora,
        TrainConfig training,
        Teacher teacher,
        Path adapter,
        String weights,
        List<Long> seeds,
        int limit,
        Shard shard) {

    /** Demonstrations in an ICL prompt (--icl-shots). */
    public static final int ICL_SHOTS = 3;

    /** ICL's demonstrations: drawn from {@code pool} (null: the benchmark's training or dev split), {@code shots} of them. */
    public record Icl(String pool, int shots) {
        public static Icl defaults() {
            return new Icl(null, ICL_SHOTS);
        }
    }

    /** The TT-D teacher as given on the command line (null: from the environment, or none). */
    public record Teacher(String url, String model) {
        public static Teacher none() {
            return new Teacher(null, null);
        }
    }

    public RunConfig {
        seeds = List.copyOf(seeds);
        if (seeds.isEmpty()) throw new IllegalArgumentException("at least one seed");
    }

    /** A run of a method with every setting at its default: the paper's, as 'ttsi run' has them; seed 0, all samples. */
    public static RunConfig defaults(Path model, String benchmark, Path dataDir, String method) {
        return new RunConfig(model, benchmark, dataDir, method, "native", UncertaintyEstimator.Options.defaults(), DataSynthesizer.Options.defaults(),
                Answering.defaults(), Icl.defaults(), LoraConfig.defaults(), TrainConfig.paperDefaults(), Teacher.none(), null, null, List.of(0L), 0, null);
    }

    public RunConfig withFormat(String f) {
        return new RunConfig(model, benchmark, dataDir, method, f, uncertainty, synthesis, inference, icl, lora, training, teacher, adapter, weights, seeds, limit, shard);
    }

    public RunConfig withUncertainty(UncertaintyEstimator.Options u) {
        return new RunConfig(model, benchmark, dataDir, method, format, u, synthesis, inference, icl, lora, training, teacher, adapter, weights, seeds, limit, shard);
    }

    public RunConfig withSynthesis(DataSynthesizer.Options s) {
        return new RunConfig(model, benchmark, dataDir, method, format, uncertainty, s, inference, icl, lora, training, teacher, adapter, weights, seeds, limit, shard);
    }

    public RunConfig withInference(Answering i) {
        return new RunConfig(model, benchmark, dataDir, method, format, uncertainty, synthesis, i, icl, lora, training, teacher, adapter, weights, seeds, limit, shard);
    }

    public RunConfig withIcl(Icl i) {
        return new RunConfig(model, benchmark, dataDir, method, format, uncertainty, synthesis, inference, i, lora, training, teacher, adapter, weights, seeds, limit, shard);
    }

    public RunConfig withAdaptation(LoraConfig l, TrainConfig t) {
        return new RunConfig(model, benchmark, dataDir, method, format, uncertainty, synthesis, inference, icl, l, t, teacher, adapter, weights, seeds, limit, shard);
    }

    public RunConfig withTeacher(Teacher t) {
        return new RunConfig(model, benchmark, dataDir, method, format, uncertainty, synthesis, inference, icl, lora, training, t, adapter, weights, seeds, limit, shard);
    }

    public RunConfig withStudent(Path adapterDir, String dtype) {
        return new RunConfig(model, benchmark, dataDir, method, format, uncertainty, synthesis, inference, icl, lora, training, teacher, adapterDir, dtype, seeds, limit, shard);
    }

    public RunConfig withSamples(List<Long> s, int firstN) {
        return new RunConfig(model, benchmark, dataDir, method, format, uncertainty, synthesis, inference, icl, lora, training, teacher, adapter, weights, s, firstN, shard);
    }

    /** The same run over another part of the samples (null: all). */
    public RunConfig withShard(Shard s) {
        return new RunConfig(model, benchmark, dataDir, method, format, uncertainty, synthesis, inference, icl, lora, training, teacher, adapter, weights, seeds, limit, s);
    }

    /** Whether this run covers the sample at a 0-based index. */
    public boolean covers(int sampleIndex) {
        return shard == null || shard.holds(sampleIndex);
    }
}
