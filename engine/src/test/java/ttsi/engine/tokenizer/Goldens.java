package ttsi.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Golden files written by tools/make-tokenizer-goldens.sh from Hugging Face's own tokenizer. */
final class Goldens {
    private Goldens() {}

    record Case(String name, String text, int[] ids) {}

    record Decode(int[] ids, boolean skipSpecial, String text) {}

    record File(String tokenizer, List<Case> cases, List<Decode> decodes) {
        Case get(String name) {
            return cases.stream().filter(c -> c.name.equals(name)).findFirst().orElseThrow();
        }
    }

    static File load(String resource) {
        try (InputStream in = Goldens.class.getResourceAsStream("/tokenizer/" + resource)) {
            if (in == null) throw new IllegalStateException("missing test resource /tokenizer/" + resource);
            JsonNode root = new ObjectMapper().readTree(in);
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) cases.add(new Case(c.get("name").asText(), c.get("text").asText(), ids(c.get("ids"))));
            List<Decode> decodes = new ArrayList<>();
            for (JsonNode d : root.get("decodes")) {
                decodes.add(new Decode(ids(d.get("ids")), d.get("skipSpecial").asBoolean(), d.get("text").asText()));
            }
            return new File(root.get("tokenizer").asText(), cases, decodes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ids(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asInt();
        return out;
    }
}
