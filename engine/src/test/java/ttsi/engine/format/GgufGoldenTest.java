package ttsi.engine.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import ttsi.engine.Golden;
import ttsi.engine.model.Model;
import ttsi.engine.model.ModelConfig;

/**
 * GGUF files made by llama.cpp's own converter (convert_hf_to_gguf.py, tag b4747) from the tiny golden checkpoints
 * of src/test/resources/golden, F32/F16/BF16 by its --outtype and Q8_0 by llama-quantize from the F32 file; the
 * Qwen3 one with gguf-py's writer, as this converter predates Qwen3 (src/test/resources/gguf/make_fixtures.py says
 * how, with the commands). Their logits must equal those of the same checkpoint through the safetensors path, and
 * PyTorch's golden logits, within the stored type's tolerance.
 */
class GgufGoldenTest {

    static final Path DIR = Path.of("src/test/resources/gguf");

    /** fixture file stem -> golden folder, and the tolerance relative to the largest |logit|. */
    static Stream<String> fixtures() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".gguf")).map(n -> n.substring(0, n.length() - 5))
                    .sorted().toList().stream();
        }
    }

    static String golden(String fixture) {
        return fixture.substring(0, fixture.lastIndexOf('-'));
    }

    /**
     * Relative to the largest |logit|. A GGUF of the checkpoint's own type holds its bits (qwen2-bf16-bf16,
     * qwen2-f16-f16, llama3-rope-scaling-f32); F16 and BF16 from an F32 checkpoint round every weight once (BF16's
     * 8-bit mantissa: ~1.3% measured on these random models, whose logits are sensitive); Q8_0 quantizes in blocks of
     * 32 (the weights themselves are checked against the F32 file's in {@link #q8_0WeightsAreTheF32WeightsWithinHalfAStep},
     * and against this engine's own quantizer, byte for byte, in {@link #quantizingTheF32FileGivesLlamaQuantizesBytes}).
     */
    static double tolerance(String fixture) {
        String type = fixture.substring(fixture.lastIndexOf('-') + 1);
        String stored = Golden.json(golden(fixture)).isEmpty() ? "" : ModelConfig.load(Golden.ROOT.resolve(golden(fixture)).resolve("config.json")).torchDtype();
        boolean sameBits = type.equals("f32") || (type.equals("bf16") && stored.equals("bfloat16")) || (type.equals("f16") && stored.equals("float16"));
        if (sameBits) return 1e-5;
        return switch (type) {
            case "f16" -> 2e-3;
            case "bf16" -> 2e-2;
            case "q8_0" -> 8e-2;
            default -> throw new IllegalArgumentException(type);
        };
    }

    @Test
    void q8_0WeightsAreTheF32WeightsWithinHalfAStep() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            Gguf q = Gguf.open(DIR.resolve("llama3-rope-scaling-q8_0.gguf"), arena);
            Gguf f = Gguf.open(DIR.resolve("llama3-rope-scaling-f32.gguf"), arena);
            int checked = 0;
            for (Gguf.Tensor t : q.tensors().values()) {
                if (t.dims().length != 2) continue;
                assertEquals(Gguf.TensorType.Q8_0, t.type(), t.name());
                int cols = (int) t.dims()[0], rows = (int) t.dims()[1];
                var mq = q.matrix(t.name(), rows, cols);
                var mf = f.matrix(t.name(), rows, cols);
                for (long b = 0; b < mq.size() / 32; b++) {
                    double amax = 0;
                    for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(mf.get(b * 32 + j)));
                    for (int j = 0; j < 32; j++) {
                        double x = mf.get(b * 32 + j), y = mq.get(b * 32 + j);
                        // half a quantization step (amax/127/2, with the f16 scale's rounding) plus BF16's rounding
                        double bound = amax / 127 * 0.5 * 1.002 + Math.abs(x) * Math.pow(2, -8) + 1e-12;
                        assertTrue(Math.abs(x - y) <= bound, t.name() + "[" + (b * 32 + j) + "]: " + y + " vs " + x);
                    }
                }
                checked++;
            }
            assertTrue(checked >= 8, "checked " + checked); // q, k, v, o, gate, up, down per layer, and the tied embedding
        }
    }

    /** Every Q8_0 tensor llama-quantize wrote is what {@code Matrix.converted(Q8_0)} makes of the F32 file's tensor. */
    @Test
    void quantizingTheF32FileGivesLlamaQuantizesBytes() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            Gguf q = Gguf.open(DIR.resolve("llama3-rope-scaling-q8_0.gguf"), arena);
            Gguf f = Gguf.open(DIR.resolve("llama3-rope-scaling-f32.gguf"), arena);
            int checked = 0;
            for (Gguf.Tensor t : q.tensors().values()) {
                if (t.type() != Gguf.TensorType.Q8_0) continue;
                int cols = (int) t.dims()[0], rows = (int) t.dims()[1];
                var theirs = q.matrix(t.name(), rows, cols);
                var ours = f.matrix(t.name(), rows, cols).converted(ttsi.engine.tensor.DType.Q8_0, arena);
                long at = java.lang.foreign.MemorySegment.mismatch(theirs.data(), 0, theirs.data().byteSize(), ours.data(), 0, ours.data().byteSize());
                assertEquals(-1, at, t.name() + ": first differing byte");
                checked++;
            }
            assertTrue(checked >= 8, "checked " + checked);
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void logitsMatchTheSafetensorsPathAndPyTorch(String fixture) {
        Path hf = Golden.ROOT.resolve(golden(fixture));
        JsonNode g = Golden.json(golden(fixture));
        int[] tokens = Golden.ints(g.get("tokens"));
        double tol = tolerance(fixture);
        try (Model gguf = Model.load(DIR.resolve(fixture + ".gguf")); Model st = Model.load(hf)) {
            float[] fromGguf = gguf.decoder().logits(tokens);
            float[] fromSafetensors = st.decoder().logits(tokens);
            Golden.assertClose(fixture + " vs safetensors", fromSafetensors, fromGguf, tol);
            Golden.assertClose(fixture + " vs PyTorch", Golden.matrix(g.get("logits")), fromGguf,
                    Math.max(tol, g.path("tolerance").path("logits_rel_to_max_abs").asDouble(1e-4)));
            System.out.printf("%s: max |logit diff| / max |logit| vs safetensors %.2e%n", fixture, Golden.relDiff(fromSafetensors, fromGguf));
        }
    }

    @Test
    void f32IsBitIdenticalToSafetensors() {
        JsonNode g = Golden.json("llama3-rope-scaling");
        int[] tokens = Golden.ints(g.get("tokens"));
        try (Model gguf = Model.load(DIR.resolve("llama3-rope-scaling-f32.gguf")); Model st = Model.load(Golden.ROOT.resolve("llama3-rope-scaling"))) {
            // Q/K rows un-permuted exactly and llama3 rope scaling recovered from rope_freqs: the same bits out.
            assertArrayEquals(st.decoder().logits(tokens), gguf.decoder().logits(tokens));
        }
    }

    @Test
    void aPeftAdapterMergesIntoAGgufBaseAsIntoTheFolder() {
        Path hf = Golden.ROOT.resolve("llama3-rope-scaling");
        int[] tokens = Golden.ints(Golden.json("llama3-rope-scaling").get("tokens"));
        try (Model gguf = ttsi.engine.train.LoraMerge.load(DIR.resolve("llama3-rope-scaling-f32.gguf"), hf.resolve("adapter"));
             Model st = ttsi.engine.train.LoraMerge.load(hf, hf.resolve("adapter"))) {
            assertArrayEquals(st.decoder().logits(tokens), gguf.decoder().logits(tokens));
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void configFromTheMetadataEqualsConfigJson(String fixture) {
        ModelConfig hf = ModelConfig.load(Golden.ROOT.resolve(golden(fixture)).resolve("config.json"));
        try (GgufCheckpoint c = GgufCheckpoint.open(DIR.resolve(fixture + ".gguf"))) {
            ModelConfig m = ModelConfig.fromJson(c.gguf().file(), c.configJson());
            assertEquals(hf.family(), m.family(), fixture);
            assertEquals(List.of(hf.hiddenSize(), hf.intermediateSize(), hf.numLayers(), hf.numHeads(), hf.numKvHeads(), hf.headDim(), hf.vocabSize()),
                    List.of(m.hiddenSize(), m.intermediateSize(), m.numLayers(), m.numHeads(), m.numKvHeads(), m.headDim(), m.vocabSize()), fixture);
            assertEquals(hf.rmsNormEps(), m.rmsNormEps(), 1e-9, fixture);
            assertEquals(hf.ropeTheta(), m.ropeTheta(), 1e-6 * hf.ropeTheta(), fixture);
            assertEquals(hf.ropeScaling(), m.ropeScaling(), fixture);
            assertEquals(hf.tieWordEmbeddings(), m.tieWordEmbeddings(), fixture);
            assertEquals(hf.attentionBias(), m.attentionBias(), fixture);
            assertEquals(hf.qkNorm(), m.qkNorm(), fixture);
        }
    }

    @Test
    void aFolderHoldingOneGgufLoadsWithItsTokenizer(@TempDir Path tmp) throws IOException {
        Files.copy(DIR.resolve("qwen2-untied-mha-f16.gguf"), tmp.resolve("model.gguf"));
        try (Model m = Model.load(tmp)) {
            assertEquals(ModelConfig.Family.QWEN2, m.config().family());
            // The converter wrote the fixture's byte-level vocabulary: "hi" is its two byte tokens; <|im_end|> is special.
            assertArrayEquals(new int[] {'h' - '!', 'i' - '!'}, m.tokenizer().encode("hi"));
            int[] imEnd = m.tokenizer().encode("<|im_end|>");
            assertArrayEquals(new int[] {258}, imEnd);
            assertTrue(m.tokenizer().isSpecial(258));
            assertTrue(m.stopIds().isEmpty() || m.stopIds().size() > 0);
        }
    }
}
