package ttsi.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE: a word's UTF-8 bytes start as one symbol each, then the adjacent pair with the lowest merge
 * rank is merged (leftmost first on ties) until no pair has a rank. Short words use a plain scan; long words a
 * heap over a linked list, so a 10,000-byte word costs O(n log n).
 */
final class BpeModel {
    private static final int SMALL_WORD = 24;
    private static final int CACHE_CAPACITY = 20_000;
    private static final int CACHE_MAX_WORD = 64;

    private final Map<String, Integer> vocab;
    private final int[] byteToId = new int[256];
    private final boolean ignoreMerges;
    private final int unkId;

    // Open-addressing map: (left id << 32 | right id) -> (rank << 32 | merged id).
    private final long[] keys;
    private final long[] vals;
    private final int mask;

    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param merges       pairs in rank order
     * @param ignoreMerges a word that is itself in the vocabulary is taken whole (Llama 3)
     * @throws IllegalArgumentException on a merge whose parts or result are not in the vocabulary
     */
    BpeModel(Map<String, Integer> vocab, List<String[]> merges, boolean ignoreMerges, String unkToken) {
        this.vocab = vocab;
        this.ignoreMerges = ignoreMerges;
        Integer unk = unkToken == null ? null : vocab.get(unkToken);
        this.unkId = unk == null ? -1 : unk;
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevel.charOf(b)));
            byteToId[b] = id == null ? -1 : id;
        }
        int cap = Integer.highestOneBit(Math.max(4, merges.size() * 2)) * 2;
        keys = new long[cap];
        vals = new long[cap];
        Arrays.fill(keys, -1L);
        mask = cap - 1;
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            Integer a = vocab.get(m[0]), b = vocab.get(m[1]), ab = vocab.get(m[0] + m[1]);
            if (a == null || b == null) {
                throw new IllegalArgumentException("merge " + rank + " '" + m[0] + " " + m[1] + "' uses a token not in the vocabulary");
            }
            if (ab == null) {
                throw new IllegalArgumentException("merge " + rank + " '" + m[0] + " " + m[1] + "' makes a token not in the vocabulary");
            }
            // A repeated pair keeps its last rank, as HF's map does.
            put(((long) a << 32) | b, ((long) rank << 32) | ab);
        }
    }

    private static int slot(long key) {
        long x = key * 0x9E3779B97F4A7C15L;
        return (int) (x ^ (x >>> 29));
    }

    private void put(long key, long val) {
        int h = slot(key) & mask;
        while (keys[h] != -1L && keys[h] != key) h = (h + 1) & mask;
        keys[h] = key;
        vals[h] = val;
    }

    /** (rank << 32 | merged id) for the pair, or -1. */
    private long lookup(int a, int b) {
        long key = ((long) a << 32) | b;
        int h = slot(key) & mask;
        while (true) {
            long k = keys[h];
            if (k == key) return vals[h];
            if (k == -1L) return -1L;
            h = (h + 1) & mask;
        }
    }

    /** Appends the ids of one pre-tokenized word. */
    void encodeWord(String word, IntList out) {
        if (word.length() <= CACHE_MAX_WORD) {
            int[] ids = cache.get(word);
            if (ids == null) {
                ids = encodeBytes(word.getBytes(StandardCharsets.UTF_8));
                if (cache.size() >= CACHE_CAPACITY) cache.clear(); // crude bound; refills with what is in use
                cache.put(word, ids);
            }
            out.addAll(ids);
        } else {
            out.addAll(encodeBytes(word.getBytes(StandardCharsets.UTF_8)));
        }
    }

    int[] encodeBytes(byte[] bytes) {
        if (ignoreMerges) {
            Integer whole = vocab.get(ByteLevel.encode(bytes));
            if (whole != null) return new int[] {whole};
        }
        int[] ids = symbols(bytes);
        int n = ids.length;
        if (n < 2) return ids;
        return n <= SMALL_WORD ? mergeSmall(ids, n) : mergeLong(ids, n);
    }

    /** One symbol per byte before any merge. */
    int[] symbols(byte[] bytes) {
        int[] ids = new int[bytes.length];
        int n = 0;
        for (byte b : bytes) {
            int id = byteToId[b & 0xFF];
            if (id < 0) id = unkId;
            if (id >= 0) ids[n++] = id; // no unk token: HF drops the symbol
        }
        return n == ids.length ? ids : Arrays.copyOf(ids, n);
    }

    /** Quadratic scan, fastest for the short words that make up most text. */
    int[] mergeSmall(int[] ids, int n) {
        while (n > 1) {
            long best = Long.MAX_VALUE;
            int at = -1;
            for (int i = 0; i + 1 < n; i++) {
                long v = lookup(ids[i], ids[i + 1]);
                if (v >= 0 && v < best) { // strictly lower rank: leftmost wins ties
                    best = v;
                    at = i;
                }
            }
            if (at < 0) break;
            ids[at] = (int) best;
            System.arraycopy(ids, at + 2, ids, at + 1, n - at - 2);
            n--;
        }
        return n == ids.length ? ids : Arrays.copyOf(ids, n);
    }

    /** Heap of (rank, position) candidates over a linked list; stale entries are skipped when popped. */
    int[] mergeLong(int[] ids, int n) {
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            long v = lookup(ids[i], ids[i + 1]);
            if (v >= 0) heap.push((v & 0xFFFF_FFFF_0000_0000L) | i);
        }
        while (!heap.isEmpty()) {
            long e = heap.pop();
            long rank = e >>> 32;
            int i = (int) e;
            if (ids[i] < 0) continue; // merged into its left neighbour meanwhile
            int j = next[i];
            if (j < 0) continue;
            long v = lookup(ids[i], ids[j]);
            if (v < 0 || (v >>> 32) != rank) continue; // the pair at i changed
            ids[i] = (int) v;
            ids[j] = -1;
            int nj = next[j];
            next[i] = nj;
            if (nj >= 0) prev[nj] = i;
            int p = prev[i];
            if (p >= 0) {
                long pv = lookup(ids[p], ids[i]);
                if (pv >= 0) heap.push((pv & 0xFFFF_FFFF_0000_0000L) | p);
            }
            if (nj >= 0) {
                long nv = lookup(ids[i], ids[nj]);
                if (nv >= 0) heap.push((nv & 0xFFFF_FFFF_0000_0000L) | i);
            }
        }
        int[] out = new int[n];
        int m = 0;
        for (int i = 0; i >= 0; i = next[i]) out[m++] = ids[i];
        return Arrays.copyOf(out, m);
    }

    /** Min-heap of longs. */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (a[parent] <= v) break;
                a[i] = a[parent];
                i = parent;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long last = a[--size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) break;
                if (c + 1 < size && a[c + 1] < a[c]) c++;
                if (a[c] >= last) break;
                a[i] = a[c];
                i = c;
            }
            a[i] = last;
            return top;
        }
    }
}
