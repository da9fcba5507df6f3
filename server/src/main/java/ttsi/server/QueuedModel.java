package ttsi.server;

import java.util.List;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationListener;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.model.TokenChoice;
import ttsi.agent.model.TokenLogprobs;
import ttsi.agent.model.TrainingPair;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;

/**
 * One request's view of the served model: every engine call becomes a job on the engine queue, tagged with the
 * request's cancellation and the current stage, and every generated token checks the cancellation. Adapting gives
 * a view of the adapted model that belongs to this request alone.
 */
class QueuedModel implements LanguageModel {
    private final LanguageModel model;
    private final EngineQueue queue;
    private final Cancel cancel;
    private volatile String stage = "answer";

    QueuedModel(LanguageModel model, EngineQueue queue, Cancel cancel) {
        this.model = model;
        this.queue = queue;
        this.cancel = cancel;
    }

    void stage(String s) {
        stage = s;
    }

    LanguageModel inner() {
        return model;
    }

    @Override
    public String id() {
        return model.id();
    }

    @Override
    public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions options) {
        return generate(messages, tools, "", options, -1, null);
    }

    @Override
    public Completion generate(List<Message> messages, List<ToolSpec> tools, String prefill, GenerationOptions options, int topLogprobs,
                               GenerationListener listener) {
        GenerationListener guarded = new GenerationListener() {
            @Override
            public void text(String piece) {
                if (listener != null) listener.text(piece);
            }

            @Override
            public boolean token(TokenChoice t) {
                return !cancel.cancelled() && (listener == null || listener.token(t));
            }
        };
        Completion c = queue.call(cancel, stage, () -> model.generate(messages, tools, prefill, options, topLogprobs, guarded));
        cancel.check();
        return c;
    }

    @Override
    public int contextLength() {
        return model.contextLength();
    }

    @Override
    public int promptTokens(List<Message> messages, List<ToolSpec> tools, String prefill) {
        return model.promptTokens(messages, tools, prefill);
    }

    @Override
    public boolean canScore() {
        return model.canScore();
    }

    @Override
    public List<TokenLogprobs> score(List<Message> messages, List<ToolSpec> tools, List<String> continuations) {
        return queue.call(cancel, stage, () -> model.score(messages, tools, continuations));
    }

    @Override
    public List<TokenLogprobs> scoreThrough(List<Message> messages, List<ToolSpec> tools, List<String> continuations, int[] ends) {
        return queue.call(cancel, stage, () -> model.scoreThrough(messages, tools, continuations, ends));
    }

    @Override
    public String assistantText(List<Message> messages, List<ToolSpec> tools, Message answer) {
        return model.assistantText(messages, tools, answer);
    }

    @Override
    public boolean canAdapt() {
        return model.canAdapt();
    }

    @Override
    public Adapted adapt(List<TrainingPair> examples, long seed) {
        Adapted a = queue.call(cancel, stage, () -> model.adapt(examples, seed));
        return new QueuedAdapted(a, queue, cancel);
    }

    /** The adapted model, reached through the queue like the base; close() drops the adapter (the reset). */
    static final class QueuedAdapted extends QueuedModel implements Adapted {
        private final Adapted adapted;

        QueuedAdapted(Adapted adapted, EngineQueue queue, Cancel cancel) {
            super(adapted, queue, cancel);
            this.adapted = adapted;
        }

        @Override
        public double[] losses() {
            return adapted.losses();
        }

        @Override
        public Adapted adapt(List<TrainingPair> examples, long seed) {
            throw new UnsupportedOperationException("an adapted model is not adapted again");
        }

        @Override
        public void close() {
            adapted.close();
        }
    }

    @Override
    public void close() {
        // the served model outlives requests
    }
}
