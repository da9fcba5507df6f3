package ttsi.engine.train;

/**
 * Optimisation settings. Defaults follow the paper (5 epochs, lr 1e-4, warmup ratio 0.03, batch size 1,
 * cosine) and the HF Trainer for what it leaves open (AdamW β 0.9/0.999, ε 1e-8, no weight decay, clip at 1.0).
 */
public record TrainConfig(int epochs, int batchSize, int gradientAccumulation, double learningRate, double warmupRatio,
                          String scheduler, double weightDecay, double maxGradNorm, boolean shuffle, long seed) {

    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (gradientAccumulation < 1) throw new IllegalArgumentException("gradient accumulation must be >= 1");
        if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        if (warmupRatio < 0 || warmupRatio > 1) throw new IllegalArgumentException("warmup ratio must be in [0, 1]");
    }

    public static TrainConfig paperDefaults() {
        return new TrainConfig(5, 1, 1, 1e-4, 0.03, "cosine", 0.0, 1.0, true, 0);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(epochs, batchSize, gradientAccumulation, learningRate, warmupRatio, scheduler, weightDecay, maxGradNorm, shuffle, s);
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(e, batchSize, gradientAccumulation, learningRate, warmupRatio, scheduler, weightDecay, maxGradNorm, shuffle, seed);
    }

    public TrainConfig withLearningRate(double lr) {
        return new TrainConfig(epochs, batchSize, gradientAccumulation, lr, warmupRatio, scheduler, weightDecay, maxGradNorm, shuffle, seed);
    }

    /** Optimizer steps for n examples. */
    public int totalSteps(int n) {
        int perEpoch = (int) Math.ceil((double) n / (batchSize * gradientAccumulation));
        return perEpoch * epochs;
    }
}
