package ttsi.agent.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationListener;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.TokenChoice;
import ttsi.agent.tools.Message;

/** The embedded model's generation with a listener: streamed text, per-token log-probabilities, prefill, stopping. */
class StreamingGenerationTest {
    @TempDir
    static Path dir;
    static EmbeddedModel model;
    static final List<Message> CHAT = List.of(Message.user("Say hello"));

    @BeforeAll
    static void load() throws Exception {
        model = TinyModel.create(dir.resolve("tiny"));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void answeringAScoredPromptReusesItsCacheAndGivesTheSameTokens(@TempDir Path other) throws Exception {
        List<Message> chat = List.of(Message.user("What is the weather in Paris?"));
        GenerationOptions sampled = new GenerationOptions(12, 0.9, 0.95, 0, 7, List.of());
        try (EmbeddedModel fresh = TinyModel.create(other.resolve("tiny"))) {
            String greedy = fresh.generate(chat, List.of(), GenerationOptions.greedy(12)).text();
            String drawn = fresh.generate(chat, List.of(), sampled).text();
            int before = model.promptsReused();
            model.score(chat, List.of(), List.of("Sunny", "It rains"));
            assertEquals(greedy, model.generate(chat, List.of(), GenerationOptions.greedy(12)).text());
            assertEquals(drawn, model.generate(chat, List.of(), sampled).text());
            assertEquals(before + 2, model.promptsReused());
            // another prompt runs as usual
            model.generate(List.of(Message.user("Something else")), List.of(), GenerationOptions.greedy(3));
            assertEquals(before + 2, model.promptsReused());
        }
    }

    @Test
    void piecesAndLogprobsMatchTheScorer() {
        StringBuilder text = new StringBuilder();
        List<TokenChoice> tokens = new ArrayList<>();
        Completion c = model.generate(CHAT, List.of(), "", GenerationOptions.greedy(10), 4, new GenerationListener() {
            @Override
            public void text(String piece) {
                text.append(piece);
            }

            @Override
            public boolean token(TokenChoice t) {
                tokens.add(t);
                return true;
            }
        });
        assertEquals(c.text(), text.toString());
        assertEquals(model.generate(CHAT, List.of(), GenerationOptions.greedy(10)).text(), c.text());
        assertEquals(c.completionTokens(), tokens.size());
        // log-probabilities of the generated tokens are those the scorer gives the same continuation
        String prompt = model.render(CHAT, List.of());
        int[] ids = tokens.stream().mapToInt(TokenChoice::id).toArray();
        int[] all = model.tokenizer().encode(prompt);
        int[] joined = java.util.Arrays.copyOf(all, all.length + ids.length);
        System.arraycopy(ids, 0, joined, all.length, ids.length);
        List<TokenChoice> scored = model.promptLogprobs(joined, 0);
        for (int i = 0; i < ids.length; i++) {
            TokenChoice t = tokens.get(i);
            assertEquals(scored.get(all.length + i).logprob(), t.logprob(), 1e-4);
            assertEquals(4, t.top().size());
            assertEquals(t.id(), t.top().getFirst().id()); // greedy picks the most likely token
            for (int k = 1; k < 4; k++) assertTrue(t.top().get(k - 1).logprob() >= t.top().get(k).logprob());
        }
    }

    @Test
    void prefillIsContinuedAndListenerStops() {
        Completion whole = model.generate(CHAT, List.of(), GenerationOptions.greedy(6));
        String head = whole.text().substring(0, Math.min(2, whole.text().length()));
        Completion cont = model.generate(CHAT, List.of(), head, GenerationOptions.greedy(3), -1, null);
        assertTrue(cont.promptTokens() > model.promptTokens(CHAT, List.of(), ""));
        int[] seen = {0};
        Completion stopped = model.generate(CHAT, List.of(), "", GenerationOptions.greedy(20), -1, new GenerationListener() {
            @Override
            public boolean token(TokenChoice t) {
                assertTrue(Double.isNaN(t.logprob()));
                return ++seen[0] < 3;
            }
        });
        assertEquals("cancelled", stopped.finishReason());
        assertEquals(2, stopped.completionTokens());
    }
}
