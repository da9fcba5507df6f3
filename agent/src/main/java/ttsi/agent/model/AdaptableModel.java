package ttsi.agent.model;

import java.util.List;

/** A model that can also be fine-tuned on a few examples and reset: what T needs (the embedded engine). */
public interface AdaptableModel extends ScoringModel {

    /**
     * Fine-tunes a fresh adapter on the examples (seeded) and returns the adapted model. Closing it resets: the
     * base model is unchanged and no state carries over to the next adaptation.
     */
    Adapted adapt(List<TrainingPair> examples, long seed);

    /** An adapted model with its training record; {@link #close()} resets to the base model. */
    interface Adapted extends ScoringModel {
        /** Training loss at each optimizer step. */
        double[] losses();

        @Override
        void close();
    }
}
