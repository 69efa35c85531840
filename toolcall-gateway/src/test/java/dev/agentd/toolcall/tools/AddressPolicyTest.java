package dev.agentd.toolcall.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Address classification only: nothing here connects anywhere. */
class AddressPolicyTest {
    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, loopback",
        "127.255.0.9, loopback",
        "10.1.2.3, private",
        "172.16.0.1, private",
        "172.31.255.255, private",
        "192.168.1.1, private",
        "169.254.169.254, link-local",
        "100.64.0.1, carrier-grade NAT",
        "100.127.255.255, carrier-grade NAT",
        "0.0.0.0, unspecified",
        "0.1.2.3, this network",
        "224.0.0.1, multicast",
        "255.255.255.255, broadcast",
        "240.0.0.1, reserved",
        "::1, loopback",
        "::, unspecified",
        "fc00::1, unique local",
        "fd12:3456::1, unique local",
        "fe80::1, link-local",
        "ff02::1, multicast",
        "64:ff9b::a00:1, NAT64 IPv6 address of a private",
        "2002:7f00:1::, 6to4 IPv6 address of a loopback",
        "::7f00:1, IPv4-compatible IPv6 address of a loopback",
    })
    void restriction_insideAddressesNamed(String address, String expected) throws Exception {
        Optional<String> why = AddressPolicy.restriction(InetAddress.getByName(address));
        assertTrue(why.isPresent() && why.get().contains(expected), address + " -> " + why);
    }

    @ParameterizedTest
    @CsvSource({"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "172.15.255.255", "2606:4700::1111", "2a00:1450::1"})
    void restriction_publicAddressesPass(String address) throws Exception {
        assertEquals(Optional.empty(), AddressPolicy.restriction(InetAddress.getByName(address)), address);
    }

    @Test
    void restriction_ipv4MappedJudgedByTheIpv4Inside() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 169;
        mapped[13] = (byte) 254;
        mapped[14] = (byte) 169;
        mapped[15] = (byte) 254;
        // Inet6Address.getByAddress keeps the IPv6 form (InetAddress.getByAddress would unwrap it).
        InetAddress a = Inet6Address.getByAddress(null, mapped, -1);
        assertTrue(AddressPolicy.restriction(a).orElseThrow().contains("IPv4-mapped IPv6 address of a link-local"),
                AddressPolicy.restriction(a).toString());
        // Java itself turns the textual form into the IPv4 address: still refused.
        assertEquals("loopback", AddressPolicy.restriction(InetAddress.getByName("::ffff:127.0.0.1")).orElseThrow());
    }

    @Test
    void literal_onlyForIpLiteralsNeverNames() {
        assertEquals(Optional.of("127.0.0.1"), AddressPolicy.literal("127.0.0.1").map(InetAddress::getHostAddress));
        assertTrue(AddressPolicy.literal("[::1]").isPresent());
        assertTrue(AddressPolicy.literal("::1").isPresent());
        assertEquals(Optional.empty(), AddressPolicy.literal("localhost"));
        assertEquals(Optional.empty(), AddressPolicy.literal("127.1"), "short forms are not literals here");
        assertEquals(Optional.empty(), AddressPolicy.literal("2130706433"));
        assertEquals(Optional.empty(), AddressPolicy.literal("256.0.0.1"));
        assertEquals(Optional.empty(), AddressPolicy.literal("example.com"));
    }

    @Test
    void grantHost_parsesGrantSpellings() {
        assertEquals("127.0.0.1", HttpFetchTool.grantHost("127.0.0.1:8080"));
        assertEquals("example.com", HttpFetchTool.grantHost("example.com"));
        assertEquals("::1", HttpFetchTool.grantHost("[::1]:443"));
        assertEquals("::1", HttpFetchTool.grantHost("[::1]"));
    }
}
