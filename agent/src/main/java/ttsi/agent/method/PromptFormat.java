package ttsi.agent.method;

import java.util.ArrayList;
import java.util.List;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.tools.BenchmarkPrompt;
import ttsi.agent.tools.ChatToolPrompt;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;

/**
 * How a sample is put to the model and what its answer looks like. Two formats: the model's own chat template
 * with tools ({@link #NATIVE}, e.g. Qwen2.5's {@code <tool_call>} blocks) and the JSON-list format of the
 * processed benchmark sets ({@link #JSON_LIST}). One place renders each.
 */
public interface PromptFormat {

    /** A worked example shown in the prompt (ICL) or trained on. */
    record Demo(List<Message> conversation, List<ToolCall> calls) {}

    String name();

    /** The messages the model sees; demos (may be empty) are shown before the conversation. */
    List<Message> messages(List<Message> conversation, List<ToolSpec> tools, List<Demo> demos);

    /** The tools handed to the chat template (empty when the prompt text lists them itself). */
    List<ToolSpec> templateTools(List<ToolSpec> tools);

    /** The assistant turn that makes these calls. */
    Message answer(List<ToolCall> calls);

    /** An answer as the model writes it and where in it the first call's tool name sits: chars [nameStart, nameEnd). */
    record NamedCall(String text, int nameStart, int nameEnd) {}

    /**
     * The whole answer (the text after the generation prompt) whose one call names the tool, with no arguments:
     * the uncertainty estimator scores the tokens of it that cover the name and the char after it (the closing quote).
     */
    NamedCall namedCall(LanguageModel model, List<Message> messages, List<ToolSpec> tools, String toolName);

    /** The start of that answer up to and including the character after the name (a prefill that forces the tool). */
    default String callPrefix(LanguageModel model, List<Message> messages, List<ToolSpec> tools, String toolName) {
        NamedCall c = namedCall(model, messages, tools, toolName);
        return c.text().substring(0, Math.min(c.text().length(), c.nameEnd() + 1));
    }

    static PromptFormat of(String name) {
        return switch (name) {
            case "native", "chat" -> NATIVE;
            case "json", "json-list" -> JSON_LIST;
            default -> throw new IllegalArgumentException("unknown prompt format '" + name + "' (expected native or json-list)");
        };
    }

    /**
     * The model's own chat template with tools; demos become earlier user/assistant turns, after the conversation's
     * system prompt (a chat template reads only a first message as the system turn).
     */
    PromptFormat NATIVE = new PromptFormat() {
        @Override
        public String name() {
            return "native";
        }

        @Override
        public List<Message> messages(List<Message> conversation, List<ToolSpec> tools, List<Demo> demos) {
            int system = 0;
            while (system < conversation.size() && conversation.get(system).role().equals(Message.SYSTEM)) system++;
            List<Message> out = new ArrayList<>(conversation.subList(0, system));
            for (Demo d : demos) {
                out.addAll(d.conversation());
                out.add(answer(d.calls()));
            }
            out.addAll(conversation.subList(system, conversation.size()));
            return out;
        }

        @Override
        public List<ToolSpec> templateTools(List<ToolSpec> tools) {
            return tools;
        }

        @Override
        public Message answer(List<ToolCall> calls) {
            return calls.isEmpty() ? Message.assistant("") : Message.assistantCalls("", calls);
        }

        @Override
        public NamedCall namedCall(LanguageModel model, List<Message> messages, List<ToolSpec> tools, String toolName) {
            String text = model.assistantText(messages, tools, answer(List.of(ToolCall.of(toolName))));
            int at = text.indexOf("\"" + toolName + "\"");
            at = at >= 0 ? at + 1 : text.indexOf(toolName);
            if (at < 0) throw new IllegalStateException("the chat template's tool-call text does not contain the tool name: " + text);
            return new NamedCall(text, at, at + toolName.length());
        }

        @Override
        public String toString() {
            return name();
        }
    };

    /** The benchmark sets' JSON-list format: tools listed in the prompt text, answer {@code [{"name": ..., "arguments": ...}]}. */
    PromptFormat JSON_LIST = new PromptFormat() {
        @Override
        public String name() {
            return "json-list";
        }

        @Override
        public List<Message> messages(List<Message> conversation, List<ToolSpec> tools, List<Demo> demos) {
            List<Message> rendered = BenchmarkPrompt.render(conversation, tools, BenchmarkPrompt.Layout.USER_ONLY);
            if (demos.isEmpty()) return rendered;
            StringBuilder ex = new StringBuilder("[BEGIN OF EXAMPLES]\n");
            for (Demo d : demos) {
                ex.append("Query: ").append(BenchmarkPrompt.queryText(d.conversation())).append('\n')
                        .append("Answer: ").append(BenchmarkPrompt.answer(d.calls())).append("\n\n");
            }
            ex.setLength(ex.length() - 1);
            ex.append("[END OF EXAMPLES]\n\n");
            Message user = rendered.getLast();
            String content = user.content();
            int q = content.lastIndexOf("[BEGIN OF QUERY]");
            String withDemos = content.substring(0, q) + ex + content.substring(q);
            List<Message> out = new ArrayList<>(rendered.subList(0, rendered.size() - 1));
            out.add(Message.user(withDemos));
            return out;
        }

        @Override
        public List<ToolSpec> templateTools(List<ToolSpec> tools) {
            return List.of();
        }

        @Override
        public Message answer(List<ToolCall> calls) {
            return Message.assistant(BenchmarkPrompt.answer(calls));
        }

        @Override
        public NamedCall namedCall(LanguageModel model, List<Message> messages, List<ToolSpec> tools, String toolName) {
            String text = BenchmarkPrompt.answer(List.of(ToolCall.of(toolName)));
            String prefix = BenchmarkPrompt.namePrefix(toolName); // [{"name": "toolName" (the name JSON-quoted)
            if (!text.startsWith(prefix)) throw new IllegalStateException("the answer does not start with its name: " + text);
            return new NamedCall(text, BenchmarkPrompt.namePrefix("").length() - 1, prefix.length() - 1);
        }

        @Override
        public String toString() {
            return name();
        }
    };

    /** ChatToolPrompt's answer text for the native format, for models that cannot show their template. */
    static String nativeAnswerText(List<ToolCall> calls) {
        return ChatToolPrompt.answer(calls);
    }
}
