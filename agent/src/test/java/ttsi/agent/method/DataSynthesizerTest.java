package ttsi.agent.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import ttsi.agent.json.Json;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolSpec;

class DataSynthesizerTest {
    static final List<ToolSpec> TOOLS = List.of(weather(), ToolSpec.of("get_time", "time", Json.object()));

    static ToolSpec weather() {
        var params = Json.object();
        params.put("type", "object");
        var props = params.putObject("properties");
        props.putObject("city").put("type", "string");
        props.putObject("days").put("type", "integer");
        params.putArray("required").add("city");
        return ToolSpec.of("get_weather", "Weather forecast", params);
    }

    /** A generator that replays scripted outputs and records the prompts it saw. */
    static final class Scripted implements LanguageModel {
        final Deque<String> outputs;
        final List<List<Message>> prompts = new java.util.ArrayList<>();

        Scripted(String... outputs) {
            this.outputs = new ArrayDeque<>(List.of(outputs));
        }

        @Override
        public String id() {
            return "scripted";
        }

        @Override
        public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions options) {
            prompts.add(messages);
            return new Completion(outputs.isEmpty() ? "" : outputs.pop(), "stop", 0, 0, 0);
        }
    }

    @Test
    void validatesEachPair() {
        String seed = "weather in paris?";
        assertNull(DataSynthesizer.validate(Json.parse("{\"query\": \"Forecast for Rome, 3 days\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\", \"days\": 3}}]}"), TOOLS, seed));
        assertNull(DataSynthesizer.validate(Json.parse("{\"query\": \"Rome?\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\", \"days\": \"3\"}}]}"), TOOLS, seed));
        assertEquals("unknown tool 'get_news'", DataSynthesizer.validate(Json.parse("{\"query\": \"x\", \"answer\": [{\"name\": \"get_news\", \"arguments\": {}}]}"), TOOLS, seed));
        assertEquals("get_weather: missing required argument 'city'", DataSynthesizer.validate(Json.parse("{\"query\": \"x\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {}}]}"), TOOLS, seed));
        assertEquals("get_weather: unknown argument 'town'", DataSynthesizer.validate(Json.parse("{\"query\": \"x\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"a\", \"town\": \"b\"}}]}"), TOOLS, seed));
        assertTrue(DataSynthesizer.validate(Json.parse("{\"query\": \"x\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"a\", \"days\": \"three\"}}]}"), TOOLS, seed).contains("should be integer"));
        assertEquals("the query repeats the input", DataSynthesizer.validate(Json.parse("{\"query\": \"Weather in  Paris?\", \"answer\": [{\"name\": \"get_time\", \"arguments\": {}}]}"), TOOLS, seed));
        assertEquals("missing 'query' text", DataSynthesizer.validate(Json.parse("{\"answer\": []}"), TOOLS, seed));
        assertEquals("answer has no call", DataSynthesizer.validate(Json.parse("{\"query\": \"q\", \"answer\": []}"), TOOLS, seed));
    }

    @Test
    void extractsJsonFromChattyOutput() {
        assertEquals(1, DataSynthesizer.extractJson("Sure! Here it is:\n```json\n[{\"query\": \"a\", \"answer\": []}]\n```\nDone.").size());
        assertTrue(DataSynthesizer.extractJson("{\"query\": \"a\"}").isObject());
        assertNull(DataSynthesizer.extractJson("no json here"));
    }

    @Test
    void retriesUntilKValidPairsAndKeepsEveryRawGeneration() {
        Scripted gen = new Scripted("I cannot do that.",
                "[{\"query\": \"Weather in Oslo for 2 days\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"days\": 2}}]},"
                        + " {\"query\": \"bad\", \"answer\": [{\"name\": \"nope\", \"arguments\": {}}]}]",
                "[{\"query\": \"What time is it?\", \"answer\": [{\"name\": \"get_time\", \"arguments\": {}}]}]");
        var synth = new DataSynthesizer(new DataSynthesizer.Options(2, 3, GenerationOptions.greedy(64)));
        var r = synth.synthesize(gen, List.of(Message.user("Weather in Paris?")), TOOLS, 5);
        assertEquals(2, r.pairs().size());
        assertEquals("Weather in Oslo for 2 days", r.pairs().get(0).query());
        assertEquals("get_time", r.pairs().get(1).calls().get(0).name());
        assertEquals(3, r.attempts());
        assertEquals(3, r.raw().size());
        assertEquals(2, r.rejections().size());
        // The prompt shows the tools and the input's query, never a gold answer.
        String prompt = gen.prompts.get(0).get(1).content();
        assertTrue(prompt.contains("Weather in Paris?") && prompt.contains("get_weather") && prompt.contains("Write 2 new user requests"));
        assertTrue(gen.prompts.get(2).get(1).content().contains("Write 1 new user request "), "asks only for what is still missing");
    }

    @Test
    void givesUpAfterMaxAttempts() {
        var r = new DataSynthesizer(new DataSynthesizer.Options(1, 2, GenerationOptions.greedy(64))).synthesize(new Scripted("x", "y", "z"),
                List.of(Message.user("q")), TOOLS, 1);
        assertEquals(0, r.pairs().size());
        assertEquals(2, r.attempts());
    }

    @Test
    void aMultiTurnInputsPairsAreTrainedInsideItsDialogue() {
        List<Message> dialogue = List.of(Message.user("I am planning a trip."), Message.assistant("Where to?"),
                Message.user("What will the weather be in Oslo for 3 days?"));
        String out = "[{\"query\": \"And in Bergen for 2 days?\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Bergen\", \"days\": 2}}]},"
                + " {\"query\": \"what will the weather be in oslo for 3 days?\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}]}]";
        Scripted gen = new Scripted(out);
        var dialogueSynth = new DataSynthesizer(new DataSynthesizer.Options(2, 1, GenerationOptions.greedy(64)));
        assertEquals(DataSynthesizer.Context.DIALOGUE, dialogueSynth.options().context(), "the default keeps the dialogue");
        var r = dialogueSynth.synthesize(gen, dialogue, TOOLS, 1);
        // The prompt shows the dialogue and asks for new last turns; a pair repeating the last user turn is rejected.
        String prompt = gen.prompts.getFirst().getLast().content();
        assertTrue(prompt.contains("assistant: Where to?") && prompt.contains("new last user turns"), prompt);
        assertEquals(1, r.pairs().size(), r.rejections().toString());
        assertTrue(r.rejections().getFirst().contains("repeats the input"), r.rejections().toString());
        assertEquals(List.of(Message.user("I am planning a trip."), Message.assistant("Where to?"), Message.user("And in Bergen for 2 days?")),
                dialogueSynth.trainingConversation(dialogue, r.pairs().getFirst()));
        // Single-turn: the new request alone, from the single-request prompt.
        Scripted gen2 = new Scripted(out);
        var single = new DataSynthesizer(new DataSynthesizer.Options(2, 1, GenerationOptions.greedy(64), DataSynthesizer.Context.SINGLE_TURN));
        var r2 = single.synthesize(gen2, dialogue, TOOLS, 1);
        assertEquals(DataSynthesizer.prompt(dialogue, TOOLS, 2), gen2.prompts.getFirst());
        assertEquals(List.of(Message.user("And in Bergen for 2 days?")), single.trainingConversation(dialogue, r2.pairs().getFirst()));
        // A single request gets the same prompt in either context.
        List<Message> one = List.of(Message.user("Weather in Paris?"));
        assertEquals(DataSynthesizer.prompt(one, TOOLS, 1), DataSynthesizer.prompt(one, TOOLS, 1, DataSynthesizer.Context.DIALOGUE));
        assertEquals(List.of(Message.user("x")), dialogueSynth.trainingConversation(one, new DataSynthesizer.Pair("x", List.of())));
        assertEquals(DataSynthesizer.Context.SINGLE_TURN, DataSynthesizer.Context.of("single-turn"));
    }

    /** G is not shown the input's system prompt; T trains each pair under it, in either context. */
    @Test
    void theSystemPromptIsHiddenFromGAndKeptForT() {
        Message system = Message.system("You call tools.");
        List<Message> input = List.of(system, Message.user("Weather in Oslo?"));
        String out = "[{\"query\": \"Weather in Bergen?\", \"answer\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Bergen\"}}]}]";
        for (DataSynthesizer.Context c : DataSynthesizer.Context.values()) {
            Scripted gen = new Scripted(out);
            var synth = new DataSynthesizer(new DataSynthesizer.Options(1, 1, GenerationOptions.greedy(64), c));
            var r = synth.synthesize(gen, input, TOOLS, 1);
            String prompt = gen.prompts.getFirst().getLast().content();
            assertTrue(prompt.contains("Here is a request a user sent to the assistant:\nWeather in Oslo?\n"), prompt);
            assertFalse(prompt.contains("You call tools."), prompt);
            assertEquals(List.of(system, Message.user("Weather in Bergen?")), synth.trainingConversation(input, r.pairs().getFirst()), c.key);
        }
    }
}
