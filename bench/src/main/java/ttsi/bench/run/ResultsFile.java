package ttsi.bench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.json.Json;

/**
 * Append-only JSON lines, one per finished sample, flushed and synced as each is written. Reading tolerates a
 * torn last line (a crash mid-write): it is cut off, so a resumed run rewrites that sample, exactly once.
 */
public final class ResultsFile implements AutoCloseable {
    private final Path path;
    private Writer out;

    public ResultsFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** The complete lines already there (cutting a torn tail from the file). */
    public List<ObjectNode> readAndRepair() throws IOException {
        List<ObjectNode> rows = new ArrayList<>();
        if (!Files.exists(path)) return rows;
        byte[] bytes = Files.readAllBytes(path);
        int start = 0, lastGood = 0, lineNo = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') continue;
            lineNo++;
            String line = new String(bytes, start, i - start, StandardCharsets.UTF_8).strip();
            if (!line.isEmpty()) {
                JsonNode n = Json.tryParse(line);
                if (n == null || !n.isObject()) throw new IOException(path + ":" + lineNo + ": not a JSON object; the results file is damaged");
                rows.add((ObjectNode) n);
            }
            start = i + 1;
            lastGood = i + 1;
        }
        if (lastGood < bytes.length) {
            try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
                f.setLength(lastGood);
            }
        }
        return rows;
    }

    public synchronized void append(ObjectNode row) throws IOException {
        if (out == null) {
            Files.createDirectories(path.toAbsolutePath().getParent());
            out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE, StandardOpenOption.DSYNC);
        }
        out.write(Json.compact(row));
        out.write('\n');
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }
}
