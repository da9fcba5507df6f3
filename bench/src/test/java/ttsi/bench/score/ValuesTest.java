package ttsi.bench.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import ttsi.agent.json.Json;

class ValuesTest {
    @Test
    void strLikePython() {
        assertEquals("85", Values.str(Json.parse("85")));
        assertEquals(Values.str(Json.parse("85")), Values.str(Json.parse("\"85\"")));
        assertFalse(Values.str(Json.parse("40.7")).equals(Values.str(Json.parse("\"40.70\""))));
        assertFalse(Values.str(Json.parse("2")).equals(Values.str(Json.parse("2.0"))));
        assertEquals("['EUR', 'GBP']", Values.str(Json.parse("[\"EUR\", \"GBP\"]")));
    }

    @Test
    void strArgsDropEmptyStrings() {
        assertEquals(Map.of("a", "1", "c", "None"), Values.strArgs((com.fasterxml.jackson.databind.node.ObjectNode) Json.parse("{\"a\": 1, \"b\": \"\", \"c\": null}")));
    }

    @Test
    void pythonEquality() {
        assertTrue(Values.pyEquals(Json.parse("1"), Json.parse("1.0")));
        assertTrue(Values.pyEquals(Json.parse("true"), Json.parse("1")));
        assertFalse(Values.pyEquals(Json.parse("\"1\""), Json.parse("1")));
        assertTrue(Values.pyEquals(Json.parse("{\"a\": [1, 2.0], \"b\": null}"), Json.parse("{\"b\": null, \"a\": [1.0, 2]}")));
        assertFalse(Values.pyEquals(Json.parse("[1, 2]"), Json.parse("[2, 1]")));
        assertFalse(Values.pyEquals(Json.parse("null"), Json.parse("\"\"")));
    }

    @Test
    void bfclStandardisation() {
        assertEquals("april12024", Values.bfclStandardize("April 1, 2024"));
        assertEquals(Values.bfclStandardize("New-York_City"), Values.bfclStandardize("new york city"));
        assertEquals("\"x\"", Values.bfclStandardize("'x'"));
    }
}
