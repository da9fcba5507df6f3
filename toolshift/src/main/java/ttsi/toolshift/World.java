package ttsi.toolshift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import ttsi.agent.json.Json;
import ttsi.agent.method.DataSynthesizer;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;
import ttsi.bench.data.Sample;
import ttsi.toolshift.Catalog.Domain;
import ttsi.toolshift.Catalog.Obj;
import ttsi.toolshift.Catalog.Verb;
import ttsi.toolshift.Slots.Slot;

/**
 * The ToolShift world: tools generated from the {@link Catalog} (verbs x objects of ~20 domains) and requests
 * with gold calls, under two distributions.
 *
 * <p>What shifts between {@link Split#TRAIN} and {@link Split#TEST}:
 * <ul>
 *   <li>domains: six domains ({@link Catalog#HELD_OUT_DOMAINS}) have tools only in the test split;</li>
 *   <li>tool names: in each training domain, one tool (chosen by the seed) is held out too;</li>
 *   <li>sentence frames: test requests use only {@link Catalog#TEST_FRAMES}, training ones only
 *       {@link Catalog#TRAIN_FRAMES}; two-call joins likewise;</li>
 *   <li>verb phrasings: the last phrasing of each verb never appears in training; test requests use it half the time.</li>
 * </ul>
 * Training files never name a held-out tool. Test candidates are held-out tools, except that a held-out tool of a
 * training domain may have training tools of its domain as distractors. Argument values come from the same
 * generators in both splits.
 *
 * <p>Everything is a function of the seed: tools and their optional parameters through the world's seed, each
 * sample through the seed of its generator.
 */
public final class World {
    public enum Split { TRAIN, TEST }

    /** A generated tool and where it comes from. */
    public record Tool(ToolSpec spec, String domain, String verb, Obj object, List<String> slots, Set<String> required) {
        public String name() {
            return spec.name();
        }
    }

    /** A request with its calls; {@code meta} records how it was made (domain, frame, phrasings). */
    public record Query(String text, List<ToolCall> calls, ObjectNode meta) {}

    private final long seed;
    private final List<Tool> tools = new ArrayList<>();
    private final Map<String, Tool> byName = new LinkedHashMap<>();
    private final Set<String> heldOutTools = new LinkedHashSet<>();
    /** Parameter names the test split's tools use and no training tool does: never invented for a training sample. */
    private final Set<String> heldOutKeys = new HashSet<>();
    /** The words of the training tools' parameter names ({@code party_size} gives "party" and "size"), sorted. */
    private final List<String> trainingKeyWords;

    public World(long seed) {
        this.seed = seed;
        SplittableRandom r = new SplittableRandom(seed);
        for (Domain d : Catalog.domains()) {
            List<Tool> mine = new ArrayList<>();
            for (Obj o : d.objects()) {
                for (var ve : o.verbs().entrySet()) {
                    Verb v = Catalog.VERBS.get(ve.getKey());
                    Tool t = makeTool(d, o, v, ve.getValue(), r.split());
                    if (byName.put(t.name(), t) != null) throw new IllegalStateException("duplicate tool name " + t.name());
                    tools.add(t);
                    mine.add(t);
                }
            }
            if (Catalog.HELD_OUT_DOMAINS.contains(d.name())) mine.forEach(t -> heldOutTools.add(t.name()));
            else heldOutTools.add(mine.get(r.nextInt(mine.size())).name());
        }
        for (Tool t : pool(Split.TEST)) heldOutKeys.addAll(t.slots());
        for (Tool t : pool(Split.TRAIN)) t.slots().forEach(heldOutKeys::remove);
        java.util.TreeSet<String> words = new java.util.TreeSet<>();
        for (Tool t : pool(Split.TRAIN)) t.slots().forEach(k -> words.addAll(List.of(k.split("_"))));
        trainingKeyWords = List.copyOf(words);
    }

    public long seed() {
        return seed;
    }

    public List<Tool> tools() {
        return List.copyOf(tools);
    }

    public Tool tool(String name) {
        return byName.get(name);
    }

    public Set<String> heldOutTools() {
        return Set.copyOf(heldOutTools);
    }

    /** The tools whose calls a split's requests make. */
    public List<Tool> pool(Split split) {
        return tools.stream().filter(t -> heldOutTools.contains(t.name()) == (split == Split.TEST)).toList();
    }

    public List<String> domains(Split split) {
        return pool(split).stream().map(Tool::domain).distinct().toList();
    }

    private static Tool makeTool(Domain d, Obj o, Verb v, List<String> verbSlots, SplittableRandom r) {
        String name = v.name() + "_" + (v.plural() ? o.ids() : o.id());
        List<String> slots = new ArrayList<>();
        Set<String> required = new LinkedHashSet<>();
        boolean creates = Set.of("book", "create", "send", "schedule", "buy", "add", "log", "set").contains(v.name());
        for (String s : verbSlots != null ? verbSlots : o.slots()) {
            boolean key = s.endsWith("*");
            String sn = key ? s.substring(0, s.length() - 1) : s;
            if (key) {
                slots.add(sn);
                required.add(sn);
            } else if (verbSlots != null || r.nextDouble() < 0.8) {
                slots.add(sn);
                if (creates && r.nextDouble() < 0.3) required.add(sn);
            }
        }
        ObjectNode params = Json.object();
        params.put("type", "object");
        ObjectNode props = params.putObject("properties");
        for (String s : slots) props.set(s, Slots.get(s).schema());
        ArrayNode req = params.putArray("required");
        required.forEach(req::add);
        String desc = fill(v.description(), o) + " " + d.blurb() + ".";
        return new Tool(ToolSpec.of(name, desc, params), d.name(), v.name(), o, List.copyOf(slots), Set.copyOf(required));
    }

    static String fill(String phrase, Obj o) {
        String a = ("aeiou".indexOf(Character.toLowerCase(o.noun().charAt(0))) >= 0 && !o.noun().startsWith("UV") ? "an " : "a ") + o.noun();
        return phrase.replace("{a}", a).replace("{n}", o.noun()).replace("{p}", o.plural());
    }

    // ------------------------------------------------------------------ requests

    /** A fresh request for one tool (or, with {@code second}, two), in the split's phrasing. */
    public Query query(Split split, Tool first, Tool second, SplittableRandom r) {
        return query(split, first, second, r, null);
    }

    /**
     * As {@link #query(Split, Tool, Tool, SplittableRandom)}; with {@code pieces}, every word of a free-text string
     * value (names, titles, kinds: letters only, no digits) is a word made of those pieces instead, so that copying a
     * value is learnt for every piece of the vocabulary (the held-out domains' values hold words no training value does:
     * "living room", "chef", "history").
     */
    public Query query(Split split, Tool first, Tool second, SplittableRandom r, List<String> pieces) {
        List<String> frames = split == Split.TRAIN ? Catalog.TRAIN_FRAMES : Catalog.TEST_FRAMES;
        int frame = r.nextInt(frames.size());
        ObjectNode meta = Json.object();
        meta.put("split", split.name().toLowerCase());
        meta.put("domain", first.domain());
        meta.put("frame", frames.get(frame));
        List<ToolCall> calls = new ArrayList<>();
        String clause = clause(split, first, r, calls, meta, pieces);
        if (second != null) {
            List<String> joins = split == Split.TRAIN ? Catalog.TRAIN_JOINS : Catalog.TEST_JOINS;
            String join = joins.get(r.nextInt(joins.size()));
            meta.put("join", join);
            clause = clause + join + clause(split, second, r, calls, meta, pieces);
        }
        String text = frames.get(frame).replace("{Action} {args}", capitalise(clause)).replace("{action} {args}", clause);
        return new Query(text, calls, meta);
    }

    /** "action args" for one call, which it appends to calls. */
    private String clause(Split split, Tool t, SplittableRandom r, List<ToolCall> calls, ObjectNode meta, List<String> pieces) {
        Verb v = Catalog.VERBS.get(t.verb());
        List<String> ph = v.phrasings();
        int k = split == Split.TRAIN ? r.nextInt(ph.size() - 1) : (r.nextBoolean() ? ph.size() - 1 : r.nextInt(ph.size() - 1));
        meta.withArray("phrasings").add(ph.get(k));
        String action = fill(ph.get(k), t.object());
        ObjectNode args = Json.object();
        List<String> mentions = new ArrayList<>();
        for (String s : t.slots()) {
            if (!t.required().contains(s) && r.nextDouble() >= 0.35) continue;
            Slot slot = Slots.get(s);
            JsonNode value = slot.value(r);
            if (pieces != null && value.isTextual() && slot.enumValues().isEmpty() && value.asText().matches("[A-Za-z' .]+")) {
                value = Json.MAPPER.getNodeFactory().textNode(pieceWords(value.asText(), pieces, r));
            }
            args.set(s, value);
            mentions.add(slot.mention(value, r));
        }
        // Required arguments first in the usual order; sometimes the phrases come in a shuffled order.
        if (mentions.size() > 1 && r.nextDouble() < 0.3) {
            for (int i = mentions.size() - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                String tmp = mentions.get(i);
                mentions.set(i, mentions.get(j));
                mentions.set(j, tmp);
            }
        }
        calls.add(new ToolCall(t.name(), args));
        return mentions.isEmpty() ? action : action + " " + String.join(" ", mentions);
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    // ------------------------------------------------------------------ candidates

    /**
     * n candidate tools (at least the gold ones), in a random order, with at least one confusable neighbour
     * (another tool of a gold tool's domain: same object with another verb, or another object) when one exists.
     * Training candidates come from the training pool only.
     */
    public List<Tool> candidates(Split split, List<Tool> gold, int n, SplittableRandom r) {
        n = Math.max(n, gold.size());
        Set<String> goldNames = new HashSet<>();
        gold.forEach(g -> goldNames.add(g.name()));
        List<Tool> allowed = split == Split.TRAIN ? pool(Split.TRAIN) : tools;
        Set<String> domains = new HashSet<>();
        gold.forEach(g -> domains.add(g.domain()));
        Set<String> goldSlots = new HashSet<>();
        gold.forEach(g -> goldSlots.addAll(g.slots()));
        List<Tool> sameObject = new ArrayList<>(), sameDomain = new ArrayList<>(), sharing = new ArrayList<>(), rest = new ArrayList<>();
        for (Tool t : allowed) {
            if (goldNames.contains(t.name())) continue;
            // In the test split, distractors outside the gold tools' domains are held-out tools too.
            boolean inDomain = domains.contains(t.domain());
            if (split == Split.TEST && !inDomain && !heldOutTools.contains(t.name())) continue;
            if (gold.stream().anyMatch(g -> g.object() == t.object())) sameObject.add(t);
            else if (inDomain) sameDomain.add(t);
            else if (t.slots().stream().anyMatch(goldSlots::contains)) sharing.add(t);
            else rest.add(t);
        }
        for (List<Tool> l : List.of(sameObject, sameDomain, sharing, rest)) shuffle(l, r);
        List<Tool> out = new ArrayList<>(gold);
        // One confusable first, then a mix.
        List<Tool> neighbours = new ArrayList<>(sameObject);
        neighbours.addAll(sameDomain);
        if (!neighbours.isEmpty() && out.size() < n) out.add(neighbours.removeFirst());
        while (out.size() < n) {
            double u = r.nextDouble();
            List<Tool> from = u < 0.55 && !neighbours.isEmpty() ? neighbours : u < 0.8 && !sharing.isEmpty() ? sharing : !rest.isEmpty() ? rest
                    : !sharing.isEmpty() ? sharing : neighbours;
            if (from.isEmpty()) break;
            out.add(from.removeFirst());
        }
        shuffle(out, r);
        return out;
    }

    static <T> void shuffle(List<T> l, SplittableRandom r) {
        for (int i = l.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            T tmp = l.get(i);
            l.set(i, l.get(j));
            l.set(j, tmp);
        }
    }

    // ------------------------------------------------------------------ samples

    /**
     * How answering samples are drawn: two calls with probability {@code pMulti}; between minCandidates and
     * maxCandidates listed tools; with probability {@code pAlias} (training split only) every listed tool renamed
     * to a fresh pseudo-word name for this sample, so that a model has to read the list (name and description)
     * rather than recall the names it was trained on; with probability {@code pNovel} (training split only, drawn
     * first) every listed tool's object replaced by an invented one ({@link #novelObject}), in its name, description
     * and request alike, so that a model learns to copy a name it has never seen from the list, as the shifted test
     * asks of it ({@code book_vet_appointment} for "reserve a vet appointment"); with probability {@code pRename}
     * (training split only, drawn last) every listed tool's parameters renamed to invented keys for this sample, in the
     * listing and the calls alike, so that a model learns to read the keys from the listing, as the held-out domains'
     * parameters ({@code pet_name}, {@code brightness}) ask of it.
     */
    public record Mix(double pMulti, int minCandidates, int maxCandidates, double pAlias, double pNovel, Novel novel, double pRename, Keys keys) {
        public Mix {
            if (minCandidates < 1 || maxCandidates < minCandidates) throw new IllegalArgumentException("candidates must be 1 <= min <= max, got " + minCandidates + ".." + maxCandidates);
        }

        public Mix(double pMulti, int minCandidates, int maxCandidates, double pAlias, double pNovel, Novel novel, double pRename) {
            this(pMulti, minCandidates, maxCandidates, pAlias, pNovel, novel, pRename, Keys.PIECES);
        }

        public Mix(double pMulti, int minCandidates, int maxCandidates, double pAlias, double pNovel, Novel novel) {
            this(pMulti, minCandidates, maxCandidates, pAlias, pNovel, novel, 0);
        }

        public Mix(double pMulti, int minCandidates, int maxCandidates, double pAlias) {
            this(pMulti, minCandidates, maxCandidates, pAlias, 0, Novel.PSEUDO_WORDS, 0);
        }

        /** The evaluation mix: 3 to 6 candidates, the world's own tool names. */
        public static Mix evaluation(double pMulti) {
            return new Mix(pMulti, 3, 6, 0, 0, Novel.PSEUDO_WORDS, 0);
        }
    }

    /**
     * How invented objects are named. PSEUDO_WORDS: one or two pseudo-words, and the tool's name spells the noun
     * ({@code klemi drasun} → {@code get_klemi_drasun}). ENGLISH: one or two of {@link Catalog#NOVEL_NOUNS}, and
     * for two-word nouns the name sometimes keeps only one of them, as the held-out tools do ("light level" →
     * {@code set_lights}, "home routine" → {@code create_routine}): the name has to be read from the list.
     */
    public enum Novel {
        PSEUDO_WORDS, ENGLISH,
        /**
         * Words made of one or two of the tokenizer's own word pieces, drawn uniformly (see {@link #answering(Split,
         * String, SplittableRandom, Mix, List)}). The ToolShift tokenizer has pieces that no training text ever
         * produces (intermediate merges such as {@code light} on the way to {@code flight}) but that held-out words do
         * ({@code set_lights}); their embeddings stay untrained and a model cannot copy them. A pretrained LLM has seen
         * every piece of its vocabulary; this is the same exposure, without naming any held-out tool.
         */
        TOKENS,
        /** As {@link #TOKENS}, and the request's free-text values made of pieces too ({@link #query(Split, Tool, Tool, SplittableRandom, List)}). */
        TOKENS_VALUES;

        boolean usesPieces() {
            return this == TOKENS || this == TOKENS_VALUES;
        }
    }

    /** How renamed parameters ({@link Mix#pRename}) are named. */
    public enum Keys {
        /** Every parameter of every listed tool gets a piece word (sometimes two joined by '_'). */
        PIECES,
        /**
         * Each parameter is renamed with probability 1/2, to an English noun no tool uses ({@code lantern}) or a noun
         * joined to a training key's word ({@code lantern_date}), as held-out keys are made ({@code pet_name}). Piece
         * keys taught the student that keys are arbitrary: on the shifted test it wrote {@code "re"} for {@code date}.
         * Keeping most keys as they are, and renaming the others to words, makes reading each key from the listing
         * the only rule that always works.
         */
        WORDS
    }

    /** An answering sample: candidates + request -> gold calls. Two calls with probability {@code pMulti}. */
    public Sample answering(Split split, String id, SplittableRandom r, double pMulti) {
        return answering(split, id, r, Mix.evaluation(pMulti));
    }

    /** An answering sample drawn as the mix says. */
    public Sample answering(Split split, String id, SplittableRandom r, Mix mix) {
        return answering(split, id, r, mix, List.of());
    }

    /**
     * An answering sample drawn as the mix says; {@code pieces} are the word pieces that {@link Novel#TOKENS} and
     * renamed parameters are made of (lowercase letters; needed only when the mix uses them).
     */
    public Sample answering(Split split, String id, SplittableRandom r, Mix mix, List<String> pieces) {
        return draw(split, id, r, mix, pieces).sample();
    }

    /**
     * An answering sample with the tools behind it: the listed tools and the first gold tool as {@link Tool}s (invented
     * objects included, before any renaming), whether its values are made of pieces, and how the listing renamed the
     * tools' parameters (tool name → slot → key; empty when it did not) and the tools (name → alias; empty when not).
     */
    public record Drawn(Sample sample, List<Tool> tools, Tool gold, boolean pieceValues, Map<String, Map<String, String>> keys,
                        Map<String, String> aliases) {
        public Drawn(Sample sample, List<Tool> tools, Tool gold, boolean pieceValues) {
            this(sample, tools, gold, pieceValues, Map.of(), Map.of());
        }

        /** A call as this sample's listing names it: the tool's alias and its renamed keys, where it has them. */
        ToolCall listed(ToolCall c) {
            return World.listed(c, keys, aliases);
        }
    }

    /** A call with its tool's keys renamed (tool name → slot → key) and the tool aliased, where the maps say so. */
    private static ToolCall listed(ToolCall c, Map<String, Map<String, String>> keys, Map<String, String> aliases) {
        Map<String, String> k = keys.get(c.name());
        ObjectNode args = c.arguments();
        if (k != null) {
            args = Json.object();
            for (var e : c.arguments().properties()) args.set(k.get(e.getKey()), e.getValue());
        }
        return new ToolCall(aliases.getOrDefault(c.name(), c.name()), args);
    }

    /** As {@link #answering(Split, String, SplittableRandom, Mix, List)}, with the tools the sample lists. */
    public Drawn draw(Split split, String id, SplittableRandom r, Mix mix, List<String> pieces) {
        if (split == Split.TRAIN && (mix.novel().usesPieces() && mix.pNovel() > 0 || mix.pRename() > 0 && mix.keys() == Keys.PIECES) && pieces.isEmpty()) {
            throw new IllegalArgumentException("this mix invents words from the tokenizer's pieces: pass them (none given)");
        }
        List<Tool> pool = pool(split);
        Tool drawn = pool.get(r.nextInt(pool.size())), first = drawn;
        Tool second = null;
        if (r.nextDouble() < mix.pMulti()) {
            List<Tool> sameDomain = pool.stream().filter(t -> t.domain().equals(drawn.domain())).toList();
            second = sameDomain.get(r.nextInt(sameDomain.size()));
        }
        List<Tool> gold = second == null || second == first ? List.of(first) : List.of(first, second);
        List<Tool> cands = candidates(split, gold, mix.minCandidates() + r.nextInt(mix.maxCandidates() - mix.minCandidates() + 1), r);
        // Drawn only when asked for, so that mixes without novel objects draw exactly the samples they always did.
        boolean novel = split == Split.TRAIN && mix.pNovel() > 0 && r.nextDouble() < mix.pNovel();
        if (novel) {
            Map<Tool, Tool> renamed = novelObjects(cands, mix.novel(), pieces, r);
            cands = cands.stream().map(renamed::get).toList();
            first = renamed.get(first);
            if (second != null) second = renamed.get(second);
        }
        // Piece-word objects come with piece-word values (drawn only for that mix, as the objects are).
        boolean pieceValues = novel && mix.novel() == Novel.TOKENS_VALUES;
        Query q = query(split, first, second, r, pieceValues ? pieces : null);
        ObjectNode meta = q.meta();
        if (novel) meta.put("novel_objects", true);
        meta.put("calls", q.calls().size());
        List<ToolSpec> specs = cands.stream().map(Tool::spec).toList();
        Map<String, Map<String, String>> keys = new LinkedHashMap<>();
        Map<String, String> alias = new LinkedHashMap<>();
        // Drawn only when asked for, as novel objects are.
        if (split == Split.TRAIN && mix.pRename() > 0 && r.nextDouble() < mix.pRename()) {
            for (Tool t : cands) keys.put(t.name(), renamedKeys(t, mix.keys(), pieces, r));
            specs = cands.stream().map(t -> ToolSpec.of(t.name(), t.spec().description(), renamedParameters(t.spec().parameters(), keys.get(t.name())))).toList();
            meta.put("renamed_parameters", true);
        }
        if (split == Split.TRAIN && mix.pAlias() > 0 && r.nextDouble() < mix.pAlias()) {
            for (Tool t : cands) {
                String a;
                do a = alias(t, r); while (byName.containsKey(a) || alias.containsValue(a));
                alias.put(t.name(), a);
            }
            specs = specs.stream().map(t -> ToolSpec.of(alias.get(t.name()), t.description(), t.parameters())).toList();
            meta.put("aliased", true);
        }
        List<ToolCall> calls = q.calls().stream().map(c -> listed(c, keys, alias)).toList();
        Sample s = new Sample(id, "toolshift-" + split.name().toLowerCase(), List.of(Message.user(q.text())), specs, calls, null, meta);
        return new Drawn(s, cands, first, pieceValues, keys, alias);
    }

    /**
     * The candidates with invented objects: each distinct object of the list becomes a pseudo-word noun of one or two
     * words ("vorta", "klemi drasun"), so tools of the same object stay confusable neighbours; verbs, slots and the
     * domain's blurb stay. Names never collide with a world tool (nor with each other).
     */
    private Map<Tool, Tool> novelObjects(List<Tool> cands, Novel novel, List<String> pieces, SplittableRandom r) {
        Map<Obj, Obj> objects = new LinkedHashMap<>();
        Map<Tool, Tool> out = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        for (Tool t : cands) {
            Obj o = objects.computeIfAbsent(t.object(), x -> novelObject(x, novel, pieces, r));
            Verb v = Catalog.VERBS.get(t.verb());
            String name = v.name() + "_" + (v.plural() ? o.ids() : o.id());
            if (byName.containsKey(name) || !names.add(name)) return novelObjects(cands, novel, pieces, r);
            String desc = fill(v.description(), o) + " " + t.spec().description().substring(fill(v.description(), t.object()).length() + 1);
            out.put(t, new Tool(ToolSpec.of(name, desc, t.spec().parameters()), t.domain(), t.verb(), o, t.slots(), t.required()));
        }
        return out;
    }

    /** An invented object with the slots and verbs of {@code like}, named as {@code novel} says. */
    static Obj novelObject(Obj like, Novel novel, List<String> pieces, SplittableRandom r) {
        if (novel == Novel.PSEUDO_WORDS) {
            String noun = r.nextBoolean() ? Slots.word(r) : Slots.word(r) + " " + Slots.word(r);
            String id = noun.replace(' ', '_');
            return new Obj(noun, noun + "s", id, id + "s", like.slots(), like.verbs());
        }
        java.util.function.Supplier<String> word = novel.usesPieces() ? () -> pieceWord(pieces, r)
                : () -> Catalog.NOVEL_NOUNS.get(r.nextInt(Catalog.NOVEL_NOUNS.size()));
        String a = word.get();
        if (r.nextDouble() < 0.4) return new Obj(a, a + "s", a, a + "s", like.slots(), like.verbs());
        String b;
        do b = word.get(); while (b.equals(a));
        double u = r.nextDouble();
        String id = u < 0.6 ? a + "_" + b : u < 0.8 ? a : b;
        return new Obj(a + " " + b, a + " " + b + "s", id, id + "s", like.slots(), like.verbs());
    }

    /** A word of one or two pieces, 3 to 10 letters (as the held-out tools' words are: "lights", "species", "grade"). */
    static String pieceWord(List<String> pieces, SplittableRandom r) {
        while (true) {
            String w = pieces.get(r.nextInt(pieces.size()));
            if (r.nextBoolean()) w += pieces.get(r.nextInt(pieces.size()));
            if (w.length() >= 3 && w.length() <= 10) return w;
        }
    }

    /** The text with each word of two or more letters replaced by a piece word, capitalised where the word was. */
    static String pieceWords(String text, List<String> pieces, SplittableRandom r) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[A-Za-z]{2,}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String w = pieceWord(pieces, r);
            if (Character.isUpperCase(m.group().charAt(0))) w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(w));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Keys for a tool's parameters in a renamed sample, as {@code how} says; never a held-out key nor another of the tool's. */
    private Map<String, String> renamedKeys(Tool t, Keys how, List<String> pieces, SplittableRandom r) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String s : t.slots()) {
            if (how == Keys.WORDS && r.nextBoolean()) {
                keys.put(s, s);
                continue;
            }
            String k;
            do k = switch (how) {
                case PIECES -> r.nextDouble() < 0.3 ? pieceWord(pieces, r) + "_" + pieceWord(pieces, r) : pieceWord(pieces, r);
                case WORDS -> {
                    String noun = Catalog.NOVEL_NOUNS.get(r.nextInt(Catalog.NOVEL_NOUNS.size()));
                    yield r.nextDouble() < 0.4 ? noun + "_" + trainingKeyWords.get(r.nextInt(trainingKeyWords.size())) : noun;
                }
            };
            while (keys.containsValue(k) || heldOutKeys.contains(k) || t.slots().contains(k));
            keys.put(s, k);
        }
        return keys;
    }

    /** A JSON schema with its properties (and required names) renamed, in the same order. */
    private static ObjectNode renamedParameters(ObjectNode params, Map<String, String> keys) {
        ObjectNode out = params.deepCopy();
        ObjectNode props = out.putObject("properties");
        params.path("properties").properties().forEach(e -> props.set(keys.get(e.getKey()), e.getValue().deepCopy()));
        ArrayNode req = out.putArray("required");
        params.path("required").forEach(n -> req.add(keys.get(n.asText())));
        return out;
    }

    /** A per-sample name for a tool: a pseudo-word for its verb, its object, or both. */
    private static String alias(Tool t, SplittableRandom r) {
        String id = t.verb().equals("search") || t.verb().equals("list") || t.verb().equals("subscribe") ? t.object().ids() : t.object().id();
        return switch (r.nextInt(3)) {
            case 0 -> Slots.word(r) + "_" + id;
            case 1 -> t.verb() + "_" + Slots.word(r);
            default -> Slots.word(r) + "_" + Slots.word(r);
        };
    }

    /**
     * A synthesis sample, in {@link DataSynthesizer#prompt}'s format: the seed sample's tools and request, and as
     * the answer {@code k} new requests over the same tools (any of the candidates) with their calls, as the JSON
     * list {@code [{"query": ..., "answer": [{"name", "arguments"}]}]} that DataSynthesizer parses.
     */
    public Synthesis synthesis(Split split, Sample seedSample, int k, SplittableRandom r) {
        List<Tool> cands = seedSample.tools().stream().map(t -> byName.get(t.name())).toList();
        return synthesis(split, new Drawn(seedSample, cands, byName.get(seedSample.gold().getFirst().name()), false), k, r, null);
    }

    /**
     * As {@link #synthesis(Split, Sample, int, SplittableRandom)} over a drawn sample's own tools, so that a seed with
     * invented objects gets new requests for those objects: the answer then has to copy tool names from the listing,
     * as self-synthesis for held-out tools must. Values are made of {@code pieces} when the seed's are (else null).
     * Where the seed's listing renamed tools or parameters, the new calls use the listing's names and keys: they must
     * be read from the listing, as for held-out tools.
     */
    public Synthesis synthesis(Split split, Drawn seed, int k, SplittableRandom r, List<String> pieces) {
        Sample seedSample = seed.sample();
        List<Tool> cands = seed.tools();
        List<Tool> usable = cands.stream().filter(t -> split == Split.TEST || !heldOutTools.contains(t.name())).toList();
        ArrayNode answer = Json.array();
        List<DataSynthesizer.Pair> pairs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        seen.add(DataSynthesizer_normalise(seedSample.query()));
        while (pairs.size() < k) {
            // Half the time the seed's own tool, else another candidate.
            Tool t = r.nextBoolean() ? seed.gold() : usable.get(r.nextInt(usable.size()));
            Query q = query(split, t, null, r, seed.pieceValues() ? pieces : null);
            if (!seen.add(DataSynthesizer_normalise(q.text()))) continue;
            List<ToolCall> listed = q.calls().stream().map(seed::listed).toList();
            pairs.add(new DataSynthesizer.Pair(q.text(), listed));
            ObjectNode item = answer.addObject();
            item.put("query", q.text());
            ArrayNode calls = item.putArray("answer");
            listed.forEach(c -> calls.add(c.toJson()));
        }
        List<Message> prompt = DataSynthesizer.prompt(seedSample.conversation(), seedSample.tools(), k);
        return new Synthesis(prompt, Json.dumps(answer), pairs);
    }

    /** A synthesis training example: the prompt messages, the assistant's answer text, and the pairs it holds. */
    public record Synthesis(List<Message> prompt, String answer, List<DataSynthesizer.Pair> pairs) {}

    private static String DataSynthesizer_normalise(String s) {
        return s.strip().toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
    }

    /** Tools sorted by name, for listings. */
    public static Comparator<Tool> byName() {
        return Comparator.comparing(Tool::name);
    }
}
