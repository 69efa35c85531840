package dev.agentd.toolcall.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.broker.GrantKind;
import dev.agentd.linux.Fd;
import dev.agentd.linux.FdIo;
import dev.agentd.linux.FileSyscall;
import dev.agentd.linux.Openat2;
import dev.agentd.linux.SyscallException;
import dev.agentd.toolcall.ToolCall;
import dev.agentd.toolcall.ToolException;
import dev.agentd.toolcall.ToolResult;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * {@code file_read {path, offset?, length?}}: up to 1 MiB of a regular file
 * covered by a {@code file_read} grant. The text block is the content itself
 * when it is UTF-8 (so a text-only client sees the file); the structured
 * result says how much was read and whether more follows.
 */
public final class FileReadTool extends SchemaTool {
    public static final String NAME = "file_read";
    /** Largest read per call. */
    public static final int MAX_LENGTH = 1 << 20;
    /**
     * Default read length: smaller than the cap because the content travels
     * twice (text block and structured result) and the gateway's default
     * result cap is 1 MiB.
     */
    public static final int DEFAULT_LENGTH = 256 * 1024;

    public FileReadTool() {
        super(NAME, "Reads a file the agent's file_read grants cover. Returns UTF-8 text as is, other bytes as base64;"
                + " read large files in pieces with offset and length.", """
                {
                  "type": "object",
                  "properties": {
                    "path": {"type": "string", "minLength": 1, "maxLength": 4095,
                             "description": "Absolute path, e.g. /work/notes.txt. No '..', symlinks are not followed."},
                    "offset": {"type": "integer", "minimum": 0, "default": 0,
                               "description": "Byte offset to start at."},
                    "length": {"type": "integer", "minimum": 1, "maximum": 1048576, "default": 262144,
                               "description": "Most bytes to return (at most 1 MiB)."}
                  },
                  "required": ["path"],
                  "additionalProperties": false
                }""", """
                {
                  "type": "object",
                  "properties": {
                    "path": {"type": "string"},
                    "size": {"type": "integer", "minimum": 0},
                    "offset": {"type": "integer", "minimum": 0},
                    "bytes_read": {"type": "integer", "minimum": 0},
                    "truncated": {"type": "boolean", "description": "True when the file goes on after what was returned."},
                    "content": {"type": "string", "description": "The bytes read, when they are UTF-8."},
                    "content_base64": {"type": "string", "description": "The bytes read, base64, when they are not UTF-8."}
                  },
                  "required": ["path", "size", "offset", "bytes_read", "truncated"],
                  "oneOf": [{"required": ["content"]}, {"required": ["content_base64"]}],
                  "additionalProperties": false
                }""");
    }

    @Override
    public ToolResult call(ToolCall call) throws ToolException {
        JsonNode args = call.arguments();
        long offset = Json.number(args, "offset", 0);
        long length = Json.number(args, "length", DEFAULT_LENGTH);
        if (offset < 0 || length < 1 || length > MAX_LENGTH) {
            throw new ToolException("offset must be >= 0 and length in 1.." + MAX_LENGTH + ", got offset " + offset
                    + ", length " + length);
        }
        call.cancel().throwIfCancelled();
        GrantedPath p = GrantedPath.authorize(call.context(), GrantKind.FILE_READ, args.get("path").asText());
        // O_NONBLOCK: opening a FIFO the agent planted must not block agentd's
        // thread until someone writes to it; O_NOCTTY: never acquire a terminal.
        try (Fd fd = p.open(FileSyscall.O_RDONLY | FileSyscall.O_NONBLOCK | Openat2.O_NOCTTY, 0)) {
            FdIo.Stat st = FileChecks.regularSingleLink(fd, p.path(), "read");
            byte[] data = FdIo.pread(fd, offset, (int) length);
            boolean more = offset + data.length < st.size();
            if (more) {
                // Stop before a character cut in half, so a long UTF-8 file reads as text
                // piece by piece; bytes_read tells where the next piece starts.
                int tail = Json.incompleteUtf8Tail(data);
                if (tail > 0 && tail < data.length) {
                    data = java.util.Arrays.copyOf(data, data.length - tail);
                }
            }
            ObjectNode out = Json.object()
                    .put("path", p.path())
                    .put("size", st.size())
                    .put("offset", offset)
                    .put("bytes_read", data.length)
                    .put("truncated", offset + data.length < st.size());
            Optional<String> text = Json.utf8(data);
            if (text.isPresent()) {
                out.put("content", text.get());
                return new ToolResult(List.of(textBlock(text.get())), Optional.of(out), false);
            }
            out.put("content_base64", Base64.getEncoder().encodeToString(data));
            return ToolResult.structured(out, Json.write(out));
        } catch (SyscallException e) {
            throw GrantedPath.failure("read", p.path(), e);
        }
    }

    static JsonNode textBlock(String text) {
        return Json.object().put("type", "text").put("text", text);
    }
}
