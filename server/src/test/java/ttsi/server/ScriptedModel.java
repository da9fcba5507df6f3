package ttsi.server;

import java.util.List;
import java.util.function.BiFunction;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationListener;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.model.TokenChoice;
import ttsi.agent.tools.ChatToolPrompt;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;

/**
 * A model that answers with scripted text (a function of the conversation and tools), streamed in small pieces:
 * for testing what a real model would emit (tool calls, synthetic data) without training one.
 */
final class ScriptedModel implements LanguageModel {
    private final BiFunction<List<Message>, List<ToolSpec>, String> script;
    private final long pieceMillis;
    /** Pieces generated so far, over all calls (tests watch cancellation through it). */
    final java.util.concurrent.atomic.AtomicInteger generated = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

    ScriptedModel(BiFunction<List<Message>, List<ToolSpec>, String> script) {
        this(script, 0);
    }

    /** pieceMillis: a pause before each piece, as a slow model would take. */
    ScriptedModel(BiFunction<List<Message>, List<ToolSpec>, String> script, long pieceMillis) {
        this.script = script;
        this.pieceMillis = pieceMillis;
    }

    /** Answers "x" repeated n times, slowly. */
    static ScriptedModel slow(int n, long pieceMillis) {
        return new ScriptedModel((m, t) -> "xxxx".repeat(n), pieceMillis);
    }

    /** Calls the first tool with {"location": <last user text>} in Qwen's format when tools are offered, else echoes. */
    static ScriptedModel toolCaller() {
        return new ScriptedModel((messages, tools) -> {
            String last = messages.getLast().content();
            if (tools.isEmpty()) return "You said: " + last;
            return "<tool_call>\n{\"name\": \"" + tools.getFirst().name() + "\", \"arguments\": {\"location\": \"" + last.replace("\"", "'") + "\"}}\n</tool_call>";
        });
    }

    @Override
    public String id() {
        return "scripted";
    }

    @Override
    public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions options) {
        return generate(messages, tools, "", options, -1, null);
    }

    @Override
    public Completion generate(List<Message> messages, List<ToolSpec> tools, String prefill, GenerationOptions o, int topLogprobs,
                               GenerationListener listener) {
        calls.incrementAndGet();
        String text = script.apply(messages, tools);
        if (!prefill.isEmpty() && text.startsWith(prefill)) text = text.substring(prefill.length());
        int n = 0;
        StringBuilder out = new StringBuilder();
        String finish = "stop";
        for (int i = 0; i < text.length(); i += 4) {
            if (n == o.maxTokens()) {
                finish = "length";
                break;
            }
            String piece = text.substring(i, Math.min(text.length(), i + 4));
            if (pieceMillis > 0) {
                try {
                    Thread.sleep(pieceMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RuntimeException(e);
                }
            }
            n++;
            generated.incrementAndGet();
            if (listener != null && !listener.token(new TokenChoice(n, piece, topLogprobs < 0 ? Double.NaN : -0.5, List.of()))) {
                finish = "cancelled";
                break;
            }
            out.append(piece);
            if (listener != null) listener.text(piece);
        }
        return new Completion(out.toString(), finish, promptTokens(messages, tools, prefill), n, 0);
    }

    @Override
    public int contextLength() {
        return 4096;
    }

    @Override
    public int promptTokens(List<Message> messages, List<ToolSpec> tools, String prefill) {
        return (ChatToolPrompt.chatJson(messages, tools).toString().length() + prefill.length()) / 4 + 1;
    }

    @Override
    public String assistantText(List<Message> messages, List<ToolSpec> tools, Message answer) {
        return (answer.hasToolCalls() ? PromptFormat.nativeAnswerText(answer.toolCalls()) : answer.content()) + "<|im_end|>\n";
    }
}
