package ttsi.engine.format;

import java.nio.file.Path;
import ttsi.engine.tensor.Matrix;

/** Weights by their Hugging Face names: a checkpoint folder ({@link Checkpoint}) or a GGUF file ({@link GgufCheckpoint}). */
public interface WeightSource extends AutoCloseable {
    /** The folder or file the tensors come from (for messages). */
    Path dir();

    boolean has(String name);

    /** A 2-D tensor as a [rows, cols] matrix, checking its shape. */
    Matrix matrix(String name, int rows, int cols);

    /** A 1-D tensor widened to f32, checking its length. */
    float[] vector(String name, int n);

    @Override
    void close();
}
