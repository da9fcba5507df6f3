package ttsi.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import ttsi.agent.json.Json;

class JsonTest {
    // Expected values printed by CPython 3 repr().
    @ParameterizedTest
    @CsvSource({
        "0.1, 0.1", "1e16, 1e+16", "1e15, 1000000000000000.0", "1e-05, 1e-05", "0.0001, 0.0001", "40.7, 40.7",
        "1.5e300, 1.5e+300", "-0.0, -0.0", "100.0, 100.0", "123456789.123, 123456789.123",
        "0.2907590418481535, 0.2907590418481535", "2.5e-7, 2.5e-07", "1234567890123456.7, 1234567890123456.8",
        "12345678901234567.0, 1.2345678901234568e+16", "4.9e-324, 5e-324", "1.7976931348623157e308, 1.7976931348623157e+308",
        "0.3, 0.3", "-2.5, -2.5", "5.0, 5.0"
    })
    void pythonFloatRepr(double d, String expected) {
        assertEquals(expected, Json.pythonFloatRepr(d));
    }

    @Test
    void thirdIsShortestRoundTrip() {
        assertEquals("0.3333333333333333", Json.pythonFloatRepr(1.0 / 3));
    }

    @Test
    void dumpsLikePython() {
        var n = Json.parse("{\"a\": [1, 2.0, \"é\\n\\\"\", null, true], \"b\": {}}");
        assertEquals("{\"a\": [1, 2.0, \"é\\n\\\"\", null, true], \"b\": {}}", Json.dumps(n));
        assertEquals("{\"a\": \"\\u00e9\"}", Json.dumpsAscii(Json.parse("{\"a\": \"é\"}")));
    }
}
