package ttsi.api.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import ttsi.api.Agent;
import ttsi.api.Answer;
import ttsi.api.Message;
import ttsi.api.Mode;
import ttsi.api.Request;
import ttsi.api.Tool;
import ttsi.api.ToolCall;

/**
 * A LangChain4j {@link ChatModel} over a ttsi {@link Agent}, in-process: an AI service with {@code @Tool}
 * methods gets its tool calls from the self-improving agent.
 *
 * <pre>{@code
 * ChatModel model = new TtsiChatModel(agent);
 * Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(new WeatherTools()).build();
 * }</pre>
 *
 * <p>Each {@link ChatRequest} becomes a {@link Request}: system, user, AI (text and tool execution requests) and
 * tool-result messages in order, and the request's {@link ToolSpecification}s as tools (their JSON schema as
 * {@link ToolSpecification#toJson()} writes it). The answer becomes an {@link AiMessage} with one
 * {@link ToolExecutionRequest} per call (ids {@code call_0}, {@code call_1}, ...; finish reason TOOL_EXECUTION),
 * or the model's text when it called nothing (finish reason STOP). A request needs at least one tool, as
 * {@link Agent#answer} does. Sampling parameters of the ChatRequest (temperature, max tokens, ...) are not used:
 * the agent's {@link ttsi.api.AgentOptions} decide. Requests are answered one at a time, as the agent answers them.
 *
 * <p>LangChain4j ({@code dev.langchain4j:langchain4j-core}, and {@code dev.langchain4j:langchain4j} for AI services)
 * is an optional dependency of ttsi-api: add it to your project to use this class.
 */
public final class TtsiChatModel implements ChatModel {
    private final String modelName;
    private final Function<Request, Answer> answerer;

    /** Answers in the agent's configured mode. */
    public TtsiChatModel(Agent agent) {
        this(Objects.requireNonNull(agent, "agent").modelId(), agent::answer);
    }

    /** Answers in the given mode. */
    public TtsiChatModel(Agent agent, Mode mode) {
        this(Objects.requireNonNull(agent, "agent").modelId(), r -> agent.answer(r, mode));
    }

    /** Any answerer (tests: a scripted one). */
    TtsiChatModel(String modelName, Function<Request, Answer> answerer) {
        this.modelName = modelName;
        this.answerer = answerer;
    }

    @Override
    public ChatResponse doChat(ChatRequest chatRequest) {
        Answer answer = answerer.apply(toRequest(chatRequest));
        AiMessage message = toAiMessage(answer);
        return ChatResponse.builder()
                .aiMessage(message)
                .modelName(modelName)
                .finishReason(message.hasToolExecutionRequests() ? FinishReason.TOOL_EXECUTION : FinishReason.STOP)
                .build();
    }

    // ---- mappings ----

    /** The ttsi request of a LangChain4j chat request: its messages in order and its tool specifications. */
    public static Request toRequest(ChatRequest chatRequest) {
        if (chatRequest == null) throw new IllegalArgumentException("chatRequest: must not be null");
        List<Message> messages = new ArrayList<>();
        List<ChatMessage> in = chatRequest.messages();
        for (int i = 0; i < in.size(); i++) messages.add(toMessage(in.get(i), "messages[" + i + "]"));
        List<Tool> tools = new ArrayList<>();
        List<ToolSpecification> specs = chatRequest.toolSpecifications();
        if (specs != null) for (ToolSpecification s : specs) tools.add(toTool(s));
        return Request.of(messages, tools);
    }

    /** A LangChain4j tool specification as a ttsi tool: name, description and the parameters' JSON schema. */
    public static Tool toTool(ToolSpecification spec) {
        // ToolSpecification.toJson() writes {"name", "description"?, "parameters"?: {"type": "object", "properties", "required"}}.
        return Tool.fromJson(spec.toJson());
    }

    /** The AI message of an answer: its tool calls as tool execution requests, else its text. */
    public static AiMessage toAiMessage(Answer answer) {
        if (!answer.hasToolCalls()) return AiMessage.from(answer.text());
        List<ToolExecutionRequest> requests = new ArrayList<>();
        for (int i = 0; i < answer.toolCalls().size(); i++) {
            ToolCall c = answer.toolCalls().get(i);
            requests.add(ToolExecutionRequest.builder().id("call_" + i).name(c.name()).arguments(c.arguments()).build());
        }
        return AiMessage.from(requests);
    }

    static Message toMessage(ChatMessage m, String where) {
        if (m instanceof SystemMessage s) return Message.system(s.text());
        if (m instanceof UserMessage u) return Message.user(userText(u, where));
        if (m instanceof AiMessage a) {
            List<ToolCall> calls = new ArrayList<>();
            if (a.hasToolExecutionRequests()) {
                for (ToolExecutionRequest r : a.toolExecutionRequests()) calls.add(ToolCall.of(r.name(), r.arguments()));
            }
            return Message.assistant(a.text(), calls);
        }
        if (m instanceof ToolExecutionResultMessage t) return Message.tool(t.text());
        throw new IllegalArgumentException(where + ": unsupported message type " + (m == null ? "null" : m.type()));
    }

    private static String userText(UserMessage u, String where) {
        if (u.hasSingleText()) return u.singleText();
        StringBuilder sb = new StringBuilder();
        for (Content c : u.contents()) {
            if (!(c instanceof TextContent t)) throw new IllegalArgumentException(where + ": only text content is supported, got " + c.type());
            sb.append(t.text());
        }
        return sb.toString();
    }
}
