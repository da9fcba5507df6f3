package ttsi.cli;

import picocli.CommandLine.Option;
import ttsi.engine.tensor.DType;

/** {@code --dtype}, shared by every command that loads a model: the dtype its weight matrices are held in. */
final class DtypeOption {
    @Option(names = "--dtype", description = "hold the model's weight matrices in this dtype once loaded: bf16, f16, f32, or q8_0 "
            + "(int8 in blocks of 32 with an f16 scale, llama.cpp's Q8_0: about half of bf16's memory; LoRA trains on top) "
            + "(default: as stored)")
    String dtype;

    /** The parsed --dtype, or null (as stored). */
    DType parsed() {
        return dtype == null ? null : DType.parse(dtype);
    }
}
