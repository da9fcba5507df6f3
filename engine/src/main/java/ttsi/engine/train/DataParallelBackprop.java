package ttsi.engine.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import ttsi.engine.model.ModelConfig;
import ttsi.engine.model.TrainableWeights;
import ttsi.engine.tensor.Parallel;

/**
 * Forward and backward over a batch of sequences with one worker per kernel thread, each running whole sequences
 * on its own thread into its own gradient arrays; the workers' gradients are then summed into the weights' in
 * worker order. Small models gain most: their per-sequence matrix products are too small to split across threads
 * without the hand-offs costing more than they save, and the row-wise work (norms, activations) runs on every
 * thread instead of one. Deterministic for a batch and a thread count: the batch's split depends on the sequences'
 * lengths only, and every worker's kernels run inline with the same chunking as a parallel call.
 */
public final class DataParallelBackprop {
    private final List<FullBackprop> passes = new ArrayList<>();
    private final float[][] grads;      // [tensor]: the weights' own gradient arrays
    private final float[][][] parts;    // [worker - 1][tensor]: the other workers' gradient arrays

    public DataParallelBackprop(ModelConfig config, TrainableWeights weights, int workers) {
        if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        List<TrainableWeights.Tensor> main = weights.tensors();
        grads = new float[main.size()][];
        for (int t = 0; t < grads.length; t++) grads[t] = main.get(t).grad();
        parts = new float[workers - 1][][];
        for (int i = 0; i < workers; i++) {
            TrainableWeights w = i == 0 ? weights : weights.gradientReplica();
            passes.add(new FullBackprop(config, w));
            if (i > 0) parts[i - 1] = w.tensors().stream().map(TrainableWeights.Tensor::grad).toArray(float[][]::new);
        }
    }

    /** As many workers as the kernel pool has threads. */
    public DataParallelBackprop(ModelConfig config, TrainableWeights weights) {
        this(config, weights, Parallel.global().threads());
    }

    public int workers() {
        return passes.size();
    }

    /**
     * Adds the gradient of lossScale · Σ (every sequence's token losses) to the weights' grads; returns the summed
     * loss and target count. The other workers' gradient arrays are left zeroed.
     */
    public Backprop.Loss forwardBackward(List<TrainingExample> batch, float lossScale) {
        int n = passes.size();
        List<List<TrainingExample>> shares = split(batch, n);
        double[] sums = new double[n];
        int[] counts = new int[n];
        Parallel.global().forEach(n, w -> {
            for (TrainingExample e : shares.get(w)) {
                Backprop.Loss l = passes.get(w).forwardBackward(e.tokens(), e.target(), lossScale);
                sums[w] += l.sum();
                counts[w] += l.count();
            }
        });
        double sum = 0;
        int count = 0;
        for (int w = 0; w < n; w++) {
            sum += sums[w];
            count += counts[w];
        }
        if (n > 1) reduce();
        return new Backprop.Loss(sum, count);
    }

    /** Longest first, each to the worker with the fewest tokens so far (the lowest index on a tie). */
    static List<List<TrainingExample>> split(List<TrainingExample> batch, int workers) {
        Integer[] order = new Integer[batch.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> batch.get(b).tokens().length != batch.get(a).tokens().length
                ? Integer.compare(batch.get(b).tokens().length, batch.get(a).tokens().length) : Integer.compare(a, b));
        List<List<TrainingExample>> shares = new ArrayList<>();
        long[] load = new long[workers];
        for (int w = 0; w < workers; w++) shares.add(new ArrayList<>());
        for (int i : order) {
            int best = 0;
            for (int w = 1; w < workers; w++) if (load[w] < load[best]) best = w;
            shares.get(best).add(batch.get(i));
            load[best] += batch.get(i).tokens().length;
        }
        return shares;
    }

    /** weights.grad += replica.grad for each other worker in order, then zeroes the replicas' grads. */
    private void reduce() {
        for (int t = 0; t < grads.length; t++) {
            float[] g = grads[t];
            int tensor = t;
            Parallel.global().forRange(g.length, (from, to) -> {
                for (float[][] worker : parts) {
                    float[] part = worker[tensor];
                    for (int i = from; i < to; i++) g[i] += part[i];
                    Arrays.fill(part, from, to, 0f);
                }
            });
        }
    }

    /** Frees every worker's activation buffers. */
    public void release() {
        for (FullBackprop p : passes) p.release();
    }
}
