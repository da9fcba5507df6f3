package ttsi.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ttsi.engine.tokenizer.Tokenizer;

@Command(name = "tokenize", mixinStandardHelpOptions = true, showDefaultValues = true, description = "Token ids of a text ({\"ids\": [...]}), or of a chat rendered through the model's chat template ({\"text\", \"ids\"}).")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model folder with tokenizer.json (or vocab.json + merges.txt)")
    Path model;

    @ArgGroup(multiplicity = "1")
    PromptSource source;

    @Option(names = "--add-special-tokens", description = "add what the tokenizer's post-processor adds (e.g. Llama 3's BOS)")
    boolean addSpecial;

    @Override
    public Integer call() {
        Tokenizer tok = Tokenizer.load(model);
        Map<String, Object> out = new LinkedHashMap<>();
        if (source.chat != null) {
            String text = ChatFiles.render(model, source.chat);
            out.put("text", text);
            out.put("ids", tok.encode(text, addSpecial));
        } else {
            out.put("ids", tok.encode(source.text, addSpecial));
        }
        System.out.println(Json.write(out));
        return 0;
    }

    static final class PromptSource {
        @Option(names = "--text", required = true, description = "text to tokenize")
        String text;

        @Option(names = "--chat", required = true, description = "chat JSON file {\"messages\": [...], \"tools\": [...]}")
        Path chat;
    }
}
