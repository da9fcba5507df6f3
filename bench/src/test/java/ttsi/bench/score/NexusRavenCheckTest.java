package ttsi.bench.score;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.Fixtures.call;

import java.util.List;
import org.junit.jupiter.api.Test;
import ttsi.agent.json.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;
import ttsi.bench.data.Sample;

class NexusRavenCheckTest {
    private static final ToolSpec SEARCH = ToolSpec.fromJson(Json.parse("""
            {"name": "searchCPE", "description": "d", "args": [
              {"name": "keywordSearch", "type": "None", "required": false, "default": "None", "description": ""},
              {"name": "limit", "type": "None", "required": false, "default": "None", "description": ""},
              {"name": "verbose", "type": "None", "required": false, "default": "None", "description": ""}]}"""));
    private static final ToolSpec REPORT = ToolSpec.fromJson(Json.parse("""
            {"name": "vt_report", "description": "d", "args": [
              {"name": "domain", "type": "str", "required": true, "description": ""},
              {"name": "x_apikey", "type": "str", "required": true, "description": ""}]}"""));
    private static final Sample SAMPLE = new Sample("cve_cpe_0", "nexusraven", List.of(Message.user("q")), List.of(SEARCH, REPORT),
            List.of(call("searchCPE", "{\"keywordSearch\": \"Exchange\", \"limit\": 2}")), null, null);

    private static Verdict check(String output) {
        return NexusRavenCheck.check(SAMPLE, Prediction.ofOutput("cve_cpe_0", output, SAMPLE.tools()));
    }

    @Test
    void defaultsFillUnspecifiedArguments() {
        assertTrue(check("searchCPE(keywordSearch='Exchange', limit=2)").correct());
        assertTrue(check("searchCPE(keywordSearch='Exchange', limit=2, verbose=None)").correct()); // None is the default
        assertFalse(check("searchCPE(keywordSearch='Exchange', limit=2, verbose=False)").correct());
        assertFalse(check("searchCPE(keywordSearch='Exchange')").correct());
    }

    @Test
    void typedEquality() {
        assertTrue(check("searchCPE(keywordSearch='Exchange', limit=2.0)").correct()); // 2 == 2.0 in Python
        Verdict v = check("searchCPE(keywordSearch='Exchange', limit='2')");
        assertFalse(v.correct());
        assertTrue(v.reason().contains("argument limit expected 2, got '2'"), v.reason());
        assertFalse(check("searchCPE(keywordSearch='exchange', limit=2)").correct()); // no string normalisation
    }

    @Test
    void positionalArgumentsBind() {
        assertTrue(check("searchCPE('Exchange', 2)").correct());
        assertTrue(check("searchCPE('Exchange', limit=2)").correct());
    }

    @Test
    void bindingErrorsAreWrong() {
        assertTrue(check("searchCPE(keywordSearch='Exchange', limit=2, foo=1)").reason().contains("unexpected keyword argument 'foo'"));
        assertTrue(check("searchCVE(keywordSearch='Exchange')").reason().contains("unknown function"));
        assertTrue(check("vt_report(domain='x.com', x_apikey='k')").reason().contains("function: expected searchCPE"));
        assertTrue(check("searchCPE(keywordSearch='Exchange', limit=2); searchCPE()").reason().contains("exactly one call"));
        assertTrue(check("no idea").reason().startsWith("unparsable"));
        ToolCall missing = call("vt_report", "{\"domain\": \"x.com\"}");
        assertTrue(NexusRavenCheck.bind(REPORT, missing.arguments(), Json.object()).contains("missing required argument 'x_apikey'"));
    }
}
