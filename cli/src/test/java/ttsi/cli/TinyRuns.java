package ttsi.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.json.Json;
import ttsi.engine.model.RandomCheckpoint;

/**
 * A run that needs nothing outside the project: a tiny byte-level random model ({@link RandomCheckpoint#writeByteLevel})
 * and a small Seal-Tools-format benchmark written here, with the options that make {@code ttsi run} exercise
 * Algorithm 1 on it quickly (every input uncertain, LoRA training on the gold pair, answer, reset). Shared by the
 * shard and Spark tests, which compare their run directories with a single-process run's.
 */
public final class TinyRuns {
    private TinyRuns() {}

    static final String[] TOOLS = {"get_weather", "book_table", "play_song"};
    static final String[] ARGS = {"city", "party", "song"};
    static final String[] VALUES = {"Lisbon", "Oslo", "Quito", "Perth", "Accra", "Lima", "Hanoi"};

    /** A data folder holding a sealtool benchmark of n requests over three tools. */
    public static Path dataDir(Path dir, int n) throws IOException {
        Path f = dir.resolve("sealtool/hammer/sealtool.json");
        Files.createDirectories(f.getParent());
        ArrayNode items = Json.array();
        for (int i = 0; i < n; i++) {
            int t = i % TOOLS.length;
            String v = VALUES[i % VALUES.length];
            ObjectNode item = items.addObject();
            item.put("query", "Request " + i + ": " + TOOLS[t].replace('_', ' ') + " for " + v + ".");
            ArrayNode tools = item.putArray("tools");
            for (int j = 0; j < TOOLS.length; j++) {
                ObjectNode tool = tools.addObject();
                tool.put("name", TOOLS[j]);
                tool.put("description", "Does " + TOOLS[j].replace('_', ' ') + ".");
                ObjectNode params = tool.putObject("parameters");
                params.putObject(ARGS[j]).put("type", "string").put("description", "The " + ARGS[j] + ".");
                tool.putArray("required").add(ARGS[j]);
            }
            ObjectNode answer = item.putArray("answers").addObject();
            answer.put("tool", TOOLS[t]);
            answer.putObject("parameters").put(ARGS[t], v);
        }
        Files.writeString(f, items.toString());
        return dir;
    }

    /** The tiny model's folder. */
    public static Path model(Path dir) throws IOException {
        return RandomCheckpoint.writeByteLevel(dir, 11);
    }

    /** {@code ttsi run} options for the gold upper bound on the tiny benchmark over two seeds (then --out and, for a shard, --shard). */
    public static List<String> runArgs(Path model, Path data) {
        return new ArrayList<>(List.of("--model", model.toString(), "--benchmark", "sealtool", "--data-dir", data.toString(), "--method", "gold-upper-bound",
                "--tau", "1.0", "--k", "1", "--max-attempts", "1", "--max-tokens", "24", "--seeds", "2", "--lr", "1e-2", "--threads", "1"));
    }

    /** A results row without its timings (which differ between two runs of the same sample). */
    public static ObjectNode withoutTimings(ObjectNode row) {
        ObjectNode r = row.deepCopy();
        r.remove("seconds");
        return r;
    }

    /** The rows of a results file, in file order. */
    public static List<ObjectNode> rows(Path resultsFile) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(resultsFile)) if (!l.isBlank()) out.add((ObjectNode) Json.MAPPER.readTree(l));
        return out;
    }
}
