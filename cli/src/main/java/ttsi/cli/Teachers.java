package ttsi.cli;

import ttsi.agent.model.LanguageModel;

/** Opens the TT-D teacher (an OpenAI-compatible server) when the method needs one. */
final class Teachers {
    private Teachers() {}

    static LanguageModel open(String url, String model, String method) {
        if (!method.equalsIgnoreCase("tt-d")) return null;
        throw new IllegalArgumentException("tt-d needs a teacher: --teacher-url and --teacher-model (OpenAI-compatible backend)");
    }
}
