package ttsi.bench;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import ttsi.agent.json.Json;
import ttsi.agent.tools.ToolCall;

/** The hand-written fixture data folder (src/test/resources/fixtures/data) and small builders. */
public final class Fixtures {
    private Fixtures() {}

    public static Path dataDir() {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/data").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ToolCall call(String name, String argsJson) {
        return new ToolCall(name, (com.fasterxml.jackson.databind.node.ObjectNode) Json.parse(argsJson));
    }

    public static ToolCall call(String name, Map<String, ?> args) {
        return ToolCall.of(name, args);
    }
}
