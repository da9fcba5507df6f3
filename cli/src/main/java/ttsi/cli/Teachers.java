package ttsi.cli;

import ttsi.agent.backend.OpenAiModel;
import ttsi.agent.model.LanguageModel;

/** Opens the TT-D teacher (an OpenAI-compatible server) when the method needs one. */
final class Teachers {
    private Teachers() {}

    /** The teacher for tt-d (URL/model from the options or TTSI_TEACHER_URL / TTSI_TEACHER_MODEL), else null. */
    static LanguageModel open(String url, String model, String method) {
        if (!method.equalsIgnoreCase("tt-d")) return null;
        return new OpenAiModel(OpenAiModel.Config.fromEnvironment(url, model));
    }
}
