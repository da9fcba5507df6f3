package ttsi.cli;

import ttsi.engine.format.SharedFolder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.engine.model.RandomCheckpoint;

/** The CLI contract, end to end through Main.run, on golden fixtures and a tiny model with Qwen2.5's real tokenizer. */
class CliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path GOLDEN = Path.of("../engine/src/test/resources/golden");

    @TempDir
    static Path tmp;
    static Path tinyQwen; // random weights, vocab 151936, real tokenizer + chat template

    record Run(int code, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
            }
        }
    }

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Path shared() {
        return SharedFolder.find();
    }

    @BeforeAll
    static void tinyModel() throws Exception {
        Path shared = shared();
        if (shared == null) return;
        tinyQwen = tmp.resolve("tiny-qwen");
        RandomCheckpoint.writeTiny(tinyQwen, 1, shared.resolve("models/Qwen2.5-0.5B-Instruct"));
    }

    static void needTiny() {
        Assumptions.assumeTrue(tinyQwen != null, "shared/ folder not found; skipping");
    }

    @Test
    void logitsMatchTheGoldenReference() throws Exception {
        JsonNode g = JSON.readTree(GOLDEN.resolve("qwen2-tied-bias/golden.json").toFile());
        StringBuilder ids = new StringBuilder();
        for (JsonNode t : g.get("tokens")) ids.append(ids.isEmpty() ? "" : ",").append(t.asInt());
        Run r = run("logits", "--model", GOLDEN.resolve("qwen2-tied-bias").toString(), "--tokens", ids.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode got = r.json().get("logits");
        assertEquals(g.get("tokens").size(), got.size());
        double maxDiff = 0, maxAbs = 0;
        for (int i = 0; i < got.size(); i++) {
            for (int j = 0; j < got.get(i).size(); j++) {
                maxDiff = Math.max(maxDiff, Math.abs(got.get(i).get(j).asDouble() - g.get("logits").get(i).get(j).asDouble()));
                maxAbs = Math.max(maxAbs, Math.abs(g.get("logits").get(i).get(j).asDouble()));
            }
        }
        assertTrue(maxDiff < 1e-4 * maxAbs, "max diff " + maxDiff);
    }

    /** --dtype q8_0 quantizes at load exactly as llama-quantize did for the committed Q8_0 GGUF of the same checkpoint. */
    @Test
    void dtypeQ8_0IsLlamaCppsQ8_0() throws Exception {
        JsonNode g = JSON.readTree(GOLDEN.resolve("qwen2-tied-bias/golden.json").toFile());
        StringBuilder ids = new StringBuilder();
        for (JsonNode t : g.get("tokens")) ids.append(ids.isEmpty() ? "" : ",").append(t.asInt());
        Run q = run("logits", "--model", GOLDEN.resolve("qwen2-tied-bias").toString(), "--dtype", "q8_0", "--tokens", ids.toString());
        assertEquals(0, q.code(), q.err());
        Run gguf = run("logits", "--model", "../engine/src/test/resources/gguf/qwen2-tied-bias-q8_0.gguf", "--tokens", ids.toString());
        assertEquals(0, gguf.code(), gguf.err());
        assertEquals(gguf.json(), q.json());
        Run bad = run("logits", "--model", GOLDEN.resolve("qwen2-tied-bias").toString(), "--dtype", "int4", "--tokens", ids.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--dtype must be bf16, f16, f32 or q8_0, got int4"), bad.err());
        Run grad = run("lora-grad", "--model", GOLDEN.resolve("llama3-rope-scaling").toString(), "--dtype", "q8_0",
                "--adapter", GOLDEN.resolve("llama3-rope-scaling/adapter").toString(), "--tokens", "1,2,3,4,5,6", "--prompt-len", "3");
        assertEquals(0, grad.code(), grad.err());
        assertTrue(grad.json().get("loss").asDouble() > 0, grad.out());
    }

    @Test
    void loraGradMatchesTheGoldenReference() throws Exception {
        Path fx = GOLDEN.resolve("llama3-rope-scaling");
        JsonNode g = JSON.readTree(fx.resolve("golden.json").toFile()).get("lora");
        JsonNode tokens = JSON.readTree(fx.resolve("golden.json").toFile()).get("tokens");
        StringBuilder ids = new StringBuilder();
        for (JsonNode t : tokens) ids.append(ids.isEmpty() ? "" : ",").append(t.asInt());
        Run r = run("lora-grad", "--model", fx.toString(), "--adapter", fx.resolve("adapter").toString(), "--tokens", ids.toString(),
                "--prompt-len", g.get("prompt_len").asText());
        assertEquals(0, r.code(), r.err());
        assertEquals(g.get("loss").asDouble(), r.json().get("loss").asDouble(), 1e-5 * g.get("loss").asDouble());
        JsonNode norms = r.json().get("grad_norm");
        assertEquals(g.get("grad_norm").size(), norms.size());
        g.get("grad_norm").fields().forEachRemaining(e -> {
            double expected = e.getValue().get(1).asDouble();
            assertEquals(expected, norms.get(e.getKey()).get(1).asDouble(), 1e-4 * expected, e.getKey());
        });
    }

    @Test
    void tokenizeTextAndChat() throws Exception {
        Path shared = shared();
        Assumptions.assumeTrue(shared != null);
        Run r = run("tokenize", "--model", shared.resolve("models/Qwen3-0.6B").toString(), "--text", "Hello, world!");
        assertEquals(0, r.code(), r.err());
        assertEquals("[9707,11,1879,0]", r.json().get("ids").toString()); // Hugging Face's own tokenizer gives these
        Path chat = tmp.resolve("chat.json");
        Files.writeString(chat, "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}");
        r = run("tokenize", "--model", shared.resolve("models/Qwen2.5-0.5B-Instruct").toString(), "--chat", chat.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", r.json().get("text").asText());
        assertEquals(151644, r.json().get("ids").get(0).asInt());
    }

    @Test
    void generateIsSeededAndScoreMatchesAcrossContinuations() throws Exception {
        needTiny();
        Run a = run("generate", "--model", tinyQwen.toString(), "--prompt", "The weather", "--max-tokens", "8", "--temperature", "0.9", "--seed", "5", "--json");
        Run b = run("generate", "--model", tinyQwen.toString(), "--prompt", "The weather", "--max-tokens", "8", "--temperature", "0.9", "--seed", "5", "--json");
        assertEquals(0, a.code(), a.err());
        assertEquals(a.json().get("ids"), b.json().get("ids"));
        assertEquals(8, a.json().get("completion_tokens").asInt());
        Path chat = tmp.resolve("chat-tools.json");
        Files.writeString(chat, """
                {"messages": [{"role": "user", "content": "Weather in Paris?"}],
                 "tools": [{"name": "get_weather", "description": "Get weather", "parameters": {"type": "object",
                   "properties": {"city": {"type": "string"}}, "required": ["city"]}}]}""");
        Run c = run("generate", "--model", tinyQwen.toString(), "--chat", chat.toString(), "--max-tokens", "4");
        assertEquals(0, c.code(), c.err());
        Run s = run("score", "--model", tinyQwen.toString(), "--prompt", "Call the tool", "--continuation", " get_weather", " search");
        assertEquals(0, s.code(), s.err());
        JsonNode conts = s.json().get("continuations");
        assertEquals(2, conts.size());
        double sum = 0;
        for (JsonNode lp : conts.get(0).get("logprobs")) sum += lp.asDouble();
        assertEquals(sum, conts.get(0).get("sum").asDouble(), 1e-9);
        assertTrue(conts.get(0).get("sum").asDouble() < 0);
    }

    @Test
    void finetuneWritesAPeftAdapterAndALossCurve() throws Exception {
        needTiny();
        Path data = tmp.resolve("train.jsonl");
        Files.writeString(data, """
                {"messages": [{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "content": "Sunny."}]}
                {"prompt": "2+2=", "completion": "4"}
                """);
        Path out = tmp.resolve("adapter");
        Run r = run("finetune", "--model", tinyQwen.toString(), "--data", data.toString(), "--out", out.toString(), "--epochs", "3", "--lr", "1e-2");
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"adapter_config.json", "adapter_model.safetensors", "loss.csv", "loss.png"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(7, Files.readAllLines(out.resolve("loss.csv")).size()); // header + 2 examples x 3 epochs
        JsonNode cfg = JSON.readTree(out.resolve("adapter_config.json").toFile());
        assertEquals("LORA", cfg.get("peft_type").asText());
        assertEquals(8, cfg.get("r").asInt());
        // the adapter loads back through lora-grad
        Run g = run("lora-grad", "--model", tinyQwen.toString(), "--adapter", out.toString(), "--tokens", "1,2,3,4", "--prompt-len", "2");
        assertEquals(0, g.code(), g.err());
        // a bad line is reported with file:line
        Files.writeString(data, "{\"prompt\": \"a\", \"completion\": \"b\"}\n{not json\n");
        Run bad = run("finetune", "--model", tinyQwen.toString(), "--data", data.toString(), "--out", out.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains(data + ":2: not valid JSON"), bad.err());
        // records that would train on nothing, or on text the user did not write, are refused by line
        String[][] records = {
                {"{\"prompt\": 5, \"completion\": \"b\"}", ":1: \"prompt\" must be a string, got number"},
                {"{\"prompt\": \"a\", \"completion\": {\"x\": 1}}", ":1: \"completion\" must be a string, got object"},
                {"{\"prompt\": \"a\", \"completion\": \"\"}", ":1: \"completion\" is empty"}};
        Path fresh = tmp.resolve("adapter-refused");
        for (String[] rec : records) {
            Files.writeString(data, rec[0] + "\n");
            Run refused = run("finetune", "--model", tinyQwen.toString(), "--data", data.toString(), "--out", fresh.toString());
            assertEquals(1, refused.code(), rec[0]);
            assertTrue(refused.err().contains(data + rec[1]), refused.err());
            assertTrue(!Files.exists(fresh), "nothing written for " + rec[0]);
        }
    }

    @Test
    void benchEngineOnATinyShape() throws Exception {
        Path cfg = GOLDEN.resolve("qwen2-tied-bias/config.json");
        Run r = run("bench", "engine", "--shape", cfg.toString(), "--dtype", "bf16", "--threads", "1", "--prefill", "16", "--decode", "4", "--train", "16", "--reps", "1", "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.json();
        for (String k : new String[] {"prefill_tokens_per_s", "decode_tokens_per_s", "prefill_gflops", "lora_train_tokens_per_s", "peak_rss_gib"}) {
            assertTrue(j.get(k).asDouble() > 0, k + " in " + j);
        }
        // Decoding from an empty cache (llama-bench's tg) counts the attention over no prompt: fewer FLOPs per token.
        Run empty = run("bench", "engine", "--shape", cfg.toString(), "--dtype", "bf16", "--threads", "1", "--prefill", "16", "--decode", "4",
                "--decode-context", "0", "--train", "0", "--reps", "1", "--format", "json");
        assertEquals(0, empty.code(), empty.err());
        double perTokenFull = j.get("decode_gflops").asDouble() / j.get("decode_tokens_per_s").asDouble();
        double perTokenEmpty = empty.json().get("decode_gflops").asDouble() / empty.json().get("decode_tokens_per_s").asDouble();
        assertTrue(perTokenEmpty < perTokenFull, perTokenEmpty + " vs " + perTokenFull);
    }

    @Test
    void errorsAreOneLineWithoutAStackTrace() {
        Run r = run("logits", "--model", tmp.resolve("nope").toString(), "--tokens", "1,2");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("ttsi: "), r.err());
        assertTrue(r.err().contains("config.json: file not found"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        Run bad = run("logits", "--model", GOLDEN.resolve("qwen2-tied-bias").toString(), "--tokens", "1,x");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--tokens expects comma-separated integers"), bad.err());
    }
}
