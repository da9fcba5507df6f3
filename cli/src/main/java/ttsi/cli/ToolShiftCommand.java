package ttsi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import ttsi.toolshift.BpeTrainer;
import ttsi.toolshift.ToolShift;

@Command(name = "toolshift", description = {
        "ToolShift, a generated tool-calling world with a train/test distribution shift.",
        "'ttsi toolshift generate --out DIR' writes train/dev/test (Hammer format), sft.jsonl and manifest.json from a seed,",
        "and with --tokenizer-vocab N a byte-level BPE tokenizer trained on the training text into DIR/tokenizer."})
final class ToolShiftCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "generate") String action;
    @Option(names = "--out", required = true) Path out;
    @Option(names = "--seed", defaultValue = "1") long seed;
    @Option(names = "--train", defaultValue = "4000") int train;
    @Option(names = "--dev", defaultValue = "300") int dev;
    @Option(names = "--test", defaultValue = "300") int test;
    @Option(names = "--synthesis", defaultValue = "2000", description = "synthesis-task examples in sft.jsonl") int synthesis;
    @Option(names = "--tokenizer-vocab", defaultValue = "0", description = "also train a BPE tokenizer of this size (0: no)") int vocab;

    @Override
    public Integer call() {
        if (!action.equals("generate")) throw new IllegalArgumentException("unknown action '" + action + "' (expected: generate)");
        ToolShift.Config d = ToolShift.Config.defaults(seed);
        ToolShift.Config c = new ToolShift.Config(seed, train, dev, test, synthesis, d.pMulti(), d.format());
        ToolShift.Data data = ToolShift.generate(c);
        ToolShift.write(data, out);
        System.out.println(ToolShift.manifest(data).get("stats").toPrettyString());
        if (vocab > 0) {
            BpeTrainer.Result r = BpeTrainer.train(ToolShift.tokenizerCorpus(data), vocab, 2);
            BpeTrainer.write(r, out.resolve("tokenizer"), 4096);
            System.err.println("tokenizer: " + r.tokens().size() + " BPE tokens + " + r.added().size() + " added, in " + out.resolve("tokenizer"));
        }
        System.err.println("wrote " + out);
        return 0;
    }
}
