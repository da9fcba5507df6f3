package ttsi.agent.model;

/** Follows a generation as it happens (streaming, log-probabilities, cancellation). */
public interface GenerationListener {
    /** Text that is final, in order; the pieces add up to the completion's text. */
    default void text(String piece) {}

    /** Each generated token (log-probabilities only when asked for); false stops generation (finish reason "cancelled"). */
    default boolean token(TokenChoice t) {
        return true;
    }
}
