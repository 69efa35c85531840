package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Tools with known behaviour for the gateway's tests. */
final class TestTools {
    private TestTools() {}

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    /** A tool from a name, an input schema and a body. */
    static Tool tool(String name, String inputSchema, Optional<String> outputSchema, Body body) {
        JsonNode in = json(inputSchema);
        Optional<JsonNode> out = outputSchema.map(TestTools::json);
        return new Tool() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return "test tool " + name;
            }

            @Override
            public JsonNode inputSchema() {
                return in;
            }

            @Override
            public Optional<JsonNode> outputSchema() {
                return out;
            }

            @Override
            public ToolResult call(ToolCall call) throws ToolException {
                return body.call(call);
            }
        };
    }

    interface Body {
        ToolResult call(ToolCall call) throws ToolException;
    }

    static final String ANY = "{\"type\":\"object\"}";

    /** echo {text: string} → text. */
    static Tool echo() {
        return tool("echo", "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"],"
                + "\"additionalProperties\":false}", Optional.empty(), c -> ToolResult.text(c.arguments().get("text").asText()));
    }

    /** add {a, b: integer} → structured {sum}. */
    static Tool add() {
        return tool("add", "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}},"
                        + "\"required\":[\"a\",\"b\"]}",
                Optional.of("{\"type\":\"object\",\"properties\":{\"sum\":{\"type\":\"integer\"}},\"required\":[\"sum\"]}"),
                c -> {
                    ObjectNode r = JsonNodeFactory.instance.objectNode();
                    r.put("sum", c.arguments().get("a").asLong() + c.arguments().get("b").asLong());
                    return ToolResult.structured(r, r.toString());
                });
    }

    /** Declares {sum: integer} but returns {sum: "nope"}. */
    static Tool liar() {
        return tool("liar", ANY,
                Optional.of("{\"type\":\"object\",\"properties\":{\"sum\":{\"type\":\"integer\"}},\"required\":[\"sum\"]}"),
                c -> ToolResult.structured(json("{\"sum\":\"nope\"}"), "nope"));
    }

    static Tool failing() {
        return tool("fail", ANY, Optional.empty(), c -> {
            throw new ToolException("disk on fire");
        });
    }

    static Tool crashing() {
        return tool("crash", ANY, Optional.empty(), c -> {
            throw new IllegalStateException("bug");
        });
    }

    /** big {n: integer} → a text of n 'x'. */
    static Tool big() {
        return tool("big", "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}", Optional.empty(),
                c -> ToolResult.text("x".repeat(c.arguments().path("n").asInt())));
    }

    /** Any tool answering f(arguments) as text. */
    static Tool text(String name, Function<JsonNode, String> f) {
        return tool(name, ANY, Optional.empty(), c -> ToolResult.text(f.apply(c.arguments())));
    }

    /**
     * Blocks until its token is cancelled (or it is released), counting starts and
     * observed cancellations. With {@code ignoreInterrupts} it keeps waiting through
     * thread interrupts, like a tool stuck in uninterruptible I/O.
     */
    static final class Blocker {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger sawCancel = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        volatile CountDownLatch startedLatch = new CountDownLatch(1);

        Tool tool(String name) {
            return TestTools.tool(name, ANY, Optional.empty(), c -> {
                started.incrementAndGet();
                startedLatch.countDown();
                c.cancel().onCancel(sawCancel::incrementAndGet);
                while (!c.cancel().isCancelled() && release.getCount() > 0) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        // keep polling the token: that is what a cooperative tool does
                    }
                }
                return ToolResult.text("released");
            });
        }
    }
}
