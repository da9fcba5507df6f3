package ttsi.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Collectors;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usage example of api/README.md, compiled and run on a tiny random model. Keep the two in step. */
class ReadmeExampleTest {

    static void example(Path modelFolder) {
        // ---- README example (begin) ----
        AgentOptions options = AgentOptions.defaults()   // the project's defaults: tau 0.95, K 1, LoRA r 8/alpha 16, 5 epochs at lr 1e-4
                .withMode(Mode.AUTO)                     // OFF: never adapt; AUTO: adapt when uncertain; FORCE: always
                .withTau(0.95)
                .withK(1);
        Tool weather = Tool.builder("get_weather")
                .description("Weather forecast for a city")
                .parameter("city", "string", "city name", true)
                .parameter("days", "integer", "how many days ahead", false)
                .build();
        List<Tool> more = Tool.listFromJson("""
                [{"type": "function", "function": {"name": "get_time", "description": "Local time in a city",
                  "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]""");
        Request request = Request.builder()
                .system("You are a travel assistant.")
                .user("What's the weather in Paris tomorrow?")
                .tool(weather)
                .tools(more)
                .build();
        try (Agent agent = Agent.load(modelFolder, options)) {
            Answer answer = agent.answer(request);
            for (ToolCall call : answer.toolCalls()) {
                System.out.println(call.name() + " " + call.arguments());   // e.g. get_weather {"city":"Paris","days":1}
            }
            Answer.Uncertainty u = answer.uncertainty();
            System.out.printf("margin %.3f (tau %.2f), uncertain %s, probabilities %s%n", u.margin(), u.tau(), u.uncertain(), u.probabilities());
            System.out.printf("adapted %s on %d synthetic pair(s), losses %s, seconds %s%n",
                    answer.adapted(), answer.synthesis().pairs().size(), answer.losses(), answer.seconds());
        }
        // ---- README example (end) ----
    }

    @Test
    void theReadmeExampleRuns(@TempDir Path root) throws Exception {
        Path model = TinyModel.write(root);
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            example(model);
        } finally {
            System.setOut(stdout);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        stdout.print(printed);
        assertTrue(printed.contains("(tau 0") && printed.contains("uncertain "), printed);
        assertTrue(printed.contains("get_weather=") && printed.contains("get_time="), printed);
        assertTrue(printed.contains("seconds {score="), printed);
    }

    @Test
    void bothReadmesShowThisVeryCode() throws Exception {
        // The block between the markers above, de-indented, must appear verbatim in README.md and api/README.md.
        String source = Files.readString(Path.of("src/test/java/ttsi/api/ReadmeExampleTest.java"));
        String begin = "// ---- README example (begin) ----\n", end = "        // ---- README example (end) ----";
        String block = source.substring(source.indexOf(begin) + begin.length(), source.indexOf(end));
        String code = block.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).collect(Collectors.joining("\n", "", "\n"));
        for (Path readme : List.of(Path.of("README.md"), Path.of("../README.md"))) {
            assertTrue(Files.readString(readme).contains(code), readme + " does not show the example as this test runs it:\n" + code);
        }
    }
}
