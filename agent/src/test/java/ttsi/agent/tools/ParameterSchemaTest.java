package ttsi.agent.tools;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import ttsi.agent.json.Json;

class ParameterSchemaTest {
    static void ok(String json) {
        assertDoesNotThrow(() -> ParameterSchema.check(Json.parse(json)), json);
    }

    static void bad(String json, String path, String message) {
        ParameterSchema.Invalid e = assertThrows(ParameterSchema.Invalid.class, () -> ParameterSchema.check(Json.parse(json)), json);
        assertEquals(path, e.path(), json);
        assertEquals(message, e.getMessage(), json);
    }

    @Test
    void acceptsWhatJsonSchemaAllows() {
        ok("{}");
        ok("{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}");
        ok("{\"properties\": {\"x\": true, \"y\": {\"type\": [\"string\", \"null\"]}}, \"required\": null}");
    }

    @Test
    void refusesNamingWhere() {
        bad("[1]", "", "expected a JSON-schema object, got array");
        bad("{\"type\": \"string\"}", ".type", "the arguments schema must be of type \"object\", got \"string\"");
        bad("{\"properties\": [1]}", ".properties", "expected a JSON object, got array");
        bad("{\"properties\": {\"city\": \"string\"}}", ".properties.city", "expected a JSON-schema object, got string");
        bad("{\"properties\": {\"city\": {\"type\": 3}}}", ".properties.city.type", "expected a type name or a list of them, got number");
        bad("{\"properties\": {}, \"required\": \"city\"}", ".required", "expected an array of property names, got string");
        bad("{\"properties\": {}, \"required\": [1]}", ".required", "expected property names, got 1");
        bad("{\"properties\": {}, \"required\": [\"x\"]}", ".required", "'x' is not one of the properties");
        bad("{\"required\": [\"x\"]}", ".required", "'x' is not one of the properties");
    }
}
