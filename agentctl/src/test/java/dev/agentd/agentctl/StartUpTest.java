package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/** What agentctl's start-up leaves out must be what no command needs. */
class StartUpTest {
    @Test
    void noOptionOrParameter_hasATypeWhoseConverterIsLeftOut() {
        CommandLine all = Main.commandLine(Clock.systemUTC(), Map.of());
        Pattern excluded = Pattern.compile(Main.UNUSED_CONVERTERS);
        Deque<CommandLine> todo = new ArrayDeque<>();
        todo.add(all);
        int args = 0;
        while (!todo.isEmpty()) {
            CommandLine cl = todo.removeFirst();
            for (ArgSpec arg : cl.getCommandSpec().args()) {
                for (Class<?> type : typesOf(arg)) {
                    assertFalse(excluded.matcher(type.getName()).matches(), cl.getCommandSpec().qualifiedName()
                            + " " + arg + " has type " + type.getName() + ", whose converter agentctl leaves out");
                }
                args++;
            }
            todo.addAll(cl.getSubcommands().values());
        }
        assertTrue(args > 50, "checked " + args);
    }

    @Test
    void commandLine_leavesTheConvertersOut() {
        Main.commandLine(Clock.systemUTC(), Map.of());
        assertEquals(Main.UNUSED_CONVERTERS, System.getProperty(Main.CONVERTERS_EXCLUDED));
    }

    @Test
    void picocli_isBuiltForJava17_notJava5() throws IOException {
        // Old (Java 5) class files are verified by the JVM on every start and
        // cannot be archived verified; agentctl's build compiles picocli from
        // its sources for that reason (agentctl/pom.xml).
        assertEquals(61, majorVersion(CommandLine.class));
        assertEquals(61, majorVersion(picocli.AutoComplete.class));
    }

    private static Class<?>[] typesOf(ArgSpec arg) {
        Class<?>[] aux = arg.auxiliaryTypes();
        Class<?>[] all = new Class<?>[aux.length + 1];
        all[0] = arg.type();
        System.arraycopy(aux, 0, all, 1, aux.length);
        return all;
    }

    private static int majorVersion(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            DataInputStream data = new DataInputStream(in);
            assertEquals(0xCAFEBABE, data.readInt());
            data.readUnsignedShort(); // minor
            return data.readUnsignedShort();
        }
    }
}
