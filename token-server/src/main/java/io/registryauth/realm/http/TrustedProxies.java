package io.registryauth.realm.http;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The networks of the proxies (ingress, load balancer) in front of the realm, and how the client address is
 * decided behind them. Only a request whose TCP peer is in one of these networks has its
 * {@code X-Forwarded-For} read: the list is walked from the right, hops that are trusted proxies themselves
 * are skipped, and the first untrusted address is the client (the leftmost one if every hop is trusted). An
 * entry that is not an address ({@code unknown}, an obfuscated name, garbage) ends the walk at the last
 * address read, or at the peer.
 *
 * <p>RFC 7239 {@code Forwarded} is deliberately not read: a proxy that only appends {@code X-Forwarded-For}
 * passes a client's forged {@code Forwarded} through untouched. Addresses are parsed numerically only, never
 * looked up.
 */
public final class TrustedProxies {
    /** Trusts nobody: the client address is the TCP peer and {@code X-Forwarded-For} is ignored. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of());
    public static final String HEADER = "X-Forwarded-For";

    private final List<Network> networks;

    private TrustedProxies(List<Network> networks) {
        this.networks = List.copyOf(networks);
    }

    /**
     * Parses networks such as {@code 10.0.0.0/8}, {@code 2001:db8::/32} or a single address. Throws
     * IllegalArgumentException quoting the first entry that is not one (host bits set behind the prefix
     * included: {@code 10.0.0.1/8} is more likely a typo than a wish to trust 16 million addresses).
     */
    public static TrustedProxies parse(Collection<String> cidrs) {
        List<Network> networks = new ArrayList<>();
        for (String cidr : cidrs) {
            networks.add(Network.parse(cidr.trim()));
        }
        return new TrustedProxies(networks);
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** Whether {@code address} is in one of the trusted networks. */
    public boolean trusts(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Network network : networks) {
            if (network.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client address of a request from {@code peer} (as Vert.x prints it) carrying these
     * {@code X-Forwarded-For} header lines, in order. Never throws: anything unreadable falls back to an
     * address a trusted party wrote, or to the peer.
     */
    public String clientAddress(String peer, List<String> forwardedFor) {
        if (networks.isEmpty() || forwardedFor.isEmpty()) {
            return peer;
        }
        InetAddress peerAddress = address(peer);
        if (peerAddress == null || !trusts(peerAddress)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String line : forwardedFor) {
            for (String hop : line.split(",", -1)) {
                hops.add(hop.trim());
            }
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = hop(hops.get(i));
            if (hop == null) {
                return client;
            }
            client = hop.getHostAddress();
            if (!trusts(hop)) {
                return client;
            }
        }
        return client;
    }

    /** The networks in CIDR notation. */
    @Override
    public String toString() {
        return networks.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustedProxies other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /**
     * One {@code X-Forwarded-For} entry: an address, optionally with a port ({@code 192.0.2.7:4711},
     * {@code [2001:db8::7]:4711}) or in brackets; null when it is anything else.
     */
    private static InetAddress hop(String entry) {
        String host = entry;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0 || !isPortSuffix(entry.substring(close + 1), true)) {
                return null;
            }
            host = entry.substring(1, close);
            if (host.indexOf(':') < 0) {
                return null;
            }
        } else {
            int colon = entry.indexOf(':');
            if (colon >= 0 && colon == entry.lastIndexOf(':')) {
                if (!isPortSuffix(entry.substring(colon), false)) {
                    return null;
                }
                host = entry.substring(0, colon);
            }
        }
        return address(host);
    }

    private static boolean isPortSuffix(String suffix, boolean optional) {
        if (suffix.isEmpty()) {
            return optional;
        }
        if (suffix.charAt(0) != ':' || suffix.length() < 2 || suffix.length() > 6) {
            return false;
        }
        return suffix.chars().skip(1).allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * A numeric IPv4 or IPv6 address, IPv4-mapped IPv6 folded to IPv4; null for anything else. Netty's
     * parser only reads digits, so no name is ever resolved; zone IDs are refused.
     */
    static InetAddress address(String text) {
        if (text == null || text.isEmpty() || text.indexOf('%') >= 0 || text.indexOf('[') >= 0) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An address and a prefix length, the bits behind the prefix zero. */
    private record Network(byte[] prefix, int bits, String text) {
        static Network parse(String cidr) {
            int slash = cidr.indexOf('/');
            String host = slash < 0 ? cidr : cidr.substring(0, slash);
            InetAddress address = address(host);
            if (address == null) {
                throw new IllegalArgumentException("not an IP address or network: '" + cidr + "'");
            }
            byte[] bytes = address.getAddress();
            int max = bytes.length * 8;
            int bits = max;
            if (slash >= 0) {
                String length = cidr.substring(slash + 1);
                if (length.isEmpty() || length.length() > 3 || !length.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("bad prefix length in '" + cidr + "'");
                }
                bits = Integer.parseInt(length);
                // ::ffff:10.0.0.0/104 was folded to IPv4 above; its prefix moves with it.
                if (address instanceof Inet4Address && host.indexOf(':') >= 0) {
                    bits -= 96;
                }
                if (bits < 0 || bits > max) {
                    throw new IllegalArgumentException("bad prefix length in '" + cidr + "'");
                }
            }
            for (int i = bits; i < max; i++) {
                if ((bytes[i / 8] & (0x80 >>> (i % 8))) != 0) {
                    throw new IllegalArgumentException("'" + cidr + "' has address bits set behind its prefix");
                }
            }
            return new Network(bytes, bits, NetUtil.toAddressString(address) + "/" + bits);
        }

        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[whole] & mask) == (prefix[whole] & mask);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
