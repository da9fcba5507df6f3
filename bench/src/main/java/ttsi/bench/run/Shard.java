package ttsi.bench.run;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of {@code count} equal parts of a run ({@code ttsi run --shard I/N}): the samples whose 0-based index is I modulo N,
 * so that every shard gets early and late samples alike (benchmarks are often sorted by difficulty or source). Shard
 * run directories are ordinary run directories; {@code ttsi merge-shards} joins N of them into the run one process would
 * have written.
 */
public record Shard(int index, int count) {
    private static final Pattern FORM = Pattern.compile("(\\d+)/(\\d+)");

    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("--shard must be I/N with N >= 1 and 0 <= I < N, got " + index + "/" + count);
        }
    }

    /** Parses "I/N" (e.g. "0/4" .. "3/4"), naming --shard in the error. */
    public static Shard parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) throw new IllegalArgumentException("--shard must look like I/N (e.g. 0/4 for the first of four shards), got '" + text + "'");
        try {
            return new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shard must look like I/N with small numbers, got '" + text + "'");
        }
    }

    /** Whether the sample at this 0-based index belongs to the shard. */
    public boolean holds(int sampleIndex) {
        return sampleIndex % count == index;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
