package dev.agentd.agentctl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentctl secret set NAME}: store a secret read from stdin. */
@Command(name = "set",
        mixinStandardHelpOptions = true,
        header = "Store a secret, reading its value from stdin.",
        description = {
            "Reads all of stdin as the value of secret NAME and stores it in agentd, replacing any "
                    + "value it had. One trailing line break is removed, so `echo VALUE |` and "
                    + "`echo -n VALUE |` store the same value; any bytes are kept as they are (the value is "
                    + "sent base64-encoded).",
            "",
            "The value never goes on the command line, where other users could see it in the process "
                    + "list. agentctl refuses to read it from a terminal, where it would be echoed: pipe "
                    + "or redirect it in, or use --prompt to type it without echo.",
            "",
            "An empty value is refused (it is most often an unset variable)."},
        footer = {
            "%nEXAMPLES",
            "  echo -n \"$GITHUB_TOKEN\" | agentctl secret set github_token",
            "  agentctl secret set openai_key < ~/.config/openai/key",
            "  agentctl secret set db_password --prompt"})
final class SecretSetCommand implements Callable<Integer> {
    /**
     * Largest value read: agentd takes requests of up to 1 MiB a line, and the
     * value travels base64-encoded (4/3 of its size). Bounded so that
     * {@code < /dev/zero} fails at once instead of filling the heap.
     */
    static final int MAX_VALUE = 512 * 1024;

    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "The secret's name, as grants and tools refer to it (${secret:NAME}): 1 to 256 of A-Z a-z 0-9 _ . -; at most 512 KiB are read from stdin.")
    private String name;

    @Option(names = "--prompt", description = "Prompt for the value on the terminal and read it without echo.")
    private boolean prompt;

    @Override
    public Integer call() throws Exception {
        SecretName.check(name);
        byte[] value = prompt ? typed() : piped();
        try {
            if (value.length == 0) {
                throw new CliException(ExitCodes.USAGE, "the value for secret " + name
                        + " is empty; nothing stored (is the variable you piped in unset?)");
            }
            try (AdminClient agentd = common.connect()) {
                Secrets s = agentd.setSecret(name, value);
                common.print(s, "secret " + (s.name() == null ? name : s.name()) + " set\n");
            }
        } finally {
            Arrays.fill(value, (byte) 0);
        }
        return ExitCodes.OK;
    }

    private byte[] piped() throws IOException {
        Stdin stdin = common.stdin();
        if (stdin.isTerminal()) {
            throw new CliException(ExitCodes.USAGE, "secret set reads the value from stdin, which is a terminal; "
                    + "pipe it in (echo -n VALUE | agentctl secret set " + name + "), redirect a file "
                    + "(< FILE), or use --prompt to type it without echo");
        }
        byte[] read = stdin.stream().readNBytes(MAX_VALUE + 1);
        if (read.length > MAX_VALUE) {
            Arrays.fill(read, (byte) 0);
            throw new CliException(ExitCodes.USAGE, "the value for secret " + name + " on stdin is longer than "
                    + MAX_VALUE / 1024 + " KiB; nothing stored");
        }
        return stripOneNewline(read);
    }

    private byte[] typed() {
        char[] chars = common.stdin().readPassword("Value for secret " + name + ": ");
        if (chars == null) {
            throw new CliException(ExitCodes.USAGE, "--prompt needs a terminal to read from; "
                    + "pipe the value in instead: echo -n VALUE | agentctl secret set " + name);
        }
        try {
            ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            Arrays.fill(b.array(), (byte) 0);
            return out;
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** Removes one trailing {@code \n} (or {@code \r\n}), as {@code $(...)} in a shell would, but only one. */
    static byte[] stripOneNewline(byte[] b) {
        int n = b.length;
        if (n > 0 && b[n - 1] == '\n') {
            n--;
            if (n > 0 && b[n - 1] == '\r') {
                n--;
            }
        }
        if (n == b.length) {
            return b;
        }
        byte[] out = Arrays.copyOf(b, n);
        Arrays.fill(b, (byte) 0);
        return out;
    }
}
