package ttsi.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import ttsi.engine.Golden;
import ttsi.engine.tensor.DType;
import ttsi.engine.train.Backprop;
import ttsi.engine.train.LoraAdapter;

/**
 * Models held in Q8_0 ({@code --dtype q8_0}): the same bits as llama.cpp's own Q8_0 file of the checkpoint, logits
 * within a stated tolerance of the checkpoint's own path, and LoRA gradients on the int8 base (QLoRA-style) equal to
 * those on an f32 model holding the dequantized weights.
 */
class Q8ModelTest {

    static final Path GGUF = Path.of("src/test/resources/gguf");

    /**
     * A safetensors checkpoint quantized at load runs exactly the weights of the GGUF file that llama-quantize made
     * from it (src/test/resources/gguf/README.md): the same logits, bit for bit.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama3-rope-scaling", "qwen2-tied-bias"})
    void quantizedAtLoadEqualsLlamaQuantizesFile(String golden) {
        int[] tokens = Golden.ints(Golden.json(golden).get("tokens"));
        try (Model st = Model.load(Golden.ROOT.resolve(golden), DType.Q8_0); Model gguf = Model.load(GGUF.resolve(golden + "-q8_0.gguf"))) {
            assertEquals(DType.Q8_0, gguf.decoder().weights().layers()[0].q().dtype());
            assertEquals(DType.Q8_0, st.decoder().weights().embed().dtype());
            assertArrayEquals(gguf.decoder().logits(tokens), st.decoder().logits(tokens));
        }
    }

    /**
     * Q8_0 logits against the checkpoint's own path and PyTorch's: within 10% of the largest |logit| on these tiny
     * random models (measured 5.8-8.5%; BF16 from the same F32 weights measures 1.1-1.3%: their logits are far more
     * sensitive to weight noise than a trained model's, and Q8_0's step is relative to a block's largest weight).
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama3-rope-scaling", "qwen2-tied-bias", "qwen2-sharded", "mistral", "llama3-bf16"})
    void logitsStayCloseToTheStoredWeights(String golden) {
        JsonNode g = Golden.json(golden);
        int[] tokens = Golden.ints(g.get("tokens"));
        try (Model q = Model.load(Golden.ROOT.resolve(golden), DType.Q8_0); Model st = Model.load(Golden.ROOT.resolve(golden))) {
            float[] ql = q.decoder().logits(tokens), sl = st.decoder().logits(tokens);
            Golden.assertClose(golden + " q8_0 vs stored", sl, ql, 1e-1);
            Golden.assertClose(golden + " q8_0 vs PyTorch", Golden.matrix(g.get("logits")), ql, 1e-1);
            System.out.printf("%s: q8_0 max |logit diff| / max |logit| vs stored %.2e%n", golden, Golden.relDiff(sl, ql));
        }
    }

    /** LoRA on a Q8_0 base: loss and every gradient as on an f32 model holding the dequantized weights. */
    @ParameterizedTest
    @ValueSource(strings = {"llama3-rope-scaling", "qwen2-tied-bias"})
    void loraGradientsOnAnInt8BaseAreTheDequantizedModels(String golden) {
        JsonNode g = Golden.json(golden), lg = g.get("lora");
        int[] tokens = Golden.ints(g.get("tokens"));
        int p = lg.get("prompt_len").asInt();
        boolean[] target = new boolean[tokens.length];
        for (int t = p; t < tokens.length; t++) target[t] = true;
        Path adapterDir = Golden.ROOT.resolve(golden).resolve(lg.get("adapter").asText());
        try (Model q = Model.load(Golden.ROOT.resolve(golden), DType.Q8_0)) {
            assertNull(q.decoder().transposedLinears(), "no transposed copy of Q8_0 weights");
            Model f = Model.of(q.config(), q.decoder().weights().converted(DType.F32, Arena.ofAuto()));
            LoraAdapter aq = LoraAdapter.loadPeft(adapterDir, q.config()), af = LoraAdapter.loadPeft(adapterDir, q.config());
            Backprop.Loss lq = new Backprop(q.decoder(), aq).forwardBackward(tokens, target, 1f / (tokens.length - p));
            Backprop.Loss lf = new Backprop(f.decoder(), af).forwardBackward(tokens, target, 1f / (tokens.length - p));
            assertEquals(lf.mean(), lq.mean(), 1e-5 * Math.abs(lf.mean()), "loss");
            for (int i = 0; i < aq.modules().size(); i++) {
                LoraAdapter.Module mq = aq.modules().get(i), mf = af.modules().get(i);
                Golden.assertClose(mq.path() + " dA", mf.gradA, mq.gradA, 1e-4);
                Golden.assertClose(mq.path() + " dB", mf.gradB, mq.gradB, 1e-4);
            }
            // Against PyTorch's gradients on the unquantized f32 weights: as close as the quantization allows.
            assertEquals(lg.get("loss").asDouble(), lq.mean(), 2e-2 * lg.get("loss").asDouble());
        }
    }

    @Test
    void rowsThatAreNotWholeBlocksAreRefusedByName() {
        // llama-untied's hidden size is 48: not a multiple of Q8_0's 32-value blocks.
        var e = assertThrows(IllegalArgumentException.class, () -> Model.load(Golden.ROOT.resolve("llama-untied"), DType.Q8_0));
        assertTrue(e.getMessage().contains("model.layers.0.self_attn.q_proj.weight") && e.getMessage().contains("48"), e.getMessage());
    }

    @Test
    void memoryIsThirtyFourBytesPerThirtyTwoWeightsWithEachRowsScalesPaddedTo16Bytes() {
        try (Model q = Model.load(Golden.ROOT.resolve("llama3-rope-scaling"), DType.Q8_0)) {
            var l = q.decoder().weights().layers()[0];
            long rows = l.gate().rows(), cols = l.gate().cols(), scaleBytes = cols / 32 * 2;
            assertEquals(rows * (cols + (scaleBytes + 15) / 16 * 16), l.gate().data().byteSize());
        }
    }
}
