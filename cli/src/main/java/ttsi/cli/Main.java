package ttsi.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The ttsi command line. Each verb is one class; errors print as one line unless --debug is given. */
@Command(name = "ttsi", mixinStandardHelpOptions = true, version = "ttsi 0.1.0",
        description = "Test-time self-improvement for tool-calling LLM agents, on a pure-Java engine.",
        subcommands = {TokenizeCommand.class, GenerateCommand.class, ScoreCommand.class, LogitsCommand.class, LoraGradCommand.class,
                FinetuneCommand.class, RunCommand.class, ServeCommand.class, RandomModelCommand.class, ReportCommand.class, ToolShiftCommand.class, DemoCommand.class, BenchCommand.class,
                EvalCommand.class, DataCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (debug) ex.printStackTrace();
            else cmd.getErr().println("ttsi: " + message(ex) + "  (--debug shows the stack trace)");
            return 1;
        });
        return cl.execute(rest);
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
