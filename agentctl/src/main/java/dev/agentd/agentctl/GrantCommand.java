package dev.agentd.agentctl;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** {@code agentctl grant ID KIND VALUE}: give an agent a capability. */
@Command(name = "grant",
        mixinStandardHelpOptions = true,
        header = "Give an agent a capability.",
        description = {
            "Grants agent ID the capability KIND VALUE and prints the new grant's id (what "
                    + "`agentctl revoke` takes) and limits. KIND is one of:",
            "",
            "  tool        call the tool named VALUE",
            "  file_read   read files under VALUE (/dir/** for a tree)",
            "  file_write  write files under VALUE",
            "  net         connect to VALUE (host or host:port)",
            "  spawn       spawn agents from manifest VALUE",
            "  secret      use the secret named VALUE (see `agentctl secret`)",
            "  llm         use the model VALUE",
            "",
            "--expires takes an ISO-8601 time or a duration from now (30m, 24h, 7d), which agentctl turns "
                    + "into a time with this host's clock. Without limits, the grant lasts until revoked."},
        footer = {
            "%nEXAMPLES",
            "  agentctl grant researcher tool echo",
            "  agentctl grant researcher net api.github.com:443 --rate 60/h --expires 8h",
            "  agentctl grant researcher secret github_token --max-invocations 1",
            "  gid=$(agentctl grant researcher tool fetch --json | jq .id)"})
final class GrantCommand implements Callable<Integer> {
    /** The grant kinds of docs/admin-api.md, as agentd spells them. */
    static final List<String> KINDS = List.of("tool", "file_read", "file_write", "net", "spawn", "secret", "llm");

    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "ID", description = "The agent's id, or its name when unique.")
    private String id;

    @Parameters(index = "1", paramLabel = "KIND", converter = KindConverter.class,
            description = "What kind of capability: tool, file_read, file_write, net, spawn, secret, llm.")
    private String kind;

    @Parameters(index = "2", paramLabel = "VALUE", description = "What it covers: a tool name, a path, a host, ...")
    private String value;

    @Option(names = "--max-invocations", paramLabel = "N",
            description = "Allow at most N uses in all. Default: no limit.")
    private Long maxInvocations;

    @Option(names = "--rate", paramLabel = "N/UNIT", converter = RateConverter.class,
            description = "Allow at most N uses per UNIT: ms, s, m, h or d, optionally with a count "
                    + "(10/m, 100/h, 3/10s). Default: no limit.")
    private String rate;

    @Option(names = "--expires", paramLabel = "TIME|DURATION",
            description = "End the grant at TIME (ISO-8601) or after DURATION (30m, 24h, 7d). Default: never.")
    private String expires;

    @Override
    public Integer call() throws Exception {
        if (maxInvocations != null && maxInvocations < 1) {
            throw new CliException(ExitCodes.USAGE, "--max-invocations must be 1 or more, not " + maxInvocations);
        }
        String expiresAt = expires == null ? null : Times.fromNow("--expires", expires, common.now()).toString();
        try (AdminClient agentd = common.connect()) {
            Grant grant = agentd.grant(new Request.CapsGrant(id, kind, value, maxInvocations, rate, expiresAt));
            common.print(grant, Human.grant(grant, id, common.now()));
        }
        return ExitCodes.OK;
    }

    /** A kind of {@link #KINDS}, in any case. */
    static final class KindConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String k = value.toLowerCase(Locale.ROOT);
            if (!KINDS.contains(k)) {
                throw new TypeConversionException("unknown grant kind \"" + value + "\": expected one of "
                        + String.join(", ", KINDS));
            }
            return k;
        }
    }

    /** {@code COUNT/[N]UNIT}, as agentd's broker parses it. */
    static final class RateConverter implements ITypeConverter<String> {
        private static final Pattern RATE = Pattern.compile("([1-9]\\d{0,11})/([1-9]\\d{0,8})?(ms|s|m|h|d)");

        @Override
        public String convert(String value) {
            String r = value.replace(" ", "");
            Matcher m = RATE.matcher(r);
            if (!m.matches()) {
                throw new TypeConversionException("invalid rate \"" + value + "\": expected COUNT/[N]UNIT with "
                        + "UNIT one of ms, s, m, h, d (e.g. 10/m, 100/h, 3/10s)");
            }
            return r;
        }
    }
}
