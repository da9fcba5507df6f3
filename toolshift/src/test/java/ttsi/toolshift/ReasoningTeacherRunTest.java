package ttsi.toolshift;

import ttsi.agent.method.Answering;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.method.InferenceMode;
import ttsi.agent.method.UncertaintyEstimator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.backend.OpenAiModel;
import ttsi.agent.json.Json;
import ttsi.agent.tools.ToolCall;
import ttsi.bench.Benchmarks;
import ttsi.bench.data.Sample;
import ttsi.bench.run.RunConfig;
import ttsi.bench.run.Runner;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.tensor.DType;
import ttsi.engine.tokenizer.Tokenizer;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/**
 * TT-D through {@code ttsi run}'s runner with a teacher that behaves like a hosted reasoning model (gpt-5-mini's
 * rules): it refuses temperature, top_p and max_tokens with HTTP 400 (unsupported_value / unsupported_parameter),
 * spends reasoning tokens inside max_completion_tokens, and returns its reasoning text. The student is a tiny random
 * model over a small ToolShift world: nothing outside the checkout is needed.
 */
class ReasoningTeacherRunTest {
    static final int REASONING_TOKENS = 300;

    @Test
    void aReasoningTeacherCompletesATtdRunAndEachRowRecordsWhatItWasSentAndReturned(@TempDir Path dir) throws Exception {
        ToolShift.Data data = Recipe.data(RecipeTest.SMALL, 400, dir.resolve("data"));
        Path tok = Recipe.tokenizerDir(dir.resolve("data"));
        Path modelDir = dir.resolve("student");
        RandomCheckpoint.write(modelDir, new Recipe.Shape(32, 1, 2, 1, 64).configJson(Tokenizer.load(tok)), DType.BF16, 0.02, 1, tok);
        Sample s = Benchmarks.get("toolshift").load(dir.resolve("data")).samples().getFirst();
        assertEquals(data.test().getFirst().query(), s.query());

        // The teacher's answer: one new request over the input's tools, with the input's own calls.
        ArrayNode answer = Json.array();
        ObjectNode pair = answer.addObject();
        pair.put("query", "Could you please " + s.query().toLowerCase(java.util.Locale.ROOT) + " Thanks!");
        ArrayNode calls = pair.putArray("answer");
        for (ToolCall c : s.gold()) calls.add(c.toJson());
        List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", ex -> {
            JsonNode b = Json.parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            bodies.add(b);
            int status = 200;
            ObjectNode resp = Json.object();
            String refused = b.has("max_tokens") ? "max_tokens" : b.has("temperature") ? "temperature" : b.has("top_p") ? "top_p" : null;
            if (refused != null) {
                status = 400;
                ObjectNode e = resp.putObject("error");
                e.put("message", refused.equals("max_tokens") ? "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
                        : "Unsupported value: '" + refused + "' does not support " + b.get(refused).asText() + " with this model. Only the default (1) value is supported.");
                e.put("type", "invalid_request_error");
                e.put("param", refused);
                e.put("code", refused.equals("max_tokens") ? "unsupported_parameter" : "unsupported_value");
            } else {
                int cap = b.path("max_completion_tokens").asInt(0);
                boolean fits = REASONING_TOKENS + 60 <= cap;
                resp.put("id", "chatcmpl-1");
                resp.put("object", "chat.completion");
                resp.put("model", b.path("model").asText());
                ObjectNode choice = resp.putArray("choices").addObject();
                choice.put("index", 0);
                ObjectNode msg = choice.putObject("message");
                msg.put("role", "assistant");
                msg.put("content", fits ? Json.compact(answer) : "");
                msg.put("reasoning_content", "The user wants one more request like theirs.");
                choice.put("finish_reason", fits ? "stop" : "length");
                ObjectNode usage = resp.putObject("usage");
                usage.put("prompt_tokens", 100);
                usage.put("completion_tokens", fits ? REASONING_TOKENS + 60 : cap);
                usage.put("total_tokens", 100 + (fits ? REASONING_TOKENS + 60 : cap));
                usage.putObject("completion_tokens_details").put("reasoning_tokens", Math.min(REASONING_TOKENS, cap));
            }
            byte[] out = Json.compact(resp).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            OpenAiModel teacher = new OpenAiModel(OpenAiModel.Config.of(URI.create(url), "gpt-5-mini").withReasoning(1024, null));
            RunConfig cfg = RunConfig.defaults(modelDir, "toolshift", dir.resolve("data"), "tt-d")
                    .withUncertainty(new UncertaintyEstimator.Options(1.0, false, UncertaintyEstimator.SingleTool.CERTAIN, 1))
                    .withSynthesis(DataSynthesizer.Options.sampling(1, 1, 64, 0.7))
                    .withInference(new Answering(InferenceMode.DIRECT, 1, 0.7, 64))
                    .withIcl(new RunConfig.Icl(null, 0))
                    .withAdaptation(LoraConfig.defaults(), TrainConfig.paperDefaults().withEpochs(1).withLearningRate(1e-4))
                    .withTeacher(new RunConfig.Teacher(url, "gpt-5-mini"))
                    .withSamples(List.of(0L), 1);
            try (EmbeddedModel student = new EmbeddedModel(Model.load(modelDir), LoraConfig.defaults(), TrainConfig.paperDefaults().withEpochs(1))) {
                new Runner(cfg, dir.resolve("run"), student, teacher).run(new Runner.Listener() {});
            }
        } finally {
            server.stop(0);
        }
        JsonNode row = Json.parse(Files.readAllLines(dir.resolve("run/results-seed-0.jsonl")).getFirst());
        assertTrue(row.path("adapted").asBoolean(), "the teacher's pair was valid and trained on: " + row);
        assertEquals(1, row.path("synthesis").path("pairs").size());
        // Every parameter the model refuses was dropped after its 400, and the cap asked with max_completion_tokens.
        JsonNode last = bodies.getLast();
        assertFalse(last.has("temperature") || last.has("top_p") || last.has("max_tokens"), last.toString());
        assertEquals(64 + 1024, last.path("max_completion_tokens").asInt(), "the answer's cap plus the reasoning budget");
        // The row keeps what the teacher was sent and returned.
        JsonNode ex = row.path("synthesis").path("teacher");
        assertEquals(1, ex.size(), row.toString());
        JsonNode x = ex.get(0);
        List<String> omitted = new ArrayList<>();
        x.path("omitted").forEach(n -> omitted.add(n.asText()));
        assertTrue(omitted.containsAll(List.of("temperature", "top_p")), x.toString());
        assertEquals(REASONING_TOKENS, x.path("reasoning_tokens").asInt());
        assertEquals("stop", x.path("finish_reason").asText());
        assertEquals("The user wants one more request like theirs.", x.path("reasoning").asText());
        assertFalse(x.path("starved").asBoolean());
    }
}
