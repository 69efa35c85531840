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
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

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
    void programmaticCommands_haveTheCommonOptionsTheAnnotatedOnesHave() {
        CommandLine all = Main.commandLine(Clock.systemUTC(), Map.of());
        CommandSpec annotated = all.getSubcommands().get("status").getCommandSpec();
        CommandSpec programmatic = all.getSubcommands().get("list").getCommandSpec();
        for (String name : new String[] {"--socket", "--json", "--help", "--version"}) {
            OptionSpec a = annotated.findOption(name);
            OptionSpec p = programmatic.findOption(name);
            assertEquals(List.of(a.names()), List.of(p.names()), name);
            if (a.arity().max() > 0) { // a flag's label is shown nowhere
                assertEquals(a.paramLabel(), p.paramLabel(), name);
            }
            assertEquals(a.type(), p.type(), name);
            assertEquals(a.arity(), p.arity(), name);
            assertEquals(List.of(a.description()), List.of(p.description()), name);
            assertEquals(a.usageHelp(), p.usageHelp(), name);
            assertEquals(a.versionHelp(), p.versionHelp(), name);
        }
        assertEquals(List.of("ls"), List.of(programmatic.aliases()));
    }

    @Test
    void programmaticList_bindsItsOptions() {
        var r = Cli.runWithEnv(Map.of(), "list", "--all", "--socket", "/nonexistent/agentd.sock", "--json");
        assertEquals(ExitCodes.UNREACHABLE, r.exit(), r::toString);
        assertTrue(r.err().contains("/nonexistent/agentd.sock"), r.err());
        assertTrue(r.err().contains("\"kind\""), "--json gives a JSON error: " + r.err());
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
