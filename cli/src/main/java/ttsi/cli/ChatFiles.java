package ttsi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import ttsi.engine.format.FormatException;
import ttsi.engine.tokenizer.ChatTemplate;

/** Reads a chat JSON file and renders it through a model folder's chat template. */
final class ChatFiles {
    private ChatFiles() {}

    static String render(Path modelDir, Path chatFile) {
        JsonNode chat;
        try {
            chat = Json.MAPPER.readTree(chatFile.toFile());
        } catch (IOException e) {
            throw new FormatException(chatFile, "not a readable JSON chat file: " + e.getMessage());
        }
        if (chat == null || !chat.path("messages").isArray()) {
            throw new FormatException(chatFile, "expected {\"messages\": [...], \"tools\": [...]} with a 'messages' array");
        }
        return ChatTemplate.load(modelDir).render(chat);
    }
}
