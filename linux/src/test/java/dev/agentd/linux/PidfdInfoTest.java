package dev.agentd.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PidfdInfoTest {
    @Test
    void the_ioctl_number_is_iowr_0xff_11_of_the_64_byte_struct() {
        // _IOWR: dir 3 << 30, size << 16, type << 8, nr.
        assertEquals((3L << 30) | (64L << 16) | (0xFFL << 8) | 11, PidfdInfo.PIDFD_GET_INFO);
        assertEquals(PidfdInfo.SIZE - 4, PidfdInfo.EXIT_CODE_OFFSET);
    }

    @Test
    void an_answer_without_the_exit_bit_says_nothing_yet() {
        assertTrue(PidfdInfo.decode(0x7, 0).isEmpty()); // pid, creds, cgroup: still running or not yet reaped
    }

    @Test
    void exit_code_is_a_wait_status_word() {
        assertEquals(new WaitStatus(0, 7, 0), PidfdInfo.decode(0xc, 7 << 8).orElseThrow());
        assertEquals(new WaitStatus(0, -1, 9), PidfdInfo.decode(0x8, 9).orElseThrow());
        assertEquals(new WaitStatus(0, -1, 11), PidfdInfo.decode(0x8, 0x80 | 11).orElseThrow()); // core dumped
    }
}
