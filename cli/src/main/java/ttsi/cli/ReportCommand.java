package ttsi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import ttsi.bench.report.Problem;
import ttsi.bench.report.Report;
import ttsi.bench.report.RunLoader;

@Command(name = "report", mixinStandardHelpOptions = true, showDefaultValues = true, description = {
        "Summarise run directories from 'ttsi run' in report.md and a self-contained report.html with charts.",
        "The charts: accuracy over seeds beside the paper's numbers, margin histograms, τ sweep, time per stage, every sample.",
        "A RUN_DIR may also be a folder of run directories. Damaged or missing files are listed, not fatal."})
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "run directories (or folders holding them)") List<Path> runs;
    @Option(names = "--out", description = "where to write report.md and report.html (default: the first RUN_DIR that exists)") Path out;

    @Override
    public Integer call() throws Exception {
        RunLoader.Loaded loaded = RunLoader.load(runs);
        for (Problem p : loaded.problems()) System.err.println("ttsi report: " + p);
        if (loaded.runs().isEmpty()) {
            throw new IllegalArgumentException("no run could be read from " + runs.stream().map(Path::toString).collect(Collectors.joining(", "))
                    + (loaded.problems().isEmpty() ? "" : " (see above)"));
        }
        Path dir = out != null ? out : runs.stream().filter(Files::isDirectory).findFirst().orElseThrow();
        Report report = Report.of(loaded);
        for (Problem w : report.warnings()) System.err.println("ttsi report: warning: " + w);
        List<Path> written = report.write(dir);
        System.out.printf("%d run(s), %d problem(s), %d warning(s): wrote %s%n", loaded.runs().size(), loaded.problems().size(), report.warnings().size(),
                written.stream().map(Path::toString).collect(Collectors.joining(" and ")));
        return 0;
    }
}
