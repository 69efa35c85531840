package dev.agentd.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parse errors name where (path, pointer, line:column) and what was expected. */
class ProfileParserTest {

    private static ProfileException fail(String json) {
        return assertThrows(ProfileException.class, () -> SeccompProfile.parse(json, "test.json"));
    }

    private static void contains(ProfileException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message lacks [" + p + "]: " + e.getMessage());
        }
    }

    @Test
    void malformedJson_givesLineAndColumn() {
        ProfileException e = fail("{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [,]\n}");
        contains(e, "test.json: malformed JSON (", "at line 3, column 16");
        assertEquals(3, e.line());
        assertEquals(null, e.path());
    }

    @Test
    void trailingGarbage_andEmptyInput_andDuplicateKeys() {
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ALLOW\"} {}"), "malformed JSON", "Trailing token");
        contains(fail("   "), "empty profile", "expected a JSON object");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultAction\":\"SCMP_ACT_LOG\"}"),
                "malformed JSON", "Duplicate field 'defaultAction'");
    }

    @Test
    void unknownSyscall_namesPlaceAndSuggests() {
        String json = "{\n"
                + "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
                + "  \"syscalls\": [\n"
                + "    {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
                + "    {\"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
                + "    {\"names\": [\"close\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
                + "    {\"names\": [\"openat\",\n"
                + "               \"opne\"], \"action\": \"SCMP_ACT_ALLOW\"}\n"
                + "  ]\n"
                + "}\n";
        ProfileException e = fail(json);
        contains(e, "unknown syscall \"opne\" in syscalls[3].names[1] (line 8, column 16)", "did you mean \"open\"?");
        assertEquals("/syscalls/3/names/1", e.pointer());
        assertEquals("syscalls[3].names[1]", e.path());
        assertEquals(8, e.line());
        assertEquals(16, e.column());
        assertEquals("unknown syscall \"opne\"", e.problem());
        assertTrue(e.getMessage().startsWith("test.json: "), e.getMessage());
    }

    @Test
    void nameOfAnotherArchitecture_isAccepted() throws Exception {
        SeccompProfile p = SeccompProfile.parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":"
                + "[\"chown32\",\"s390_runtime_instr\",\"socketcall\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
        assertEquals(3, p.syscalls().get(0).names().size());
    }

    @Test
    void unknownAction_listsTheKnownOnes() {
        ProfileException e = fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
                + "\"action\":\"SCMP_ACT_DENY\"}]}");
        contains(e, "unknown action \"SCMP_ACT_DENY\" in syscalls[0].action (line 1, column ",
                "expected one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL,", "SCMP_ACT_NOTIFY");
        contains(fail("{\"defaultAction\":\"ALLOW\"}"), "unknown action \"ALLOW\" in defaultAction");
    }

    @Test
    void unknownOp_listsTheKnownOnes() {
        ProfileException e = fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_MASKED\"}]}]}");
        contains(e, "unknown op \"SCMP_CMP_MASKED\" in syscalls[0].args[0].op",
                "expected one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ");
    }

    @Test
    void wrongTypes_sayWhatWasFoundAndExpected() {
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":\"read\",\"action\":\"SCMP_ACT_ALLOW\"}]}"),
                "wrong type: found a string \"read\" in syscalls[0].names (line 1, column 56)", "expected an array of syscall names");
        contains(fail("{\"defaultAction\":1}"), "wrong type: found the number 1 in defaultAction", "expected an action");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":\"1\"}"),
                "wrong type: found a string \"1\" in defaultErrnoRet", "expected an errno 0..4095");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}"), "wrong type: found an object in syscalls",
                "expected an array of syscall rules");
        contains(fail("[]"), "wrong type: found an array in the profile", "expected an object with fields defaultAction");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
                + "\"args\":[{\"index\":0,\"value\":1.5,\"op\":\"SCMP_CMP_EQ\"}]}]}"),
                "wrong type: found the number 1.5 in syscalls[0].args[0].value", "expected an unsigned 64-bit integer");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[3],\"action\":\"SCMP_ACT_ALLOW\"}]}"),
                "wrong type: found the number 3 in syscalls[0].names[0]", "expected a syscall name");
    }

    @Test
    void missingAndUnknownFields() {
        contains(fail("{\"syscalls\":[]}"), "missing field in defaultAction (line 1, column 1)");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"]}]}"),
                "missing field in syscalls[0].action", "expected an action");
        ProfileException e = fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\",\"arg\":[]}]}");
        contains(e, "unknown field \"arg\" in syscalls[0].arg", "expected one of names, name, action, errnoRet, args");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ALLOW\"}]}"),
                "empty list of syscall names in syscalls[0].names");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"name\":\"read\","
                + "\"action\":\"SCMP_ACT_ALLOW\"}]}"), "both \"name\" and \"names\" given");
    }

    @Test
    void valuesOutOfRange() {
        String rule = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
                + "\"args\":[%s]}]}";
        contains(fail(String.format(rule, "{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}")),
                "value 6 out of range in syscalls[0].args[0].index", "expected an argument index 0..5");
        contains(fail(String.format(rule, "{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}")),
                "value -1 out of range in syscalls[0].args[0].value");
        contains(fail(String.format(rule, "{\"index\":0,\"value\":18446744073709551616,\"op\":\"SCMP_CMP_EQ\"}")),
                "value 18446744073709551616 out of range");
        contains(fail(String.format(rule, "{\"index\":0,\"value\":1,\"valueTwo\":2,\"op\":\"SCMP_CMP_EQ\"}")),
                "valueTwo given with SCMP_CMP_EQ in syscalls[0].args[0].valueTwo", "valueTwo only with SCMP_CMP_MASKED_EQ");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":5000}"),
                "value 5000 out of range in defaultErrnoRet", "0..4095 (MAX_ERRNO)");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}"),
                "defaultErrnoRet given with SCMP_ACT_ALLOW in defaultErrnoRet", "only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    }

    @Test
    void maxUnsigned64_isAccepted() throws Exception {
        SeccompProfile p = SeccompProfile.parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":5,\"value\":18446744073709551615,"
                + "\"valueTwo\":9223372036854775808,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}");
        assertEquals(SeccompProfile.Arg.maskedEq(5, -1L, Long.MIN_VALUE), p.syscalls().get(0).args().get(0));
    }

    @Test
    void conditionsArchitecturesAndFlags() throws Exception {
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
                + "\"includes\":{\"minKernel\":\"4.x\"}}]}"), "malformed minKernel \"4.x\" in syscalls[0].includes.minKernel",
                "MAJOR.MINOR");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
                + "\"excludes\":{\"caps\":[\"sys_admin\"]}}]}"), "malformed capability \"sys_admin\" in syscalls[0].excludes.caps[0]");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_65\"]}"),
                "unknown architecture \"SCMP_ARCH_X86_65\" in architectures[0]");
        contains(fail("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"SECCOMP_FILTER_FLAG_FAST\"]}"),
                "unknown filter flag \"SECCOMP_FILTER_FLAG_FAST\" in flags[0]");
        SeccompProfile p = SeccompProfile.parse("{\"defaultAction\":\"SCMP_ACT_TRACE\",\"defaultErrnoRet\":700,"
                + "\"architectures\":[\"SCMP_ARCH_X86_64\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
                + "\"listenerPath\":\"/run/seccomp.sock\",\"listenerMetadata\":\"agent=7\",\"syscalls\":null}");
        assertEquals(Action.trace(700), p.defaultAction());
        assertEquals(List.of("SECCOMP_FILTER_FLAG_LOG"), p.flags());
        assertEquals(Optional.of("/run/seccomp.sock"), p.listenerPath());
        assertEquals(Optional.of("agent=7"), p.listenerMetadata());
        assertEquals(List.of(), p.syscalls());
    }

    @Test
    void defaults_followOci() throws Exception {
        SeccompProfile p = SeccompProfile.parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
                + "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"},{\"name\":\"write\",\"action\":\"SCMP_ACT_KILL\"}]}");
        assertEquals(Action.errno(1), p.defaultAction(), "defaultErrnoRet defaults to EPERM");
        assertEquals(Action.errno(1), p.syscalls().get(0).action(), "errnoRet defaults to EPERM");
        assertEquals(Action.KILL_THREAD, p.syscalls().get(1).action(), "SCMP_ACT_KILL is KILL_THREAD");
        assertEquals(List.of("write"), p.syscalls().get(1).names(), "Docker's single name");
    }

    @Test
    void programmaticRules_checkNamesToo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeccompProfile.Rule.of(Action.ALLOW, "opne"));
        assertTrue(e.getMessage().contains("unknown syscall \"opne\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SeccompProfile.Arg(6, 0, 0, SeccompProfile.Op.EQ));
        assertThrows(IllegalArgumentException.class, () -> new SeccompProfile.Arg(0, 0, 1, SeccompProfile.Op.GT));
    }
}
