package ttsi.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Interpreter behaviour outside what plain jinja2 can produce: API, error reporting, transformers' extras. */
class JinjaTemplateTest {
    private static String render(String tpl, Map<String, ?> vars) {
        return Template.parse(tpl).render(vars);
    }

    @Test
    void generationBlockRendersInPlaceWithBlockWhitespaceRules() {
        String tpl = "{% for m in messages %}\n{% generation %}\n[{{ m }}]\n{% endgeneration %}\n{% endfor %}";
        assertEquals("[a]\n[b]\n", render(tpl, Map.of("messages", List.of("a", "b"))));
    }

    @Test
    void syntaxErrorsNameTheLineAndWhatWasExpected() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> Template.parse("chat", "line 1\n{% if x %}\n{% for y in z %}\n{% endif %}"));
        assertEquals("TemplateSyntaxError", e.kind());
        assertEquals(4, e.line());
        assertTrue(e.getMessage().startsWith("chat, line 4: Encountered unknown tag 'endif'."), e.getMessage());
        assertTrue(e.getMessage().contains("'endfor' or 'else'"), e.getMessage());

        e = assertThrows(TemplateException.class, () -> Template.parse("{{ a +\n }}"));
        assertEquals(2, e.line());
        e = assertThrows(TemplateException.class, () -> Template.parse("\n\n{{ 'open"));
        assertEquals(3, e.line());
    }

    @Test
    void runtimeErrorsNameTheLine() {
        Template t = Template.parse("a\nb\n{{ messages[0]['role'] }}");
        TemplateException e = assertThrows(TemplateException.class, () -> t.render(Map.of("messages", List.of())));
        assertEquals("UndefinedError", e.kind());
        assertEquals("list object has no element 0", e.reason());
        assertEquals(3, e.line());
    }

    @Test
    void functionsAndJavaValues() {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("add", (JinjaFunction) (args, kw) -> ((Long) args.get(0)) + ((Long) args.get(1)));
        vars.put("n", 41); // Integer becomes a Python int
        vars.put("f", 0.5f); // Float keeps its decimal value
        vars.put("big", new BigInteger("123456789012345678901234567890"));
        vars.put("arr", new Object[] {1, "x", null});
        assertEquals("42|0.5|123456789012345678901234567891|[1, 'x', None]",
                render("{{ add(n, 1) }}|{{ f }}|{{ big + 1 }}|{{ arr }}", vars));
    }

    @Test
    void javaExceptionsFromFunctionsBecomeTemplateExceptions() {
        Map<String, Object> vars = Map.of("boom", (JinjaFunction) (args, kw) -> {
            throw new IllegalStateException("kaput");
        });
        TemplateException e = assertThrows(TemplateException.class, () -> render("\n{{ boom() }}", vars));
        assertEquals("kaput", e.reason());
        assertEquals(2, e.line());
    }

    @Test
    void jsonNodeInputKeepsKeyOrderAndNumberTypes() throws Exception {
        var node = new ObjectMapper().readTree("{\"z\": 1, \"a\": 1.0, \"m\": [1e-7, 12345678901234567890, true, null]}");
        assertEquals("{'z': 1, 'a': 1.0, 'm': [1e-07, 12345678901234567890, True, None]}|"
                        + "{\"z\": 1, \"a\": 1.0, \"m\": [1e-07, 12345678901234567890, true, null]}",
                render("{{ d }}|{{ d | tojson }}", Map.of("d", node)));
    }

    @Test
    void pyJsonDumpsLikePython() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("k", List.of(1, 2.0, "é\n"));
        assertEquals("{\"k\": [1, 2.0, \"é\\n\"]}", PyJson.dumps(m));
    }

    @Test
    void deepRecursionIsAnErrorNotACrash() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> render("{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}", Map.of()));
        assertEquals("RecursionError", e.kind());
    }

    @Test
    void inputIsNotModified() {
        List<Object> list = new java.util.ArrayList<>(List.of(3, 1, 2));
        assertEquals("[1, 2, 3]", render("{{ l | sort }}", Map.of("l", list)));
        assertEquals(List.of(3, 1, 2), list);
    }
}
