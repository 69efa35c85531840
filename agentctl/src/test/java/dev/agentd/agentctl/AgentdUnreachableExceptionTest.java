package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import java.net.SocketException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The JDK reports connect(2) failures by strerror text only; these pin the hint chosen for each. */
class AgentdUnreachableExceptionTest {
    static final Path SOCK = Path.of("/run/agentd/agentd.sock");

    @Test
    void connectFailed_enoent_asksWhetherAgentdRuns() {
        assertEquals("cannot connect to agentd at /run/agentd/agentd.sock: No such file or directory — "
                + "is agentd running? (set --socket or AGENTD_SOCKET)",
                AgentdUnreachableException.connectFailed(SOCK, new SocketException("No such file or directory"))
                        .getMessage());
    }

    @Test
    void connectFailed_eacces_namesRootOrGroupAgentd() {
        assertEquals("cannot connect to agentd at /run/agentd/agentd.sock: Permission denied — "
                + "you need to be root or in group agentd (sudo, or `usermod -aG agentd $USER` and log in again)",
                AgentdUnreachableException.connectFailed(SOCK, new SocketException("Permission denied"))
                        .getMessage());
    }

    @Test
    void connectFailed_econnrefused_saysNothingListens() {
        assertEquals("cannot connect to agentd at /run/agentd/agentd.sock: Connection refused — "
                + "nothing is listening there; is agentd running? (set --socket or AGENTD_SOCKET)",
                AgentdUnreachableException.connectFailed(SOCK, new ConnectException("Connection refused"))
                        .getMessage());
    }
}
