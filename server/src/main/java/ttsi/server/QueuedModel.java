package ttsi.server;

import java.util.List;
import ttsi.agent.model.AdaptableModel;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationListener;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.model.ScoringModel;
import ttsi.agent.model.TokenChoice;
import ttsi.agent.model.TokenLogprobs;
import ttsi.agent.model.TrainingPair;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;

/**
 * One request's view of the served model: every engine call becomes a job on the engine queue, tagged with the
 * request's cancellation and the current stage, and every generated token checks the cancellation. {@link #of}
 * gives a view with the served model's own capabilities (generation; scoring; adapting). Adapting gives a view of
 * the adapted model that belongs to this request alone and shares its stage.
 */
class QueuedModel implements LanguageModel {
    private final LanguageModel model;
    final EngineQueue queue;
    final Cancel cancel;
    final Stage stage;

    /** The request's current stage, shared by its view of the base model and of the adapted one. */
    static final class Stage {
        volatile String name = "answer";
    }

    QueuedModel(LanguageModel model, EngineQueue queue, Cancel cancel, Stage stage) {
        this.model = model;
        this.queue = queue;
        this.cancel = cancel;
        this.stage = stage;
    }

    /** The request's view of the served model: a {@link ScoringModel} or {@link AdaptableModel} when the model is one. */
    static QueuedModel of(LanguageModel model, EngineQueue queue, Cancel cancel) {
        Stage s = new Stage();
        if (model instanceof AdaptableModel a) return new Adaptable(a, queue, cancel, s);
        if (model instanceof ScoringModel m) return new Scoring(m, queue, cancel, s);
        return new QueuedModel(model, queue, cancel, s);
    }

    /** Sets the stage that later engine jobs of this request (on the base or the adapted model) are tagged with. */
    void stage(String s) {
        stage.name = s;
    }

    <T> T call(java.util.concurrent.Callable<T> job) {
        return queue.call(cancel, stage.name, job);
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
        Completion c = call(() -> model.generate(messages, tools, prefill, options, topLogprobs, guarded));
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
    public String assistantText(List<Message> messages, List<ToolSpec> tools, Message answer) {
        return model.assistantText(messages, tools, answer);
    }

    @Override
    public void close() {
        // the served model outlives requests
    }

    /** The view of a model that scores: scoring goes through the queue as well. */
    static class Scoring extends QueuedModel implements ScoringModel {
        private final ScoringModel model;

        Scoring(ScoringModel model, EngineQueue queue, Cancel cancel, Stage stage) {
            super(model, queue, cancel, stage);
            this.model = model;
        }

        @Override
        public List<TokenLogprobs> score(List<Message> messages, List<ToolSpec> tools, List<String> continuations) {
            return call(() -> model.score(messages, tools, continuations));
        }

        @Override
        public List<TokenLogprobs> scoreThrough(List<Message> messages, List<ToolSpec> tools, List<String> continuations, int[] ends) {
            return call(() -> model.scoreThrough(messages, tools, continuations, ends));
        }

    }

    /** The view of a model that adapts: training goes through the queue, and the adapted model is queued too. */
    static final class Adaptable extends Scoring implements AdaptableModel {
        private final AdaptableModel model;

        Adaptable(AdaptableModel model, EngineQueue queue, Cancel cancel, Stage stage) {
            super(model, queue, cancel, stage);
            this.model = model;
        }

        @Override
        public Adapted adapt(List<TrainingPair> examples, long seed) {
            return new QueuedAdapted(call(() -> model.adapt(examples, seed)), queue, cancel, stage);
        }
    }

    /** The adapted model, reached through the queue like the base; close() drops the adapter (the reset). */
    static final class QueuedAdapted extends Scoring implements AdaptableModel.Adapted {
        private final AdaptableModel.Adapted adapted;

        QueuedAdapted(AdaptableModel.Adapted adapted, EngineQueue queue, Cancel cancel, Stage stage) {
            super(adapted, queue, cancel, stage);
            this.adapted = adapted;
        }

        @Override
        public double[] losses() {
            return adapted.losses();
        }

        @Override
        public void close() {
            adapted.close();
        }
    }
}
