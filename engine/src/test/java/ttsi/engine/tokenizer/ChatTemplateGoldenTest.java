package ttsi.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import ttsi.engine.SharedData;
import ttsi.jinja.JsonValues;
import ttsi.jinja.TemplateException;

/**
 * Every chat fixture through every model's real template must match, byte for byte, what jinja2 rendered as
 * transformers does (tools/make-chat-goldens.sh wrote src/test/resources/chat/golden and cases.tsv); a template
 * error must come with the same kind and message.
 */
class ChatTemplateGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    List<DynamicTest> rendersLikeTransformers() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : resource("cases.tsv").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t");
            tests.add(DynamicTest.dynamicTest(f[0], () -> check(f[0], f[1], f[2], JSON.readTree(f[3]))));
        }
        return tests;
    }

    private void check(String name, String model, String chatName, JsonNode options) throws IOException {
        Path dir = SharedData.require("models/" + model);
        ChatTemplate t = ChatTemplate.load(dir);
        if (options.has("date")) {
            LocalDateTime at = LocalDateTime.parse(options.get("date").asText());
            t = t.withClock(Clock.fixed(at.toInstant(ZoneOffset.UTC), ZoneOffset.UTC));
        } else {
            t = t.withoutStrftime(); // as render_chat.py
        }
        ObjectNode chat = (ObjectNode) JSON.readTree(resource("chats/" + chatName + ".json"));
        if (options.has("add_generation_prompt")) chat.set("add_generation_prompt", options.get("add_generation_prompt"));
        Map<String, Object> vars = new HashMap<>();
        if (options.has("vars")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> v = (Map<String, Object>) JsonValues.fromJson(options.get("vars"));
            vars.putAll(v);
        }
        String expected = resourceOrNull("golden/" + name + ".txt");
        if (expected != null) {
            assertEquals(expected, t.render(chat, vars), name);
        } else {
            String error = resource("golden/" + name + ".error");
            ChatTemplate ct = t;
            TemplateException e = assertThrows(TemplateException.class, () -> ct.render(chat, vars), name);
            assertEquals(error, e.kind() + ": " + e.reason(), name);
        }
    }

    private static String resource(String rel) throws IOException {
        String s = resourceOrNull(rel);
        if (s == null) throw new IOException("missing test resource chat/" + rel);
        return s;
    }

    private static String resourceOrNull(String rel) throws IOException {
        try (InputStream in = ChatTemplateGoldenTest.class.getResourceAsStream("/chat/" + rel)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
