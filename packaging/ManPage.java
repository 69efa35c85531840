import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes section-1 manual pages (troff, man macros) from a picocli command
 * model: one page per command and subcommand, named like git's
 * ({@code agentctl-daemon-status.1}). Run with the JDK's source launcher, the
 * shaded jar on the class path:
 *
 * <pre>
 *   java -cp agentctl.jar packaging/ManPage.java OUTDIR VERSION DATE dev.agentd.agentctl.Main
 *   java -cp agentd.jar   packaging/ManPage.java OUTDIR VERSION DATE dev.agentd.daemon.AgentdMain
 * </pre>
 *
 * A class with a static {@code commandLine(Clock, Map)} method (agentctl's
 * Main) is asked for its configured command line, with an empty environment so
 * the page never shows the build machine's; any other class is instantiated
 * and wrapped. Sections: NAME, SYNOPSIS, DESCRIPTION, ARGUMENTS, OPTIONS,
 * COMMANDS, EXIT STATUS, then the footer, whose unindented lines in capitals
 * (or ending in a colon) start sections and whose indented lines are kept as
 * they are; SEE ALSO last. picocli's own ManPageGenerator writes AsciiDoc,
 * which would need asciidoctor to become troff: this is the shorter road.
 */
public final class ManPage {
    private final String version;
    private final String date;
    private final String other;

    private ManPage(String version, String date, String other) {
        this.version = version;
        this.date = date;
        this.other = other;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ManPage OUTDIR VERSION DATE CLASS");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        CommandLine cl = commandLine(Class.forName(args[3]));
        String top = cl.getCommandName();
        ManPage m = new ManPage(args[1], args[2], top.equals("agentd") ? "agentctl" : "agentd");
        m.writeAll(cl, out);
    }

    private static CommandLine commandLine(Class<?> c) throws Exception {
        for (Method m : c.getMethods()) {
            if (m.getName().equals("commandLine") && Modifier.isStatic(m.getModifiers())
                    && m.getParameterCount() == 2 && m.getParameterTypes()[0] == Clock.class
                    && m.getParameterTypes()[1] == Map.class) {
                return (CommandLine) m.invoke(null, Clock.systemUTC(), Map.of());
            }
        }
        return new CommandLine(c.getConstructor().newInstance());
    }

    private void writeAll(CommandLine cl, Path out) throws IOException {
        CommandSpec spec = cl.getCommandSpec();
        String file = spec.qualifiedName("-") + ".1";
        Files.writeString(out.resolve(file), page(cl), StandardCharsets.UTF_8);
        System.out.println(out.resolve(file));
        for (CommandLine sub : subcommands(cl)) {
            writeAll(sub, out);
        }
    }

    /** Visible subcommands, once each (aliases map to the same CommandLine), without picocli's help command. */
    private static List<CommandLine> subcommands(CommandLine cl) {
        List<CommandLine> out = new ArrayList<>();
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!out.contains(sub) && !sub.getCommandSpec().usageMessage().hidden()
                    && !(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                out.add(sub);
            }
        }
        return out;
    }

    String page(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        StringBuilder t = new StringBuilder();
        String name = spec.qualifiedName("-");
        t.append(".\\\" Generated from the picocli model of ").append(spec.qualifiedName(" "))
                .append(" by packaging/ManPage.java; do not edit.\n");
        t.append(".TH \"").append(esc(name.toUpperCase(Locale.ROOT))).append("\" \"1\" \"").append(esc(date))
                .append("\" \"agentd ").append(esc(version)).append("\" \"agentd manual\"\n");
        t.append(".SH NAME\n").append(esc(name)).append(" \\- ").append(esc(summary(spec))).append('\n');

        t.append(".SH SYNOPSIS\n.nf\n");
        String synopsis = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF)).synopsis(0).strip();
        for (String line : synopsis.split("\n")) {
            t.append(literal(line)).append('\n');
        }
        t.append(".fi\n");

        List<String> description = lines(spec.usageMessage().description());
        if (!description.isEmpty()) {
            t.append(".SH DESCRIPTION\n");
            text(t, description);
        }

        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!params.isEmpty()) {
            t.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                t.append(".TP\n\\fI").append(esc(p.paramLabel())).append("\\fR\n");
                t.append(esc(String.join(" ", lines(p.description())))).append('\n');
            }
        }

        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            t.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                StringBuilder names = new StringBuilder();
                for (String n : o.names()) {
                    names.append(names.length() == 0 ? "" : ", ").append("\\fB").append(esc(n)).append("\\fR");
                }
                if (o.arity().max() > 0) {
                    names.append("=\\fI").append(esc(o.paramLabel())).append("\\fR");
                }
                t.append(".TP\n").append(names).append('\n');
                t.append(esc(String.join(" ", lines(o.description())))).append('\n');
            }
        }

        List<CommandLine> subs = subcommands(cl);
        if (!subs.isEmpty()) {
            t.append(".SH COMMANDS\n");
            for (CommandLine sub : subs) {
                CommandSpec s = sub.getCommandSpec();
                StringBuilder names = new StringBuilder("\\fB").append(esc(s.name())).append("\\fR");
                for (String alias : s.aliases()) {
                    names.append(", \\fB").append(esc(alias)).append("\\fR");
                }
                t.append(".TP\n").append(names).append('\n').append(esc(summary(s)))
                        .append(" See \\fB").append(esc(s.qualifiedName("-"))).append("\\fR(1).\n");
            }
        }

        Map<String, String> exits = spec.usageMessage().exitCodeList();
        if (!exits.isEmpty()) {
            t.append(".SH EXIT STATUS\n");
            for (Map.Entry<String, String> e : exits.entrySet()) {
                String code = e.getKey().strip();
                String what = String.join(" ", lines(new String[] {e.getValue()}));
                if (code.isEmpty()) {
                    t.append(".PP\n").append(esc(what)).append('\n');
                } else {
                    t.append(".TP\n\\fB").append(esc(code)).append("\\fR\n").append(esc(what)).append('\n');
                }
            }
        }

        footer(t, lines(spec.usageMessage().footer()));

        t.append(".SH SEE ALSO\n");
        List<String> refs = new ArrayList<>();
        if (spec.parent() != null) {
            refs.add(spec.parent().qualifiedName("-"));
        }
        for (CommandLine sub : subs) {
            refs.add(sub.getCommandSpec().qualifiedName("-"));
        }
        refs.add(other);
        StringBuilder see = new StringBuilder();
        for (String r : refs) {
            see.append(see.length() == 0 ? "" : ",\n").append("\\fB").append(esc(r)).append("\\fR(1)");
        }
        t.append(see).append('\n');
        return t.toString();
    }

    /** The one-line summary: the header, else the description's first sentence. */
    private static String summary(CommandSpec spec) {
        List<String> header = lines(spec.usageMessage().header());
        if (!header.isEmpty() && !header.get(0).isBlank()) {
            return header.get(0).strip();
        }
        List<String> d = lines(spec.usageMessage().description());
        StringBuilder first = new StringBuilder();
        for (String l : d) {
            if (l.isBlank()) {
                break;
            }
            first.append(first.length() == 0 ? "" : " ").append(l.strip());
        }
        String s = first.toString();
        int dot = s.indexOf(". ");
        return dot > 0 ? s.substring(0, dot + 1) : s;
    }

    /** picocli's text as printed: format specifiers applied ({@code %n}), split into lines. */
    private static List<String> lines(String[] texts) {
        List<String> out = new ArrayList<>();
        for (String s : texts) {
            String formatted = s.contains("%") ? String.format(Locale.ROOT, s) : s;
            out.addAll(List.of(formatted.split("\n", -1)));
        }
        return out;
    }

    /** Paragraphs: blank lines separate, indented lines stay as written. */
    private static void text(StringBuilder t, List<String> lines) {
        boolean pre = false;
        boolean needPara = false;
        for (String l : lines) {
            if (l.isBlank()) {
                if (pre) {
                    t.append(".fi\n");
                    pre = false;
                }
                needPara = true;
                continue;
            }
            boolean indented = l.startsWith(" ");
            if (indented && !pre) {
                t.append(needPara ? ".PP\n" : "").append(".nf\n");
                pre = true;
                needPara = false;
            } else if (!indented && pre) {
                t.append(".fi\n");
                pre = false;
                needPara = true;
            }
            if (needPara) {
                t.append(".PP\n");
                needPara = false;
            }
            t.append(pre ? literal(l) : esc(l.strip())).append('\n');
        }
        if (pre) {
            t.append(".fi\n");
        }
    }

    /** The footer: its headings become sections; text before the first heading goes under NOTES. */
    private static void footer(StringBuilder t, List<String> lines) {
        List<String> section = new ArrayList<>();
        String heading = null;
        for (String l : lines) {
            if (isHeading(l)) {
                flush(t, heading, section);
                heading = l.strip().replaceAll(":$", "").toUpperCase(Locale.ROOT);
                section.clear();
            } else {
                section.add(l);
            }
        }
        flush(t, heading, section);
    }

    private static void flush(StringBuilder t, String heading, List<String> section) {
        if (section.stream().allMatch(String::isBlank)) {
            return;
        }
        t.append(".SH ").append(esc(heading == null ? "NOTES" : heading)).append('\n');
        text(t, section);
    }

    private static boolean isHeading(String l) {
        if (l.isBlank() || l.startsWith(" ")) {
            return false;
        }
        String s = l.strip();
        return s.matches("[A-Z][A-Z ]*") || (s.endsWith(":") && s.length() < 40 && !s.contains(". "));
    }

    /** A line inside .nf: escaped, with its indentation kept. */
    private static String literal(String l) {
        String e = esc(l);
        return e.startsWith(" ") ? "\\&" + e : e;
    }

    /** troff escaping: backslash, minus signs, and a leading control character. */
    static String esc(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        if (e.startsWith(".") || e.startsWith("'")) {
            e = "\\&" + e;
        }
        return e;
    }
}
