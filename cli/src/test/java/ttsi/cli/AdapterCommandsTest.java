package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.model.AdaptableModel;
import ttsi.agent.model.TokenLogprobs;
import ttsi.agent.model.TrainingPair;
import ttsi.agent.tools.Message;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.tensor.DType;
import ttsi.engine.tokenizer.Tokenizer;
import ttsi.engine.train.LoraAdapter;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.LoraMerge;
import ttsi.engine.train.TrainConfig;

/**
 * Starting from a PEFT adapter, end to end on a tiny random model with ToolShift's generated tokenizer (no shared/
 * folder needed): finetune → --adapter → test-time training → reset; 'ttsi merge'; run.json's record of the
 * adapter; errors. Expected logits come from the base with the adapter applied unmerged (LoRA's own forward).
 */
class AdapterCommandsTest {
    @TempDir
    static Path tmp;
    static Path data, model, adapter;
    static final int[] PROBE = {5, 17, 3, 88, 42, 42, 7, 60, 11, 200};

    @BeforeAll
    static void finetunedAdapter() throws Exception {
        data = tmp.resolve("data");
        CliTest.Run g = CliTest.run("toolshift", "generate", "--out", data.resolve("toolshift").toString(), "--train", "60", "--dev", "4",
                "--test", "4", "--synthesis", "10", "--tokenizer-vocab", "400");
        assertEquals(0, g.code(), g.err());
        Path tok = data.resolve("toolshift/tokenizer");
        Tokenizer t = Tokenizer.load(tok);
        ObjectNode cfg = (ObjectNode) CliTest.JSON.readTree("""
                {"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":32,"intermediate_size":64,
                 "num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"rope_theta":10000.0,
                 "rms_norm_eps":1e-6,"tie_word_embeddings":true,"max_position_embeddings":2048,"torch_dtype":"float32"}""");
        cfg.put("vocab_size", t.vocabSize());
        cfg.put("eos_token_id", t.id("<|im_end|>").orElseThrow());
        model = tmp.resolve("model");
        RandomCheckpoint.write(model, cfg, DType.F32, 0.2, 3, tok);
        Path sft = tmp.resolve("sft.jsonl");
        Files.writeString(sft, """
                {"prompt": "Book a table for two", "completion": " book_table(party_size=2)"}
                {"prompt": "Weather in Lisbon?", "completion": " get_weather(city=\\"Lisbon\\")"}
                """);
        adapter = tmp.resolve("adapter");
        CliTest.Run f = CliTest.run("finetune", "--model", model.toString(), "--data", sft.toString(), "--out", adapter.toString(),
                "--epochs", "3", "--lr", "2e-2", "--rank", "4", "--alpha", "8", "--targets", "q_proj,v_proj,up_proj,down_proj", "--threads", "2");
        assertEquals(0, f.code(), f.err());
    }

    /** The base with the adapter applied unmerged: the reference. */
    static float[] unmerged(Path adapterDir) {
        try (Model m = Model.load(model)) {
            LoraAdapter ad = LoraAdapter.loadPeft(adapterDir, m.config());
            return m.decoder().forward(m.decoder().newState(ad), PROBE, 0, PROBE.length, PROBE.length);
        }
    }

    static double relDiff(float[] expected, float[] actual) {
        double max = 0, diff = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        return diff / max;
    }

    static double[][] logprobs(List<TokenLogprobs> scores) {
        return scores.stream().map(TokenLogprobs::logprobs).toArray(double[][]::new);
    }

    @Test
    void testTimeTrainingOnTopOfTheAdapterResetsToItBitForBit() throws Exception {
        float[] expected = unmerged(adapter);
        float[] base;
        try (Model m = Model.load(model)) {
            base = m.decoder().logits(PROBE);
        }
        assertTrue(relDiff(expected, base) > 1e-3, "the finetuned adapter changes the logits: " + relDiff(expected, base));
        try (EmbeddedModel em = new EmbeddedModel(LoraMerge.load(model, adapter), LoraConfig.defaults(), TrainConfig.paperDefaults().withLearningRate(1e-2))) {
            float[] before = em.model().decoder().logits(PROBE);
            assertTrue(relDiff(expected, before) < 1e-5, "base+adapter merged vs unmerged: " + relDiff(expected, before));
            List<Message> prompt = List.of(Message.user("Book a table for two"));
            double[][] scoreBefore = logprobs(em.score(prompt, List.of(), List.of(" book_table", " get_weather")));
            try (AdaptableModel.Adapted a = em.adapt(List.of(new TrainingPair(prompt, List.of(), Message.assistant("get_weather(city=\"Paris\")"))), 1)) {
                double[][] adapted = logprobs(a.score(prompt, List.of(), List.of(" book_table", " get_weather")));
                assertFalse(java.util.Arrays.deepEquals(adapted, scoreBefore), "test-time training changes the scores");
            }
            assertArrayEquals(before, em.model().decoder().logits(PROBE), "reset: base+adapter, bit for bit");
            assertArrayEquals(scoreBefore, logprobs(em.score(prompt, List.of(), List.of(" book_table", " get_weather"))));
        }
    }

    @Test
    void mergeWritesAFolderWithTheSameLogits() throws Exception {
        Path out = tmp.resolve("merged");
        CliTest.Run r = CliTest.run("merge", "--model", model.toString(), "--adapter", adapter.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"}) assertTrue(Files.isRegularFile(out.resolve(f)), f);
        float[] inMemory;
        try (Model m = LoraMerge.load(model, adapter)) {
            inMemory = m.decoder().logits(PROBE);
        }
        try (Model m = Model.load(out)) {
            float[] written = m.decoder().logits(PROBE);
            assertArrayEquals(inMemory, written, "the merged folder gives --adapter's logits, bit for bit");
            assertTrue(relDiff(unmerged(adapter), written) < 1e-5);
        }
        // The logits command on the folder agrees (a plain checkpoint to every command).
        CliTest.Run l = CliTest.run("logits", "--model", out.toString(), "--tokens", "5,17,3");
        assertEquals(0, l.code(), l.err());
        // Never over a non-empty folder; bf16 on request.
        CliTest.Run again = CliTest.run("merge", "--model", model.toString(), "--adapter", adapter.toString(), "--out", out.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains(out + ": is not empty"), again.err());
        Path bf16 = tmp.resolve("merged-bf16");
        r = CliTest.run("merge", "--model", model.toString(), "--adapter", adapter.toString(), "--out", bf16.toString(), "--dtype", "bf16");
        assertEquals(0, r.code(), r.err());
        assertEquals("bfloat16", CliTest.JSON.readTree(bf16.resolve("config.json").toFile()).get("torch_dtype").asText());
        try (Model m = Model.load(bf16)) {
            assertEquals(DType.BF16, m.decoder().weights().layers()[0].q().dtype());
            assertTrue(relDiff(unmerged(adapter), m.decoder().logits(PROBE)) < 3e-2);
        }
    }

    @Test
    void runRecordsTheAdapterAndRefusesToResumeWithAnother() throws Exception {
        Path out = tmp.resolve("run");
        String[] args = {"run", "--model", model.toString(), "--adapter", adapter.toString(), "--data-dir", data.toString(), "--benchmark", "toolshift",
                "--method", "tt-si", "--tau", "1", "--epochs", "1", "--lr", "3e-3", "--rank", "4", "--alpha", "8", "--limit", "2", "--max-tokens", "12",
                "--threads", "2", "--out", out.toString()};
        CliTest.Run r = CliTest.run(args);
        assertEquals(0, r.code(), r.err());
        JsonNode run = CliTest.JSON.readTree(out.resolve("run.json").toFile());
        // The test-time training the student was built with (RunCommand.open(config)), not a second copy of the options.
        assertEquals(1, run.path("config").path("training").path("epochs").asInt(), run.toString());
        assertEquals(3e-3, run.path("config").path("training").path("learningRate").asDouble(), run.toString());
        assertEquals(4, run.path("config").path("lora").path("r").asInt(), run.toString());
        assertEquals(8.0, run.path("config").path("lora").path("alpha").asDouble(), run.toString());
        assertEquals(1.0, run.path("config").path("uncertainty").path("tau").asDouble(), run.toString());
        assertEquals(12, run.path("config").path("synthesis").path("generation").path("maxTokens").asInt(), run.toString());
        assertTrue(run.path("config").path("adapter").asText().contains("adapter"), run.toString());
        assertEquals(adapter.toAbsolutePath().toString(), run.path("provenance").path("adapter_path").asText());
        assertEquals(64, run.path("provenance").path("adapter_hash").asText().length());
        // Same adapter: resumes (nothing left to do).
        assertEquals(0, CliTest.run(args).code());
        // Same folder, other weights: refused.
        Path other = tmp.resolve("adapter-other");
        Files.createDirectories(other);
        for (String f : new String[] {"adapter_config.json", "adapter_model.safetensors"}) Files.copy(adapter.resolve(f), other.resolve(f));
        try (Model m = Model.load(model)) {
            LoraAdapter ad = LoraAdapter.loadPeft(adapter, m.config());
            ad.modules().getFirst().b[0] += 0.5f;
            ad.savePeft(tmp.resolve("adapter-changed"), model.toString());
        }
        Path saved = tmp.resolve("adapter-saved.safetensors");
        Files.copy(adapter.resolve("adapter_model.safetensors"), saved);
        try {
            Files.copy(tmp.resolve("adapter-changed/adapter_model.safetensors"), adapter.resolve("adapter_model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
            r = CliTest.run(args);
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("cannot resume") && r.err().contains("adapter_hash differs"), r.err());
        } finally {
            Files.copy(saved, adapter.resolve("adapter_model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        }
        // Without the adapter: refused too (the configuration differs).
        String[] without = java.util.stream.Stream.of(args).filter(a -> !a.equals("--adapter") && !a.equals(adapter.toString())).toArray(String[]::new);
        r = CliTest.run(without);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("config.adapter"), r.err());
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void serveAnswersWithTheAdapterMerged() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "ttsi.cli.Main", "serve", "--model", model.toString(),
                "--adapter", adapter.toString(), "--port", "0", "--served-model-name", "tiny", "--threads", "1");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            java.util.regex.Pattern url = java.util.regex.Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+/v1)");
            StringBuffer log = new StringBuffer();
            var found = new java.util.concurrent.CompletableFuture<String>();
            Thread.ofPlatform().daemon(true).start(() -> {
                try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        log.append(line).append('\n');
                        var m = url.matcher(line);
                        if (m.find()) found.complete(m.group(1));
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
                found.complete(null);
            });
            String base = found.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(base != null, "no URL in the output:\n" + log);
            assertTrue(log.toString().contains("(adapter " + adapter + " merged)"), log.toString());
            String body = "{\"model\": \"tiny\", \"prompt\": " + java.util.Arrays.toString(PROBE) + ", \"max_tokens\": 0, \"echo\": true, \"logprobs\": 0}";
            JsonNode served;
            try (var c = java.net.http.HttpClient.newHttpClient()) {
                var r = c.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/completions")).header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                served = CliTest.JSON.readTree(r.body()).path("choices").path(0).path("logprobs").path("token_logprobs");
            }
            assertEquals(PROBE.length, served.size(), served.toString());
            // The served log-probabilities are base+adapter's, not the base's.
            try (EmbeddedModel merged = new EmbeddedModel(LoraMerge.load(model, adapter), LoraConfig.defaults(), TrainConfig.paperDefaults());
                 EmbeddedModel plain = new EmbeddedModel(Model.load(model), LoraConfig.defaults(), TrainConfig.paperDefaults())) {
                var m = merged.promptLogprobs(PROBE, 0);
                var b = plain.promptLogprobs(PROBE, 0);
                double offBase = 0;
                for (int i = 1; i < PROBE.length; i++) {
                    assertEquals(m.get(i).logprob(), served.get(i).asDouble(), 1e-12, "token " + i);
                    offBase = Math.max(offBase, Math.abs(b.get(i).logprob() - served.get(i).asDouble()));
                }
                assertTrue(offBase > 1e-4, "the base model would give other log-probabilities");
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void badAdaptersAreOneLineErrorsNamingFileAndField() throws Exception {
        // Missing folder, in run and serve (before anything is started).
        CliTest.Run r = CliTest.run("run", "--model", model.toString(), "--adapter", tmp.resolve("nope").toString(), "--data-dir", data.toString(),
                "--benchmark", "toolshift", "--limit", "1", "--out", tmp.resolve("run-bad").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("ttsi: " + tmp.resolve("nope") + ": not a directory"), r.err());
        r = CliTest.run("serve", "--model", model.toString(), "--adapter", tmp.resolve("nope").toString(), "--port", "0");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(tmp.resolve("nope") + ": not a directory"), r.err());
        // Made for another base model: names the tensor, the expected shape and the config fields.
        Path golden = Path.of("../engine/src/test/resources/golden/qwen2-tied-bias/adapter");
        r = CliTest.run("merge", "--model", model.toString(), "--adapter", golden.toString(), "--out", tmp.resolve("m-bad").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("adapter_model.safetensors: tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' has shape [4, 64], expected [4, 32]"), r.err());
        assertTrue(r.err().contains("hidden_size 32"), r.err());
        // An unsupported setting: names the file and the field.
        Path dora = tmp.resolve("adapter-dora");
        Files.createDirectories(dora);
        ObjectNode cfg = (ObjectNode) CliTest.JSON.readTree(adapter.resolve("adapter_config.json").toFile());
        cfg.put("use_dora", true);
        CliTest.JSON.writeValue(dora.resolve("adapter_config.json").toFile(), cfg);
        Files.copy(adapter.resolve("adapter_model.safetensors"), dora.resolve("adapter_model.safetensors"));
        r = CliTest.run("merge", "--model", model.toString(), "--adapter", dora.toString(), "--out", tmp.resolve("m-dora").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(dora.resolve("adapter_config.json") + ": field 'use_dora' is true"), r.err());
        assertFalse(Files.exists(tmp.resolve("m-dora")), "nothing written");
        for (String err : List.of(r.err())) assertEquals(1, err.strip().lines().count(), "one line, no stack trace: " + err);
        r = CliTest.run("merge", "--model", model.toString(), "--adapter", adapter.toString(), "--out", tmp.resolve("m-dt").toString(), "--dtype", "fp8");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--dtype must be bf16, f16 or f32, got fp8"), r.err());
    }
}
