package ttsi.bench.score;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.Fixtures.call;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ttsi.agent.json.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;
import ttsi.bench.data.Sample;

class BfclCheckerTest {
    private static final ToolSpec EMISSIONS = ToolSpec.fromJson(Json.parse("""
            {"name": "calc", "description": "d", "parameters": {"type": "dict", "properties": {
              "distance": {"type": "integer"}, "fuel": {"type": "string"}, "efficiency": {"type": "float"},
              "unit": {"type": "string"}, "flag": {"type": "boolean"},
              "symbols": {"type": "array", "items": {"type": "string"}},
              "weights": {"type": "array", "items": {"type": "float"}},
              "options": {"type": "dict", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
              "rows": {"type": "array", "items": {"type": "dict"}}},
             "required": ["distance", "fuel"]}}"""));
    private static final String ANSWER = """
            [{"calc": {"distance": [12000], "fuel": ["gas", "gasoline"], "efficiency": [25.0, ""], "unit": ["miles", ""],
              "flag": [true, ""], "symbols": [["EUR", "GBP"], ""], "weights": [[1.0, 2.5], ""],
              "options": [{"a": ["x", "X ray"], "b": [1, ""]}, ""], "rows": [[{"k": ["v"]}], ""]}}]""";

    private static Sample sample(String category, String answers, ToolSpec... tools) {
        return new Sample("s", "bfcl-" + category, List.of(Message.user("q")), List.of(tools), List.of(), Json.parse(answers),
                (com.fasterxml.jackson.databind.node.ObjectNode) Json.parse("{\"category\": \"" + category + "\", \"group\": \"" + category + "\"}"));
    }

    private static Verdict check(String category, String answers, List<ToolSpec> tools, ToolCall... calls) {
        return BfclChecker.check(sample(category, answers, tools.toArray(ToolSpec[]::new)), Prediction.ofCalls("s", new ArrayList<>(List.of(calls))));
    }

    private static Verdict simple(String args) {
        return check("simple_python", ANSWER, List.of(EMISSIONS), call("calc", args));
    }

    @Test
    void requiredOnlyIsEnough() {
        assertTrue(simple("{\"distance\": 12000, \"fuel\": \"gas\"}").correct());
    }

    @Test
    void intIsAcceptedForFloatButNotTheReverse() {
        assertTrue(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"efficiency\": 25}").correct());
        Verdict v = simple("{\"distance\": 12000.0, \"fuel\": \"gas\"}");
        assertFalse(v.correct());
        assertTrue(v.reason().contains("incorrect type for distance"), v.reason());
        assertFalse(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"flag\": 1}").correct()); // bool is not int
    }

    @Test
    void stringsAreStandardised() {
        assertTrue(simple("{\"distance\": 12000, \"fuel\": \"GAS-oline\"}").correct());
        assertFalse(simple("{\"distance\": 12000, \"fuel\": \"diesel\"}").correct());
    }

    @Test
    void optionalParameters() {
        assertTrue(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"unit\": \"Miles\"}").correct());
        assertFalse(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"unit\": \"km\"}").correct());
        Verdict missing = simple("{\"distance\": 12000}");
        assertTrue(missing.reason().contains("missing required parameter fuel"), missing.reason());
        Verdict unknown = simple("{\"distance\": 12000, \"fuel\": \"gas\", \"speed\": 3}");
        assertTrue(unknown.reason().contains("unexpected parameter speed"), unknown.reason());
        // An answer parameter without "" must be given even when the function calls it optional.
        Verdict notOptional = check("simple_python", "[{\"calc\": {\"distance\": [1], \"fuel\": [\"gas\"], \"unit\": [\"km\"]}}]",
                List.of(EMISSIONS), call("calc", "{\"distance\": 1, \"fuel\": \"gas\"}"));
        assertTrue(notOptional.reason().contains("unit not provided"), notOptional.reason());
    }

    @Test
    void listsAndDicts() {
        assertTrue(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"symbols\": [\"eur\", \"G.B.P\"]}").correct());
        assertFalse(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"symbols\": [\"GBP\", \"EUR\"]}").correct());
        assertTrue(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"weights\": [1.0, 2.5]}").correct());
        assertTrue(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"options\": {\"a\": \"x-ray\"}}").correct());
        assertTrue(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"options\": {\"a\": \"x\", \"b\": 1}}").correct());
        assertFalse(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"options\": {\"a\": \"y\"}}").correct());
        assertFalse(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"options\": {\"c\": 1, \"a\": \"x\"}}").correct());
        assertTrue(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"rows\": [{\"k\": \"V\"}]}").correct());
        assertFalse(simple("{\"distance\": 12000, \"fuel\": \"gas\", \"rows\": [{\"k\": \"v\"}, {\"k\": \"v\"}]}").correct());
    }

    @Test
    void variablesOfTheAnswersTypeAreAccepted() {
        // The answer gives a string for an integer parameter (a variable name): a string of that value passes.
        String answers = "[{\"calc\": {\"distance\": [\"total_distance\"], \"fuel\": [\"gas\"]}}]";
        assertTrue(check("simple_python", answers, List.of(EMISSIONS), call("calc", "{\"distance\": \"total_distance\", \"fuel\": \"gas\"}")).correct());
        assertFalse(check("simple_python", answers, List.of(EMISSIONS), call("calc", "{\"distance\": 5, \"fuel\": \"gas\"}")).correct());
    }

    @Test
    void callCounts() {
        Verdict two = check("simple_python", ANSWER, List.of(EMISSIONS), call("calc", "{\"distance\": 12000, \"fuel\": \"gas\"}"),
                call("calc", "{\"distance\": 12000, \"fuel\": \"gas\"}"));
        assertTrue(two.reason().startsWith("wrong number of calls"), two.reason());
        Verdict name = check("simple_python", ANSWER, List.of(EMISSIONS), call("calc2", "{}"));
        assertTrue(name.reason().contains("function name"), name.reason());
        assertFalse(BfclChecker.check(sample("simple_python", ANSWER, EMISSIONS), new Prediction("s", "x", List.of(), "no tool call")).correct());
    }

    @Test
    void parallelInAnyOrder() {
        ToolSpec play = ToolSpec.fromJson(Json.parse("{\"name\": \"play\", \"parameters\": {\"type\": \"dict\", \"properties\": {\"artist\": {\"type\": \"string\"}, \"minutes\": {\"type\": \"integer\"}}, \"required\": [\"artist\"]}}"));
        String answers = "[{\"play\": {\"artist\": [\"Taylor Swift\"], \"minutes\": [20]}}, {\"play\": {\"artist\": [\"Maroon 5\"], \"minutes\": [15]}}]";
        assertTrue(check("parallel", answers, List.of(play), call("play", "{\"artist\": \"Maroon 5\", \"minutes\": 15}"),
                call("play", "{\"artist\": \"taylor swift\", \"minutes\": 20}")).correct());
        assertFalse(check("parallel", answers, List.of(play), call("play", "{\"artist\": \"Maroon 5\", \"minutes\": 15}"),
                call("play", "{\"artist\": \"Maroon 5\", \"minutes\": 15}")).correct());
        assertFalse(check("parallel", answers, List.of(play), call("play", "{\"artist\": \"Maroon 5\", \"minutes\": 15}")).correct());
    }

    @Test
    void multipleChecksTheFunctionOfTheAnswer() {
        ToolSpec other = ToolSpec.fromJson(Json.parse("{\"name\": \"other\", \"parameters\": {\"type\": \"dict\", \"properties\": {}, \"required\": []}}"));
        assertTrue(check("multiple", ANSWER, List.of(other, EMISSIONS), call("calc", "{\"distance\": 12000, \"fuel\": \"gas\"}")).correct());
        assertFalse(check("multiple", ANSWER, List.of(other, EMISSIONS), call("other", "{}")).correct());
    }

    @Test
    void irrelevanceWantsNoCall() {
        Sample s = sample("irrelevance", "[]", EMISSIONS);
        assertTrue(BfclChecker.check(s, Prediction.ofCalls("s", List.of())).correct());
        assertTrue(BfclChecker.check(s, new Prediction("s", "I can't help", List.of(), "no tool call found")).correct());
        assertFalse(BfclChecker.check(s, Prediction.ofCalls("s", List.of(call("calc", "{}")))).correct());
    }
}
