package ttsi.engine.perf;

import java.util.Locale;
import java.util.SplittableRandom;
import ttsi.engine.model.ModelConfig;
import ttsi.engine.tensor.Parallel;
import ttsi.engine.train.LoraAdapter;
import ttsi.engine.train.LoraConfig;

/**
 * What an unmerged LoRA adapter (the paper's: rank 8, every linear layer) adds to each decoded token: every module's
 * {@link LoraAdapter#addDelta} on one row, best of five one-second rounds after a warm-up round.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp cli/target/ttsi.jar ttsi.engine.perf.AdapterDecodeBench [shape]</pre>
 */
public final class AdapterDecodeBench {
    private AdapterDecodeBench() {}

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        String shape = args.length > 0 ? args[0] : "qwen2.5-1.5b";
        ModelConfig c = EngineBench.shape(shape);
        LoraAdapter adapter = LoraAdapter.create(c, LoraConfig.defaults());
        SplittableRandom r = new SplittableRandom(1);
        for (LoraAdapter.Module m : adapter.modules()) for (int i = 0; i < m.b.length; i++) m.b[i] = (float) (r.nextGaussian() * 0.01);
        float[] x = new float[Math.max(c.hiddenSize(), c.intermediateSize())], y = new float[x.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        Parallel p = Parallel.global();
        double best = Double.MAX_VALUE;
        for (int round = 0; round <= 5; round++) {
            long t0 = System.nanoTime();
            int n = 0;
            while (System.nanoTime() - t0 < 1_000_000_000L) {
                for (LoraAdapter.Module m : adapter.modules()) adapter.addDelta(p, m.layer, m.projection, x, 1, y);
                n++;
            }
            if (round > 0) best = Math.min(best, (System.nanoTime() - t0) / 1e6 / n);
        }
        System.out.printf("%s: the adapter's %d modules add %.2f ms to each decoded token%n", shape, adapter.modules().size(), best);
    }
}
