package ttsi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Help and version like GNU tools: every command and subcommand answers --help with its usage, every option says what it does. */
class HelpTest {
    /** The path of every command in the tree (the top command's is empty), depth first. */
    static List<List<String>> commandPaths(CommandLine cl, List<String> path) {
        List<List<String>> out = new ArrayList<>();
        out.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandName().equals(name)) return; // an alias
            List<String> p = new ArrayList<>(path);
            p.add(name);
            out.addAll(commandPaths(sub, p));
        });
        return out;
    }

    static CommandLine at(CommandLine root, List<String> path) {
        CommandLine cl = root;
        for (String name : path) cl = cl.getSubcommands().get(name);
        return cl;
    }

    static String[] withArg(List<String> path, String arg) {
        List<String> args = new ArrayList<>(path);
        args.add(arg);
        return args.toArray(String[]::new);
    }

    static String describe(List<String> path) {
        return "'ttsi" + (path.isEmpty() ? "" : " " + String.join(" ", path)) + "'";
    }

    @Test
    void theTreeHasTheNestedCommands() {
        List<List<String>> paths = commandPaths(new CommandLine(new Main()), List.of());
        for (List<String> p : List.of(List.of("run"), List.of("serve"), List.of("data"), List.of("data", "list"), List.of("data", "fetch"),
                List.of("data", "show"), List.of("help"))) {
            assertTrue(paths.contains(p), "missing " + p + " in " + paths);
        }
    }

    @Test
    void everyCommandPrintsItsUsageForHelpAndExitsZero() {
        CommandLine root = new CommandLine(new Main());
        for (List<String> path : commandPaths(root, List.of())) {
            for (String flag : new String[] {"--help", "-h"}) {
                CliTest.Run r = CliTest.run(withArg(path, flag));
                String what = describe(path) + " " + flag;
                assertEquals(0, r.code(), what + " exits 0; stderr: " + r.err());
                assertTrue(r.out().contains("Usage:"), what + " prints the usage on stdout: " + r.out());
                assertTrue(r.err().isEmpty(), what + " prints nothing on stderr: " + r.err());
                String name = path.isEmpty() ? "ttsi" : path.getLast();
                assertTrue(r.out().contains(name), what + " names the command: " + r.out());
            }
        }
    }

    @Test
    void everyOptionAndParameterHasADescription() {
        List<String> missing = new ArrayList<>();
        CommandLine root = new CommandLine(new Main());
        for (List<String> path : commandPaths(root, List.of())) {
            CommandSpec spec = at(root, path).getCommandSpec();
            for (ArgSpec arg : spec.args()) {
                String text = String.join(" ", arg.description()).strip();
                if (text.isEmpty()) missing.add(describe(path) + " " + label(arg));
            }
        }
        assertTrue(missing.isEmpty(), "without a description: " + missing);
    }

    @Test
    void everyOptionShowsItsDefault() {
        List<String> problems = new ArrayList<>();
        CommandLine root = Main.commandLine();
        for (List<String> path : commandPaths(root, List.of())) {
            CommandLine cl = at(root, path);
            CommandSpec spec = cl.getCommandSpec();
            if (spec.userObject() instanceof CommandLine.HelpCommand || spec.options().stream().allMatch(o -> o.usageHelp() || o.versionHelp())) continue;
            if (!spec.usageMessage().showDefaultValues()) problems.add(describe(path) + ": showDefaultValues is off");
            String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", "");
            if (usage.contains("Default:null")) problems.add(describe(path) + ": shows 'Default: null'");
            for (OptionSpec o : spec.options()) {
                if (o.usageHelp() || o.versionHelp() || o.required()) continue;
                String text = String.join(" ", o.description());
                // A default is the annotation's defaultValue, or the field's initial value (a setting read from its record).
                String shown = o.defaultValue() != null ? o.defaultValue() : o.hasInitialValue() && o.initialValue() != null
                        && !(o.initialValue() instanceof Boolean) && !(o.initialValue() instanceof java.util.Collection<?>) ? String.valueOf(o.initialValue()) : null;
                if (shown != null) {
                    if (!usage.contains("Default:" + shown.replaceAll("\\s+", ""))) problems.add(describe(path) + " " + o.longestName() + ": default not shown");
                } else if (o.arity().max() > 0 && !text.toLowerCase(Locale.ROOT).contains("default")) {
                    // No static default: the description must say in words what happens without the option.
                    problems.add(describe(path) + " " + o.longestName() + ": no default, and the description does not say what it is");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void commandSummariesAreWholeSentences() {
        // The top command's list of commands shows the first description line of each: it must not stop mid-sentence.
        CommandLine root = new CommandLine(new Main());
        for (List<String> path : commandPaths(root, List.of())) {
            String[] d = at(root, path).getCommandSpec().usageMessage().description();
            assertTrue(d.length > 0, describe(path) + " has a description");
            assertTrue(d[0].strip().endsWith("."), describe(path) + ": the first description line is a whole sentence: " + d[0]);
        }
        CliTest.Run r = CliTest.run("--help");
        assertTrue(r.out().contains("random-model") && r.out().contains("demo"), r.out());
    }

    @Test
    void helpComesBeforeRequiredOptions() {
        // These used to fail with "Missing required option" or "Unknown option".
        for (String[] args : new String[][] {{"run", "--help"}, {"serve", "--help"}, {"tokenize", "--help"}, {"demo", "--help"}, {"data", "list", "--help"},
                {"help", "run"}, {"help", "data"}}) {
            CliTest.Run r = CliTest.run(args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertFalse(r.err().contains("Missing required") || r.err().contains("Unknown option"), r.err());
            assertTrue(r.out().contains("Usage:"), r.out());
        }
        assertTrue(CliTest.run("data", "list", "--help").out().contains("--count"), "the help of 'data list' is its own");
    }

    @Test
    void versionPrintsTheVersionAndExitsZero() {
        for (String flag : new String[] {"--version", "-V"}) {
            CliTest.Run r = CliTest.run(flag);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("ttsi " + Main.VERSION + System.lineSeparator()), r.out());
            assertTrue(r.out().contains("Java " + Runtime.version()), r.out());
        }
        CliTest.Run sub = CliTest.run("data", "list", "--version");
        assertEquals(0, sub.code(), sub.err());
        assertTrue(sub.out().startsWith("ttsi " + Main.VERSION), "subcommands share the version: " + sub.out());
    }

    @Test
    void errorsStayOneLine() {
        CliTest.Run r = CliTest.run("data", "show", "no-such-benchmark", "--data-dir", System.getProperty("java.io.tmpdir"));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("ttsi: ") && r.err().strip().lines().count() == 1, r.err());
    }

    private static String label(ArgSpec a) {
        return a instanceof OptionSpec o ? o.longestName() : a.paramLabel();
    }
}
