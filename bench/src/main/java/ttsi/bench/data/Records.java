package ttsi.bench.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import ttsi.agent.json.Json;

/**
 * Reads the records of a data file: a JSON array, or JSON Lines (one value per line; BFCL's ".json" files are
 * JSON Lines). A line that is not JSON becomes an issue, not an exception; a file that cannot be read at all
 * throws DataFormatException naming the file.
 */
public final class Records {
    /** One record and where it came from ("line 12" or "index 3"). */
    public record Record(JsonNode node, String where, int index) {}

    private Records() {}

    /** Array or JSON Lines, whichever the file holds. */
    public static List<Record> read(Path file, Consumer<LoadIssue> issues) {
        String text = text(file);
        String head = text.stripLeading();
        if (head.startsWith("[")) {
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(text);
                List<Record> out = new ArrayList<>();
                for (int i = 0; i < n.size(); i++) out.add(new Record(n.get(i), "index " + i, i));
                return out;
            } catch (JsonProcessingException e) {
                // Not one array: fall through to JSON Lines (a line may itself be an array).
                if (head.indexOf('\n') < 0) throw new DataFormatException(file + ": not valid JSON: " + reason(e), e);
            }
        }
        return readLines(file, text, issues);
    }

    /** A file holding one JSON value (an object, or an array used as a whole). */
    public static JsonNode readValue(Path file) {
        String text = text(file);
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file + ": not valid JSON: " + reason(e), e);
        }
    }

    private static List<Record> readLines(Path file, String text, Consumer<LoadIssue> issues) {
        List<Record> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int index = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            try {
                out.add(new Record(Json.MAPPER.readTree(line), "line " + (i + 1), index++));
            } catch (JsonProcessingException e) {
                issues.accept(new LoadIssue(file, "line " + (i + 1), "not valid JSON: " + reason(e), true));
            }
        }
        if (out.isEmpty() && index == 0 && !text.isBlank()) {
            throw new DataFormatException(file + ": neither a JSON array nor JSON Lines");
        }
        return out;
    }

    static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataFormatException("file not found: " + file
                    + " (point --data-dir at the folder holding the benchmark folders, or run 'ttsi data fetch')");
        } catch (IOException e) {
            throw new DataFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static String reason(JsonProcessingException e) {
        var loc = e.getLocation();
        return e.getOriginalMessage() + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr());
    }
}
