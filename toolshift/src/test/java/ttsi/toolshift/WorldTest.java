package ttsi.toolshift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ttsi.agent.json.Json;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.model.Completion;
import ttsi.agent.model.GenerationOptions;
import ttsi.agent.model.LanguageModel;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;
import ttsi.bench.data.Dataset;
import ttsi.bench.data.HammerLoader;
import ttsi.bench.data.Sample;
import ttsi.toolshift.World.Split;

class WorldTest {
    static ToolShift.Data data;

    @BeforeAll
    static void generate() {
        data = ToolShift.generate(new ToolShift.Config(7, 1500, 200, 300, 300, 0.15, ttsi.agent.method.PromptFormat.NATIVE));
    }

    @Test
    void sameSeedSameFiles(@TempDir Path a, @TempDir Path b) throws Exception {
        ToolShift.Config c = new ToolShift.Config(11, 200, 50, 100, 50, 0.15, ttsi.agent.method.PromptFormat.NATIVE);
        ToolShift.write(ToolShift.generate(c), a);
        ToolShift.write(ToolShift.generate(c), b);
        for (String f : List.of("train.jsonl", "dev.jsonl", "test.jsonl", "sft.jsonl", "manifest.json")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
        ToolShift.write(ToolShift.generate(new ToolShift.Config(12, 200, 50, 100, 50, 0.15, ttsi.agent.method.PromptFormat.NATIVE)), b);
        assertFalse(Files.readString(a.resolve("test.jsonl")).equals(Files.readString(b.resolve("test.jsonl"))), "another seed, other data");
    }

    @Test
    void worldIsBigEnough() {
        World w = data.world();
        assertTrue(w.domains(Split.TRAIN).size() >= 14, "train domains " + w.domains(Split.TRAIN));
        assertTrue(w.domains(Split.TRAIN).size() + Catalog.HELD_OUT_DOMAINS.size() >= 20);
        assertTrue(w.tools().size() >= 80, "tools: " + w.tools().size());
        System.out.printf("ToolShift: %d tools, %d train tools, %d held out; %d train domains, %d test domains%n", w.tools().size(),
                w.pool(Split.TRAIN).size(), w.heldOutTools().size(), w.domains(Split.TRAIN).size(), w.domains(Split.TEST).size());
    }

    @Test
    void nothingOfTheTestShiftAppearsInTraining() {
        World w = data.world();
        Set<String> held = w.heldOutTools();
        // Tool names: no held-out tool anywhere in the training files (gold or candidate, answering or synthesis).
        StringBuilder trainText = new StringBuilder();
        for (Sample s : data.train()) trainText.append(Json.compact(ToolShift.hammerRecord(s))).append('\n');
        for (Sample s : data.dev()) trainText.append(Json.compact(ToolShift.hammerRecord(s))).append('\n');
        for (var r : ToolShift.sftRecords(data)) trainText.append(Json.compact(r)).append('\n');
        String text = trainText.toString();
        for (String t : held) assertFalse(text.contains("\"" + t + "\""), "held-out tool in training data: " + t);
        for (Sample s : data.test()) for (ToolCall c : s.gold()) assertTrue(held.contains(c.name()), c.name());
        // Domains.
        for (Sample s : concat(data.train(), data.dev())) {
            assertFalse(Catalog.HELD_OUT_DOMAINS.contains(s.meta().get("domain").asText()));
        }
        long heldDomainTest = data.test().stream().filter(s -> Catalog.HELD_OUT_DOMAINS.contains(s.meta().get("domain").asText())).count();
        assertTrue(heldDomainTest > data.test().size() / 2, "most test samples come from held-out domains: " + heldDomainTest);
        // Frames and verb phrasings.
        Set<String> heldPhrasings = Catalog.VERBS.values().stream().map(v -> v.phrasings().getLast()).collect(Collectors.toSet());
        for (Sample s : concat(data.train(), data.dev())) {
            assertTrue(Catalog.TRAIN_FRAMES.contains(s.meta().get("frame").asText()));
            for (JsonNode p : s.meta().get("phrasings")) assertFalse(heldPhrasings.contains(p.asText()), p.asText());
            for (String f : Catalog.TEST_FRAMES) assertFalse(framed(s.query(), f), s.query() + " looks like test frame " + f);
            for (String j : Catalog.TEST_JOINS) assertFalse(s.query().contains(j), s.query());
        }
        for (Sample s : data.test()) {
            assertTrue(Catalog.TEST_FRAMES.contains(s.meta().get("frame").asText()));
            for (String f : Catalog.TRAIN_FRAMES) if (!f.startsWith("{Action} {args}")) assertFalse(framed(s.query(), f), s.query() + " / " + f);
        }
        long withHeld = data.test().stream().filter(s -> {
            for (JsonNode p : s.meta().get("phrasings")) if (heldPhrasings.contains(p.asText())) return true;
            return false;
        }).count();
        assertTrue(withHeld > data.test().size() / 4, "held-out phrasings are used in test: " + withHeld);
    }

    private static boolean framed(String query, String frame) {
        String[] parts = frame.replace("{Action} {args}", "{action} {args}").split("\\{action\\} \\{args\\}", -1);
        String pre = parts[0], post = parts[1];
        return query.toLowerCase().startsWith(pre.toLowerCase()) && query.endsWith(post) && !(pre.isEmpty() && post.length() <= 2);
    }

    @Test
    void everyGoldCallIsValidAndStatedInItsQuery() {
        for (Sample s : concat(concat(data.train(), data.dev()), data.test())) {
            assertTrue(s.tools().size() >= 3 && s.tools().size() <= 6, "candidates: " + s.tools().size());
            assertEquals(s.tools().size(), s.tools().stream().map(ToolSpec::name).distinct().count());
            assertFalse(s.gold().isEmpty());
            for (ToolCall c : s.gold()) {
                ToolSpec t = s.tool(c.name());
                assertTrue(t != null, c.name() + " not among the candidates of " + s.id());
                for (String r : t.required()) assertTrue(c.arguments().has(r), c + " lacks " + r);
                c.arguments().properties().forEach(e -> {
                    assertTrue(t.hasParameter(e.getKey()), "unknown argument " + e.getKey());
                    JsonNode v = e.getValue();
                    JsonNode schema = t.property(e.getKey());
                    switch (t.type(e.getKey())) {
                        case "integer" -> assertTrue(v.isIntegralNumber(), c.toString());
                        case "number" -> assertTrue(v.isNumber(), c.toString());
                        case "boolean" -> assertTrue(v.isBoolean(), c.toString());
                        case "string" -> {
                            assertTrue(v.isTextual(), c.toString());
                            if (schema.has("enum")) assertTrue(schema.get("enum").toString().contains("\"" + v.asText() + "\""), c.toString());
                        }
                        default -> throw new AssertionError("type " + t.type(e.getKey()));
                    }
                    if (!v.isBoolean()) {
                        String shown = Slots.get(e.getKey()).text(v);
                        assertTrue(s.query().contains(shown), "value " + shown + " not in query: " + s.query());
                    }
                });
            }
        }
    }

    @Test
    void stringValuesAreQuotedInTheRequestAsInTheCall() {
        // The tokenizer then splits a value the same way in the request ("\"Zorvak") and in the JSON call.
        for (Sample s : concat(data.train(), data.test())) {
            for (ToolCall c : s.gold()) {
                c.arguments().properties().forEach(e -> {
                    if (e.getValue().isTextual()) assertTrue(s.query().contains("\"" + e.getValue().asText() + "\""), e + " unquoted in " + s.query());
                });
            }
        }
    }

    @Test
    void freeStringValuesAreCompositionalSoThatOnlyCopyingPays() {
        // Over the training split, names and titles almost never repeat: a model cannot guess them from a pool.
        java.util.Map<String, Set<String>> values = new java.util.TreeMap<>();
        java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Sample s : data.train()) {
            for (ToolCall c : s.gold()) {
                c.arguments().properties().forEach(e -> {
                    if (e.getValue().isTextual() && !s.tool(c.name()).property(e.getKey()).has("enum")) {
                        values.computeIfAbsent(e.getKey(), k -> new java.util.HashSet<>()).add(e.getValue().asText());
                        counts.merge(e.getKey(), 1, Integer::sum);
                    }
                });
            }
        }
        for (String slot : List.of("city", "recipient", "title", "song", "dish", "message")) {
            int n = counts.getOrDefault(slot, 0);
            assertTrue(n >= 20, slot + ": only " + n + " values");
            assertTrue(values.get(slot).size() >= 0.95 * n, slot + ": " + values.get(slot).size() + " distinct of " + n);
        }
    }

    @Test
    void aMixSetsTheCandidateCountAndRenamesToolsOnlyInTraining() {
        World w = data.world();
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        World.Mix mix = new World.Mix(0.1, 1, 2, 1.0);
        for (int i = 0; i < 200; i++) {
            Sample s = w.answering(Split.TRAIN, "a", r.split(), mix);
            long goldTools = s.gold().stream().map(ToolCall::name).distinct().count();
            assertTrue(s.tools().size() >= goldTools && s.tools().size() <= 2, "candidates " + s.tools().size());
            for (ToolSpec t : s.tools()) assertTrue(w.tool(t.name()) == null, "renamed: " + t.name());
            for (ToolCall c : s.gold()) {
                ToolSpec t = s.tool(c.name());
                assertTrue(t != null, "the gold call names a listed (renamed) tool: " + c.name());
                // Renaming keeps what the tool does: the description and parameters of a world tool.
                assertTrue(w.tools().stream().anyMatch(wt -> wt.spec().description().equals(t.description()) && wt.spec().parameters().equals(t.parameters())));
            }
            Sample test = w.answering(Split.TEST, "b", r.split(), mix);
            for (ToolSpec t : test.tools()) assertTrue(w.tool(t.name()) != null, "test tools keep their names: " + t.name());
        }
    }

    @Test
    void novelObjectsAreInventedPerSampleInNameDescriptionAndRequestAlike() {
        World w = data.world();
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        Set<String> heldOutWords = new java.util.HashSet<>();
        for (String t : w.heldOutTools()) heldOutWords.addAll(List.of(t.split("_")));
        for (World.Novel novel : List.of(World.Novel.PSEUDO_WORDS, World.Novel.ENGLISH)) {
            World.Mix mix = new World.Mix(0.15, 3, 6, 0, 1.0, novel);
            for (int i = 0; i < 300; i++) {
                Sample s = w.answering(Split.TRAIN, "n", r.split(), mix);
                assertTrue(s.meta().path("novel_objects").asBoolean(), "every sample of this mix has novel objects");
                for (ToolSpec t : s.tools()) {
                    assertTrue(w.tool(t.name()) == null, "an invented name is never a world tool: " + t.name());
                    String verb = t.name().substring(0, t.name().indexOf('_'));
                    assertTrue(Catalog.VERBS.containsKey(verb), t.name());
                    // What the tool takes is a world tool's.
                    assertTrue(w.tools().stream().anyMatch(wt -> wt.spec().parameters().equals(t.parameters())), t.name());
                }
                for (ToolCall c : s.gold()) {
                    assertTrue(s.tool(c.name()) != null, "the gold call names a listed tool: " + c.name());
                    List<String> words = List.of(c.name().substring(c.name().indexOf('_') + 1).split("_"));
                    for (String word : words) {
                        String stem = word.endsWith("s") && !s.query().contains(word) ? word.substring(0, word.length() - 1) : word;
                        assertTrue(s.query().contains(stem), "the request names the invented object's word '" + stem + "': " + s.query());
                        assertTrue(s.tool(c.name()).description().contains(stem), c.name() + ": " + s.tool(c.name()).description());
                        if (novel == World.Novel.ENGLISH) assertFalse(heldOutWords.contains(word) || heldOutWords.contains(stem), "a held-out tool's word: " + word);
                    }
                }
                Sample test = w.answering(Split.TEST, "t", r.split(), mix);
                assertFalse(test.meta().has("novel_objects"), "test samples keep the world's tools");
                for (ToolSpec t : test.tools()) assertTrue(w.tool(t.name()) != null, t.name());
            }
        }
        // English names sometimes keep only one word of a two-word noun, so they must be read from the list.
        int partial = 0;
        Catalog.Obj like = w.tools().getFirst().object();
        for (int i = 0; i < 1000; i++) {
            Catalog.Obj o = World.novelObject(like, World.Novel.ENGLISH, List.of(), r);
            if (!o.id().equals(o.noun().replace(' ', '_'))) partial++;
        }
        assertTrue(partial > 150 && partial < 350, "names with part of the noun: " + partial + " of 1000");
    }

    @Test
    void pieceWordObjectsAndRenamedParametersKeepTheCallsTheListingDescribes() {
        World w = data.world();
        java.util.SplittableRandom r = new java.util.SplittableRandom(13);
        List<String> pieces = List.of("ght", "oom", "ice", "ew", "cies", "light", "ary");
        Set<String> trainKeys = new java.util.HashSet<>(), testKeys = new java.util.HashSet<>();
        w.pool(Split.TRAIN).forEach(t -> trainKeys.addAll(t.slots()));
        w.pool(Split.TEST).forEach(t -> testKeys.addAll(t.slots()));
        testKeys.removeAll(trainKeys);
        assertFalse(testKeys.isEmpty(), "held-out domains have parameters of their own");
        World.Mix mix = new World.Mix(0.3, 3, 6, 0, 1.0, World.Novel.TOKENS, 1.0);
        assertThrows(IllegalArgumentException.class, () -> w.answering(Split.TRAIN, "p", r.split(), mix));
        for (int i = 0; i < 300; i++) {
            Sample s = w.answering(Split.TRAIN, "p", r.split(), mix, pieces);
            assertTrue(s.meta().path("renamed_parameters").asBoolean());
            for (ToolSpec t : s.tools()) {
                assertTrue(w.tool(t.name()) == null, t.name());
                String object = t.name().substring(t.name().indexOf('_') + 1);
                assertTrue(object.replace("_", "").matches("(ght|oom|ice|ew|cies|light|ary)+s?"), "made of the pieces: " + t.name());
                // The same parameter schemas as a world tool, in the same order, under fresh keys.
                List<JsonNode> schemas = new java.util.ArrayList<>();
                t.parameters().path("properties").forEach(schemas::add);
                List<String> keys = new java.util.ArrayList<>();
                t.parameters().path("properties").fieldNames().forEachRemaining(keys::add);
                assertTrue(w.tools().stream().anyMatch(wt -> {
                    List<JsonNode> ws = new java.util.ArrayList<>();
                    wt.spec().parameters().path("properties").forEach(ws::add);
                    return ws.equals(schemas) && wt.spec().parameters().path("required").size() == t.parameters().path("required").size();
                }), t.name());
                for (String k : keys) {
                    assertFalse(trainKeys.contains(k) || testKeys.contains(k), "a fresh key, never a world parameter: " + k);
                    assertTrue(k.replace("_", "").matches("(ght|oom|ice|ew|cies|light|ary)+"), k);
                }
                for (JsonNode req : t.parameters().path("required")) assertTrue(keys.contains(req.asText()), "required names are renamed too");
            }
            for (ToolCall c : s.gold()) {
                ToolSpec t = s.tool(c.name());
                assertTrue(t != null, c.name());
                c.arguments().fieldNames().forEachRemaining(k -> assertTrue(t.parameters().path("properties").has(k), "the call uses the listed key " + k));
                for (JsonNode req : t.parameters().path("required")) assertTrue(c.arguments().has(req.asText()), "required " + req + " in " + c);
            }
        }
    }

    @Test
    void wordKeysRenameAboutHalfTheParametersToNounsAndKeepTheRest() {
        World w = data.world();
        java.util.SplittableRandom r = new java.util.SplittableRandom(23);
        Set<String> trainKeys = new java.util.HashSet<>(), heldOut = new java.util.HashSet<>();
        w.pool(Split.TRAIN).forEach(t -> trainKeys.addAll(t.slots()));
        w.pool(Split.TEST).forEach(t -> heldOut.addAll(t.slots()));
        heldOut.removeAll(trainKeys);
        Set<String> keyWords = new java.util.HashSet<>();
        trainKeys.forEach(k -> keyWords.addAll(List.of(k.split("_"))));
        // Word keys need no tokenizer pieces; only the tools keep the world's objects here (pNovel 0).
        World.Mix mix = new World.Mix(0.3, 3, 6, 0, 0, World.Novel.TOKENS, 1.0, World.Keys.WORDS);
        int kept = 0, renamed = 0;
        for (int i = 0; i < 300; i++) {
            Sample s = w.answering(Split.TRAIN, "k", r.split(), mix);
            for (ToolSpec t : s.tools()) {
                List<String> world = w.tool(t.name()).slots(), keys = new java.util.ArrayList<>();
                t.parameters().path("properties").fieldNames().forEachRemaining(keys::add);
                assertEquals(world.size(), keys.size());
                assertEquals(keys.size(), new java.util.HashSet<>(keys).size(), "distinct keys: " + keys);
                for (int j = 0; j < keys.size(); j++) {
                    String k = keys.get(j);
                    assertFalse(heldOut.contains(k), "never a held-out key: " + k);
                    if (k.equals(world.get(j))) {
                        kept++;
                        continue;
                    }
                    renamed++;
                    String[] parts = k.split("_");
                    assertTrue(Catalog.NOVEL_NOUNS.contains(parts[0]), "a noun no tool uses: " + k);
                    assertTrue(parts.length == 1 || parts.length == 2 && keyWords.contains(parts[1]), "noun or noun_keyword: " + k);
                }
            }
            for (ToolCall c : s.gold()) {
                ToolSpec t = s.tool(c.name());
                c.arguments().fieldNames().forEachRemaining(k -> assertTrue(t.parameters().path("properties").has(k), "the call uses the listed key " + k));
            }
        }
        double share = renamed / (double) (kept + renamed);
        assertTrue(share > 0.4 && share < 0.6, "about half renamed: " + share);
    }

    @Test
    void pieceWordValuesAreWrittenInTheRequestAndCopiedIntoTheCall() {
        World w = data.world();
        java.util.SplittableRandom r = new java.util.SplittableRandom(17);
        List<String> pieces = List.of("ght", "oom", "ice", "ew", "cies", "light", "ary");
        World.Mix mix = new World.Mix(0.3, 3, 6, 0, 1.0, World.Novel.TOKENS_VALUES, 0);
        int free = 0;
        for (int i = 0; i < 300; i++) {
            Sample s = w.answering(Split.TRAIN, "v", r.split(), mix, pieces);
            for (ToolCall c : s.gold()) {
                for (var e : c.arguments().properties()) {
                    String v = e.getValue().asText();
                    if (!e.getValue().isTextual() || !v.matches("[A-Za-z' .]+")) continue;
                    if (s.tool(c.name()).parameters().path("properties").path(e.getKey()).has("enum")) continue;
                    free++;
                    for (String word : v.split("[ '.]+")) {
                        if (word.length() < 2) continue;
                        assertTrue(word.toLowerCase(java.util.Locale.ROOT).matches("(ght|oom|ice|ew|cies|light|ary)+"), "a piece word: " + v);
                    }
                    assertTrue(s.query().contains(v), "the request states the value " + v + ": " + s.query());
                }
            }
        }
        assertTrue(free > 100, "free-text values seen: " + free);
    }

    @Test
    void aMixWithoutNovelObjectsDrawsTheSamplesItAlwaysDid() {
        // Written down from the code before novel objects existed (commit c7aa165): the committed links trained on these draws.
        World w = new World(1);
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        List<String> want = List.of(
                "Please search for hotels for \"Fole\" starting \"2028-12-12\" for at most 868.66 dollars. -> [search_hotels{\"city\": \"Fole\", \"start_date\": \"2028-12-12\", \"max_price\": 868.66}]",
                "Drop the doctor appointment with reference \"BK-99641\". -> [cancel_appointment{\"booking_id\": \"BK-99641\"}]",
                "I'd like you to order a stock position for \"KUBZ\" for 488 shares for at most 633.59 dollars. -> [buy_stock{\"ticker\": \"KUBZ\", \"shares\": 488, \"max_price\": 633.59}]");
        for (String expected : want) {
            Sample s = w.answering(Split.TRAIN, "x", r.split(), Recipe.MORE);
            assertEquals(expected, s.query() + " -> " + s.gold());
        }
    }

    @Test
    void aSampleSeedDrawsFreshDevAndTestRequestsFromTheSameWorld() {
        ToolShift.Config c = new ToolShift.Config(7, 100, 50, 50, 10, 0.15, ttsi.agent.method.PromptFormat.NATIVE);
        ToolShift.Data a = ToolShift.generate(c), b = ToolShift.generate(c.withSampleSeed(99));
        assertEquals(a.world().heldOutTools(), b.world().heldOutTools());
        assertEquals(a.train().stream().map(Sample::query).toList(), b.train().stream().map(Sample::query).toList(), "same training split");
        Set<String> seen = a.test().stream().map(Sample::query).collect(Collectors.toSet());
        assertTrue(b.test().stream().noneMatch(s -> seen.contains(s.query())), "fresh test requests");
        assertFalse(a.dev().getFirst().query().equals(b.dev().getFirst().query()), "fresh dev requests");
        for (Sample s : b.test()) for (ToolCall g : s.gold()) assertTrue(b.world().heldOutTools().contains(g.name()), "the shift holds: " + g.name());
    }

    @Test
    void confusableNeighboursArePresent() {
        World w = data.world();
        for (Sample s : concat(data.train(), data.test())) {
            Set<String> gold = s.gold().stream().map(ToolCall::name).collect(Collectors.toSet());
            Set<String> domains = gold.stream().map(g -> w.tool(g).domain()).collect(Collectors.toSet());
            boolean neighbour = s.tools().stream().anyMatch(t -> !gold.contains(t.name()) && domains.contains(w.tool(t.name()).domain()));
            assertTrue(neighbour, "no same-domain distractor in " + s.id() + ": " + s.tools().stream().map(ToolSpec::name).toList());
        }
        long multi = data.train().stream().filter(s -> s.gold().size() == 2).count();
        assertTrue(multi > data.train().size() / 20 && multi < data.train().size() / 3, "two-call samples: " + multi);
    }

    @Test
    void splitsLoadWithTheHammerLoader(@TempDir Path dir) {
        ToolShift.write(data, dir);
        for (String f : List.of("train.jsonl", "test.jsonl")) {
            Dataset d = new HammerLoader().load("toolshift", dir.resolve(f));
            assertTrue(d.issues().isEmpty(), d.issues().toString());
            List<Sample> want = f.startsWith("train") ? data.train() : data.test();
            assertEquals(want.size(), d.samples().size());
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).query(), d.samples().get(i).query());
                assertEquals(want.get(i).gold().toString(), d.samples().get(i).gold().toString());
                assertEquals(want.get(i).tools().stream().map(t -> t.parameters().toString()).toList(),
                        d.samples().get(i).tools().stream().map(t -> t.parameters().toString()).toList());
            }
        }
    }

    @Test
    void registeredBenchmarkLoadsAndGoldScoresFull(@TempDir Path dir) {
        ToolShift.write(data, dir.resolve("toolshift"));
        for (String name : List.of("toolshift", "toolshift-train", "toolshift-dev")) {
            var b = ttsi.bench.Benchmarks.get(name);
            Dataset d = b.load(dir);
            var report = ttsi.bench.score.Evaluation.evaluate(b, d, ttsi.bench.score.Evaluation.goldPredictions(d));
            report.metrics().forEach((k, v) -> {
                if (!k.contains("_script.")) assertEquals(1.0, v, 1e-12, name + " " + k);
            });
        }
    }

    @Test
    void synthesisSamplesParseWithTheProjectsSynthesizer() {
        for (World.Synthesis syn : data.synthesis()) {
            List<Message> prompt = syn.prompt();
            String user = prompt.get(1).content();
            // Recover the seed conversation and tools the prompt was built from: it must be DataSynthesizer's own prompt.
            LanguageModel replay = new LanguageModel() {
                public String id() {
                    return "replay";
                }

                public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions o) {
                    assertEquals(prompt, messages, "the training prompt is DataSynthesizer.prompt");
                    return new Completion(syn.answer(), "stop", 0, 0, 0);
                }
            };
            int k = syn.pairs().size();
            List<ToolSpec> tools = toolsOf(user);
            List<Message> seedConv = List.of(Message.user(seedQuery(user)));
            var result = new DataSynthesizer(new DataSynthesizer.Options(k, 1, GenerationOptions.greedy(64))).synthesize(replay, seedConv, tools, 1);
            assertTrue(result.rejections().isEmpty(), result.rejections() + " for " + syn.answer());
            assertEquals(syn.pairs(), result.pairs());
        }
    }

    @Test
    void synthesisOverInventedObjectsCallsTheListedToolsAndPassesTheSynthesizersChecks() {
        World w = data.world();
        List<String> pieces = List.of("lan", "tern", "ora", "vel", "mi", "dro", "ka", "sen");
        World.Mix novel = new World.Mix(0.15, 3, 6, 0, 1, World.Novel.TOKENS_VALUES, 0);
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        int inventedCalls = 0, seedToolCalls = 0, calls = 0;
        for (int i = 0; i < 200; i++) {
            World.Drawn seed = w.draw(Split.TRAIN, "syn", r, novel, pieces);
            assertTrue(seed.sample().meta().has("novel_objects"));
            World.Synthesis syn = w.synthesis(Split.TRAIN, seed, 1 + i % 2, r, pieces);
            Set<String> listed = seed.sample().tools().stream().map(ToolSpec::name).collect(Collectors.toSet());
            for (DataSynthesizer.Pair p : syn.pairs()) {
                for (ToolCall c : p.calls()) {
                    calls++;
                    assertTrue(listed.contains(c.name()), c.name() + " is not listed in " + listed);
                    assertFalse(w.heldOutTools().contains(c.name()));
                    if (w.tools().stream().noneMatch(t -> t.name().equals(c.name()))) inventedCalls++;
                    if (c.name().equals(seed.gold().name())) seedToolCalls++;
                }
            }
            // The project's synthesizer accepts the answer as it would a model's output for this seed.
            LanguageModel replay = new LanguageModel() {
                public String id() {
                    return "replay";
                }

                public Completion generate(List<Message> messages, List<ToolSpec> tools, GenerationOptions o) {
                    assertEquals(syn.prompt(), messages);
                    return new Completion(syn.answer(), "stop", 0, 0, 0);
                }
            };
            var result = new DataSynthesizer(new DataSynthesizer.Options(syn.pairs().size(), 1, GenerationOptions.greedy(64)))
                    .synthesize(replay, seed.sample().conversation(), seed.sample().tools(), 1);
            assertTrue(result.rejections().isEmpty(), result.rejections() + " for " + syn.answer());
        }
        assertEquals(calls, inventedCalls, "every call names a tool of an invented object");
        assertTrue(seedToolCalls > calls / 3, "about half the pairs call the seed's own tool: " + seedToolCalls + " of " + calls);
    }

    @Test
    void synthesisOverRenamedToolsAndKeysUsesTheListingsNamesAndKeys() {
        World w = data.world();
        List<String> pieces = List.of("lan", "tern", "ora", "vel", "mi", "dro", "ka", "sen");
        java.util.SplittableRandom r = new java.util.SplittableRandom(12);
        int renamedKeys = 0, aliased = 0;
        for (int i = 0; i < 200; i++) {
            World.Drawn seed = w.draw(Split.TRAIN, "syn", r, new World.Mix(0.15, 3, 6, 0.5, 0.5, World.Novel.TOKENS_VALUES, 1, World.Keys.WORDS), pieces);
            World.Synthesis syn = w.synthesis(Split.TRAIN, seed, 2, r, pieces);
            if (seed.sample().meta().has("aliased")) aliased++;
            for (DataSynthesizer.Pair p : syn.pairs()) {
                for (ToolCall c : p.calls()) {
                    ToolSpec listed = seed.sample().tools().stream().filter(t -> t.name().equals(c.name())).findFirst().orElseThrow(
                            () -> new AssertionError(c.name() + " is not listed"));
                    c.arguments().fieldNames().forEachRemaining(k -> assertTrue(listed.hasParameter(k), k + " is not a key of " + listed.name()));
                    for (String req : listed.required()) assertTrue(c.arguments().has(req), "missing " + req);
                    World.Tool t = seed.tools().stream().filter(x -> c.name().equals(seed.aliases().getOrDefault(x.name(), x.name()))).findFirst().orElseThrow();
                    List<String> keys = new ArrayList<>();
                    listed.properties().fieldNames().forEachRemaining(keys::add);
                    if (!t.slots().containsAll(keys)) renamedKeys++;
                }
            }
        }
        assertTrue(renamedKeys > 50, "calls with renamed keys: " + renamedKeys);
        assertTrue(aliased > 50, "aliased seeds: " + aliased);
    }

    private static List<ToolSpec> toolsOf(String user) {
        String json = user.substring(user.indexOf('\n') + 1, user.indexOf("\n\nHere is a request"));
        List<ToolSpec> out = new ArrayList<>();
        for (JsonNode t : Json.parse(json)) out.add(ToolSpec.fromJson(t));
        return out;
    }

    private static String seedQuery(String user) {
        String from = "Here is a request a user sent to the assistant:\n";
        int a = user.indexOf(from) + from.length();
        return user.substring(a, user.indexOf("\n\nWrite ", a));
    }

    @Test
    void printsStatistics() {
        System.out.println(ToolShift.manifest(data).get("stats").toPrettyString());
        int i = 0;
        for (Sample s : data.test()) if (i++ < 3) System.out.println("test: " + s.query() + " -> " + s.gold());
        i = 0;
        for (Sample s : data.train()) if (i++ < 3) System.out.println("train: " + s.query() + " -> " + s.gold());
        System.out.println("synthesis answer: " + data.synthesis().getFirst().answer());
    }

    static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
