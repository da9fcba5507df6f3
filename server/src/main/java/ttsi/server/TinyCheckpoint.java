package ttsi.server;

import ttsi.engine.format.SharedFolder;
import java.io.IOException;
import java.nio.file.Path;
import ttsi.engine.model.RandomCheckpoint;

/** A tiny random Qwen2 checkpoint with a real tokenizer and chat template: for load tests of the server itself. */
public final class TinyCheckpoint {
    private TinyCheckpoint() {}

    /** The Qwen2.5 model folder in shared/ ($TTSI_SHARED, else found walking up from the working directory), or null. */
    public static Path defaultTokenizerDir() {
        return SharedFolder.find("models/Qwen2.5-0.5B-Instruct");
    }

    /** Writes the checkpoint (hidden 16, one layer, Qwen2.5's vocabulary) with the tokenizer files of tokenizerFrom. */
    public static Path write(Path dir, Path tokenizerFrom) throws IOException {
        RandomCheckpoint.writeTiny(dir, 3, tokenizerFrom);
        return dir;
    }
}
