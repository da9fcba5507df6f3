package ttsi.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import ttsi.engine.Golden;
import ttsi.engine.model.Model;
import ttsi.engine.model.TrainableWeights;

class DataParallelBackpropTest {

    static List<TrainingExample> batch(int vocab) {
        List<TrainingExample> b = new ArrayList<>();
        int[][] shapes = {{6, 8}, {3, 4}, {12, 5}, {5, 9}, {2, 3}};
        for (int i = 0; i < shapes.length; i++) b.add(TrainingTest.example(vocab, shapes[i][0], shapes[i][1], 11 + i));
        return b;
    }

    /** The workers' summed gradients equal one pass over the sequences one after another (up to f32 summation order). */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void workersSumToTheSequentialGradient(int workers) {
        try (Model m = Model.load(Golden.ROOT.resolve("qwen2-tied-bias"))) {
            List<TrainingExample> batch = batch(m.config().vocabSize());
            int count = batch.stream().mapToInt(TrainingExample::targetCount).sum();
            TrainableWeights seq = m.decoder().weights().toTrainable();
            FullBackprop one = new FullBackprop(m.config(), seq);
            double seqLoss = 0;
            for (TrainingExample e : batch) seqLoss += one.forwardBackward(e.tokens(), e.target(), 1f / count).sum();

            TrainableWeights par = m.decoder().weights().toTrainable();
            DataParallelBackprop dp = new DataParallelBackprop(m.config(), par, workers);
            Backprop.Loss loss = dp.forwardBackward(batch, 1f / count);
            assertEquals(count, loss.count());
            assertEquals(seqLoss, loss.sum(), 1e-9 * Math.abs(seqLoss));
            for (TrainableWeights.Tensor t : seq.tensors()) {
                float[] a = t.grad(), b = par.tensor(t.name()).grad();
                double scale = 0;
                for (float v : a) scale = Math.max(scale, Math.abs(v));
                assertTrue(scale > 0, t.name() + " has no gradient");
                for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5 * scale, t.name() + "[" + i + "]");
            }
            // A second batch starts from zeroed worker gradients: twice the batch is twice the gradient.
            float[] before = par.tensor("model.norm.weight").grad().clone();
            dp.forwardBackward(batch, 1f / count);
            float[] after = par.tensor("model.norm.weight").grad();
            for (int i = 0; i < before.length; i++) assertEquals(2 * before[i], after[i], 1e-5 * Math.abs(before[i]) + 1e-9);
        }
    }

    @Test
    void sameBatchSameBits() {
        try (Model m = Model.load(Golden.ROOT.resolve("qwen2-tied-bias"))) {
            List<TrainingExample> batch = batch(m.config().vocabSize());
            float[][] grads = new float[2][];
            for (int run = 0; run < 2; run++) {
                TrainableWeights w = m.decoder().weights().toTrainable();
                new DataParallelBackprop(m.config(), w, 2).forwardBackward(batch, 0.1f);
                grads[run] = w.tensor("model.layers.0.mlp.down_proj.weight").grad().clone();
            }
            assertArrayEquals(grads[0], grads[1]);
        }
    }

    @Test
    void splitBalancesTokensLongestFirst() {
        List<TrainingExample> batch = batch(50); // lengths 14, 7, 17, 14, 5
        List<List<TrainingExample>> shares = DataParallelBackprop.split(batch, 2);
        int[] load = new int[2];
        for (int w = 0; w < 2; w++) for (TrainingExample e : shares.get(w)) load[w] += e.tokens().length;
        assertEquals(57, load[0] + load[1]);
        assertEquals(List.of(batch.get(2), batch.get(1), batch.get(4)), shares.get(0)); // 17, then 7 and 5 onto the lighter worker
        assertEquals(List.of(batch.get(0), batch.get(3)), shares.get(1));
    }
}
