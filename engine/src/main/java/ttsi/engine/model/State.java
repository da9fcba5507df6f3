package ttsi.engine.model;

/**
 * Per-sequence inference state: the KV cache (one K and one V array per layer, laid out [position][kv head][dim])
 * and scratch buffers sized for the largest chunk seen so far. Not thread-safe; one per concurrent sequence.
 */
public final class State {
    final ModelConfig config;
    final Adapter adapter;
    float[][] keys, values;
    int length, capacity;

    // Scratch, [rows][...] row-major, grown on demand.
    int rowsCapacity;
    float[] x, xn, q, k, v, att, gate, up, out, cos, sin;

    public State(ModelConfig config) {
        this(config, null, 256);
    }

    /** A state whose forward passes add the given adapter (null for the base model) to every linear layer. */
    public State(ModelConfig config, Adapter adapter, int initialCapacity) {
        this.config = config;
        this.adapter = adapter;
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
        x = new float[rows * h];
        xn = new float[rows * h];
        q = new float[rows * c.qDim()];
        k = new float[rows * c.kvDim()];
        v = new float[rows * c.kvDim()];
        att = new float[rows * c.qDim()];
        gate = new float[rows * c.intermediateSize()];
        up = new float[rows * c.intermediateSize()];
        out = new float[rows * Math.max(h, c.qDim())];
        cos = new float[rows * c.headDim() / 2];
        sin = new float[rows * c.headDim() / 2];
        rowsCapacity = rows;
    }
}
