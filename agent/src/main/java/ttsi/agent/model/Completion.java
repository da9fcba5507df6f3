package ttsi.agent.model;

/** A generated answer: the text, why it ended ("stop" or "length"), token counts and wall time. */
public record Completion(String text, String finishReason, int promptTokens, int completionTokens, double seconds) {}
