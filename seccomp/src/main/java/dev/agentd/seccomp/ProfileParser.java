package dev.agentd.seccomp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads profile JSON with Jackson's tree model and checks every field
 * against the OCI runtime-spec and Docker's profile format, so a mistake is
 * reported where it is instead of changing what the filter does.
 *
 * <p>Unknown fields are errors, not ignored: a misspelt {@code "arg"} would
 * otherwise turn a conditional allow into an unconditional one. Duplicate
 * keys are errors for the same reason. Errors carry the JSON path and, found
 * by a second streaming pass over the text, the line and column.
 */
final class ProfileParser {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);
    /** SECCOMP_RET_DATA is 16 bits wide: the most TRACE can carry. */
    private static final int MAX_RET_DATA = 0xffff;

    /** {@code SCMP_ARCH_*} names of libseccomp's {@code include/seccomp.h} and the OCI runtime-spec. */
    static final Set<String> SCMP_ARCHES = Set.of("SCMP_ARCH_NATIVE", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
            "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
            "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
            "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
            "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_SH",
            "SCMP_ARCH_SHEB");

    /** The filter flags the OCI runtime-spec (config-linux.md) names. */
    static final Set<String> FILTER_FLAGS = Set.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");

    private static final List<String> PROFILE_FIELDS = List.of("defaultAction", "defaultErrnoRet", "architectures",
            "archMap", "syscalls", "flags", "listenerPath", "listenerMetadata");
    private static final List<String> RULE_FIELDS = List.of("names", "name", "action", "errnoRet", "args", "comment",
            "includes", "excludes");
    private static final List<String> ARG_FIELDS = List.of("index", "value", "valueTwo", "op");
    private static final List<String> CONDITION_FIELDS = List.of("caps", "arches", "minKernel");
    private static final List<String> ARCH_MAP_FIELDS = List.of("architecture", "subArchitectures");

    private final String text;
    private final String source;

    private ProfileParser(String text, String source) {
        this.text = text;
        this.source = source;
    }

    static SeccompProfile parse(String text, String source) throws ProfileException {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new ProfileException(source, null, null, l == null ? -1 : l.getLineNr(),
                    l == null ? -1 : l.getColumnNr(), "malformed JSON (" + e.getOriginalMessage() + ")", null);
        }
        ProfileParser p = new ProfileParser(text, source);
        if (root == null || root.isMissingNode()) {
            throw new ProfileException(source, null, null, -1, -1, "empty profile", "a JSON object with defaultAction");
        }
        return p.profile(p.new Cursor(root, "", ""));
    }

    private SeccompProfile profile(Cursor c) throws ProfileException {
        c.requireObject(PROFILE_FIELDS);
        Action.Type defaultType = action(c.field("defaultAction").required("an action such as \"SCMP_ACT_ERRNO\""));
        Action defaultAction = withData(defaultType, c.field("defaultErrnoRet"), "defaultErrnoRet", "defaultAction");

        List<String> architectures = new ArrayList<>();
        Cursor archs = c.field("architectures");
        for (Cursor a : archs.elements("an array of SCMP_ARCH_* names")) {
            architectures.add(scmpArch(a));
        }

        List<SeccompProfile.ArchMapping> archMap = new ArrayList<>();
        for (Cursor m : c.field("archMap").elements("an array of {architecture, subArchitectures} objects")) {
            m.requireObject(ARCH_MAP_FIELDS);
            String arch = scmpArch(m.field("architecture").required("an SCMP_ARCH_* name"));
            List<String> subs = new ArrayList<>();
            for (Cursor s : m.field("subArchitectures").elements("an array of SCMP_ARCH_* names")) {
                subs.add(scmpArch(s));
            }
            archMap.add(new SeccompProfile.ArchMapping(arch, subs));
        }

        List<SeccompProfile.Rule> rules = new ArrayList<>();
        for (Cursor r : c.field("syscalls").elements("an array of syscall rules")) {
            rules.add(rule(r));
        }

        List<String> flags = new ArrayList<>();
        for (Cursor f : c.field("flags").elements("an array of SECCOMP_FILTER_FLAG_* names")) {
            String flag = f.string("a SECCOMP_FILTER_FLAG_* name");
            if (!FILTER_FLAGS.contains(flag)) {
                throw f.error("unknown filter flag \"" + flag + "\"", "one of " + sortedJoin(FILTER_FLAGS));
            }
            flags.add(flag);
        }
        Optional<String> listenerPath = c.field("listenerPath").optionalString("a socket path");
        Optional<String> listenerMetadata = c.field("listenerMetadata").optionalString("a string");
        return new SeccompProfile(defaultAction, architectures, archMap, rules, flags, listenerPath, listenerMetadata);
    }

    private SeccompProfile.Rule rule(Cursor c) throws ProfileException {
        c.requireObject(RULE_FIELDS);
        List<String> names = new ArrayList<>();
        Cursor namesField = c.field("names");
        Cursor nameField = c.field("name");
        if (!namesField.absent() && !nameField.absent()) {
            throw nameField.error("both \"name\" and \"names\" given", "only \"names\" (\"name\" is Docker's older spelling)");
        }
        if (!nameField.absent()) {
            names.add(syscallName(nameField));
        } else {
            List<Cursor> elements = namesField.required("an array of syscall names").elements("an array of syscall names");
            if (elements.isEmpty()) {
                throw namesField.error("empty list of syscall names", "at least one syscall name");
            }
            for (Cursor n : elements) {
                names.add(syscallName(n));
            }
        }
        Action.Type type = action(c.field("action").required("an action such as \"SCMP_ACT_ALLOW\""));
        Action action = withData(type, c.field("errnoRet"), "errnoRet", "action");

        List<SeccompProfile.Arg> args = new ArrayList<>();
        for (Cursor a : c.field("args").elements("an array of argument conditions")) {
            args.add(arg(a));
        }
        SeccompProfile.Condition includes = condition(c.field("includes"));
        SeccompProfile.Condition excludes = condition(c.field("excludes"));
        String comment = c.field("comment").optionalString("a string").orElse("");
        return new SeccompProfile.Rule(names, action, args, includes, excludes, comment);
    }

    private SeccompProfile.Arg arg(Cursor c) throws ProfileException {
        c.requireObject(ARG_FIELDS);
        Cursor indexField = c.field("index").required("an argument index 0..5");
        long index = indexField.unsigned(Bpf.DATA_ARG_COUNT - 1, "an argument index 0..5");
        long value = c.field("value").required("an unsigned 64-bit value").u64();
        Cursor two = c.field("valueTwo");
        long valueTwo = two.absent() ? 0 : two.u64();
        Cursor opField = c.field("op").required("an operator such as \"SCMP_CMP_EQ\"");
        String opName = opField.string("an operator such as \"SCMP_CMP_EQ\"");
        SeccompProfile.Op op = null;
        for (SeccompProfile.Op o : SeccompProfile.Op.values()) {
            if (o.scmpName().equals(opName)) {
                op = o;
            }
        }
        if (op == null) {
            throw opField.error("unknown op \"" + opName + "\"", "one of "
                    + Stream.of(SeccompProfile.Op.values()).map(SeccompProfile.Op::scmpName).collect(Collectors.joining(", ")));
        }
        if (op != SeccompProfile.Op.MASKED_EQ && valueTwo != 0) {
            throw two.error("valueTwo given with " + opName, "valueTwo only with SCMP_CMP_MASKED_EQ, where value is the mask"
                    + " and valueTwo what the masked argument must equal");
        }
        return new SeccompProfile.Arg((int) index, value, valueTwo, op);
    }

    private SeccompProfile.Condition condition(Cursor c) throws ProfileException {
        if (c.absent()) {
            return SeccompProfile.Condition.NONE;
        }
        c.requireObject(CONDITION_FIELDS);
        Set<String> caps = new LinkedHashSet<>();
        for (Cursor cap : c.field("caps").elements("an array of capability names")) {
            String name = cap.string("a capability name such as \"CAP_SYS_ADMIN\"");
            if (!name.matches("CAP_[A-Z_]+")) {
                throw cap.error("malformed capability \"" + name + "\"", "a capability name such as \"CAP_SYS_ADMIN\"");
            }
            caps.add(name);
        }
        Set<String> arches = new LinkedHashSet<>();
        for (Cursor a : c.field("arches").elements("an array of architecture names such as \"amd64\"")) {
            arches.add(a.string("an architecture name such as \"amd64\""));
        }
        Optional<KernelVersion> minKernel = Optional.empty();
        Cursor mk = c.field("minKernel");
        if (!mk.absent()) {
            String v = mk.string("a kernel version such as \"4.8\"");
            try {
                minKernel = Optional.of(KernelVersion.parse(v));
            } catch (IllegalArgumentException e) {
                throw mk.error("malformed minKernel \"" + v + "\"", "a kernel version MAJOR.MINOR such as \"4.8\"");
            }
        }
        return new SeccompProfile.Condition(caps, arches, minKernel);
    }

    private Action.Type action(Cursor c) throws ProfileException {
        String name = c.string("an action such as \"SCMP_ACT_ERRNO\"");
        if (name.equals("SCMP_ACT_KILL")) {
            // libseccomp: SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD.
            return Action.Type.KILL_THREAD;
        }
        for (Action.Type t : Action.Type.values()) {
            if (t.scmpName().equals(name)) {
                return t;
            }
        }
        throw c.error("unknown action \"" + name + "\"", "one of " + Stream.concat(
                Stream.of(Action.Type.values()).map(Action.Type::scmpName), Stream.of("SCMP_ACT_KILL"))
                .sorted().collect(Collectors.joining(", ")));
    }

    /** The action with its errnoRet; OCI: "If not specified then its default value is EPERM". */
    private Action withData(Action.Type type, Cursor data, String dataField, String actionField) throws ProfileException {
        if (data.absent()) {
            return type.takesErrnoRet() ? new Action(type, dev.agentd.linux.Errno.EPERM.number()) : new Action(type, 0);
        }
        if (!type.takesErrnoRet()) {
            throw data.error(dataField + " given with " + type.scmpName(),
                    dataField + " only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE (OCI runtime-spec), or a different " + actionField);
        }
        if (type == Action.Type.ERRNO) {
            return new Action(type, (int) data.unsigned(Action.MAX_ERRNO, "an errno 0.." + Action.MAX_ERRNO + " (MAX_ERRNO)"));
        }
        return new Action(type, (int) data.unsigned(MAX_RET_DATA, "a value 0..65535 (SECCOMP_RET_DATA)"));
    }

    private String syscallName(Cursor c) throws ProfileException {
        String name = c.string("a syscall name");
        if (!SyscallNames.known(name)) {
            String close = SyscallNames.closest(name);
            throw c.error("unknown syscall \"" + name + "\"", "a syscall name of some Linux architecture"
                    + (close == null ? "" : " — did you mean \"" + close + "\"?"));
        }
        return name;
    }

    private String scmpArch(Cursor c) throws ProfileException {
        String name = c.string("an SCMP_ARCH_* name");
        if (!SCMP_ARCHES.contains(name)) {
            throw c.error("unknown architecture \"" + name + "\"", "one of " + sortedJoin(SCMP_ARCHES));
        }
        return name;
    }

    private static String sortedJoin(Set<String> s) {
        return s.stream().sorted().collect(Collectors.joining(", "));
    }

    /** A node with its JSON pointer and readable path, for error messages. */
    private final class Cursor {
        final JsonNode node;
        final String pointer;
        final String path;

        Cursor(JsonNode node, String pointer, String path) {
            this.node = node;
            this.pointer = pointer;
            this.path = path;
        }

        Cursor field(String name) {
            JsonNode child = node == null ? null : node.get(name);
            String escaped = name.replace("~", "~0").replace("/", "~1");
            return new Cursor(child, pointer + "/" + escaped, path.isEmpty() ? name : path + "." + name);
        }

        boolean absent() {
            return node == null || node.isNull() || node.isMissingNode();
        }

        Cursor required(String expected) throws ProfileException {
            if (absent()) {
                throw error(node == null || node.isMissingNode() ? "missing field" : "null value", expected);
            }
            return this;
        }

        void requireObject(List<String> fields) throws ProfileException {
            if (node == null || !node.isObject()) {
                throw wrongType("an object with fields " + String.join(", ", fields));
            }
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                if (!fields.contains(n)) {
                    throw field(n).error("unknown field \"" + n + "\"", "one of " + String.join(", ", fields));
                }
            }
        }

        /** The elements of an array; none when the field is absent or null. */
        List<Cursor> elements(String expected) throws ProfileException {
            List<Cursor> out = new ArrayList<>();
            if (absent()) {
                return out;
            }
            if (!node.isArray()) {
                throw wrongType(expected);
            }
            for (int i = 0; i < node.size(); i++) {
                out.add(new Cursor(node.get(i), pointer + "/" + i, path + "[" + i + "]"));
            }
            return out;
        }

        String string(String expected) throws ProfileException {
            if (node == null || !node.isTextual()) {
                throw node == null ? error("missing value", expected) : wrongType(expected);
            }
            return node.textValue();
        }

        Optional<String> optionalString(String expected) throws ProfileException {
            return absent() ? Optional.empty() : Optional.of(string(expected));
        }

        /** An integer 0..max. */
        long unsigned(long max, String expected) throws ProfileException {
            if (!node.isIntegralNumber()) {
                throw wrongType(expected);
            }
            BigInteger v = node.bigIntegerValue();
            if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
                throw error("value " + v + " out of range", expected);
            }
            return v.longValue();
        }

        /** An integer 0..2^64-1, returned as the long with the same 64 bits. */
        long u64() throws ProfileException {
            String expected = "an unsigned 64-bit integer (0..18446744073709551615)";
            if (!node.isIntegralNumber()) {
                throw wrongType(expected);
            }
            BigInteger v = node.bigIntegerValue();
            if (v.signum() < 0 || v.compareTo(TWO_TO_64) >= 0) {
                throw error("value " + v + " out of range", expected);
            }
            return v.longValue();
        }

        ProfileException wrongType(String expected) {
            return error("wrong type: found " + describe(node), expected);
        }

        ProfileException error(String problem, String expected) {
            int[] at = locate(pointer);
            return new ProfileException(source, path.isEmpty() ? "the profile" : path, pointer,
                    at == null ? -1 : at[0], at == null ? -1 : at[1], problem, expected);
        }
    }

    private static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        if (n.isTextual()) {
            String t = n.textValue();
            return "a string \"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
        }
        if (n.isNumber()) {
            return "the number " + n.asText();
        }
        if (n.isBoolean()) {
            return n.asText();
        }
        if (n.isNull()) {
            return "null";
        }
        return n.isArray() ? "an array" : "an object";
    }

    /**
     * Line and column of the value at {@code pointer}, or of its nearest
     * existing ancestor (for a missing field, the object that lacks it).
     * The tree model keeps no locations, so this streams the text again;
     * it runs only when an error is reported.
     */
    private int[] locate(String pointer) {
        String p = pointer;
        while (true) {
            int[] at = scan(p);
            if (at != null || p.isEmpty()) {
                return at;
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    private int[] scan(String pointer) {
        try (JsonParser jp = FACTORY.createParser(text)) {
            JsonToken t;
            while ((t = jp.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME || t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    continue;
                }
                if (jp.getParsingContext().pathAsPointer().toString().equals(pointer)) {
                    JsonLocation l = jp.currentTokenLocation();
                    return new int[] {l.getLineNr(), l.getColumnNr()};
                }
            }
        } catch (IOException e) {
            // The text parsed once already; a failure here only costs the location.
        }
        return null;
    }
}
