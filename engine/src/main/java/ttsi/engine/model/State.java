package ttsi.engine.model;

import ttsi.engine.tensor.MatMul;

/**
 * Per-sequence inference state: the KV cache (one K and one V array per layer, laid out [position][kv head][dim])
 * and scratch buffers sized for the largest chunk seen so far. Not thread-safe; one per concurrent sequence.
 */
public final class State {
    final ModelConfig config;
    final Adapter adapter;
    /** The linear layers of this state's forward passes: the base weights plus the adapter, if any (never merged). */
    final Decoder.Linear linear;
    float[][] keys, values;
    int length, capacity;

    // Scratch, [rows][...] row-major, grown on demand.
    int rowsCapacity;
    float[] cos, sin;
    /** Every layer's scratch: one set, reused layer after layer (nothing saved). */
    final LayerBuffers buffers = new LayerBuffers();

    public State(ModelConfig config) {
        this(config, null, 256);
    }

    /** A state whose forward passes add the given adapter (null for the base model) to every linear layer. */
    public State(ModelConfig config, Adapter adapter, int initialCapacity) {
        this.config = config;
        this.adapter = adapter;
        this.linear = (p, layer, projection, x, r0, len, w, bias, y) -> {
            if (r0 != 0) throw new IllegalArgumentException("inference runs every row");
            MatMul.linear(p, x, len, w, bias, y);
            if (adapter != null) adapter.addDelta(p, layer, projection, x, len, y);
        };
        keys = new float[config.numLayers()][];
        values = new float[config.numLayers()][];
        capacity = 0;
        ensureCapacity(initialCapacity);
    }

    public Adapter adapter() {
        return adapter;
    }

    /** Number of positions in the cache. */
    public int length() {
        return length;
    }

    /** Forgets positions n.. (e.g. to score another continuation after a shared prompt). */
    public void truncate(int n) {
        if (n < 0 || n > length) throw new IllegalArgumentException("cannot truncate cache of length " + length + " to " + n);
        length = n;
    }

    /** Copies the first n cached positions of another state (same model) into this one. */
    public void copyPrefix(State other, int n) {
        if (n > other.length) throw new IllegalArgumentException("prefix " + n + " > " + other.length);
        ensureCapacity(n);
        int kv = config.kvDim();
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(other.keys[l], 0, keys[l], 0, n * kv);
            System.arraycopy(other.values[l], 0, values[l], 0, n * kv);
        }
        length = n;
    }

    void ensureCapacity(int positions) {
        if (positions <= capacity) return;
        int cap = Math.max(positions, Math.max(16, capacity * 2));
        int kv = config.kvDim();
        for (int l = 0; l < keys.length; l++) {
            keys[l] = keys[l] == null ? new float[cap * kv] : java.util.Arrays.copyOf(keys[l], cap * kv);
            values[l] = values[l] == null ? new float[cap * kv] : java.util.Arrays.copyOf(values[l], cap * kv);
        }
        capacity = cap;
    }

    void ensureRows(int rows) {
        if (rows <= rowsCapacity) return;
        ModelConfig c = config;
        int h = c.hiddenSize();
        LayerBuffers b = buffers;
        b.x = new float[rows * h];
        b.xn1 = b.xn2 = new float[rows * h];
        b.q = new float[rows * c.qDim()];
        b.k = new float[rows * c.kvDim()];
        b.v = new float[rows * c.kvDim()];
        b.att = new float[rows * c.qDim()];
        b.gate = b.act = new float[rows * c.intermediateSize()];
        b.up = new float[rows * c.intermediateSize()];
        b.out = new float[rows * Math.max(h, c.qDim())];
        cos = new float[rows * c.headDim() / 2];
        sin = new float[rows * c.headDim() / 2];
        rowsCapacity = rows;
    }
}
