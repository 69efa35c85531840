import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentd.toolcall.client.ToolcallClient;
import java.io.FileWriter;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The VM's Java agent for checkpoint and restore: state in its heap, a
 * workspace file it keeps open and appends to, and a tool call through
 * agentd's Java client every third step. Restored, it must go on from where
 * it was with nothing but a reconnect of the client (which it does not see).
 */
public final class JavaCounter {
    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Long> history = new ArrayList<>();
        long n = 0;
        try (ToolcallClient tc = ToolcallClient.connect();
                PrintWriter out = new PrintWriter(new FileWriter("/workspace/counts.txt", true), true)) {
            while (true) {
                n++;
                history.add(n);
                out.println(n);
                long sum = history.stream().mapToLong(Long::longValue).sum();
                if (n % 3 == 0) {
                    JsonNode r = tc.callTool("echo", json.createObjectNode().put("text", "n=" + n));
                    System.out.println("echo " + r.at("/structuredContent/text").asText() + " sum " + sum);
                } else {
                    System.out.println("n " + n);
                }
                Thread.sleep(300);
            }
        }
    }
}
