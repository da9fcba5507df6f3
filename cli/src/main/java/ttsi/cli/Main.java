package ttsi.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The ttsi command line. Each verb is one class; errors print as one line unless --debug is given. Every command and
 * subcommand takes -h/--help (handled before its required options are checked) and shows each option's default.
 */
@Command(name = "ttsi", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Test-time self-improvement for tool-calling LLM agents, on a pure-Java engine.",
        footer = {"", "'ttsi COMMAND --help' (or 'ttsi help COMMAND') shows a command's options and their defaults.",
                "Add --debug to any command to see the stack trace of an error."},
        subcommands = {TokenizeCommand.class, GenerateCommand.class, ScoreCommand.class, LogitsCommand.class, LoraGradCommand.class,
                FinetuneCommand.class, MergeCommand.class, RunCommand.class, MergeShardsCommand.class, ServeCommand.class, RandomModelCommand.class, ReportCommand.class, ToolShiftCommand.class, DemoCommand.class, BenchCommand.class,
                EvalCommand.class, DataCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    static final String VERSION = "0.1.0";

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        StderrHandoff.reclaim(); // bin/ttsi: stderr back from the filter that dropped the JVM's incubator warning
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        CommandLine cl = commandLine();
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (debug) ex.printStackTrace();
            else cmd.getErr().println("ttsi: " + message(ex) + "  (--debug shows the stack trace)");
            return 1;
        });
        return cl.execute(rest);
    }

    /** The command tree; every subcommand answers --version with the top command's version. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        shareVersion(cl);
        return cl;
    }

    private static void shareVersion(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().version().length == 0) sub.getCommandSpec().versionProvider(new Version());
            shareVersion(sub);
        }
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** "ttsi 0.1.0" and the Java it runs on. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ttsi " + VERSION, "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }
}
