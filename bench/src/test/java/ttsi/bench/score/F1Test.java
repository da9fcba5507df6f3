package ttsi.bench.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static ttsi.bench.Fixtures.call;

import java.util.List;
import org.junit.jupiter.api.Test;
import ttsi.agent.tools.ToolCall;

/** Hammer's F1 and Seal-Tools' P/R/F1 on hand-counted cases. */
class F1Test {
    private static Prediction pred(ToolCall... calls) {
        return Prediction.ofCalls("x", List.of(calls));
    }

    private static final Prediction BAD = new Prediction("x", "oops", List.of(), "no tool call found");

    @Test
    void hammerCounts() {
        HammerF1 h = new HammerF1(false);
        // Right name, one of two arguments right ("" is not counted on either side).
        h.add(List.of(call("f", "{\"a\": 1, \"b\": \"x\", \"c\": \"\"}")), pred(call("f", "{\"a\": \"1\", \"b\": \"y\"}")));
        // Wrong name.
        h.add(List.of(call("g", "{\"a\": 1}")), pred(call("h", "{\"a\": 1}")));
        // Unparsable: one predicted call, nothing right.
        h.add(List.of(call("k", "{}")), BAD);
        assertEquals(1, h.api().correct());
        assertEquals(3, h.api().predicted());
        assertEquals(3, h.api().gold());
        assertEquals(1, h.param().correct());
        assertEquals(3, h.param().predicted());
        assertEquals(3, h.param().gold());
        assertEquals(1.0 / 3, h.api().f1(), 1e-12);
    }

    @Test
    void hammerScriptQuirks() {
        // Empty arguments matched by empty arguments: one correct parameter that no base counts.
        HammerF1 script = new HammerF1(true), fixed = new HammerF1(false);
        for (HammerF1 h : List.of(script, fixed)) h.add(List.of(call("today", "{}")), pred(call("today", "{}")));
        assertEquals(1, script.param().correct());
        assertEquals(0, script.param().gold());
        assertEquals(0, fixed.param().correct());
        // Two calls of one name: the script scores the second against the first gold call that shares any argument.
        HammerF1 s2 = new HammerF1(true), f2 = new HammerF1(false);
        var gold = List.of(call("convert", "{\"from\": \"USD\", \"to\": \"EUR\", \"amount\": 1}"),
                call("convert", "{\"from\": \"USD\", \"to\": \"JPY\", \"amount\": 2}"));
        for (HammerF1 h : List.of(s2, f2)) h.add(gold, pred(gold.get(0), gold.get(1)));
        assertEquals(4, s2.param().correct()); // 3 + 1 (only "from" matches the first gold call)
        assertEquals(6, f2.param().correct());
        assertEquals(1.0, f2.param().f1(), 1e-12);
        // A repeated correct name counts twice in the script.
        HammerF1 s3 = new HammerF1(true), f3 = new HammerF1(false);
        for (HammerF1 h : List.of(s3, f3)) h.add(List.of(call("f", "{}")), pred(call("f", "{}"), call("f", "{}")));
        assertEquals(2, s3.api().correct());
        assertEquals(1, f3.api().correct());
    }

    @Test
    void sealToolsCounts() {
        SealToolsF1 s = new SealToolsF1(false);
        s.add(List.of(call("f", "{\"a\": 1, \"b\": \"x\"}")), pred(call("f", "{\"a\": \"1\", \"b\": \"y\", \"z\": 0}")));
        s.add(List.of(call("g", "{\"a\": 1}")), BAD);
        assertEquals(1, s.tool().correct());
        assertEquals(1, s.tool().predicted()); // the unparsable answer predicts nothing
        assertEquals(2, s.tool().gold());
        assertEquals(1, s.param().correct());
        assertEquals(3, s.param().predicted());
        assertEquals(3, s.param().gold());
        assertEquals(0.5, s.metrics("").get("format_accuracy"), 1e-12);
    }

    @Test
    void sealToolsScriptPairsWithTheFirstSameNameCall() {
        var gold = List.of(call("book", "{\"room\": 1}"), call("book", "{\"room\": 2}"));
        SealToolsF1 script = new SealToolsF1(true), fixed = new SealToolsF1(false);
        for (SealToolsF1 s : List.of(script, fixed)) s.add(gold, pred(call("book", "{\"room\": 2}"), call("book", "{\"room\": 1}")));
        assertEquals(1, script.param().correct());
        assertEquals(2, fixed.param().correct());
        assertEquals(2, script.tool().correct());
    }
}
