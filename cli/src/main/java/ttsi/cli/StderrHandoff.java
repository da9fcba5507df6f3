package ttsi.cli;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Takes back the real stderr from bin/ttsi's start-up filter.
 *
 * <p>The JVM prints "WARNING: Using incubator modules: jdk.incubator.vector" while it boots, before main, and JDK 25 has
 * no option to silence it. So bin/ttsi starts the JVM with stderr going through a small filter that drops that one
 * line, and passes the real stderr as another file descriptor, named by the system property {@value #PROPERTY}. The
 * first thing main does is put that descriptor back on fd 2 (dup2) and close it: from then on stderr is the terminal
 * or file itself, with nothing in between to reorder it against stdout or to write after the JVM has exited, and the
 * filter, reading end-of-file, exits. Without the property, or when anything fails, stderr stays as it is (through
 * the filter, which passes every other byte unchanged).
 */
final class StderrHandoff {
    static final String PROPERTY = "ttsi.stderr.fd";

    private StderrHandoff() {}

    /** True when stderr is the launcher's real one again. */
    static boolean reclaim() {
        String value = System.getProperty(PROPERTY);
        if (value == null) return false;
        try {
            int fd = Integer.parseInt(value.strip());
            if (fd <= 2) return false;
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle dup2 = linker.downcallHandle(libc.find("dup2").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            System.err.flush();
            if ((int) dup2.invokeExact(fd, 2) != 2) return false;
            int unused = (int) close.invokeExact(fd); // if that fails, a spare descriptor stays open: harmless
            return true;
        } catch (Throwable e) {
            return false;
        }
    }
}
