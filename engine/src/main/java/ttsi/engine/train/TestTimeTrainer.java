package ttsi.engine.train;

import java.util.List;
import ttsi.engine.model.Decoder;
import ttsi.engine.model.State;

/**
 * Test-time training: adapt a fresh LoRA adapter to a handful of examples, answer with it, then reset. The
 * base weights are never written, so closing the adaptation is an exact reset: afterwards the model's outputs
 * are bit-identical to the base model's. Every adaptation starts from fresh adapter weights, optimizer state and
 * RNG derived only from its seed; the activation buffers are kept for the next adaptation (each is written before
 * it is read, so this changes no result).
 */
public final class TestTimeTrainer {
    private final Decoder decoder;
    private final LoraConfig lora;
    private final TrainConfig train;
    private final java.util.concurrent.atomic.AtomicReference<Backprop> idlePass = new java.util.concurrent.atomic.AtomicReference<>();

    public TestTimeTrainer(Decoder decoder, LoraConfig lora, TrainConfig train) {
        this.decoder = decoder;
        this.lora = lora;
        this.train = train;
    }

    /** The adapted model; close() discards the adapter (the reset). */
    public final class Adaptation implements AutoCloseable {
        private LoraAdapter adapter;
        private final List<StepReport> steps;

        Adaptation(LoraAdapter adapter, List<StepReport> steps) {
            this.adapter = adapter;
            this.steps = steps;
        }

        public List<StepReport> steps() {
            return steps;
        }

        public LoraAdapter adapter() {
            if (adapter == null) throw new IllegalStateException("adaptation was reset");
            return adapter;
        }

        /** A fresh sequence state that runs the adapted model. */
        public State newState() {
            return decoder.newState(adapter());
        }

        @Override
        public void close() {
            adapter = null;
        }
    }

    public Decoder decoder() {
        return decoder;
    }

    /** Trains a new adapter (seeded by seed) on the examples and returns it, ready to answer. */
    public Adaptation adapt(List<TrainingExample> examples, long seed, StepReport.Listener listener) {
        LoraAdapter adapter = LoraAdapter.create(decoder.config(), lora.withSeed(seed));
        // One pass is kept between adaptations for its activation buffers; a concurrent adaptation gets its own.
        Backprop pass = idlePass.getAndSet(null);
        if (pass == null) pass = new Backprop(decoder, adapter);
        else pass.rebind(adapter);
        try {
            List<StepReport> steps = LoraTrainer.train(pass, examples, train.withSeed(seed), listener);
            return new Adaptation(adapter, steps);
        } finally {
            idlePass.set(pass);
        }
    }
}
