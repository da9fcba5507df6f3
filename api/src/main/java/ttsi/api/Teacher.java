package ttsi.api;

/**
 * The TT-D teacher: a stronger model behind an OpenAI-compatible server that writes the synthetic training pairs
 * instead of the agent's own model. As for {@code ttsi run --teacher-url/--teacher-model}: a null or blank
 * {@code baseUrl} falls back to {@code $TTSI_TEACHER_URL}, then {@code $OPENAI_BASE_URL}; a null or blank
 * {@code model} to {@code $TTSI_TEACHER_MODEL}; the API key is read from {@code $TTSI_TEACHER_API_KEY} when set,
 * else {@code $OPENAI_API_KEY} (unset: no Authorization header, for local servers).
 *
 * @param baseUrl the server, with or without a trailing {@code /v1}, e.g. {@code http://127.0.0.1:8001/v1}
 * @param model the served model name
 */
public record Teacher(String baseUrl, String model) {
    public static Teacher of(String baseUrl, String model) {
        return new Teacher(baseUrl, model);
    }
}
