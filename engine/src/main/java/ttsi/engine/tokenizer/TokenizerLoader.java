package ttsi.engine.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import ttsi.engine.format.FormatException;

/** Reads Hugging Face tokenizer files into a {@link Tokenizer}. Every problem names the file it is in. */
final class TokenizerLoader {
    private TokenizerLoader() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static Tokenizer load(Path path) {
        Path gguf = ttsi.engine.format.GgufCheckpoint.find(path);
        if (gguf != null) return GgufTokenizer.load(gguf);
        if (Files.isRegularFile(path)) return fromTokenizerJson(path, path.toAbsolutePath().getParent());
        if (!Files.isDirectory(path)) throw new FormatException(path, "no such folder or tokenizer.json file");
        Path tokenizerJson = path.resolve("tokenizer.json");
        if (Files.exists(tokenizerJson)) return fromTokenizerJson(tokenizerJson, path);
        Path vocabJson = path.resolve("vocab.json");
        Path mergesTxt = path.resolve("merges.txt");
        if (Files.exists(vocabJson) || Files.exists(mergesTxt)) return fromVocabAndMerges(path, vocabJson, mergesTxt);
        throw new FormatException(tokenizerJson, "not found, and no vocab.json + merges.txt beside it either");
    }

    // ---------------------------------------------------------------- tokenizer.json

    private static Tokenizer fromTokenizerJson(Path file, Path dir) {
        JsonNode root = readJson(file);
        if (!root.isObject()) throw new FormatException(file, "expected a JSON object at the top level");
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) throw new FormatException(file, "expected a \"model\" object");
        String type = model.path("type").asText(model.has("merges") ? "BPE" : "");
        if (!type.equals("BPE")) {
            throw new FormatException(file, "unsupported model type '" + type + "' (only byte-level BPE is supported)");
        }
        for (String key : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!model.path(key).asText("").isEmpty()) {
                throw new FormatException(file, "model." + key + " is not supported (byte-level BPE has none)");
            }
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new FormatException(file, "model.byte_fallback is not supported (SentencePiece-style BPE)");
        }
        Map<String, Integer> vocab = parseVocab(model.get("vocab"), file, "model.vocab");
        List<String[]> merges = parseMerges(model.get("merges"), file);
        String unk = model.path("unk_token").isTextual() ? model.get("unk_token").asText() : null;
        BpeModel bpe = newBpe(vocab, merges, model.path("ignore_merges").asBoolean(false), unk, file);

        List<AddedToken> added = new ArrayList<>();
        JsonNode addedNode = root.path("added_tokens");
        if (!addedNode.isMissingNode() && !addedNode.isNull()) {
            if (!addedNode.isArray()) throw new FormatException(file, "added_tokens: expected an array");
            for (JsonNode t : addedNode) {
                if (!t.path("id").canConvertToInt() || !t.path("content").isTextual()) {
                    throw new FormatException(file, "added_tokens: each entry needs an integer id and a string content, got " + t);
                }
                added.add(addedToken(t.get("id").asInt(), t, false));
            }
        }

        TextNormalizer normalizer = parseNormalizer(root.get("normalizer"), file);
        List<PreTokenizer.Step> steps = new ArrayList<>();
        if (!parsePreTokenizer(root.get("pre_tokenizer"), file, steps)) {
            throw new FormatException(file, "expected a ByteLevel pre_tokenizer (only byte-level BPE is supported)");
        }
        checkDecoder(root.get("decoder"), file);

        Map<String, Integer> lookup = new HashMap<>(vocab);
        for (AddedToken t : added) lookup.put(t.content(), t.id());
        List<Integer> prefix = new ArrayList<>(), suffix = new ArrayList<>();
        parsePostProcessor(root.get("post_processor"), file, lookup, prefix, suffix);

        SpecialNames names = readSpecialNames(dir);
        return new Tokenizer(bpe, vocab, added, normalizer, new PreTokenizer(steps), toArray(prefix), toArray(suffix),
                names.bos, names.eos);
    }

    private static AddedToken addedToken(int id, JsonNode t, boolean defaultSpecial) {
        boolean special = t.path("special").asBoolean(defaultSpecial);
        return new AddedToken(id, t.get("content").asText(), special, t.path("lstrip").asBoolean(false),
                t.path("rstrip").asBoolean(false), t.path("single_word").asBoolean(false),
                t.path("normalized").asBoolean(!special));
    }

    private static TextNormalizer parseNormalizer(JsonNode n, Path file) {
        if (n == null || n.isNull()) return TextNormalizer.IDENTITY;
        String type = n.path("type").asText("");
        return switch (type) {
            case "NFC" -> TextNormalizer.unicode(Normalizer.Form.NFC);
            case "NFD" -> TextNormalizer.unicode(Normalizer.Form.NFD);
            case "NFKC" -> TextNormalizer.unicode(Normalizer.Form.NFKC);
            case "NFKD" -> TextNormalizer.unicode(Normalizer.Form.NFKD);
            case "Lowercase" -> TextNormalizer.lowercase();
            case "Sequence" -> {
                List<TextNormalizer> steps = new ArrayList<>();
                for (JsonNode s : n.path("normalizers")) steps.add(parseNormalizer(s, file));
                yield TextNormalizer.sequence(steps);
            }
            default -> throw new FormatException(file, "unsupported normalizer type '" + type
                    + "' (expected NFC, NFD, NFKC, NFKD, Lowercase or Sequence)");
        };
    }

    /** Adds the steps of a pre_tokenizer; returns whether a ByteLevel step was seen. */
    private static boolean parsePreTokenizer(JsonNode n, Path file, List<PreTokenizer.Step> steps) {
        if (n == null || n.isNull()) return false;
        String type = n.path("type").asText("");
        switch (type) {
            case "Sequence": {
                boolean byteLevel = false;
                for (JsonNode s : n.path("pretokenizers")) byteLevel |= parsePreTokenizer(s, file, steps);
                return byteLevel;
            }
            case "Split": {
                JsonNode pattern = n.path("pattern");
                Pattern p;
                try {
                    if (pattern.path("Regex").isTextual()) p = PreTokenizer.compile(pattern.get("Regex").asText());
                    else if (pattern.path("String").isTextual()) p = Pattern.compile(Pattern.quote(pattern.get("String").asText()));
                    else throw new FormatException(file, "pre_tokenizer Split: expected pattern {\"Regex\": ...} or {\"String\": ...}");
                } catch (PatternSyntaxException e) {
                    throw new FormatException(file, "pre_tokenizer Split: bad regex: " + e.getMessage(), e);
                }
                String behavior = n.path("behavior").asText("");
                boolean invert = n.path("invert").asBoolean(false);
                switch (behavior) {
                    case "Isolated" -> steps.add(PreTokenizer.isolated(p));
                    case "Removed" -> steps.add(PreTokenizer.removed(p, invert));
                    default -> throw new FormatException(file, "pre_tokenizer Split: unsupported behavior '" + behavior
                            + "' (expected Isolated or Removed)");
                }
                return false;
            }
            case "ByteLevel": {
                // HF's defaults when a flag is absent: both true.
                boolean prefixSpace = n.path("add_prefix_space").asBoolean(true);
                boolean useRegex = n.path("use_regex").asBoolean(true);
                if (!PreTokenizer.isIdentity(prefixSpace, useRegex)) steps.add(PreTokenizer.byteLevel(prefixSpace, useRegex));
                return true;
            }
            default:
                throw new FormatException(file, "unsupported pre_tokenizer type '" + type
                        + "' (expected ByteLevel, Split or Sequence)");
        }
    }

    private static void checkDecoder(JsonNode n, Path file) {
        if (n == null || n.isNull()) return; // a byte-level vocabulary decodes byte-level
        String type = n.path("type").asText("");
        if (type.equals("ByteLevel")) return;
        if (type.equals("Sequence")) {
            for (JsonNode d : n.path("decoders")) checkDecoder(d, file);
            return;
        }
        throw new FormatException(file, "unsupported decoder type '" + type + "' (expected ByteLevel)");
    }

    private static void parsePostProcessor(JsonNode n, Path file, Map<String, Integer> lookup,
                                           List<Integer> prefix, List<Integer> suffix) {
        if (n == null || n.isNull()) return;
        String type = n.path("type").asText("");
        switch (type) {
            case "ByteLevel" -> { }
            case "Sequence" -> {
                for (JsonNode p : n.path("processors")) parsePostProcessor(p, file, lookup, prefix, suffix);
            }
            case "TemplateProcessing" -> {
                JsonNode single = n.path("single");
                if (!single.isArray()) throw new FormatException(file, "post_processor TemplateProcessing: expected a \"single\" array");
                boolean afterSequence = false;
                for (JsonNode item : single) {
                    if (item.has("Sequence")) {
                        afterSequence = true;
                        continue;
                    }
                    JsonNode st = item.path("SpecialToken");
                    String name = st.path("id").asText(null);
                    if (name == null) throw new FormatException(file, "post_processor TemplateProcessing: unexpected item " + item);
                    List<Integer> ids = new ArrayList<>();
                    JsonNode def = n.path("special_tokens").path(name).path("ids");
                    if (def.isArray()) for (JsonNode id : def) ids.add(id.asInt());
                    else if (lookup.containsKey(name)) ids.add(lookup.get(name));
                    else throw new FormatException(file, "post_processor TemplateProcessing: unknown special token '" + name + "'");
                    (afterSequence ? suffix : prefix).addAll(ids);
                }
            }
            case "RobertaProcessing", "BertProcessing" -> {
                // cls and sep are [token, id] pairs: <cls> text <sep>.
                JsonNode cls = n.path("cls"), sep = n.path("sep");
                if (!cls.path(1).canConvertToInt() || !sep.path(1).canConvertToInt()) {
                    throw new FormatException(file, "post_processor " + type + ": expected cls and sep as [token, id]");
                }
                prefix.add(cls.get(1).asInt());
                suffix.add(sep.get(1).asInt());
            }
            default -> throw new FormatException(file, "unsupported post_processor type '" + type
                    + "' (expected TemplateProcessing, ByteLevel or Sequence)");
        }
    }

    // ---------------------------------------------------------------- vocab.json + merges.txt

    private static Tokenizer fromVocabAndMerges(Path dir, Path vocabJson, Path mergesTxt) {
        Map<String, Integer> vocab = parseVocab(readJson(vocabJson), vocabJson, "vocab.json");
        List<String[]> merges = readMergesTxt(mergesTxt);
        Path configFile = dir.resolve("tokenizer_config.json");
        if (!Files.exists(configFile)) {
            throw new FormatException(configFile, "not found; with vocab.json + merges.txt it is needed for tokenizer_class");
        }
        JsonNode config = readJson(configFile);
        if (!config.isObject()) throw new FormatException(configFile, "expected a JSON object at the top level");
        String cls = config.path("tokenizer_class").asText("");
        boolean prefixSpace = config.path("add_prefix_space").asBoolean(false);
        TextNormalizer normalizer;
        List<PreTokenizer.Step> steps = new ArrayList<>();
        switch (cls) {
            case "Qwen2Tokenizer", "Qwen2TokenizerFast" -> {
                normalizer = TextNormalizer.unicode(Normalizer.Form.NFC);
                if (prefixSpace) steps.add(PreTokenizer.byteLevel(true, false));
                steps.add(PreTokenizer.isolated(PreTokenizer.compile(PreTokenizer.QWEN2_REGEX)));
            }
            case "GPT2Tokenizer", "GPT2TokenizerFast" -> {
                normalizer = TextNormalizer.IDENTITY;
                steps.add(PreTokenizer.byteLevel(prefixSpace, true));
            }
            default -> throw new FormatException(configFile, "unsupported tokenizer_class '" + cls
                    + "' for vocab.json + merges.txt (expected Qwen2Tokenizer or GPT2Tokenizer)");
        }

        SpecialNames names = readSpecialNames(dir);
        // Added tokens: tokenizer_config.json's added_tokens_decoder has the flags; added_tokens.json only ids.
        Map<String, AddedToken> added = new LinkedHashMap<>();
        JsonNode decoder = config.path("added_tokens_decoder");
        if (decoder.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int id;
                try {
                    id = Integer.parseInt(e.getKey());
                } catch (NumberFormatException ex) {
                    throw new FormatException(configFile, "added_tokens_decoder: key '" + e.getKey() + "' is not an integer id");
                }
                if (!e.getValue().path("content").isTextual()) {
                    throw new FormatException(configFile, "added_tokens_decoder[" + id + "]: expected a content string");
                }
                AddedToken t = addedToken(id, e.getValue(), names.special.contains(e.getValue().get("content").asText()));
                added.putIfAbsent(t.content(), t);
            }
        } else if (!decoder.isMissingNode() && !decoder.isNull()) {
            throw new FormatException(configFile, "added_tokens_decoder: expected an object of id -> token");
        }
        Path addedJson = dir.resolve("added_tokens.json");
        if (Files.exists(addedJson)) {
            for (Map.Entry<String, Integer> e : parseVocab(readJson(addedJson), addedJson, "added_tokens.json").entrySet()) {
                boolean special = names.special.contains(e.getKey());
                added.putIfAbsent(e.getKey(), new AddedToken(e.getValue(), e.getKey(), special, false, false, false, !special));
            }
        }
        List<AddedToken> addedList = new ArrayList<>(added.values());
        addedList.sort((a, b) -> Integer.compare(a.id(), b.id()));

        String unk = names.unk != null && vocab.containsKey(names.unk) ? names.unk : null;
        BpeModel bpe = newBpe(vocab, merges, false, unk, mergesTxt);
        Map<String, Integer> lookup = new HashMap<>(vocab);
        for (AddedToken t : addedList) lookup.put(t.content(), t.id());
        // transformers v5 folders may list special tokens only by name (extra_special_tokens, eos_token) and leave
        // their ids to tokenizer.json. Without an id, "<|im_end|>" would be encoded as plain text: chat templates
        // and the end of a turn would silently break.
        for (String t : names.special) {
            if (!lookup.containsKey(t)) {
                throw new FormatException(configFile, "the special token '" + t + "' it names has no id in vocab.json, added_tokens.json or "
                        + "added_tokens_decoder; copy tokenizer.json (or added_tokens.json) from the original model folder into " + dir);
            }
        }
        List<Integer> prefix = new ArrayList<>(), suffix = new ArrayList<>();
        if (config.path("add_bos_token").asBoolean(false) && names.bos != null && lookup.containsKey(names.bos)) {
            prefix.add(lookup.get(names.bos));
        }
        if (config.path("add_eos_token").asBoolean(false) && names.eos != null && lookup.containsKey(names.eos)) {
            suffix.add(lookup.get(names.eos));
        }
        return new Tokenizer(bpe, vocab, addedList, normalizer, new PreTokenizer(steps), toArray(prefix), toArray(suffix),
                names.bos, names.eos);
    }

    private static List<String[]> readMergesTxt(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new FormatException(file, "file not found (expected BPE merges, one 'left right' pair per line)");
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        }
        List<String[]> merges = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || (i == 0 && line.startsWith("#version"))) continue;
            String[] parts = line.split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new FormatException(file, "line " + (i + 1) + ": expected two tokens separated by one space, got '" + line + "'");
            }
            merges.add(parts);
        }
        return merges;
    }

    // ---------------------------------------------------------------- shared

    /** Token names from tokenizer_config.json, else special_tokens_map.json; both optional. */
    private record SpecialNames(String bos, String eos, String unk, Set<String> special) {}

    private static SpecialNames readSpecialNames(Path dir) {
        String bos = null, eos = null, unk = null;
        Set<String> special = new HashSet<>();
        for (String name : new String[] {"tokenizer_config.json", "special_tokens_map.json"}) {
            Path f = dir == null ? null : dir.resolve(name);
            if (f == null || !Files.exists(f)) continue;
            JsonNode c = readJson(f);
            if (!c.isObject()) throw new FormatException(f, "expected a JSON object at the top level");
            if (bos == null) bos = tokenName(c.get("bos_token"));
            if (eos == null) eos = tokenName(c.get("eos_token"));
            if (unk == null) unk = tokenName(c.get("unk_token"));
            for (String key : new String[] {"bos_token", "eos_token", "unk_token", "pad_token"}) {
                String t = tokenName(c.get(key));
                if (t != null) special.add(t);
            }
            for (String key : new String[] {"additional_special_tokens", "extra_special_tokens"}) {
                JsonNode list = c.path(key);
                for (JsonNode t : list) { // arrays, and objects of name -> token (their values)
                    String s = tokenName(t);
                    if (s != null) special.add(s);
                }
            }
        }
        return new SpecialNames(bos, eos, unk, special);
    }

    /** A token given as a string or as {"content": ...}; null otherwise. */
    private static String tokenName(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (n.isTextual()) return n.asText();
        if (n.path("content").isTextual()) return n.get("content").asText();
        return null;
    }

    private static BpeModel newBpe(Map<String, Integer> vocab, List<String[]> merges, boolean ignoreMerges, String unk, Path file) {
        try {
            return new BpeModel(vocab, merges, ignoreMerges, unk);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, e.getMessage(), e);
        }
    }

    private static Map<String, Integer> parseVocab(JsonNode n, Path file, String what) {
        if (n == null || !n.isObject()) throw new FormatException(file, what + ": expected an object of token -> id");
        Map<String, Integer> vocab = new HashMap<>(n.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new FormatException(file, what + ": id of '" + e.getKey() + "' is not a non-negative integer");
            }
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        return vocab;
    }

    private static List<String[]> parseMerges(JsonNode n, Path file) {
        if (n == null || !n.isArray()) throw new FormatException(file, "model.merges: expected an array");
        List<String[]> merges = new ArrayList<>(n.size());
        for (JsonNode m : n) {
            if (m.isTextual()) {
                String[] parts = m.asText().split(" ", -1);
                if (parts.length != 2) throw new FormatException(file, "model.merges: expected \"left right\", got " + m);
                merges.add(parts);
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
            } else {
                throw new FormatException(file, "model.merges: expected \"left right\" or [left, right], got " + m);
            }
        }
        return merges;
    }

    private static JsonNode readJson(Path file) {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || n.isMissingNode()) throw new FormatException(file, "empty file (expected JSON)");
            return n;
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new FormatException(file, "file not found", e);
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
