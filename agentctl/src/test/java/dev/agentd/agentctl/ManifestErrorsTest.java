package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestErrorsTest {
    static final Path SENT = Path.of("/work/agent.yaml");

    @Test
    void format_errorsArray_onePerLineCompilerStyle() {
        var data = FakeAgentd.parse("""
                {"errors": [
                  {"file": "/etc/a.yaml", "line": 4, "column": 11, "key": "resources.memory", "message": "too big"},
                  {"line": 7, "column": 1, "key": "name", "message": "required"}]}""");

        assertEquals(List.of("/etc/a.yaml:4:11: resources.memory: too big", "/work/agent.yaml:7:1: name: required"),
                ManifestErrors.format(data, SENT));
    }

    @Test
    void format_missingLocationParts_areLeftOut() {
        var data = FakeAgentd.parse("{\"errors\": [{\"line\": 3, \"message\": \"tabs are not allowed\"},"
                + " {\"message\": \"empty document\"}]}");

        assertEquals(List.of("/work/agent.yaml:3: tabs are not allowed", "/work/agent.yaml: empty document"),
                ManifestErrors.format(data, SENT));
    }

    @Test
    void format_singleErrorInDocumentedShape_isAccepted() {
        var data = FakeAgentd.parse(
                "{\"field\": \"resources.memory\", \"line\": 4, \"column\": 11, \"expected\": \"a size like 512M\"}");

        assertEquals(List.of("/work/agent.yaml:4:11: resources.memory: expected a size like 512M"),
                ManifestErrors.format(data, SENT));
    }

    @Test
    void format_bareArray_isAccepted() {
        var data = FakeAgentd.parse("[{\"file\": \"f\", \"line\": 1, \"column\": 2, \"key\": \"k\", \"message\": \"m\"}]");

        assertEquals(List.of("f:1:2: k: m"), ManifestErrors.format(data, null));
    }

    @Test
    void format_noFileKnown_keepsLineAndColumn() {
        var data = FakeAgentd.parse("{\"errors\": [{\"line\": 1, \"column\": 2, \"key\": \"k\", \"message\": \"m\"}]}");

        assertEquals(List.of("1:2: k: m"), ManifestErrors.format(data, null));
    }

    @Test
    void format_noErrorObjects_isEmpty() {
        assertEquals(List.of(), ManifestErrors.format(FakeAgentd.parse("null"), SENT));
        assertEquals(List.of(), ManifestErrors.format(FakeAgentd.parse("{\"what\": \"x\"}"), SENT));
    }
}
