package dev.agentd.toolcall.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.broker.GrantKind;
import dev.agentd.linux.Errno;
import dev.agentd.linux.Fd;
import dev.agentd.linux.FdIo;
import dev.agentd.linux.FileSyscall;
import dev.agentd.linux.Openat2;
import dev.agentd.linux.SyscallException;
import dev.agentd.toolcall.ToolCall;
import dev.agentd.toolcall.ToolException;
import dev.agentd.toolcall.ToolResult;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * {@code file_write {path, content | content_base64, mode}} into a file
 * covered by a {@code file_write} grant.
 *
 * <ul>
 *   <li>{@code create}: the file must not exist ({@code O_EXCL});</li>
 *   <li>{@code overwrite}: replaces the content, creating the file if missing;</li>
 *   <li>{@code append}: adds at the end, creating the file if missing.</li>
 * </ul>
 *
 * <p>A new file is created mode 0644 (less agentd's umask) and then given to the
 * owner and group of the directory it is in: agentd runs as root, and a file it
 * leaves owned by root in an agent's workspace could not be changed or removed
 * by the agent afterwards. Parent directories are not created.
 *
 * <p>An existing file is opened without {@code O_TRUNC} and checked first (a
 * regular file with one link, see {@link FileChecks#regularSingleLink}); only
 * then is it truncated, so a refused hard link is never damaged.
 */
public final class FileWriteTool extends SchemaTool {
    public static final String NAME = "file_write";
    /** Mode of files this tool creates (before umask). */
    static final int CREATE_MODE = 0644;

    public FileWriteTool() {
        super(NAME, "Writes a file the agent's file_write grants cover: create (must not exist), overwrite or append."
                + " Give UTF-8 text as content or bytes as content_base64. Parent directories must exist.", """
                {
                  "type": "object",
                  "properties": {
                    "path": {"type": "string", "minLength": 1, "maxLength": 4095,
                             "description": "Absolute path, e.g. /work/out.txt. No '..', symlinks are not followed."},
                    "content": {"type": "string", "description": "UTF-8 text to write."},
                    "content_base64": {"type": "string", "contentEncoding": "base64",
                                       "description": "Bytes to write, base64-encoded (instead of content)."},
                    "mode": {"enum": ["create", "overwrite", "append"],
                             "description": "create: fail if the file exists; overwrite: replace; append: add at the end."}
                  },
                  "required": ["path", "mode"],
                  "oneOf": [{"required": ["content"]}, {"required": ["content_base64"]}],
                  "additionalProperties": false
                }""", """
                {
                  "type": "object",
                  "properties": {
                    "path": {"type": "string"},
                    "mode": {"enum": ["create", "overwrite", "append"]},
                    "created": {"type": "boolean", "description": "True when this call created the file."},
                    "bytes_written": {"type": "integer", "minimum": 0},
                    "size": {"type": "integer", "minimum": 0, "description": "The file's size afterwards."}
                  },
                  "required": ["path", "mode", "created", "bytes_written", "size"],
                  "additionalProperties": false
                }""");
    }

    @Override
    public ToolResult call(ToolCall call) throws ToolException {
        JsonNode args = call.arguments();
        String mode = args.get("mode").asText();
        byte[] data = content(args);
        if (!mode.equals("create") && !mode.equals("overwrite") && !mode.equals("append")) {
            throw new ToolException("mode must be create, overwrite or append, got \"" + Json.printable(mode) + "\"");
        }
        call.cancel().throwIfCancelled();
        GrantedPath p = GrantedPath.authorize(call.context(), GrantKind.FILE_WRITE, args.get("path").asText());
        String name = p.fileName();
        try (Fd parent = p.openParent()) {
            FdIo.Stat dir = FileChecks.stat(parent, p.path() + "/..");
            boolean created = true;
            Fd fd;
            int excl = FileSyscall.O_WRONLY | FileSyscall.O_CREAT | Openat2.O_EXCL | Openat2.O_NOCTTY;
            try {
                fd = Openat2.openat2(parent, name, excl, CREATE_MODE, GrantedPath.RESOLVE);
            } catch (SyscallException e) {
                if (!e.is(Errno.EEXIST) || mode.equals("create")) {
                    throw e;
                }
                created = false;
                // O_NONBLOCK: a FIFO with no reader fails (ENXIO) instead of blocking; one
                // with a reader opens and is refused by the type check below.
                int flags = FileSyscall.O_WRONLY | FileSyscall.O_NONBLOCK | Openat2.O_NOCTTY
                        | (mode.equals("append") ? FileSyscall.O_APPEND : 0);
                fd = Openat2.openat2(parent, name, flags, 0, GrantedPath.RESOLVE);
            }
            try (Fd f = fd) {
                if (created) {
                    FdIo.chown(f, dir.uid(), dir.gid());
                } else {
                    FileChecks.regularSingleLink(f, p.path(), "write");
                    if (mode.equals("overwrite")) {
                        FdIo.truncate(f, 0);
                    }
                }
                FdIo.writeAll(f, data);
                long size = FdIo.stat(f).size();
                ObjectNode out = Json.object()
                        .put("path", p.path())
                        .put("mode", mode)
                        .put("created", created)
                        .put("bytes_written", data.length)
                        .put("size", size);
                return ToolResult.structured(out, Json.write(out));
            }
        } catch (SyscallException e) {
            throw GrantedPath.failure(mode.equals("create") && e.is(Errno.EEXIST)
                    ? "create (use mode overwrite or append to change an existing file)" : "write", p.path(), e);
        }
    }

    private static byte[] content(JsonNode args) throws ToolException {
        JsonNode text = args.get("content");
        JsonNode b64 = args.get("content_base64");
        if ((text == null) == (b64 == null)) {
            throw new ToolException("give exactly one of content (UTF-8 text) and content_base64");
        }
        if (text != null) {
            return text.asText().getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(b64.asText());
        } catch (IllegalArgumentException e) {
            throw new ToolException("content_base64 is not valid base64: " + e.getMessage());
        }
    }
}
