package ttsi.agent.method;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How the final answer is produced: one greedy answer, a majority vote over sampled answers, or pass@k. */
public enum InferenceMode {
    DIRECT("direct"), MAJORITY("majority"), PASS_AT_K("pass@k");

    /** The name on the command line and in run.json. */
    @JsonValue
    public final String key;

    InferenceMode(String key) {
        this.key = key;
    }

    @JsonCreator
    public static InferenceMode of(String key) {
        return switch (key.toLowerCase(java.util.Locale.ROOT)) {
            case "direct" -> DIRECT;
            case "majority", "mv", "majority-vote" -> MAJORITY;
            case "pass@k", "pass@5", "pass" -> PASS_AT_K;
            default -> throw new IllegalArgumentException("unknown inference mode '" + key + "' (expected direct, majority or pass@k)");
        };
    }
}
