package ttsi.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.json.Json;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.TokenLogprobs;
import ttsi.agent.tools.ToolSpec;
import ttsi.engine.model.Model;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/** The agent end to end on a tiny random model: the base answer, adaptation (self and teacher) and the reset. */
class AgentTest {
    @TempDir
    static Path root;
    static Path dir;

    static final Tool WEATHER = Tool.builder("get_weather").description("Weather forecast for a city")
            .parameter("city", "string", "city name", true).parameter("days", "integer", "how many days", false).build();
    static final Tool TIME = Tool.builder("get_time").description("Local time in a city").parameter("city", "string", "city name", true).build();

    static Request request() {
        return Request.builder().system("You are a helpful assistant.").user("What is the weather in Paris tomorrow?").tool(WEATHER).tool(TIME).build();
    }

    @BeforeAll
    static void model() throws Exception {
        dir = TinyModel.write(root);
    }

    /** The request as the method's types, built by hand (not through Agent.conversation / Agent.tools). */
    static List<ttsi.agent.tools.Message> messages() {
        return List.of(ttsi.agent.tools.Message.system("You are a helpful assistant."), ttsi.agent.tools.Message.user("What is the weather in Paris tomorrow?"));
    }

    static List<ToolSpec> specs() {
        return List.of(ToolSpec.fromJson(Json.parse(WEATHER.toJson())), ToolSpec.fromJson(Json.parse(TIME.toJson())));
    }

    /** A probe of the base weights: greedy text and the log-probabilities of two call prefixes. */
    record Probe(String text, List<double[]> logprobs) {
        static Probe of(EmbeddedModel m, int maxTokens) {
            String text = m.generate(messages(), specs(), GenerationOptions.greedy(maxTokens)).text();
            List<double[]> lps = new ArrayList<>();
            for (TokenLogprobs t : m.score(messages(), specs(), List.of("<tool_call>\n{\"name\": \"get_weather\"", "<tool_call>\n{\"name\": \"get_time\""))) {
                lps.add(t.logprobs());
            }
            return new Probe(text, lps);
        }

        void assertSameBits(Probe other) {
            assertEquals(text, other.text, "greedy output of the base model");
            for (int i = 0; i < logprobs.size(); i++) assertArrayEquals(logprobs.get(i), other.logprobs.get(i), 0.0, "log-probabilities, bit for bit");
        }
    }

    @Test
    void offAnswersWithTheBaseModelsGreedyGeneration() {
        Answer a;
        try (Agent agent = Agent.load(dir, AgentOptions.defaults().withMode(Mode.OFF))) {
            a = agent.answer(request());
        }
        String expected;
        try (EmbeddedModel m = new EmbeddedModel(Model.load(dir), LoraConfig.defaults(), TrainConfig.paperDefaults())) {
            expected = m.generate(messages(), specs(), GenerationOptions.greedy(512)).text();
        }
        assertFalse(expected.isEmpty());
        assertEquals(expected, a.text(), "TT-SI off: the base model's greedy answer");
        assertEquals(Mode.OFF, a.mode());
        assertFalse(a.adapted());
        assertEquals(Answer.Synthesis.none(), a.synthesis());
        assertTrue(a.losses().isEmpty());
        assertEquals(List.of("score", "answer"), List.copyOf(a.seconds().keySet()));
        // H is measured and reported in every mode
        Answer.Uncertainty u = a.uncertainty();
        assertEquals(List.of("get_weather", "get_time"), List.copyOf(u.probabilities().keySet()));
        assertEquals(1.0, u.probabilities().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
        assertEquals(0.95, u.tau(), "the project's default tau");
        assertTrue(u.margin() >= 0 && u.margin() <= 1, "margin " + u.margin());
        assertEquals(u.margin() < u.tau(), u.uncertain());
        assertTrue(u.probabilities().containsKey(u.topTool()));
        assertNull(u.reason());
        // the calls are the parse of the text
        assertEquals(ToolCall.parse(a.text(), List.of(WEATHER, TIME)), a.toolCalls());
        assertEquals(a.parseError() == null && !a.toolCalls().isEmpty(), a.hasToolCalls());
    }

    @Test
    void anAdapterIsMergedIntoTheModelTheAgentAnswersWith() throws Exception {
        // A PEFT adapter with non-zero B, so that it changes the model.
        Path adapter = root.resolve("adapter");
        try (Model m = Model.load(dir)) {
            ttsi.engine.train.LoraAdapter ad = ttsi.engine.train.LoraAdapter.create(m.config(), LoraConfig.defaults());
            java.util.SplittableRandom r = new java.util.SplittableRandom(4);
            for (var mod : ad.modules()) for (int i = 0; i < mod.b.length; i++) mod.b[i] = (float) (r.nextGaussian() * 0.5);
            ad.savePeft(adapter, dir.toString());
        }
        Answer a;
        try (Agent agent = Agent.load(dir, adapter, AgentOptions.defaults().withMode(Mode.OFF))) {
            a = agent.answer(request());
        }
        String expected;
        try (EmbeddedModel m = new EmbeddedModel(ttsi.engine.train.LoraMerge.load(dir, adapter), LoraConfig.defaults(), TrainConfig.paperDefaults())) {
            expected = m.generate(messages(), specs(), GenerationOptions.greedy(512)).text();
        }
        assertEquals(expected, a.text(), "the merged model's greedy answer");
        assertMessage("adapterFolder: ", () -> Agent.load(dir, root.resolve("no-such-adapter"), AgentOptions.defaults()));
    }

    @Test
    void forceAdaptsThenTheBaseWeightsAreBackBitForBit() {
        AgentOptions o = AgentOptions.defaults().withMode(Mode.FORCE).withSynthesisMaxTokens(48).withMaxTokens(48);
        try (Agent agent = Agent.load(dir, o)) {
            Probe before = Probe.of(agent.student(), 48);
            Answer a = agent.answer(request());
            assertEquals(Mode.FORCE, a.mode());
            Answer.Synthesis s = a.synthesis();
            assertTrue(s.ran(), "force always synthesizes");
            assertEquals("self", s.generator());
            assertEquals(s.attempts(), s.rawOutputs().size(), "every raw generation is kept");
            System.out.printf("force on the tiny model: adapted %s, %d pair(s), %d rejection(s) %s, losses %s%n", a.adapted(), s.pairs().size(),
                    s.rejections().size(), s.rejections(), a.losses());
            if (a.adapted()) {
                assertEquals(o.k(), s.pairs().size());
                assertEquals(o.training().epochs() * o.k(), a.losses().size());
                assertTrue(a.losses().stream().allMatch(Double::isFinite), "losses " + a.losses());
                assertTrue(a.seconds().containsKey("train"));
            } else {
                // a random model rarely writes a valid pair: every attempt is made and each rejection recorded
                assertTrue(s.pairs().isEmpty());
                assertEquals(o.maxAttempts(), s.attempts());
                assertFalse(s.rejections().isEmpty());
                assertTrue(a.losses().isEmpty());
            }
            Probe.of(agent.student(), 48).assertSameBits(before);
            assertEquals(before.text(), agent.answer(request(), Mode.OFF).text(), "the next request starts from the base weights");
            // FORCE adapts whatever H finds; AUTO only when H finds the request uncertain (same H, same verdict)
            Answer auto = agent.answer(request(), Mode.AUTO);
            assertEquals(a.uncertainty(), auto.uncertainty());
            assertEquals(auto.uncertainty().uncertain(), auto.synthesis().ran());
            assertFalse(a.uncertainty().uncertain(), "the tiny model is sure of get_weather (margin " + a.uncertainty().margin() + "), yet FORCE synthesized");
        }
    }

    static final String PAIR = "[{\"query\": \"How warm is it in Rome?\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}]}]";

    /** An OpenAI-compatible teacher that writes one valid pair for any request. */
    static final class StubTeacher implements AutoCloseable {
        final HttpServer server;
        final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        final List<String> bodies = Collections.synchronizedList(new ArrayList<>());

        StubTeacher() throws Exception {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            server.setExecutor(executor);
            server.createContext("/", ex -> {
                try (ex) {
                    bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                    ObjectNode r = Json.object();
                    r.put("id", "chatcmpl-1");
                    r.put("object", "chat.completion");
                    ObjectNode choice = r.putArray("choices").addObject();
                    choice.put("index", 0);
                    choice.putObject("message").put("role", "assistant").put("content", PAIR);
                    choice.put("finish_reason", "stop");
                    byte[] out = Json.compact(r).getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().add("Content-Type", "application/json");
                    ex.sendResponseHeaders(200, out.length);
                    try (OutputStream os = ex.getResponseBody()) {
                        os.write(out);
                    }
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    @Test
    void teacherPairsAreTrainedOnAndTheBaseIsRestored() throws Exception {
        try (StubTeacher teacher = new StubTeacher()) {
            // tau 1: every request with two or more tools is uncertain, so AUTO adapts (TT-D)
            // lr 5e-2 (not the paper's 1e-4) so that five steps visibly change the tiny model's answer
            AgentOptions o = AgentOptions.defaults().withTau(1.0).withTeacher(teacher.url(), "stub-teacher").withMaxTokens(48).withLearningRate(5e-2);
            try (Agent agent = Agent.load(dir, o)) {
                Probe before = Probe.of(agent.student(), 48);
                Answer a = agent.answer(request());
                assertTrue(a.uncertainty().uncertain());
                assertTrue(a.adapted(), "a valid teacher pair is trained on");
                assertEquals("teacher", a.synthesis().generator());
                assertEquals(List.of(new Answer.SyntheticPair("How warm is it in Rome?", List.of(ToolCall.of("get_weather", "{\"city\": \"Rome\"}")))),
                        a.synthesis().pairs());
                assertEquals(List.of(PAIR), a.synthesis().rawOutputs());
                assertEquals(TrainConfig.paperDefaults().epochs(), a.losses().size(), "5 epochs x 1 pair, batch 1");
                assertTrue(a.losses().stream().allMatch(l -> Double.isFinite(l) && l > 0), "losses " + a.losses());
                assertEquals(List.of("score", "synthesize", "train", "answer"), List.copyOf(a.seconds().keySet()));
                assertTrue(a.seconds().values().stream().allMatch(t -> t >= 0));
                assertFalse(before.text().equals(a.text()), "the adapted model answers differently from the base model");
                Probe.of(agent.student(), 48).assertSameBits(before);
                assertEquals(before.text(), agent.answer(request(), Mode.OFF).text());
            }
            assertEquals(1, teacher.bodies.size());
            assertTrue(teacher.bodies.getFirst().contains("\"stub-teacher\""), "the teacher model is named in the request");
            assertTrue(teacher.bodies.getFirst().contains("get_weather"), "the teacher sees the request's tools");
            assertFalse(teacher.bodies.getFirst().contains("Rome"), "no gold answer, only the input");
            assertFalse(teacher.bodies.getFirst().contains("You are a helpful assistant."), "the system prompt stays here");
        }
    }

    @Test
    void forceWithATeacherAdaptsOnItsPairWhateverHFinds() throws Exception {
        try (StubTeacher teacher = new StubTeacher()) {
            // tau 0: no request is uncertain, so AUTO never adapts; FORCE adapts on the teacher's pair (a forced TT-D)
            AgentOptions o = AgentOptions.defaults().withTau(0).withTeacher(teacher.url(), "stub-teacher").withMaxTokens(16).withMode(Mode.FORCE);
            try (Agent agent = Agent.load(dir, o)) {
                Answer auto = agent.answer(request(), Mode.AUTO);
                assertFalse(auto.uncertainty().uncertain());
                assertFalse(auto.adapted());
                assertFalse(auto.synthesis().ran());
                assertEquals(0, teacher.bodies.size());
                Answer forced = agent.answer(request());
                assertEquals(Mode.FORCE, forced.mode());
                assertFalse(forced.uncertainty().uncertain());
                assertTrue(forced.adapted());
                assertEquals("teacher", forced.synthesis().generator());
                assertEquals(List.of("score", "synthesize", "train", "answer"), List.copyOf(forced.seconds().keySet()));
                assertEquals(1, teacher.bodies.size());
            }
        }
    }

    @Test
    void concurrentCallersAreAnsweredOneAtATime() throws Exception {
        try (Agent agent = Agent.load(dir, AgentOptions.defaults().withMode(Mode.OFF).withMaxTokens(16));
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            String alone = agent.answer(request()).text();
            List<Future<String>> fs = new ArrayList<>();
            for (int i = 0; i < 4; i++) fs.add(pool.submit(() -> agent.answer(request()).text()));
            for (Future<String> f : fs) assertEquals(alone, f.get());
            agent.close();
            assertThrows(IllegalStateException.class, () -> agent.answer(request()));
        }
    }

    @Test
    void theRequestBecomesTheMethodsInputInOrderWithNoGold() {
        Request r = Request.builder().system("Be brief.").user("What time is it in Oslo?")
                .message(Message.assistant("", List.of(ToolCall.of("get_time", "{\"city\": \"Oslo\"}"))))
                .message(Message.tool("{\"time\": \"12:00\"}")).user("And the weather there?").tool(WEATHER).tool(TIME).build();
        var conversation = Agent.conversation(r);
        var tools = Agent.tools(r);
        assertEquals(List.of("system", "user", "assistant", "tool", "user"), conversation.stream().map(ttsi.agent.tools.Message::role).toList());
        assertEquals(List.of("Be brief.", "What time is it in Oslo?", "", "{\"time\": \"12:00\"}", "And the weather there?"),
                conversation.stream().map(ttsi.agent.tools.Message::content).toList());
        var call = conversation.get(2).toolCalls();
        assertEquals(1, call.size());
        assertEquals("get_time", call.getFirst().name());
        assertEquals(Json.parse("{\"city\": \"Oslo\"}"), call.getFirst().arguments());
        assertEquals(List.of("get_weather", "get_time"), tools.stream().map(ToolSpec::name).toList());
        for (int i = 0; i < 2; i++) {
            Tool t = r.tools().get(i);
            assertEquals(t.description(), tools.get(i).description());
            assertEquals(Json.parse(t.parameters()), tools.get(i).parameters(), "the JSON schema unchanged");
        }
        assertEquals(Json.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"description\":\"city name\"},"
                + "\"days\":{\"type\":\"integer\",\"description\":\"how many days\"}},\"required\":[\"city\"]}"), Json.parse(WEATHER.parameters()));
        var input = new ttsi.agent.method.TestTimeMethod(null, null, ttsi.agent.method.TestTimeMethod.Config.defaults(ttsi.agent.method.Variant.BASE)).input(conversation, tools);
        assertTrue(input.gold().isEmpty(), "a request has no gold answer");
        assertEquals("And the weather there?", input.conversation().getLast().content());
    }

    @Test
    void openAiJsonReadsToTheSameRequest() {
        String json = """
                {"model": "ignored",
                 "messages": [{"role": "system", "content": "You are a helpful assistant."},
                              {"role": "user", "content": [{"type": "text", "text": "What is the weather in Paris tomorrow?"}]}],
                 "tools": [%s, %s]}""".formatted(WEATHER.toJson(), TIME.toJson());
        assertEquals(request(), Request.fromJson(json));
        assertEquals(WEATHER, Tool.fromJson(WEATHER.toJson()));
        assertEquals(WEATHER, Tool.fromJson(Json.compact(Json.parse(WEATHER.toJson()).get("function"))), "the bare function object");
        assertEquals(List.of(WEATHER, TIME), Tool.listFromJson("{\"tools\": [" + WEATHER.toJson() + ", " + TIME.toJson() + "]}"));
        Request withCalls = Request.fromJson("""
                {"messages": [{"role": "user", "content": "Time in Oslo?"},
                              {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
                                  "function": {"name": "get_time", "arguments": "{\\"city\\": \\"Oslo\\"}"}}]},
                              {"role": "tool", "tool_call_id": "c1", "content": "12:00"}],
                 "tools": [%s]}""".formatted(TIME.toJson()));
        assertEquals(List.of(ToolCall.of("get_time", "{\"city\":\"Oslo\"}")), withCalls.messages().get(1).toolCalls());
        assertEquals("12:00", withCalls.messages().get(2).content());
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        assertMessage("tools:", () -> Request.builder().user("hi").build());
        assertMessage("tools: a request needs at least one tool", () -> Request.fromJson("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"));
        assertMessage("Tool.name", () -> Tool.builder(" ").build());
        assertMessage("Tool.name", () -> new Tool(null, "d", null));
        assertMessage("tools[1].function.name: missing", () -> Tool.listFromJson("[" + WEATHER.toJson() + ", {\"type\": \"function\", \"function\": {\"description\": \"x\"}}]"));
        assertMessage("tools[0].name: missing", () -> Request.fromJson("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": [{\"description\": \"x\"}]}"));
        assertMessage("tools[1].name: 'get_weather' is already the name of tools[0]", () -> Request.builder().user("hi").tool(WEATHER).tool(WEATHER).build());
        assertMessage("messages: a request needs at least one message", () -> Request.of(List.of(), List.of(WEATHER)));
        assertMessage("messages: a request needs at least one user message", () -> Request.of(List.of(Message.system("s")), List.of(WEATHER)));
        assertMessage("messages[0].role", () -> Request.fromJson("{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}], \"tools\": [" + WEATHER.toJson() + "]}"));
        assertMessage("Message.toolCalls", () -> new Message("user", "x", List.of(ToolCall.of("f", "{}"))));
        assertMessage("ToolCall.arguments", () -> ToolCall.of("f", "[1, 2]"));
        assertMessage("Tool.parameters (of f).required: 'x' is not one of the properties", () -> Tool.of("f", "", "{\"type\": \"object\", \"properties\": {}, \"required\": [\"x\"]}"));
        assertMessage("Tool.parameters (of f).type", () -> Tool.of("f", "", "{\"type\": \"string\"}"));
        assertMessage("tau:", () -> AgentOptions.defaults().withTau(1.5));
        assertMessage("k:", () -> AgentOptions.defaults().withK(0));
        assertMessage("mode:", () -> Mode.of("sometimes"));
        Path missing = root.resolve("no-such-model");
        assertMessage("modelFolder: " + missing + " does not exist", () -> Agent.load(missing));
        assertMessage("modelFolder: " + root.resolve("tokenizer") + " has no config.json", () -> Agent.load(root.resolve("tokenizer")));
        assertMessage("modelFolder: must not be null", () -> Agent.load(null));
        try (Agent agent = Agent.load(dir, AgentOptions.defaults().withMode(Mode.OFF).withMaxTokens(4))) {
            assertMessage("request: must not be null", () -> agent.answer(null));
        }
    }

    static void assertMessage(String start, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().startsWith(start), "expected a message starting with [" + start + "], got [" + x.getMessage() + "]");
    }

    @Test
    void defaultsAreTheProjects() {
        AgentOptions d = AgentOptions.defaults();
        var m = ttsi.agent.method.TestTimeMethod.Config.defaults(ttsi.agent.method.Variant.TT_SI);
        assertEquals(Mode.AUTO, d.mode());
        assertEquals(ttsi.agent.method.UncertaintyEstimator.Options.defaults().tau(), d.tau());
        assertEquals(ttsi.agent.method.DataSynthesizer.Options.defaults().k(), d.k());
        assertEquals(ttsi.agent.method.DataSynthesizer.Options.defaults().maxAttempts(), d.maxAttempts());
        assertEquals(LoraConfig.defaults(), d.lora());
        assertEquals(TrainConfig.paperDefaults(), d.training());
        assertNull(d.teacher());
        // the method configuration the agent hands to TestTimeMethod is the method's own default for each mode
        assertEquals(ttsi.agent.method.TestTimeMethod.Config.defaults(ttsi.agent.method.Variant.TT_SI), d.methodConfig(Mode.AUTO));
        assertEquals(ttsi.agent.method.TestTimeMethod.Config.defaults(ttsi.agent.method.Variant.BASE), d.methodConfig(Mode.OFF));
        assertEquals(ttsi.agent.method.TestTimeMethod.Config.defaults(ttsi.agent.method.Variant.ALL), d.methodConfig(Mode.FORCE));
        AgentOptions t = d.withTeacher("http://127.0.0.1:1/v1", "t");
        assertEquals(ttsi.agent.method.Variant.TT_D.plan, t.methodConfig(Mode.AUTO).plan());
        // force with a teacher: every request, teacher-written (a forced TT-D)
        ttsi.agent.method.Plan forced = t.methodConfig(Mode.FORCE).plan();
        assertEquals(ttsi.agent.method.Plan.Selection.ALL, forced.selection());
        assertEquals(ttsi.agent.method.Plan.Data.TEACHER, forced.data());
        assertTrue(forced.trains());
        // as ttsi run builds them: --rank/--alpha and --epochs/--lr
        assertEquals(new LoraConfig(4, 8, 0.0, false, LoraConfig.ALL_LINEAR, 0), d.withRank(4, 8).lora());
        assertEquals(TrainConfig.paperDefaults().withEpochs(2).withLearningRate(1e-3), d.withEpochs(2).withLearningRate(1e-3).training());
        assertEquals(m.answering().maxTokens(), d.maxTokens());
    }

    @Test
    void publicSignaturesHaveNoBenchmarkTypes() {
        for (Class<?> c : List.of(Agent.class, AgentOptions.class, Answer.class, Answer.Uncertainty.class, Answer.Synthesis.class,
                Answer.SyntheticPair.class, Request.class, Request.Builder.class, Message.class, Tool.class, Tool.Builder.class,
                ToolCall.class, Mode.class, Teacher.class)) {
            for (var m : c.getMethods()) {
                List<Class<?>> types = new ArrayList<>(List.of(m.getParameterTypes()));
                types.add(m.getReturnType());
                for (Class<?> t : types) {
                    String n = t.getName();
                    assertFalse(n.startsWith("ttsi.agent.tools.") || n.startsWith("ttsi.agent.method.") || n.startsWith("ttsi.bench."),
                            c.getSimpleName() + "." + m.getName() + " exposes " + n);
                }
            }
        }
    }
}
