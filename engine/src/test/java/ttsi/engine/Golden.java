package ttsi.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The golden fixtures under src/test/resources/golden: tiny random checkpoints and what the independent
 * PyTorch reference (shared/tools/torch_ref.py, via tools/goldens/make_goldens.py) computed for them.
 */
public final class Golden {
    private Golden() {}

    public static final Path ROOT = Path.of("src/test/resources/golden");
    public static final Path BAD = Path.of("src/test/resources/bad");

    public static List<String> fixtures() {
        try (Stream<Path> s = Files.list(ROOT)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("golden.json"))).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String fixture) {
        try {
            return new ObjectMapper().readTree(ROOT.resolve(fixture).resolve("golden.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonNode arr) {
        int[] a = new int[arr.size()];
        for (int i = 0; i < a.length; i++) a[i] = arr.get(i).asInt();
        return a;
    }

    /** A [rows][cols] JSON array flattened row-major. */
    public static float[] matrix(JsonNode rows) {
        int r = rows.size(), c = rows.get(0).size();
        float[] out = new float[r * c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) out[i * c + j] = (float) rows.get(i).get(j).asDouble();
        return out;
    }

    /** max |expected - actual| / max |expected|: the measure {@link #assertClose} bounds. */
    public static double relDiff(float[] expected, float[] actual) {
        double max = 0, diff = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        return diff / max;
    }

    /** max |expected - actual| ≤ tol · max |expected|, with the numbers in the failure message. */
    public static void assertClose(String what, float[] expected, float[] actual, double tol) {
        if (expected.length != actual.length) throw new AssertionError(what + ": length " + actual.length + " != " + expected.length);
        double max = 0, diff = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i]));
            double d = Math.abs(expected[i] - actual[i]);
            if (d > diff) {
                diff = d;
                at = i;
            }
        }
        if (diff > tol * max) {
            throw new AssertionError(what + ": max |diff| " + diff + " at " + at + " (expected " + expected[at] + ", got "
                    + actual[at] + ") exceeds " + tol + " x max |expected| " + max);
        }
    }
}
