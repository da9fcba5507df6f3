package ttsi.bench.score;

/** Whether one sample passed one check, and why not. */
public record Verdict(boolean correct, String reason) {
    public static final Verdict OK = new Verdict(true, null);

    public static Verdict fail(String reason) {
        return new Verdict(false, reason);
    }
}
