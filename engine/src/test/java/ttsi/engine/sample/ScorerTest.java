package ttsi.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import ttsi.engine.model.Decoder;
import ttsi.engine.model.ModelConfig;
import ttsi.engine.model.TinyModels;

class ScorerTest {

    @Test
    void continuationLogprobsEqualLogSoftmaxOfFullLogits() {
        ModelConfig c = TinyModels.qwen2();
        Decoder d = TinyModels.random(c, 11);
        int v = c.vocabSize();
        int[] prompt = {5, 17, 3, 44, 9};
        List<int[]> conts = List.of(new int[] {7}, new int[] {7, 8, 9}, new int[] {60, 2}, new int[] {});
        List<Scorer.Score> scores = Scorer.score(d, prompt, conts);
        for (int i = 0; i < conts.size(); i++) {
            int[] cont = conts.get(i);
            int[] seq = new int[prompt.length + cont.length];
            System.arraycopy(prompt, 0, seq, 0, prompt.length);
            System.arraycopy(cont, 0, seq, prompt.length, cont.length);
            float[] logits = d.logits(seq);
            double sum = 0;
            for (int t = 0; t < cont.length; t++) {
                double expected = Scorer.logSoftmaxAt(logits, (prompt.length - 1 + t) * v, v, cont[t]);
                assertEquals(expected, scores.get(i).tokenLogprobs()[t], 1e-5);
                sum += expected;
            }
            assertEquals(sum, scores.get(i).sum(), 1e-5);
        }
        assertEquals(0.0, scores.get(3).sum());
    }
}
