package ttsi.api.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.json.Json;
import ttsi.api.Agent;
import ttsi.api.AgentOptions;
import ttsi.api.Answer;
import ttsi.api.Message;
import ttsi.api.Mode;
import ttsi.api.Request;
import ttsi.api.TinyModel;
import ttsi.api.Tool;
import ttsi.api.ToolCall;

/** The LangChain4j adapter: ChatRequest → ttsi request, answer → AiMessage, and an AI service with @Tool methods. */
class TtsiChatModelTest {
    @TempDir
    static Path root;
    static Path dir;

    @BeforeAll
    static void model() throws Exception {
        dir = TinyModel.write(root);
    }

    // ---- the LangChain4j example of api/README.md (begin) ----
    interface Assistant {
        String chat(String userMessage);
    }

    static class WeatherTools {
        @dev.langchain4j.agent.tool.Tool("Weather forecast for a city")
        String getWeather(@P(name = "city", value = "city name") String city) {
            return "sunny, 24 degrees";
        }
    }

    static void readmeExample(Path modelFolder) {
        try (Agent agent = Agent.load(modelFolder)) {
            Assistant assistant = AiServices.builder(Assistant.class)
                    .chatModel(new TtsiChatModel(agent))
                    .tools(new WeatherTools())
                    .build();
            System.out.println(assistant.chat("What's the weather in Paris?"));
        }
    }
    // ---- (end) ----

    /** WeatherTools that records each call. */
    static class RecordingWeatherTools {
        final List<String> cities = Collections.synchronizedList(new ArrayList<>());

        @dev.langchain4j.agent.tool.Tool("Weather forecast for a city")
        String getWeather(@P(name = "city", value = "city name") String city) {
            cities.add(city);
            return "sunny, 24 degrees";
        }
    }

    static final String WEATHER_SCHEMA =
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"description\":\"city name\"}},\"required\":[\"city\"]}";

    static Answer answer(String text, List<Tool> tools) {
        List<ToolCall> calls = ToolCall.parse(text, tools);
        return new Answer(calls, text, null, Mode.OFF, new Answer.Uncertainty(1, 0.95, false, Map.of(), Map.of(), null, "scripted"), false,
                Answer.Synthesis.none(), List.of(), Map.of());
    }

    @Test
    void toolSpecificationsBecomeToolsWithTheSameNamesAndSchemas() {
        List<ToolSpecification> specs = ToolSpecifications.toolSpecificationsFrom(new WeatherTools());
        assertEquals(1, specs.size());
        Tool t = TtsiChatModel.toTool(specs.getFirst());
        assertEquals("getWeather", t.name());
        assertEquals("Weather forecast for a city", t.description());
        assertEquals(Json.parse(WEATHER_SCHEMA), Json.parse(t.parameters()));

        ToolSpecification built = ToolSpecification.builder().name("get_time").description("Local time")
                .parameters(JsonObjectSchema.builder().addStringProperty("city", "city name").addEnumProperty("format", List.of("12h", "24h"))
                        .required("city").build()).build();
        assertEquals(Json.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"description\":\"city name\"},"
                + "\"format\":{\"type\":\"string\",\"enum\":[\"12h\",\"24h\"]}},\"required\":[\"city\"]}"), Json.parse(TtsiChatModel.toTool(built).parameters()));
        Tool none = TtsiChatModel.toTool(ToolSpecification.builder().name("ping").build());
        assertEquals("ping", none.name());
        assertEquals(Json.parse("{\"type\":\"object\",\"properties\":{}}"), Json.parse(none.parameters()));
    }

    @Test
    void chatRequestMessagesKeepTheirOrderAndCalls() {
        ToolSpecification spec = ToolSpecifications.toolSpecificationsFrom(new WeatherTools()).getFirst();
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("c1").name("getWeather").arguments("{\"city\": \"Paris\"}").build();
        ChatRequest cr = ChatRequest.builder().messages(SystemMessage.from("Be brief."), UserMessage.from("Weather in Paris?"),
                AiMessage.from(call), ToolExecutionResultMessage.from(call, "sunny"), UserMessage.from("Thanks. And Rome?"))
                .toolSpecifications(spec).build();
        Request r = TtsiChatModel.toRequest(cr);
        assertEquals(List.of(Message.system("Be brief."), Message.user("Weather in Paris?"),
                Message.assistant("", List.of(ToolCall.of("getWeather", "{\"city\":\"Paris\"}"))), Message.tool("sunny"),
                Message.user("Thanks. And Rome?")), r.messages());
        assertEquals(List.of(TtsiChatModel.toTool(spec)), r.tools());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TtsiChatModel.toRequest(ChatRequest.builder().messages(UserMessage.from("hi")).build()));
        assertTrue(e.getMessage().startsWith("tools:"), e.getMessage());
    }

    @Test
    void aToolCallInTheChatTemplatesFormatBecomesAToolExecutionRequest() {
        List<Tool> tools = List.of(TtsiChatModel.toTool(ToolSpecifications.toolSpecificationsFrom(new WeatherTools()).getFirst()));
        // the text the model's own chat template makes of a call: what a model trained on it writes
        String output;
        try (EmbeddedModel m = EmbeddedModel.load(dir)) {
            var spec = ttsi.agent.tools.ToolSpec.fromJson(Json.parse(tools.getFirst().toJson()));
            output = m.assistantText(List.of(ttsi.agent.tools.Message.user("Weather in Paris?")), List.of(spec),
                    ttsi.agent.tools.Message.assistantCalls("", List.of(ttsi.agent.tools.ToolCall.of("getWeather", Map.of("city", "Paris")))));
        }
        assertTrue(output.contains("<tool_call>"), output);
        AiMessage ai = TtsiChatModel.toAiMessage(answer(output, tools));
        assertTrue(ai.hasToolExecutionRequests());
        assertEquals(1, ai.toolExecutionRequests().size());
        ToolExecutionRequest r = ai.toolExecutionRequests().getFirst();
        assertEquals("call_0", r.id());
        assertEquals("getWeather", r.name());
        assertEquals(Json.parse("{\"city\": \"Paris\"}"), Json.parse(r.arguments()));

        AiMessage text = TtsiChatModel.toAiMessage(answer("It is sunny in Paris.", tools));
        assertFalse(text.hasToolExecutionRequests());
        assertEquals("It is sunny in Paris.", text.text());
    }

    @Test
    void anAiServiceRunsItsToolThroughTheAdapter() {
        List<Request> seen = new ArrayList<>();
        Function<Request, Answer> scripted = r -> {
            seen.add(r);
            return seen.size() == 1
                    ? answer("<tool_call>\n{\"name\": \"getWeather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", r.tools())
                    : answer("It is sunny in Paris.", r.tools());
        };
        RecordingWeatherTools tools = new RecordingWeatherTools();
        Assistant assistant = AiServices.builder(Assistant.class).chatModel(new TtsiChatModel("scripted", scripted)).tools(tools).build();
        assertEquals("It is sunny in Paris.", assistant.chat("What's the weather in Paris?"));
        assertEquals(List.of("Paris"), tools.cities, "the @Tool method ran with the call's argument");
        assertEquals(2, seen.size());
        for (Request r : seen) {
            assertEquals(List.of("getWeather"), r.tools().stream().map(Tool::name).toList());
            assertEquals(Json.parse(WEATHER_SCHEMA), Json.parse(r.tools().getFirst().parameters()));
        }
        assertEquals(List.of(Message.user("What's the weather in Paris?")), seen.get(0).messages());
        List<Message> second = seen.get(1).messages();
        assertEquals(List.of("user", "assistant", "tool"), second.stream().map(Message::role).toList());
        assertEquals(List.of(ToolCall.of("getWeather", "{\"city\":\"Paris\"}")), second.get(1).toolCalls());
        assertEquals("sunny, 24 degrees", second.get(2).content());
    }

    @Test
    void theTinyAgentAnswersAnAiService() {
        List<Request> seen = new ArrayList<>();
        List<Answer> answers = new ArrayList<>();
        try (Agent agent = Agent.load(dir, AgentOptions.defaults().withMaxTokens(32))) {
            Function<Request, Answer> capture = r -> {
                seen.add(r);
                Answer a = agent.answer(r);
                answers.add(a);
                return a;
            };
            TtsiChatModel model = new TtsiChatModel(agent.modelId(), capture);
            Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(new WeatherTools()).build();
            String reply = assistant.chat("What's the weather in Paris?");
            assertNotNull(reply);
            assertEquals(1, seen.size(), "a random model calls nothing: one round");
            assertEquals(List.of(Message.user("What's the weather in Paris?")), seen.getFirst().messages());
            assertEquals(List.of("getWeather"), seen.getFirst().tools().stream().map(Tool::name).toList());
            assertEquals(answers.getFirst().text(), reply, "the model's text is the service's reply");
            assertEquals("single tool", answers.getFirst().uncertainty().reason(), "one tool: certain, as in the paper");

            ChatResponse direct = new TtsiChatModel(agent, Mode.OFF).chat(ChatRequest.builder().messages(UserMessage.from("What's the weather in Paris?"))
                    .toolSpecifications(ToolSpecifications.toolSpecificationsFrom(new WeatherTools())).build());
            assertEquals(reply, direct.aiMessage().text());
            assertEquals(FinishReason.STOP, direct.finishReason());
            assertEquals(agent.modelId(), direct.modelName());
        }
    }

    @Test
    void theReadmeExampleRuns() {
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            readmeExample(dir);
        } finally {
            System.setOut(stdout);
        }
        // a random model writes no call: the service's reply is the agent's greedy text, as the agent alone answers it
        String expected;
        try (Agent agent = Agent.load(dir)) {
            expected = agent.answer(Request.builder().user("What's the weather in Paris?")
                    .tool(TtsiChatModel.toTool(ToolSpecifications.toolSpecificationsFrom(new WeatherTools()).getFirst())).build()).text();
        }
        assertEquals(expected + System.lineSeparator(), out.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
}
