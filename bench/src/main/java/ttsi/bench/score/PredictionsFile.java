package ttsi.bench.score;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.json.Json;
import ttsi.agent.tools.ToolCallParser;
import ttsi.agent.tools.ToolSpec;
import ttsi.bench.data.DataFormatException;
import ttsi.bench.data.Sample;

/**
 * Reads predictions: JSON Lines of {@code {"id": ..., "calls": [{"name", "arguments"}]}} or
 * {@code {"id": ..., "output": "raw model text"}} (parsed with the sample's tools, so positional Python
 * arguments bind). With both, the calls are used and the output kept. A line that is not JSON, has no id, or
 * repeats an id is an error naming the line.
 */
public final class PredictionsFile {
    private PredictionsFile() {}

    public static Map<String, Prediction> read(Path file, Map<String, Sample> samples) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataFormatException("predictions file not found: " + file);
        } catch (IOException e) {
            throw new DataFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, Prediction> out = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            String where = file + ":" + (i + 1);
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                throw new DataFormatException(where + ": not valid JSON: " + e.getOriginalMessage());
            }
            if (!n.isObject()) throw new DataFormatException(where + ": expected an object {id, calls or output}");
            JsonNode idNode = n.get("id");
            if (idNode == null || idNode.isNull() || idNode.isContainerNode()) throw new DataFormatException(where + ": no \"id\"");
            String id = idNode.asText();
            if (out.containsKey(id)) throw new DataFormatException(where + ": id " + id + " appears twice");
            Sample s = samples.get(id);
            List<ToolSpec> tools = s == null ? List.of() : s.tools();
            String output = n.path("output").isTextual() ? n.get("output").textValue() : null;
            Prediction p;
            if (n.has("calls")) {
                ToolCallParser.ParseResult r = ToolCallParser.interpret(n.get("calls"));
                p = new Prediction(id, output, r.calls(), r.ok() ? null : "calls: " + r.error());
            } else if (n.has("output")) {
                if (output == null) throw new DataFormatException(where + ": \"output\" must be a string");
                p = Prediction.ofOutput(id, output, tools);
            } else {
                throw new DataFormatException(where + ": needs \"calls\" or \"output\"");
            }
            out.put(id, p);
        }
        return out;
    }
}
