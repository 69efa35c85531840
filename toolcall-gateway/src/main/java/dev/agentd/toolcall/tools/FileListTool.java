package dev.agentd.toolcall.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.broker.GrantKind;
import dev.agentd.linux.Errno;
import dev.agentd.linux.Fd;
import dev.agentd.linux.FdIo;
import dev.agentd.linux.FileSyscall;
import dev.agentd.linux.SyscallException;
import dev.agentd.toolcall.ToolCall;
import dev.agentd.toolcall.ToolException;
import dev.agentd.toolcall.ToolResult;
import java.util.Comparator;
import java.util.List;

/**
 * {@code file_list {path}}: the entries of a directory covered by a
 * {@code file_read} grant, sorted by name, each with its type and size as
 * {@code lstat} sees it (a symlink is listed as a symlink; it is never
 * followed, here or by the other file tools).
 */
public final class FileListTool extends SchemaTool {
    public static final String NAME = "file_list";
    /** Most entries returned: a directory with a million files must not become a million-line result. */
    public static final int MAX_ENTRIES = 10_000;

    public FileListTool() {
        super(NAME, "Lists a directory the agent's file_read grants cover: name, type and size of each entry.", """
                {
                  "type": "object",
                  "properties": {
                    "path": {"type": "string", "minLength": 1, "maxLength": 4095,
                             "description": "Absolute path of a directory, e.g. /work."}
                  },
                  "required": ["path"],
                  "additionalProperties": false
                }""", """
                {
                  "type": "object",
                  "properties": {
                    "path": {"type": "string"},
                    "entries": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "name": {"type": "string"},
                          "type": {"enum": %s},
                          "size": {"type": "integer", "minimum": 0}
                        },
                        "required": ["name", "type"],
                        "additionalProperties": false
                      }
                    },
                    "truncated": {"type": "boolean", "description": "True when the directory has more than 10000 entries."}
                  },
                  "required": ["path", "entries", "truncated"],
                  "additionalProperties": false
                }""".formatted(FileChecks.TYPE_ENUM));
    }

    @Override
    public ToolResult call(ToolCall call) throws ToolException {
        call.cancel().throwIfCancelled();
        GrantedPath p = GrantedPath.authorize(call.context(), GrantKind.FILE_READ, call.arguments().get("path").asText());
        try (Fd dir = p.open(FileSyscall.O_RDONLY | FileSyscall.O_DIRECTORY, 0)) {
            List<FdIo.DirEntry> entries = FdIo.list(dir, MAX_ENTRIES + 1);
            boolean truncated = entries.size() > MAX_ENTRIES;
            entries = entries.subList(0, Math.min(entries.size(), MAX_ENTRIES));
            ArrayNode items = Json.array();
            StringBuilder text = new StringBuilder();
            for (FdIo.DirEntry e : entries.stream().sorted(Comparator.comparing(FdIo.DirEntry::name)).toList()) {
                call.cancel().throwIfCancelled();
                ObjectNode item = items.addObject().put("name", e.name());
                FdIo.FileType type = e.type();
                try {
                    // statx of one name beneath the open directory, without following it.
                    FdIo.Stat st = FdIo.statEntry(dir, e.name());
                    type = st.type();
                    item.put("type", FileChecks.typeName(type));
                    item.put("size", st.size());
                } catch (SyscallException gone) {
                    // Removed between getdents64 and statx: list it with what getdents64 said.
                    if (!gone.is(Errno.ENOENT)) {
                        throw gone;
                    }
                    item.put("type", FileChecks.typeName(type));
                } catch (IllegalArgumentException oddName) {
                    item.put("type", FileChecks.typeName(type));
                }
                text.append(FileChecks.typeName(type)).append('\t')
                        .append(item.has("size") ? item.get("size").asText() : "-").append('\t')
                        .append(e.name()).append('\n');
            }
            ObjectNode out = Json.object().put("path", p.path());
            out.set("entries", items);
            out.put("truncated", truncated);
            if (truncated) {
                text.append("(truncated: more than ").append(MAX_ENTRIES).append(" entries)\n");
            }
            return new ToolResult(List.of(FileReadTool.textBlock(text.toString())), java.util.Optional.of(out), false);
        } catch (SyscallException e) {
            throw GrantedPath.failure("list", p.path(), e);
        }
    }
}
