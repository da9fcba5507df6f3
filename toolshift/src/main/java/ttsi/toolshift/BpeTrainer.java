package ttsi.toolshift;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ttsi.agent.json.Json;
import ttsi.engine.tokenizer.ByteLevel;
import ttsi.engine.tokenizer.PreTokenizer;

/**
 * Trains a byte-level BPE vocabulary (GPT-2/Qwen2 style) and writes it as Hugging Face {@code tokenizer.json}
 * plus a {@code tokenizer_config.json} with a ChatML chat template that supports tools (Qwen2.5's layout).
 *
 * <p>Text is split around the added tokens, NFC-normalised, pre-tokenized with the Qwen2 regex and mapped to
 * byte-level characters; the 256 byte symbols are ids 0..255 (by byte value), each merge adds the next id, and the
 * added tokens come last. Each step merges the most frequent adjacent pair (ties: the smaller left id, then the
 * smaller right id), with pair counts updated incrementally for the words that contain the merged pair only.
 */
public final class BpeTrainer {
    /** Special tokens (skipped when decoding with skipSpecialTokens). */
    public static final List<String> SPECIAL = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");
    /** Added but not special, as in Qwen2.5: the tool-call markup stays in decoded text. */
    public static final List<String> MARKUP = List.of("<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<tools>", "</tools>");

    /** The trained vocabulary: tokens by id (bytes, then merges), merges in rank order, added tokens after. */
    public record Result(List<String> tokens, List<String[]> merges, List<String> added, Map<String, int[]> segmentation) {
        public int vocabSize() {
            return tokens.size() + added.size();
        }

        /** The id of an added token. */
        public int addedId(String token) {
            int i = added.indexOf(token);
            if (i < 0) throw new IllegalArgumentException("not an added token: " + token);
            return tokens.size() + i;
        }
    }

    private static final Pattern SPLIT = PreTokenizer.compile(PreTokenizer.QWEN2_REGEX);

    private BpeTrainer() {}

    /** The byte-level words of a text (between added tokens), as the tokenizer's pre-tokenizer splits them. */
    public static List<String> words(String text, List<String> added) {
        List<String> out = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int next = text.length(), len = 0;
            for (String a : added) {
                int i = text.indexOf(a, at);
                if (i >= 0 && (i < next || (i == next && a.length() > len))) {
                    next = i;
                    len = a.length();
                }
            }
            split(Normalizer.normalize(text.substring(at, next), Normalizer.Form.NFC), out);
            at = next + len;
        }
        return out;
    }

    static void split(String s, List<String> out) {
        Matcher m = SPLIT.matcher(s);
        int last = 0;
        while (m.find()) {
            if (m.start() == m.end()) continue;
            if (m.start() > last) out.add(ByteLevel.encode(s.substring(last, m.start())));
            out.add(ByteLevel.encode(s.substring(m.start(), m.end())));
            last = m.end();
        }
        if (last < s.length()) out.add(ByteLevel.encode(s.substring(last)));
    }

    /**
     * Trains to {@code vocabSize} ids in all (bytes + merges + added tokens), stopping early when no pair occurs
     * {@code minFrequency} times.
     */
    public static Result train(Iterable<String> corpus, int vocabSize, int minFrequency) {
        List<String> added = new ArrayList<>(SPECIAL);
        added.addAll(MARKUP);
        Map<String, Integer> counts = new TreeMap<>(); // sorted: word order, and so all ties, are fixed
        for (String text : corpus) for (String w : words(text, added)) counts.merge(w, 1, Integer::sum);

        List<String> tokens = new ArrayList<>(256);
        for (int b = 0; b < 256; b++) tokens.add(String.valueOf(ByteLevel.charOf(b)));
        int nw = counts.size();
        String[] wordText = new String[nw];
        int[][] words = new int[nw][];
        int[] lens = new int[nw];
        int[] freq = new int[nw];
        int wi = 0;
        for (var e : counts.entrySet()) {
            String w = e.getKey();
            int[] syms = new int[w.length()];
            for (int i = 0; i < w.length(); i++) syms[i] = ByteLevel.byteOf(w.charAt(i));
            wordText[wi] = w;
            words[wi] = syms;
            lens[wi] = syms.length;
            freq[wi] = e.getValue();
            wi++;
        }

        HashMap<Long, Long> pairCount = new HashMap<>();
        HashMap<Long, IntSet> where = new HashMap<>();
        for (int w = 0; w < nw; w++) {
            for (int i = 0; i + 1 < lens[w]; i++) {
                long p = pair(words[w][i], words[w][i + 1]);
                pairCount.merge(p, (long) freq[w], Long::sum);
                where.computeIfAbsent(p, k -> new IntSet()).add(w);
            }
        }
        // Max count first; ties: smaller left id, then smaller right id (= smaller pair key).
        PriorityQueue<long[]> heap = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(y[0], x[0]) : Long.compare(x[1], y[1]));
        pairCount.forEach((p, c) -> heap.add(new long[] {c, p}));

        List<String[]> merges = new ArrayList<>();
        int target = vocabSize - added.size();
        HashMap<Long, Long> touched = new HashMap<>();
        while (tokens.size() < target && !heap.isEmpty()) {
            long[] top = heap.poll();
            Long current = pairCount.get(top[1]);
            if (current == null || current != top[0]) continue; // stale
            if (current < minFrequency) break;
            int a = (int) (top[1] >>> 32), b = (int) top[1];
            int c = tokens.size();
            tokens.add(tokens.get(a) + tokens.get(b));
            merges.add(new String[] {tokens.get(a), tokens.get(b)});
            touched.clear();
            IntSet ws = where.remove(top[1]);
            pairCount.remove(top[1]);
            for (int k = 0; k < ws.size; k++) {
                int w = ws.items[k];
                int[] s = words[w];
                int n = lens[w];
                boolean has = false;
                for (int i = 0; i + 1 < n; i++) if (s[i] == a && s[i + 1] == b) { has = true; break; }
                if (!has) continue;
                long f = freq[w];
                for (int i = 0; i + 1 < n; i++) add(pairCount, touched, pair(s[i], s[i + 1]), -f);
                int o = 0;
                for (int i = 0; i < n; i++) {
                    if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                        s[o++] = c;
                        i++;
                    } else {
                        s[o++] = s[i];
                    }
                }
                lens[w] = o;
                for (int i = 0; i + 1 < o; i++) {
                    long p = pair(s[i], s[i + 1]);
                    add(pairCount, touched, p, f);
                    where.computeIfAbsent(p, x -> new IntSet()).add(w);
                }
            }
            pairCount.remove(top[1]);
            for (long p : touched.keySet()) {
                Long cnt = pairCount.get(p);
                if (cnt != null && cnt > 0) heap.add(new long[] {cnt, p});
                else pairCount.remove(p);
            }
        }
        Map<String, int[]> seg = new HashMap<>(nw * 2);
        for (int w = 0; w < nw; w++) seg.put(wordText[w], java.util.Arrays.copyOf(words[w], lens[w]));
        return new Result(List.copyOf(tokens), List.copyOf(merges), List.copyOf(added), seg);
    }

    private static void add(HashMap<Long, Long> counts, HashMap<Long, Long> touched, long p, long delta) {
        counts.merge(p, delta, Long::sum);
        touched.put(p, 0L);
    }

    static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    /** A small growable set of word indices (each word is added once per pair occurrence; duplicates are harmless). */
    static final class IntSet {
        int[] items = new int[4];
        int size;

        void add(int w) {
            if (size > 0 && items[size - 1] == w) return;
            if (size == items.length) items = java.util.Arrays.copyOf(items, size * 2);
            items[size++] = w;
        }
    }

    // ------------------------------------------------------------------ writing

    /** The system prompt the template uses when a conversation has none. */
    public static final String DEFAULT_SYSTEM = "You are a helpful assistant.";

    /**
     * Qwen2.5's ChatML template with tools (Apache-2.0), with a neutral default system prompt, and each tool on one
     * line as a signature ({@code name(arg: type, opt?: type a|b): description}) instead of its JSON schema: a
     * third of the tokens, so that a small model trained from scratch spends its compute on requests and calls.
     */
    public static final String CHAT_TEMPLATE = """
            {%- if tools %}
                {{- '<|im_start|>system\\n' }}
                {%- if messages[0]['role'] == 'system' %}
                    {{- messages[0]['content'] }}
                {%- else %}
                    {{- 'DEFAULT_SYSTEM' }}
                {%- endif %}
                {{- "\\n\\n# Tools\\n\\nYou may call one or more of these functions (? marks an optional argument):\\n<tools>" }}
                {%- for tool in tools %}
                    {%- if tool.function is defined %}
                        {%- set fn = tool.function %}
                    {%- else %}
                        {%- set fn = tool %}
                    {%- endif %}
                    {{- "\\n" + fn.name + "(" }}
                    {%- for pname, p in fn.parameters.properties.items() %}
                        {%- if not loop.first %}
                            {{- ", " }}
                        {%- endif %}
                        {{- pname }}
                        {%- if fn.parameters.required is not defined or pname not in fn.parameters.required %}
                            {{- "?" }}
                        {%- endif %}
                        {{- ": " + p.type }}
                        {%- if p.enum is defined %}
                            {{- " " + p.enum | join("|") }}
                        {%- endif %}
                    {%- endfor %}
                    {{- "): " + fn.description }}
                {%- endfor %}
                {{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}
            {%- else %}
                {%- if messages[0]['role'] == 'system' %}
                    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
                {%- else %}
                    {{- '<|im_start|>system\\nDEFAULT_SYSTEM<|im_end|>\\n' }}
                {%- endif %}
            {%- endif %}
            {%- for message in messages %}
                {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
                    {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
                {%- elif message.role == "assistant" %}
                    {{- '<|im_start|>' + message.role }}
                    {%- if message.content %}
                        {{- '\\n' + message.content }}
                    {%- endif %}
                    {%- for tool_call in message.tool_calls %}
                        {%- if tool_call.function is defined %}
                            {%- set tool_call = tool_call.function %}
                        {%- endif %}
                        {{- '\\n<tool_call>\\n{"name": "' }}
                        {{- tool_call.name }}
                        {{- '", "arguments": ' }}
                        {{- tool_call.arguments | tojson }}
                        {{- '}\\n</tool_call>' }}
                    {%- endfor %}
                    {{- '<|im_end|>\\n' }}
                {%- elif message.role == "tool" %}
                    {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
                        {{- '<|im_start|>user' }}
                    {%- endif %}
                    {{- '\\n<tool_response>\\n' }}
                    {{- message.content }}
                    {{- '\\n</tool_response>' }}
                    {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
                        {{- '<|im_end|>\\n' }}
                    {%- endif %}
                {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}
                {{- '<|im_start|>assistant\\n' }}
            {%- endif %}
            """.replace("DEFAULT_SYSTEM", DEFAULT_SYSTEM).stripTrailing() + "\n";

    /** tokenizer.json: BPE model, Qwen2 pre-tokenizer, ByteLevel decoder, NFC normalizer, added tokens. */
    public static ObjectNode tokenizerJson(Result r) {
        ObjectNode root = Json.object();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode addedTokens = root.putArray("added_tokens");
        for (String a : r.added()) addedTokens.add(addedTokenJson(r, a));
        root.putObject("normalizer").put("type", "NFC");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", PreTokenizer.QWEN2_REGEX);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        ObjectNode bl = steps.addObject();
        bl.put("type", "ByteLevel");
        bl.put("add_prefix_space", false);
        bl.put("trim_offsets", false);
        bl.put("use_regex", false);
        root.putNull("post_processor");
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "ByteLevel");
        dec.put("add_prefix_space", false);
        dec.put("trim_offsets", false);
        dec.put("use_regex", false);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < r.tokens().size(); i++) vocab.put(r.tokens().get(i), i);
        ArrayNode merges = model.putArray("merges");
        for (String[] m : r.merges()) merges.addArray().add(m[0]).add(m[1]);
        return root;
    }

    private static ObjectNode addedTokenJson(Result r, String a) {
        ObjectNode t = Json.object();
        t.put("id", r.addedId(a));
        t.put("content", a);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", SPECIAL.contains(a));
        return t;
    }

    /** tokenizer_config.json: Qwen2Tokenizer, eos {@code <|im_end|>}, pad {@code <|endoftext|>}, no bos, the chat template. */
    public static ObjectNode tokenizerConfig(Result r, int modelMaxLength) {
        ObjectNode c = Json.object();
        c.put("add_bos_token", false);
        c.put("add_prefix_space", false);
        ObjectNode dec = c.putObject("added_tokens_decoder");
        for (String a : r.added()) {
            ObjectNode t = addedTokenJson(r, a);
            t.remove("id");
            dec.set(String.valueOf(r.addedId(a)), t);
        }
        ArrayNode extra = c.putArray("additional_special_tokens");
        extra.add("<|im_start|>").add("<|im_end|>");
        c.putNull("bos_token");
        c.put("chat_template", CHAT_TEMPLATE);
        c.put("clean_up_tokenization_spaces", false);
        c.put("eos_token", "<|im_end|>");
        c.put("errors", "replace");
        c.put("model_max_length", modelMaxLength);
        c.put("pad_token", "<|endoftext|>");
        c.put("split_special_tokens", false);
        c.put("tokenizer_class", "Qwen2Tokenizer");
        c.putNull("unk_token");
        return c;
    }

    /** Writes tokenizer.json and tokenizer_config.json into dir. */
    public static void write(Result r, Path dir, int modelMaxLength) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("tokenizer.json"), Json.MAPPER.writeValueAsString(tokenizerJson(r)));
            Files.writeString(dir.resolve("tokenizer_config.json"),
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tokenizerConfig(r, modelMaxLength)) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
