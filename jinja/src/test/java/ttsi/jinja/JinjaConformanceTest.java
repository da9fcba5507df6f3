package ttsi.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Small templates whose expected output (or error) jinja2 produced: see tools/jinja_cases.py, which writes
 * src/test/resources/jinja/cases.json.
 */
class JinjaConformanceTest {
    private static final Set<String> SYNTAX_KINDS = Set.of("TemplateSyntaxError", "TemplateAssertionError");

    private static JsonNode load() throws Exception {
        try (InputStream in = JinjaConformanceTest.class.getResourceAsStream("/jinja/cases.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Python's datetime.strftime for the formats and dates the generator tried. */
    @Test
    void strftimeMatchesPython() throws Exception {
        for (JsonNode c : load().get("strftime")) {
            LocalDateTime t = LocalDateTime.parse(c.get("date").asText());
            assertEquals(c.get("output").asText(), Strftime.format(c.get("format").asText(), t),
                    c.get("format").asText() + " at " + t);
        }
    }

    /** Python's repr(float), for tricky and random doubles. */
    @Test
    void floatReprMatchesPython() throws Exception {
        int n = 0;
        for (JsonNode c : load().get("floats")) {
            assertEquals(c.get(1).asText(), Py.floatRepr(c.get(0).doubleValue()), c.get(1).asText());
            n++;
        }
        assertTrue(n > 1000);
    }

    @TestFactory
    List<DynamicTest> matchesJinja2() throws Exception {
        JsonNode root = load();
        @SuppressWarnings("unchecked")
        Map<String, Object> vars = (Map<String, Object>) JsonValues.fromJson(root.get("variables"));
        vars.put("raise_exception", (JinjaFunction) (args, kw) -> {
            throw new TemplateException("TemplateError", Py.str(args.get(0)));
        });
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String tpl = c.get("template").asText();
            String name = "#" + c.get("id").asInt() + " " + tpl.replace("\n", "\\n");
            tests.add(DynamicTest.dynamicTest(name.length() > 90 ? name.substring(0, 90) : name, () -> check(c, tpl,
                    vars)));
        }
        return tests;
    }

    private static void check(JsonNode c, String tpl, Map<String, Object> vars) {
        if (c.has("output")) {
            String got;
            try {
                got = Template.parse(tpl).render(vars);
            } catch (TemplateException e) {
                fail("expected output " + c.get("output").asText() + " but got " + e.getMessage(), e);
                return;
            }
            assertEquals(c.get("output").asText(), got, tpl);
            return;
        }
        JsonNode err = c.get("error");
        if (err.path("syntax").asBoolean()) {
            TemplateException e = assertThrows(TemplateException.class, () -> Template.parse(tpl), tpl);
            assertTrue(SYNTAX_KINDS.contains(e.kind()), e.kind());
            return;
        }
        Template t = Template.parse(tpl);
        TemplateException e = assertThrows(TemplateException.class, () -> t.render(vars), tpl);
        assertEquals(err.get("kind").asText() + ": " + err.get("message").asText(), e.kind() + ": " + e.reason(), tpl);
    }
}
