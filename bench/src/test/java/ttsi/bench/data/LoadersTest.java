package ttsi.bench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static ttsi.bench.Fixtures.call;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import ttsi.agent.tools.Message;
import ttsi.bench.Benchmarks;
import ttsi.bench.Fixtures;

/** Each loader on a hand-written file of its format. */
class LoadersTest {
    private final Path dir = Fixtures.dataDir();

    private Dataset load(String name) {
        return Benchmarks.get(name).load(dir);
    }

    private static boolean hasIssue(Dataset d, String where, String text, boolean skipped) {
        return d.issues().stream().anyMatch(i -> i.where().contains(where) && i.reason().contains(text) && i.skipped() == skipped);
    }

    @Test
    void hammerSingleQuery() {
        Dataset d = load("sealtool");
        assertEquals(2, d.size());
        Sample s = d.samples().get(1);
        assertEquals("sealtool_1", s.id());
        assertTrue(s.singleTurn());
        assertEquals("Net income for revenue 0.29 and expenses 40.7.", s.query());
        assertEquals(List.of(call("calculateNetIncome", "{\"revenue\": 0.29, \"expenses\": \"40.7\"}")), s.gold());
        assertEquals(List.of("revenue", "expenses"), s.tools().getFirst().required());
        assertEquals(List.of(call("getPostmodernTheory", "{}")), d.samples().getFirst().gold());
        // The third record has no answers: reported with its index, not dropped silently.
        assertTrue(hasIssue(d, "index 2", "missing \"answers\"", true), d.issues().toString());
    }

    @Test
    void hammerDialogue() {
        Sample s = load("apibank-l1").samples().getFirst();
        assertEquals(List.of("user", "assistant", "assistant", "tool", "assistant"), s.conversation().stream().map(Message::role).toList());
        assertEquals(List.of(call("GetToday", "{}")), s.conversation().get(2).toolCalls());
        assertTrue(s.conversation().get(4).content().endsWith("Generate API Request:"));
        assertEquals(List.of(call("ModifyRegistration", "{\"appointment_id\": \"34567890\", \"new_appointment_date\": \"2023-03-26\"}")), s.gold());
        assertEquals(List.of("appointment_id", "new_appointment_date"), s.tools().getFirst().parameterNames());
    }

    @Test
    void nexusRaven() {
        Dataset d = load("nexusraven");
        assertEquals(2, d.size());
        Sample a = d.samples().get(0), b = d.samples().get(1);
        assertEquals("virustotal_0", a.id());
        assertEquals("virustotal", a.group());
        assertEquals(List.of("vt_get_domain_report", "vt_get_comments"), a.tools().stream().map(t -> t.name()).toList());
        // python_args_dict given as text, positional argument bound by the signature order.
        assertEquals(List.of(call("vt_get_comments", "{\"ip\": \"8.8.8.8\", \"x_apikey\": \"k2\", \"limit\": 2}")), b.gold());
        assertEquals(List.of("ip", "x_apikey", "limit", "cursor"), b.tool("vt_get_comments").parameterNames());
        assertTrue(b.tool("vt_get_comments").property("limit").get("default").isNull());
        assertTrue(hasIssue(d, "line 3", "not valid JSON", true), d.issues().toString());
        assertTrue(hasIssue(d, "line 4", "searchCVE is not in the API list", true), d.issues().toString());
    }

    @Test
    void sealToolsOfficial() {
        Dataset d = load("sealtool-in-domain");
        assertEquals(2, d.size());
        assertTrue(d.issues().isEmpty(), d.issues().toString());
        Sample easy = d.samples().get(0), hard = d.samples().get(1);
        assertEquals("test_in_domain-easy-0", easy.id());
        assertEquals("in_domain-easy", easy.group());
        assertEquals(List.of("getVehicleBatteryLevel", "getTirePressure"), easy.tools().stream().map(t -> t.name()).toList());
        assertEquals(List.of("vehicle_id"), easy.tools().getFirst().required());
        assertEquals(List.of(call("getQuote", "{\"employee_count\": 63}"), call("book", "{\"quote\": \"API_call_0\"}")), hard.gold());
        assertEquals("difficult", hard.meta().get("difficulty").asText());
    }

    @Test
    void apiBankTrainingRecordsName(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // The Hub's training data: {instruction, input, output}, no file/id to look the dialogue up by.
        com.fasterxml.jackson.databind.node.ArrayNode test = (com.fasterxml.jackson.databind.node.ArrayNode) ttsi.agent.json.Json.MAPPER
                .readTree(dir.resolve("apibank/test-data/level-1-api.json").toFile());
        com.fasterxml.jackson.databind.node.ArrayNode train = ttsi.agent.json.Json.MAPPER.createArrayNode();
        var rec = train.addObject();
        rec.put("instruction", test.get(1).get("instruction").asText());
        rec.put("input", test.get(1).get("input").asText());
        rec.put("output", "API-Request: [GetToday()]");
        train.addObject().put("instruction", "x");
        Path f = tmp.resolve("apibank/training-data/lv1-api-train.json");
        java.nio.file.Files.createDirectories(f.getParent());
        java.nio.file.Files.writeString(f, train.toString());
        Dataset d = Benchmarks.get("apibank-l1-train").load(tmp);
        assertEquals(1, d.size());
        Sample s = d.samples().getFirst();
        assertEquals(List.of(call("GetToday", "{}")), s.gold());
        assertEquals("RecordHealthData", s.conversation().get(2).toolCalls().getFirst().name());
        assertTrue(hasIssue(d, "index 1", "missing \"input\"", true), d.issues().toString());
    }

    @Test
    void apiBankOfficial() {
        Dataset d = load("apibank-l1-official");
        assertEquals(2, d.size());
        Sample first = d.samples().get(0), second = d.samples().get(1);
        assertEquals(List.of("RecordHealthData", "GetToday"), first.tools().stream().map(t -> t.name()).toList());
        assertEquals(List.of("user", "assistant"), first.conversation().stream().map(Message::role).toList());
        // Gold values come from the dialogue's param_dict, exactly.
        assertEquals("[{'name': 'blood_pressure', 'value': '120/80'}, {'name': 'heart_rate', 'value': '80'}]",
                first.gold().getFirst().argument("health_data").textValue());
        // The earlier request and its result are a tool call and a tool message.
        assertEquals(List.of("user", "assistant", "assistant", "tool", "assistant", "user"), second.conversation().stream().map(Message::role).toList());
        assertEquals("RecordHealthData", second.conversation().get(2).toolCalls().getFirst().name());
        assertEquals("success", second.conversation().get(3).content());
        assertEquals(List.of(call("GetToday", "{}")), second.gold());
        assertTrue(hasIssue(d, "index 2", "is not an API call", true), d.issues().toString());
    }

    @Test
    void toolAlpacaOfficial() {
        Dataset d = load("toolalpaca-real");
        assertEquals(3, d.size());
        Sample s = d.samples().get(0);
        assertEquals(List.of("CountryInfo", "Latest"), s.tools().stream().map(t -> t.name()).toList());
        assertEquals(List.of("countryCode"), s.tools().get(0).required());
        assertEquals("Get country info", s.tools().get(0).description());
        assertEquals("Array[string]", s.tools().get(1).type("symbols"));
        assertEquals("array", s.tools().get(1).toOpenAiFunction().at("/function/parameters/properties/symbols/type").asText());
        assertEquals("One of: [USD, EUR]. Base currency.", s.tools().get(1).property("base").get("description").asText());
        assertTrue(s.meta().get("output_formats").asText().contains("#Dto"));
        assertEquals(List.of(call("Latest", "{\"base\": \"USD\", \"symbols\": [\"EUR\", \"GBP\"]}")), d.samples().get(1).gold());
        assertEquals(List.of(call("CountryInfo", "{\"countryCode\": \"${code from search}\"}"), call("Latest", "{}")), d.samples().get(2).gold());
        assertTrue(hasIssue(d, "instruction 1", "repaired", false), d.issues().toString());
        assertTrue(hasIssue(d, "instruction 3", "could not be repaired", true), d.issues().toString());
    }

    @Test
    void bfclCategories() {
        Dataset d = load("bfcl-simple_python");
        assertEquals(2, d.size());
        assertEquals("simple_python", d.samples().getFirst().group());
        assertEquals(List.of(call("calculate_triangle_area", "{\"base\": 10, \"height\": 5, \"unit\": \"units\"}")), d.samples().get(0).gold());
        // "" listed first: optional parameters are left out, required ones take the first real value.
        assertEquals(List.of(call("calculate_emissions", "{\"distance\": 12000, \"fuel_type\": \"gas\", \"fuel_efficiency\": 25.0, \"efficiency_reduction\": 0}")),
                d.samples().get(1).gold());
        assertTrue(d.samples().get(0).goldRaw().isArray());
        Dataset irr = load("bfcl-irrelevance");
        assertEquals(1, irr.size());
        assertTrue(irr.samples().getFirst().gold().isEmpty());
        // A category nobody registered loads from its file name alone.
        Dataset custom = load("bfcl-live_custom");
        assertEquals(1, custom.size());
        Sample c = custom.samples().getFirst();
        assertEquals(List.of("system", "user"), c.conversation().stream().map(Message::role).toList());
        assertEquals("live_custom", c.group());
        assertTrue(hasIssue(custom, "id live_custom_9", "answer without a question", true), custom.issues().toString());
    }

    @Test
    void missingFilesSayWhatToDo() {
        var e = assertThrows(DataFormatException.class, () -> Benchmarks.get("apibank-l2").load(dir));
        assertTrue(e.getMessage().contains("apibank_l2.json not found"), e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
        assertFalse(Benchmarks.get("apibank-l2").available(dir));
    }

    @Test
    void unreadableFilesNameTheFile(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("sealtool/hammer/sealtool.json");
        java.nio.file.Files.createDirectories(f.getParent());
        java.nio.file.Files.writeString(f, "[{\"query\": 1,");
        var e = assertThrows(DataFormatException.class, () -> Benchmarks.get("sealtool").load(tmp));
        assertTrue(e.getMessage().contains("sealtool.json") && e.getMessage().contains("not valid JSON"), e.getMessage());
    }
}
