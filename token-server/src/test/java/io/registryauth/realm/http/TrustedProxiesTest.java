package io.registryauth.realm.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How the client address is decided from the TCP peer and X-Forwarded-For. */
class TrustedProxiesTest {
    /** An ingress network, one IPv6 proxy network and a single load balancer address. */
    private static final TrustedProxies PROXIES = TrustedProxies.parse(
            List.of("10.0.0.0/8", " 2001:db8:ffff::/48", "192.0.2.1"));

    /**
     * Header lines are separated by '|' in the table (one line: no '|'); an empty cell means no header.
     * The peer is printed as Vert.x prints it.
     */
    @ParameterizedTest(name = "peer {0}, X-Forwarded-For [{1}] -> {2}")
    @CsvSource(delimiter = ';', ignoreLeadingAndTrailingWhitespace = false, value = {
            // The peer is not a trusted proxy: whatever the client claims is ignored.
            "203.0.113.9;1.2.3.4;203.0.113.9",
            "203.0.113.9;10.0.0.7;203.0.113.9",
            "203.0.113.9;unknown;203.0.113.9",
            "10.0.0.1x;1.2.3.4;10.0.0.1x",
            ";1.2.3.4;''",
            // A trusted peer without the header: the peer.
            "10.0.0.2;;10.0.0.2",
            // One proxy: the address it appended.
            "10.0.0.2;198.51.100.4;198.51.100.4",
            "10.0.0.2;  198.51.100.4  ;198.51.100.4",
            // A client forging entries on the left is only believed up to the proxy's own entry.
            "10.0.0.2;1.1.1.1, 198.51.100.4;198.51.100.4",
            "10.0.0.2;10.9.9.9, 198.51.100.4;198.51.100.4",
            // A chain of trusted proxies is skipped from the right.
            "10.0.0.2;198.51.100.4, 192.0.2.1, 10.1.2.3;198.51.100.4",
            "10.0.0.2;1.1.1.1,198.51.100.4,192.0.2.1,10.1.2.3;198.51.100.4",
            // Every hop trusted: the leftmost.
            "10.0.0.2;10.5.5.5, 10.6.6.6;10.5.5.5",
            // Several header lines are one list, in order.
            "10.0.0.2;1.1.1.1|198.51.100.4;198.51.100.4",
            "10.0.0.2;198.51.100.4|10.1.2.3;198.51.100.4",
            // Ports and brackets.
            "10.0.0.2;198.51.100.4:50123;198.51.100.4",
            "10.0.0.2;[2001:db8::7]:50123;2001:db8:0:0:0:0:0:7",
            "10.0.0.2;[2001:db8::7];2001:db8:0:0:0:0:0:7",
            "10.0.0.2;2001:db8::7;2001:db8:0:0:0:0:0:7",
            "10.0.0.2;2001:DB8:0::7, 2001:db8:ffff::1;2001:db8:0:0:0:0:0:7",
            // An IPv6 peer, and IPv4-mapped addresses count as IPv4.
            "2001:db8:ffff:0:0:0:0:1;198.51.100.4;198.51.100.4",
            "0:0:0:0:0:ffff:a00:2;198.51.100.4;198.51.100.4",
            "10.0.0.2;::ffff:198.51.100.4;198.51.100.4",
            "10.0.0.2;1.1.1.1, ::ffff:10.0.0.9;1.1.1.1",
            // Not an address: stop at the last address read, or the peer.
            "10.0.0.2;unknown;10.0.0.2",
            "10.0.0.2;_hidden, 10.1.2.3;10.1.2.3",
            "10.0.0.2;198.51.100.4, unknown, 10.1.2.3;10.1.2.3",
            "10.0.0.2;1.1.1.1, , 10.1.2.3;10.1.2.3",
            "10.0.0.2;198.51.100.4,;10.0.0.2",
            "10.0.0.2;evil.example.com;10.0.0.2",
            "10.0.0.2;localhost;10.0.0.2",
            "10.0.0.2;1.2.3;10.0.0.2",
            "10.0.0.2;256.1.1.1;10.0.0.2",
            "10.0.0.2;0x7f.0.0.1;10.0.0.2",
            "10.0.0.2;198.51.100.4:;10.0.0.2",
            "10.0.0.2;198.51.100.4:http;10.0.0.2",
            "10.0.0.2;[198.51.100.4];10.0.0.2",
            "10.0.0.2;[2001:db8::7;10.0.0.2",
            "10.0.0.2;[2001:db8::7]x;10.0.0.2",
            "10.0.0.2;fe80::1%eth0;10.0.0.2",
            "10.0.0.2;\"[2001:db8::7]\";10.0.0.2",
            "10.0.0.2;for=198.51.100.4;10.0.0.2",
    })
    void decidesTheClientAddress(String peer, String header, String expected) {
        List<String> lines = header == null ? List.of() : Arrays.asList(header.split("\\|"));
        assertThat(PROXIES.clientAddress(peer == null ? "" : peer, lines)).isEqualTo(expected);
    }

    @Test
    void withoutTrustedProxiesTheHeaderIsNeverRead() {
        assertThat(TrustedProxies.NONE.clientAddress("10.0.0.2", List.of("198.51.100.4"))).isEqualTo("10.0.0.2");
        assertThat(TrustedProxies.parse(List.of()).isEmpty()).isTrue();
    }

    @Test
    void parsesNetworksAndSingleAddresses() {
        assertThat(PROXIES).hasToString("[10.0.0.0/8, 2001:db8:ffff::/48, 192.0.2.1/32]");
        assertThat(TrustedProxies.parse(List.of("::ffff:10.0.0.0/104", "::1", "0.0.0.0/0")))
                .hasToString("[10.0.0.0/8, ::1/128, 0.0.0.0/0]");
        assertThat(TrustedProxies.parse(List.of("10.0.0.0/8"))).isEqualTo(TrustedProxies.parse(List.of(" 10.0.0.0/8")));
        assertThat(PROXIES.trusts(TrustedProxies.address("10.255.255.255"))).isTrue();
        assertThat(PROXIES.trusts(TrustedProxies.address("11.0.0.0"))).isFalse();
        assertThat(PROXIES.trusts(TrustedProxies.address("2001:db8:ffff:1::1"))).isTrue();
        assertThat(PROXIES.trusts(TrustedProxies.address("2001:db8:fffe::1"))).isFalse();
        assertThat(PROXIES.trusts(TrustedProxies.address("192.0.2.2"))).isFalse();
        TrustedProxies odd = TrustedProxies.parse(List.of("172.16.0.0/12", "2001:db8::/33"));
        assertThat(odd.trusts(TrustedProxies.address("172.31.255.1"))).isTrue();
        assertThat(odd.trusts(TrustedProxies.address("172.32.0.1"))).isFalse();
        assertThat(odd.trusts(TrustedProxies.address("2001:db8:7fff::1"))).isTrue();
        assertThat(odd.trusts(TrustedProxies.address("2001:db8:8000::1"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "proxy.example.com", "localhost", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1",
            "10.0.0.0/8/8", "10.0.0.0/x", "10.0.0.0/0008", "2001:db8::/129", "10.0.0.1/8", "2001:db8::1/64",
            "10.0.0", "[::1]", "fe80::1%eth0", "::ffff:10.0.0.0/8"})
    void refusesWhatIsNotANetworkQuotingIt(String entry) {
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/8", entry)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + entry.trim() + "'");
    }
}
