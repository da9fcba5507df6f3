package ttsi.cli;

import picocli.CommandLine.Option;
import ttsi.agent.backend.OpenAiModel;

/**
 * The TT-D teacher's options, shared by every command that can talk to one: an OpenAI-compatible endpoint, its model,
 * and, for reasoning models, the tokens they may think and the effort asked. Each falls back to its environment
 * variable (see {@link OpenAiModel.Config#fromEnvironment(String, String)}).
 */
final class TeacherOptions {
    @Option(names = "--teacher-url", description = "OpenAI-compatible base URL of the TT-D teacher (default: $TTSI_TEACHER_URL)")
    String url;

    @Option(names = "--teacher-model", description = "teacher model name (default: $TTSI_TEACHER_MODEL)")
    String model;

    @Option(names = "--teacher-reasoning-tokens", description = "reasoning models: tokens the teacher may spend thinking, added to each"
            + " request's max_completion_tokens (default: $TTSI_TEACHER_REASONING_TOKENS, else 0)")
    Integer reasoningTokens;

    @Option(names = "--teacher-reasoning-effort", description = "reasoning models: reasoning_effort to send, e.g. minimal, low, medium, high"
            + " (default: $TTSI_TEACHER_REASONING_EFFORT, else not sent)")
    String reasoningEffort;

    /** True when a teacher URL is given here or in the environment. */
    boolean given() {
        return url != null || System.getenv(OpenAiModel.TEACHER_URL_ENV) != null;
    }

    /** The endpoint's settings: these options over the environment's. */
    OpenAiModel.Config config() {
        if (reasoningTokens != null) OptionChecks.atLeast("--teacher-reasoning-tokens", reasoningTokens, 0);
        OpenAiModel.Config c = OpenAiModel.Config.fromEnvironment(url, model);
        return c.withReasoning(reasoningTokens != null ? reasoningTokens : c.reasoningTokens(),
                reasoningEffort != null && !reasoningEffort.isBlank() ? reasoningEffort.strip() : c.reasoningEffort());
    }

    /** A client for the teacher. */
    OpenAiModel open() {
        return new OpenAiModel(config());
    }
}
