package ttsi.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import ttsi.agent.json.Json;

class PyLiteralTest {
    @Test
    void readsPythonLiterals() {
        assertEquals(Json.parse("{\"a\": 1, \"b\": \"x\", \"c\": [1, 2.5, null, true, false]}"),
                PyLiteral.parse("{'a': 1, \"b\": 'x', 'c': [1, 2.5, None, True, False]}"));
        assertEquals(Json.parse("[1, 2]"), PyLiteral.parse("(1, 2)"));
        assertEquals(Json.parse("[1]"), PyLiteral.parse("(1,)"));
        assertEquals(Json.parse("3"), PyLiteral.parse("(3)"));
        assertEquals(Json.parse("[\"a\", \"b\"]"), PyLiteral.parse("{'a', 'b'}"));
        assertEquals(Json.parse("-5"), PyLiteral.parse("-5"));
        assertEquals(Json.parse("-0.5"), PyLiteral.parse("-.5"));
        assertEquals(Json.parse("1000000"), PyLiteral.parse("1_000_000"));
        assertEquals(Json.parse("255"), PyLiteral.parse("0xff"));
        assertEquals(Json.parse("1e-05"), PyLiteral.parse("1e-05"));
        assertTrue(PyLiteral.parse("123456789012345678901234567890").isBigInteger());
    }

    @Test
    void strings() {
        assertEquals("it's", PyLiteral.parse("\"it's\"").textValue());
        assertEquals("a\nb\tc'", PyLiteral.parse("'a\\nb\\tc\\''").textValue());
        assertEquals("ab", PyLiteral.parse("'a' \"b\"").textValue());
        assertEquals("x\\ny", PyLiteral.parse("r'x\\ny'").textValue());
        assertEquals("multi\nline", PyLiteral.parse("'''multi\nline'''").textValue());
        assertEquals("é", PyLiteral.parse("'\\u00e9'").textValue());
        assertEquals("\\d", PyLiteral.parse("'\\d'").textValue()); // unknown escapes stay
    }

    @Test
    void rejectsNonLiterals() {
        assertThrows(IllegalArgumentException.class, () -> PyLiteral.parse("x"));
        assertThrows(IllegalArgumentException.class, () -> PyLiteral.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> PyLiteral.parse("'abc"));
        assertThrows(IllegalArgumentException.class, () -> PyLiteral.parse("1 2"));
        assertNull(PyLiteral.tryParse("f(1)"));
    }

    @Test
    void strAndReprMatchPython() {
        assertEquals("85", PyLiteral.str(Json.parse("85")));
        assertEquals("85", PyLiteral.str(Json.parse("\"85\"")));
        assertEquals("40.7", PyLiteral.str(Json.parse("40.7")));
        assertEquals("2.0", PyLiteral.str(Json.parse("2.0")));
        assertEquals("True", PyLiteral.str(Json.parse("true")));
        assertEquals("None", PyLiteral.str(Json.parse("null")));
        assertEquals("['EUR', 'GBP']", PyLiteral.str(Json.parse("[\"EUR\", \"GBP\"]")));
        assertEquals("{'a': 1, 'b': [True, None]}", PyLiteral.str(Json.parse("{\"a\": 1, \"b\": [true, null]}")));
        // Values printed by CPython's repr().
        assertEquals("\"it's\"", PyLiteral.repr(Json.NODES.textNode("it's")));
        assertEquals("'say \"hi\"'", PyLiteral.repr(Json.NODES.textNode("say \"hi\"")));
        assertEquals("'both \\' and \"'", PyLiteral.repr(Json.NODES.textNode("both ' and \"")));
        assertEquals("'tab\\tnl\\n'", PyLiteral.repr(Json.NODES.textNode("tab\tnl\n")));
        assertEquals("'\\x7f\\u200b'", PyLiteral.repr(Json.NODES.textNode("\u007f\u200b")));
        assertEquals("'é€😀'", PyLiteral.repr(Json.NODES.textNode("é€😀")));
    }
}
