package ttsi.bench.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.Fixtures.call;

import java.util.List;
import org.junit.jupiter.api.Test;
import ttsi.agent.tools.ToolCall;

class ExactMatchTest {
    private static Verdict check(List<ToolCall> gold, ToolCall... pred) {
        return ExactMatch.check(gold, Prediction.ofCalls("x", List.of(pred)));
    }

    @Test
    void numbersCompareAsStr() {
        var gold = List.of(call("f", "{\"n\": \"85\", \"x\": \"40.7\"}"));
        assertTrue(check(gold, call("f", "{\"n\": 85, \"x\": 40.7}")).correct()); // 85 vs "85": equal
        Verdict v = check(gold, call("f", "{\"n\": 85, \"x\": \"40.70\"}")); // 40.7 vs "40.70": not
        assertFalse(v.correct());
        assertEquals("f: argument x expected '40.7', got '40.70'", v.reason());
    }

    @Test
    void emptyStringArgumentsAreIgnored() {
        var gold = List.of(call("search", "{\"color\": \"wild\", \"gender\": \"\"}"));
        assertTrue(check(gold, call("search", "{\"color\": \"wild\"}")).correct());
        assertTrue(check(List.of(call("search", "{\"color\": \"wild\"}")), call("search", "{\"color\": \"wild\", \"size\": \"\"}")).correct());
    }

    @Test
    void parallelCallsInAnyOrderButAsAMultiset() {
        var gold = List.of(call("play", "{\"a\": \"x\"}"), call("play", "{\"a\": \"y\"}"));
        assertTrue(check(gold, call("play", "{\"a\": \"y\"}"), call("play", "{\"a\": \"x\"}")).correct());
        Verdict dup = check(gold, call("play", "{\"a\": \"x\"}"), call("play", "{\"a\": \"x\"}"));
        assertFalse(dup.correct());
        assertEquals("play: argument a expected 'y', got 'x'", dup.reason());
        Verdict extra = check(List.of(call("play", "{\"a\": \"x\"}")), call("play", "{\"a\": \"x\"}"), call("stop", "{}"));
        assertEquals("unexpected call stop()", extra.reason());
        Verdict missing = check(gold, call("play", "{\"a\": \"x\"}"));
        assertEquals("missing call play(a='y')", missing.reason());
    }

    @Test
    void argumentDifferencesAreListed() {
        Verdict v = check(List.of(call("f", "{\"a\": 1, \"b\": 2}")), call("f", "{\"a\": 1, \"c\": 3}"));
        assertEquals("f: missing argument b (expected '2'), unexpected argument c='3'", v.reason());
    }

    @Test
    void unparsableAnswersAreWrong() {
        Verdict v = ExactMatch.check(List.of(call("f", "{}")), new Prediction("x", "hmm", List.of(), "no tool call found in: hmm"));
        assertFalse(v.correct());
        assertTrue(v.reason().startsWith("unparsable output"));
        assertTrue(ExactMatch.check(List.of(), Prediction.ofCalls("x", List.of())).correct());
    }
}
