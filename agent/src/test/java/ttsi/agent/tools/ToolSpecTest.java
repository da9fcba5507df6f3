package ttsi.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import ttsi.agent.json.Json;

class ToolSpecTest {
    @Test
    void hammerStyle() {
        ToolSpec t = ToolSpec.fromJson(Json.parse("""
                {"name": "calc", "description": "d", "parameters": {
                  "revenue": {"type": "float", "description": "r", "required": true},
                  "tax": {"type": "float", "description": "t"}}, "required": ["revenue"]}"""));
        assertEquals("calc", t.name());
        assertEquals(List.of("revenue", "tax"), t.parameterNames());
        assertEquals(List.of("revenue"), t.required());
        assertEquals("float", t.type("revenue"));
        assertTrue(!t.property("revenue").has("required")); // moved to the required list
    }

    @Test
    void openAiAndBfcl() {
        ToolSpec o = ToolSpec.fromJson(Json.parse("""
                {"type": "function", "function": {"name": "f", "description": "d",
                 "parameters": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}}}"""));
        assertEquals(List.of("a"), o.required());
        ToolSpec b = ToolSpec.fromJson(Json.parse("""
                {"name": "math.sum", "description": "d", "parameters": {"type": "dict",
                 "properties": {"numbers": {"type": "array", "items": {"type": "float"}}, "type": {"type": "string"}}, "required": ["numbers"]}}"""));
        assertEquals(List.of("numbers", "type"), b.parameterNames());
        assertEquals("object", b.parameters().get("type").asText());
        var fn = b.toOpenAiFunction().get("function");
        assertEquals("number", fn.at("/parameters/properties/numbers/items/type").asText());
        assertEquals("array", fn.at("/parameters/properties/numbers/type").asText());
    }

    @Test
    void hammerParamNamedType() {
        // A Hammer-style map whose parameter is called "type" must not be taken for a JSON schema.
        ToolSpec t = ToolSpec.fromJson(Json.parse("{\"name\": \"f\", \"parameters\": {\"type\": {\"type\": \"str\", \"description\": \"kind\"}}}"));
        assertEquals(List.of("type"), t.parameterNames());
    }

    @Test
    void sealToolsAndApiBank() {
        ToolSpec s = ToolSpec.fromJson(Json.parse("""
                {"api_name": "getX", "api_description": "d", "field": "f", "parameters": {"a": {"type": "int", "description": "x"}},
                 "required": ["a"], "responses": {"r": {"type": "str"}}}"""));
        assertEquals("getX", s.name());
        assertEquals(List.of("a"), s.required());
        ToolSpec a = ToolSpec.fromJson(Json.parse("""
                {"name": "ToolSearcher", "description": "d", "input_parameters": {"keywords": {"type": "str", "description": "k"}},
                 "output_parameters": {"best_matchs": {"type": "dict"}}}"""));
        assertEquals(List.of("keywords"), a.parameterNames());
        assertEquals("string", a.toOpenAiFunction().at("/function/parameters/properties/keywords/type").asText());
    }

    @Test
    void nexusRavenArgList() {
        ToolSpec t = ToolSpec.fromJson(Json.parse("""
                {"dataset": "virustotal", "name": "vt_get", "description": "doc", "args": [
                 {"name": "ip", "type": "str", "required": true, "default": "None", "description": ""},
                 {"name": "limit", "type": "int", "required": false, "default": null, "description": ""},
                 {"name": "n", "type": "None", "required": false, "default": "5", "description": ""}]}"""));
        assertEquals(List.of("ip"), t.required());
        assertTrue(t.property("ip").get("default").isNull());
        assertEquals(5, t.property("n").get("default").intValue());
        assertTrue(!t.property("n").has("type"));
    }

    @Test
    void pythonSignatureWithDocstring() {
        ToolSpec t = ToolSpec.fromPythonSignature("def vt_get_domain_report(domain: str, x_apikey: str, limit: Optional[int] = None) -> dict:",
                """
                Retrieves a domain report.

                Args:
                    domain (str): The domain name,
                        for example bing.com.
                    x_apikey (str): Your API key.
                Returns:
                    dict: the report
                """);
        assertEquals("vt_get_domain_report", t.name());
        assertEquals("Retrieves a domain report.", t.description());
        assertEquals(List.of("domain", "x_apikey", "limit"), t.parameterNames());
        assertEquals(List.of("domain", "x_apikey"), t.required());
        assertEquals("The domain name, for example bing.com.", t.property("domain").get("description").asText());
        assertEquals("int", t.type("limit"));
        assertTrue(t.property("limit").get("default").isNull());
    }

    @Test
    void unknownShapesAreRejectedWithTheirKeys() {
        var e = assertThrows(IllegalArgumentException.class, () -> ToolSpec.fromJson(Json.parse("{\"foo\": 1}")));
        assertTrue(e.getMessage().contains("foo"));
    }

    @Test
    void listingJsonMarksRequired() {
        ToolSpec t = ToolSpec.fromJson(Json.parse("{\"name\": \"f\", \"description\": \"d\", \"parameters\": {\"a\": {\"type\": \"str\", \"required\": true}, \"b\": {\"type\": \"int\"}}}"));
        assertEquals("{\"name\": \"f\", \"description\": \"d\", \"parameters\": {\"a\": {\"type\": \"str\", \"required\": true}, \"b\": {\"type\": \"int\"}}}",
                Json.dumps(t.toListingJson()));
    }
}
