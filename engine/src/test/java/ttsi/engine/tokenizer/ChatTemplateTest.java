package ttsi.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.engine.SharedData;
import ttsi.engine.format.FormatException;
import ttsi.jinja.TemplateException;

class ChatTemplateTest {
    @TempDir
    Path dir;

    private static Map<String, Object> msg(String role, Object content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    @Test
    void missingTemplateNamesTheFile() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        FormatException e = assertThrows(FormatException.class, () -> ChatTemplate.load(dir));
        assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
        assertTrue(e.getMessage().contains("chat_template.jinja"), e.getMessage());
    }

    @Test
    void unreadableConfigIsAFormatException() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{not json");
        assertThrows(FormatException.class, () -> ChatTemplate.load(dir));
    }

    @Test
    void templateFileAndTokenObjects() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": {\"__type\": \"AddedToken\", \"content\": \"<s>\"}, \"eos_token\": \"</s>\","
                        + " \"add_bos_token\": true, \"unk_token\": null}");
        Files.writeString(dir.resolve("chat_template.jinja"),
                "{{ bos_token }}{% for m in messages %}{{ m.role }}: {{ m.content }}{{ eos_token }}\n{% endfor %}"
                        + "{{ add_bos_token is defined }}{{ unk_token is defined }}\n");
        ChatTemplate t = ChatTemplate.load(dir);
        assertEquals(Map.of("bos_token", "<s>", "eos_token", "</s>"), t.specialTokens());
        assertEquals("<s>user: hi</s>\nFalseFalse", t.render(List.of(msg("user", "hi")), null, true));
    }

    @Test
    void namedTemplatesUseToolUseWhenToolsAreGiven() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": ["
                + "{\"name\": \"default\", \"template\": \"plain {{ tools is none }}\"},"
                + "{\"name\": \"tool_use\", \"template\": \"tools {{ tools | map(attribute='function.name') | join(',') }}"
                + " {{ tools[0].type }}\"}]}");
        ChatTemplate t = ChatTemplate.load(dir);
        assertEquals("plain True", t.render(List.of(msg("user", "x")), null, false));
        Map<String, Object> spec = Map.of("name", "f", "parameters", Map.of());
        assertEquals("tools f function", t.render(List.of(msg("user", "x")), List.of(spec), false));
    }

    @Test
    void templateFileWinsOverTheConfigLikeTransformers() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"from config\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "from file");
        assertEquals("from file", ChatTemplate.load(dir).render(List.of(), null, true));
    }

    @Test
    void listWithoutDefaultIsAFormatException() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"x\"}]}");
        assertThrows(FormatException.class, () -> ChatTemplate.load(dir));
    }

    @Test
    void templateSyntaxErrorsNameTheFile() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{% if %}\"}");
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.load(dir));
        assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
    }

    @Test
    void extraVariablesAndReservedNames() {
        ChatTemplate t = ChatTemplate.of("{{ bos_token }}{{ greeting }} {{ messages | length }}"
                + "{% if add_generation_prompt %}>{% endif %}", Map.of("bos_token", "<s>"));
        assertEquals("<s>hello 1>", t.render(List.of(msg("user", "x")), null, true, Map.of("greeting", "hello")));
        assertEquals("<x>hello 1", t.render(List.of(msg("user", "x")), null, false,
                Map.of("greeting", "hello", "bos_token", "<x>")));
        assertThrows(IllegalArgumentException.class,
                () -> t.render(List.of(), null, true, Map.of("messages", List.of())));
    }

    @Test
    void raiseExceptionCarriesTheTemplatesMessage() {
        ChatTemplate t = ChatTemplate.of("{% if messages[0].role != 'user' %}"
                + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
                + "{% endif %}ok", Map.of());
        assertEquals("ok", t.render(List.of(msg("user", "x")), null, true));
        TemplateException e = assertThrows(TemplateException.class,
                () -> t.render(List.of(msg("assistant", "x")), null, true));
        assertEquals("TemplateError", e.kind());
        assertEquals("Conversation roles must alternate user/assistant/user/assistant/...", e.reason());
    }

    @Test
    void strftimeNowUsesTheClock() {
        ChatTemplate t = ChatTemplate.of("{{ strftime_now('%d %b %Y %H:%M') }}", Map.of());
        Clock fixed = Clock.fixed(Instant.parse("2025-03-14T09:26:53Z"), ZoneOffset.ofHours(2));
        assertEquals("14 Mar 2025 11:26", t.withClock(fixed).render(List.of(), null, false));
        assertEquals("", ChatTemplate.of("{{ strftime_now is defined and 'x' or '' }}", Map.of())
                .withoutStrftime().render(List.of(), null, false));
    }

    @Test
    void llamaPrintsTodayByDefault() {
        ChatTemplate t = ChatTemplate.load(SharedData.require("models/Llama-3.2-1B-Instruct"));
        String before = LocalDate.now(ZoneId.systemDefault()).format(DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.ROOT));
        String out = t.render(List.of(msg("user", "hi")), null, true);
        String after = LocalDate.now(ZoneId.systemDefault()).format(DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.ROOT));
        assertTrue(out.contains("Today Date: " + before) || out.contains("Today Date: " + after), out);
    }

    @Test
    void javaCollectionsRenderLikeJson() {
        ChatTemplate t = ChatTemplate.load(SharedData.require("models/Qwen2.5-0.5B-Instruct"));
        Map<String, Object> call = Map.of("type", "function", "function",
                new LinkedHashMap<>(Map.of("name", "calc")));
        @SuppressWarnings("unchecked")
        Map<String, Object> fn = (Map<String, Object>) call.get("function");
        fn.put("arguments", new LinkedHashMap<>(Map.of("x", 1)));
        Map<String, Object> assistant = msg("assistant", null);
        assistant.put("tool_calls", List.of(call));
        String out = t.render(List.of(msg("user", "go"), assistant, msg("tool", "2")), null, true);
        assertTrue(out.contains("<tool_call>\n{\"name\": \"calc\", \"arguments\": {\"x\": 1}}\n</tool_call>"), out);
        assertTrue(out.endsWith("<|im_start|>user\n<tool_response>\n2\n</tool_response><|im_end|>\n"
                + "<|im_start|>assistant\n"), out);
    }
}
