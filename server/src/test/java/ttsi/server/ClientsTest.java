package ttsi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import ttsi.agent.json.Json;

/** ttsi serve driven by real third-party clients: the official OpenAI Java SDK and LangChain4j's OpenAI chat model. */
@Timeout(120)
class ClientsTest {
    static TtsiServer server;
    static String baseUrl;

    @BeforeAll
    static void start() throws Exception {
        server = new TtsiServer(ServeOptions.defaults(0, "scripted"), ScriptedModel.toolCaller(), null).start();
        baseUrl = server.baseUrl();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static OpenAIClient sdk() {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey("unused").maxRetries(0).timeout(Duration.ofSeconds(60)).build();
    }

    static ChatCompletionFunctionTool weatherTool() {
        return ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather").description("Current weather of a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("location", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("location")))
                        .build())
                .build()).build();
    }

    @Test
    void openAiSdkGetsToolCalls() {
        OpenAIClient client = sdk();
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("scripted").addUserMessage("Paris").addTool(weatherTool()).temperature(0.0).build());
        var choice = c.choices().getFirst();
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        assertTrue(choice.message().content().isEmpty());
        List<com.openai.models.chat.completions.ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
        assertEquals(1, calls.size());
        ChatCompletionMessageFunctionToolCall call = calls.getFirst().asFunction();
        assertEquals("get_weather", call.function().name());
        assertEquals("Paris", Json.parse(call.function().arguments()).get("location").asText());
        assertTrue(call.id().startsWith("call_"));
        assertTrue(c.usage().orElseThrow().completionTokens() > 0);
        // the TT-SI report rides along as an extra field the SDK keeps but does not need
        assertTrue(c._additionalProperties().containsKey("ttsi"), c._additionalProperties().toString());
        c.validate();
    }

    @Test
    void openAiSdkStreamsToolCallsAndText() {
        OpenAIClient client = sdk();
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                .model("scripted").addUserMessage("Oslo").addTool(weatherTool())
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build())) {
            s.stream().forEach(acc::accumulate);
        }
        ChatCompletion c = acc.chatCompletion();
        var call = c.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
        assertEquals("get_weather", call.function().name());
        assertEquals("Oslo", Json.parse(call.function().arguments()).get("location").asText());
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, c.choices().getFirst().finishReason());

        ChatCompletionAccumulator text = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                .model("scripted").addUserMessage("hello").build())) {
            s.stream().forEach(text::accumulate);
        }
        assertEquals("You said: hello", text.chatCompletion().choices().getFirst().message().content().orElseThrow());
    }

    @Test
    void openAiSdkSeesErrors() {
        OpenAIClient client = sdk();
        NotFoundException e = assertThrows(NotFoundException.class, () -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o").addUserMessage("hi").build()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertEquals(1, client.models().list().data().size());
    }

    static ToolSpecification lcTool() {
        return ToolSpecification.builder().name("get_weather").description("Current weather of a city")
                .parameters(JsonObjectSchema.builder().addStringProperty("location", "the city").required("location").build()).build();
    }

    @Test
    void langChain4jGetsToolExecutionRequests() {
        OpenAiChatModel lc = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey("unused").modelName("scripted").temperature(0.0)
                .maxRetries(0).timeout(Duration.ofSeconds(60)).build();
        ChatResponse r = lc.chat(ChatRequest.builder().messages(UserMessage.from("Rome")).toolSpecifications(lcTool()).build());
        AiMessage ai = r.aiMessage();
        assertTrue(ai.hasToolExecutionRequests());
        ToolExecutionRequest req = ai.toolExecutionRequests().getFirst();
        assertEquals("get_weather", req.name());
        assertEquals("Rome", Json.parse(req.arguments()).get("location").asText());
        // a second turn with the tool's result goes through the template (the scripted model echoes the last text)
        ChatResponse r2 = lc.chat(ChatRequest.builder().messages(UserMessage.from("Rome"), ai,
                ToolExecutionResultMessage.from(req, "sunny, 24 C")).build());
        assertEquals("You said: sunny, 24 C", r2.aiMessage().text());
        assertFalse(r2.aiMessage().hasToolExecutionRequests());
    }

    @Test
    void langChain4jStreams() throws Exception {
        OpenAiStreamingChatModel lc = OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey("unused").modelName("scripted")
                .timeout(Duration.ofSeconds(60)).build();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        StringBuilder partial = new StringBuilder();
        lc.chat(ChatRequest.builder().messages(UserMessage.from("Lima")).toolSpecifications(lcTool()).build(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String s) {
                partial.append(s);
            }

            @Override
            public void onCompleteResponse(ChatResponse r) {
                done.complete(r);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        ToolExecutionRequest req = r.aiMessage().toolExecutionRequests().getFirst();
        assertEquals("get_weather", req.name());
        assertEquals("Lima", Json.parse(req.arguments()).get("location").asText());
        assertEquals("", partial.toString()); // tool-call text is never streamed as content
    }
}
