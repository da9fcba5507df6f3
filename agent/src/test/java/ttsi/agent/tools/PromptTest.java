package ttsi.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import ttsi.agent.json.Json;

class PromptTest {
    private final ToolSpec tool = ToolSpec.fromJson(Json.parse(
            "{\"name\": \"get_weather\", \"description\": \"Weather for a city\", \"parameters\": {\"city\": {\"type\": \"str\", \"description\": \"City\", \"required\": true}}}"));
    private final ToolCall gold = ToolCall.of("get_weather", java.util.Map.of("city", "Paris"));
    private final List<Message> conversation = List.of(Message.user("Weather in Paris?"));

    @Test
    void benchmarkPromptBlocks() {
        List<Message> ms = BenchmarkPrompt.render(conversation, List.of(tool), BenchmarkPrompt.Layout.USER_ONLY);
        assertEquals(1, ms.size());
        String u = ms.getFirst().content();
        assertTrue(u.startsWith("[BEGIN OF TASK INSTRUCTION]\n"));
        assertTrue(u.contains("[BEGIN OF AVAILABLE TOOLS]\n[{\"name\": \"get_weather\", \"description\": \"Weather for a city\", "
                + "\"parameters\": {\"city\": {\"type\": \"str\", \"description\": \"City\", \"required\": true}}}]\n[END OF AVAILABLE TOOLS]"));
        assertTrue(u.endsWith("[BEGIN OF QUERY]\nWeather in Paris?\n[END OF QUERY]"));
        List<Message> two = BenchmarkPrompt.render(conversation, List.of(tool), BenchmarkPrompt.Layout.SYSTEM_AND_USER);
        assertEquals(List.of("system", "user"), two.stream().map(Message::role).toList());
        assertTrue(two.get(1).content().startsWith("[BEGIN OF QUERY]"));
    }

    @Test
    void answersRoundTripThroughTheParser() {
        String a = BenchmarkPrompt.answer(List.of(gold));
        assertEquals("[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]", a);
        assertEquals(List.of(gold), ToolCallParser.parse(a).calls());
        String q = ChatToolPrompt.answer(List.of(gold, gold));
        assertEquals("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", q);
        assertEquals(List.of(gold, gold), ToolCallParser.parse(q).calls());
        assertEquals("[{\"name\": \"get_weather\"", BenchmarkPrompt.namePrefix("get_weather"));
    }

    @Test
    void conversationsAsRoleLines() {
        var conv = List.of(Message.user("Book it."), Message.assistant("Which day?"), Message.user("Monday."),
                Message.assistantCalls("", List.of(gold)), Message.tool("sunny"));
        assertEquals("user: Book it.\nassistant: Which day?\nuser: Monday.\nassistant: [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]\ntool: sunny",
                BenchmarkPrompt.queryText(conv));
    }

    @Test
    void chatJsonForTemplates() {
        var j = ChatToolPrompt.chatJson(List.of(Message.system("You are helpful."), conversation.getFirst()), List.of(tool));
        assertEquals("system", j.at("/messages/0/role").asText());
        assertEquals("Weather in Paris?", j.at("/messages/1/content").asText());
        assertEquals("function", j.at("/tools/0/type").asText());
        assertEquals("string", j.at("/tools/0/function/parameters/properties/city/type").asText());
        assertEquals("city", j.at("/tools/0/function/parameters/required/0").asText());
        var m = Message.assistantCalls("", List.of(gold)).toChatJson();
        assertEquals("get_weather", m.at("/tool_calls/0/function/name").asText());
    }
}
