package dev.agentd.toolcall.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.broker.GrantKind;
import dev.agentd.linux.Fd;
import dev.agentd.linux.FdIo;
import dev.agentd.linux.FileSyscall;
import dev.agentd.toolcall.ToolCall;
import dev.agentd.toolcall.ToolException;
import dev.agentd.toolcall.ToolResult;

/**
 * {@code file_stat {path}}: type, size, permission bits, link count and
 * modification time of a path covered by a {@code file_read} grant. Opened
 * {@code O_PATH}: naming a FIFO or device does not open it (no side effects),
 * and like every file tool it does not follow symlinks.
 */
public final class FileStatTool extends SchemaTool {
    public static final String NAME = "file_stat";

    public FileStatTool() {
        super(NAME, "Describes a file or directory the agent's file_read grants cover: type, size, mode and mtime.", """
                {
                  "type": "object",
                  "properties": {
                    "path": {"type": "string", "minLength": 1, "maxLength": 4095,
                             "description": "Absolute path, e.g. /work/notes.txt."}
                  },
                  "required": ["path"],
                  "additionalProperties": false
                }""", """
                {
                  "type": "object",
                  "properties": {
                    "path": {"type": "string"},
                    "type": {"enum": %s},
                    "size": {"type": "integer", "minimum": 0},
                    "mode": {"type": "string", "pattern": "^[0-7]{4}$", "description": "Permission bits in octal, e.g. 0644."},
                    "nlink": {"type": "integer", "minimum": 0, "description": "Hard links; file_read and file_write refuse files with more than one."},
                    "mtime": {"type": "string", "format": "date-time"}
                  },
                  "required": ["path", "type", "size", "mode", "nlink", "mtime"],
                  "additionalProperties": false
                }""".formatted(FileChecks.TYPE_ENUM));
    }

    @Override
    public ToolResult call(ToolCall call) throws ToolException {
        call.cancel().throwIfCancelled();
        GrantedPath p = GrantedPath.authorize(call.context(), GrantKind.FILE_READ, call.arguments().get("path").asText());
        try (Fd fd = p.open(FileSyscall.O_PATH, 0)) {
            FdIo.Stat st = FileChecks.stat(fd, p.path());
            ObjectNode out = Json.object()
                    .put("path", p.path())
                    .put("type", FileChecks.typeName(st.type()))
                    .put("size", st.size())
                    .put("mode", FileChecks.octalMode(st.mode()))
                    .put("nlink", st.nlink())
                    .put("mtime", st.mtime().toString());
            return ToolResult.structured(out, Json.write(out));
        }
    }
}
