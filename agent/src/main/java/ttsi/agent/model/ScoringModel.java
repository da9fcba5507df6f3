package ttsi.agent.model;

import java.util.List;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;

/** A model that also scores continuations of a chat under its own chat template: what H (uncertainty) needs. */
public interface ScoringModel extends LanguageModel {

    /**
     * Log-probabilities of each continuation text placed right after the assistant's generation prompt.
     * Continuations are tokenized on their own, so shared leading text gives identical leading tokens.
     */
    List<TokenLogprobs> score(List<Message> messages, List<ToolSpec> tools, List<String> continuations);

    /**
     * {@link #score}, but each continuation is needed only through char {@code ends[i]}: it is still tokenized
     * whole, as the model writes it, and its tokens are kept through the one that covers char {@code ends[i] - 1},
     * so that token may run past it (Qwen's {@code ",} after a tool name). Later tokens need not be scored. The
     * default scores whole continuations and cuts them.
     */
    default List<TokenLogprobs> scoreThrough(List<Message> messages, List<ToolSpec> tools, List<String> continuations, int[] ends) {
        if (ends.length != continuations.size()) throw new IllegalArgumentException("one end per continuation");
        List<TokenLogprobs> all = score(messages, tools, continuations);
        List<TokenLogprobs> out = new java.util.ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) out.add(all.get(i).through(ends[i]));
        return out;
    }

    /** As {@link LanguageModel#assistantText}; a model that scores has the chat template to render it with. */
    @Override
    String assistantText(List<Message> messages, List<ToolSpec> tools, Message answer);
}
