package ttsi.toolshift;

import ttsi.engine.format.SharedFolder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.method.PromptFormat;
import ttsi.agent.tools.ChatToolPrompt;
import ttsi.bench.data.Sample;
import ttsi.engine.tokenizer.ChatTemplate;
import ttsi.engine.tokenizer.Tokenizer;

class BpeTrainerTest {
    static ToolShift.Data data;
    static List<String> corpus;
    static BpeTrainer.Result result;

    @BeforeAll
    static void train() {
        data = ToolShift.generate(new ToolShift.Config(3, 400, 20, 50, 150, 0.15, PromptFormat.NATIVE));
        corpus = ToolShift.tokenizerCorpus(data);
        long t0 = System.nanoTime();
        result = BpeTrainer.train(corpus, 1024, 2);
        System.out.printf("BPE: %d texts, %d chars -> %d ids (%d merges) in %.2f s%n", corpus.size(),
                corpus.stream().mapToLong(String::length).sum(), result.vocabSize(), result.merges().size(), (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void fullSizeDataAndVocabularyStatistics() {
        long t0 = System.nanoTime();
        ToolShift.Data full = ToolShift.generate(ToolShift.Config.defaults(1));
        List<String> texts = ToolShift.tokenizerCorpus(full);
        long t1 = System.nanoTime();
        BpeTrainer.Result r = BpeTrainer.train(texts, 4096, 2);
        long t2 = System.nanoTime();
        System.out.printf("full ToolShift (seed 1): generated + rendered %d texts, %.1f MB, in %.2f s; BPE to %d ids in %.2f s%n",
                texts.size(), texts.stream().mapToLong(String::length).sum() / 1e6, (t1 - t0) / 1e9, r.vocabSize(), (t2 - t1) / 1e9);
        // The world's text is small: merges run out (no pair left twice) before 4096 ids.
        assertTrue(r.vocabSize() > 2048 && r.vocabSize() <= 4096, "vocab " + r.vocabSize());
    }

    @Test
    void isDeterministicAndHitsTheTarget() {
        BpeTrainer.Result again = BpeTrainer.train(corpus, 1024, 2);
        assertEquals(1024, result.vocabSize());
        assertEquals(result.tokens(), again.tokens());
        assertEquals(result.merges().stream().map(m -> m[0] + " " + m[1]).toList(), again.merges().stream().map(m -> m[0] + " " + m[1]).toList());
    }

    @Test
    void writtenTokenizerLoadsRoundTripsAndMatchesTheMergeList(@TempDir Path dir) throws Exception {
        BpeTrainer.write(result, dir, 2048);
        Tokenizer tok = Tokenizer.load(dir);
        assertEquals(1024, tok.vocabSize());
        Map<Long, Integer> ranks = MergeListReference.ranks(result);
        // Training words: the merge list alone reproduces the training segmentation.
        for (var e : result.segmentation().entrySet()) assertArrayEquals(e.getValue(), MergeListReference.encodeWord(result, e.getKey(), ranks), e.getKey());
        long tokens = 0, chars = 0;
        for (String text : corpus) {
            int[] ids = tok.encode(text);
            assertArrayEquals(MergeListReference.expectedIds(result, text, ranks), ids);
            assertEquals(text, tok.decode(ids));
            tokens += ids.length;
            chars += text.length();
        }
        System.out.printf("BPE: %.2f chars per token on the training corpus%n", (double) chars / tokens);
        String unseen = "Réservez une table à Zürich 🍕 for 12 people\ton 2031-01-02!";
        assertEquals(unseen, tok.decode(tok.encode(unseen)));
        assertArrayEquals(MergeListReference.expectedIds(result, unseen, ranks), tok.encode(unseen));
    }

    @Test
    void addedTokensAreSingleIds(@TempDir Path dir) {
        BpeTrainer.write(result, dir, 2048);
        Tokenizer tok = Tokenizer.load(dir);
        for (String a : result.added()) {
            assertArrayEquals(new int[] {result.addedId(a)}, tok.encode(a), a);
            assertEquals(result.addedId(a), tok.id(a).getAsInt());
            assertEquals(BpeTrainer.SPECIAL.contains(a), tok.isSpecial(result.addedId(a)), a);
        }
        assertEquals(result.addedId("<|im_end|>"), tok.eosId().getAsInt());
        int[] ids = tok.encode("x<tool_call>\n{\"a\": 1}\n</tool_call><|im_end|>");
        assertEquals(result.addedId("<tool_call>"), ids[1]);
        assertEquals(result.addedId("<|im_end|>"), ids[ids.length - 1]);
        assertTrue(tok.decode(ids, true).contains("<tool_call>"), "tool-call markup survives skipping special tokens");
    }

    @Test
    void chatTemplateRendersASampleWithTools(@TempDir Path dir) throws Exception {
        BpeTrainer.write(result, dir, 2048);
        ChatTemplate t = ChatTemplate.load(dir);
        Sample s = data.test().getFirst();
        var chat = ChatToolPrompt.chatJson(s.conversation(), s.tools());
        String text = t.render(chat);
        assertTrue(text.startsWith("<|im_start|>system\nYou are a helpful assistant.\n\n# Tools"), text);
        // One signature line a tool: name(arg: type, optional?: type a|b): description.
        for (var tool : s.tools()) {
            StringBuilder line = new StringBuilder("\n").append(tool.name()).append('(');
            for (String p : tool.parameterNames()) {
                var prop = tool.property(p);
                if (line.charAt(line.length() - 1) != '(') line.append(", ");
                line.append(p).append(tool.required().contains(p) ? "" : "?").append(": ").append(prop.get("type").asText());
                if (prop.has("enum")) {
                    List<String> values = new java.util.ArrayList<>();
                    prop.get("enum").forEach(v -> values.add(v.asText()));
                    line.append(' ').append(String.join("|", values));
                }
            }
            line.append("): ").append(tool.description()).append('\n');
            assertTrue(text.contains(line), line + " in\n" + text);
        }
        assertTrue(text.endsWith("<|im_start|>user\n" + s.query() + "<|im_end|>\n<|im_start|>assistant\n"), text);
        // The answer renders as Qwen2.5 writes tool calls.
        var withAnswer = ToolShift.answeringRecord(s, PromptFormat.NATIVE);
        String full = t.render(withAnswer.put("add_generation_prompt", false));
        assertTrue(full.endsWith(ChatToolPrompt.answer(s.gold()) + "<|im_end|>\n"), full);
        // The conversation and the answer as Qwen2.5's own template renders them (only the tool listing differs).
        Path qwen = SharedFolder.find("models/Qwen2.5-0.5B-Instruct");
        if (qwen != null) {
            String q = ChatTemplate.load(qwen).render(withAnswer);
            String tail = "</tool_call><|im_end|>\n<|im_start|>user\n";
            assertEquals(q.substring(q.indexOf(tail)), full.substring(full.indexOf(tail)));
        }
        assertFalse(Tokenizer.load(dir).decode(Tokenizer.load(dir).encode(full)).isEmpty());
    }
}
