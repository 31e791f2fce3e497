package io.registryauth.realm.it;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldif.LDIFException;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A real OpenLDAP server (Debian's {@code slapd}) on 127.0.0.1 with its own config and database, plain LDAP
 * (StartTLS offered) and LDAPS on two ports, certificates from a test CA made here, and the memberof
 * overlay. It is seeded over LDAP with users and groups (nested ones too), and stopped by its process id.
 * A missing slapd fails the test.
 */
public final class SlapdServer implements AutoCloseable {
    public static final String SUFFIX = "dc=example,dc=org";
    public static final String ADMIN_DN = "cn=admin," + SUFFIX;
    public static final String ADMIN_PASSWORD = "admin-secret-value";
    public static final String PEOPLE = "ou=people," + SUFFIX;
    public static final String GROUPS = "ou=groups," + SUFFIX;

    private final Process process;
    private final Path log;
    public final int port;
    public final int tlsPort;
    /** The test CA that signed the server's certificate, as PEM. */
    public final String caPem;

    private SlapdServer(Process process, Path log, int port, int tlsPort, String caPem) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.tlsPort = tlsPort;
        this.caPem = caPem;
    }

    public String url() {
        return "ldap://127.0.0.1:" + port;
    }

    public String ldapsUrl() {
        return "ldaps://127.0.0.1:" + tlsPort;
    }

    public static SlapdServer start(Path dir) throws Exception {
        Path slapd = Programs.require("slapd");
        Files.createDirectories(dir.resolve("db"));
        String[] tls = certificates();
        Files.writeString(dir.resolve("ca.pem"), tls[0]);
        Files.writeString(dir.resolve("server.pem"), tls[1]);
        Files.writeString(dir.resolve("server.key"), tls[2]);
        Path config = Files.writeString(dir.resolve("slapd.conf"), """
                include /etc/ldap/schema/core.schema
                include /etc/ldap/schema/cosine.schema
                include /etc/ldap/schema/inetorgperson.schema
                modulepath /usr/lib/ldap
                moduleload back_mdb
                moduleload memberof
                pidfile %1$s/slapd.pid
                TLSCACertificateFile %1$s/ca.pem
                TLSCertificateFile %1$s/server.pem
                TLSCertificateKeyFile %1$s/server.key
                database mdb
                maxsize 67108864
                suffix "%2$s"
                rootdn "%3$s"
                rootpw %4$s
                directory %1$s/db
                overlay memberof
                access to attrs=userPassword by self write by anonymous auth by * none
                access to * by * read
                """.formatted(dir.toAbsolutePath(), SUFFIX, ADMIN_DN, ADMIN_PASSWORD));
        int port = Programs.freePort();
        int tlsPort = Programs.freePort();
        Path log = dir.resolve("slapd.log");
        Process process = new ProcessBuilder(slapd.toString(), "-d", "0", "-f", config.toString(), "-h",
                "ldap://127.0.0.1:" + port + "/ ldaps://127.0.0.1:" + tlsPort + "/")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        SlapdServer server = new SlapdServer(process, log, port, tlsPort, tls[0]);
        try {
            Programs.awaitPort(port, Duration.ofSeconds(20), process);
            Programs.awaitPort(tlsPort, Duration.ofSeconds(20), process);
            server.seed();
            return server;
        } catch (Exception | Error e) {
            server.close();
            throw new IllegalStateException("slapd did not start: " + server.logText(), e);
        }
    }

    /**
     * People alice (developers), bob (platform), carol (no group), dave (contractors) and erin (builders);
     * contractors is a member of builders, so dave is in builders one level down. Passwords are
     * {@code <name>-password}.
     */
    private void seed() throws LDAPException, LDIFException {
        try (LDAPConnection admin = admin()) {
            admin.add("dn: " + SUFFIX, "objectClass: dcObject", "objectClass: organization", "dc: example",
                    "o: Example");
            admin.add("dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people");
            admin.add("dn: " + GROUPS, "objectClass: organizationalUnit", "ou: groups");
            for (String user : List.of("alice", "bob", "carol", "dave", "erin")) {
                admin.add("dn: " + userDn(user), "objectClass: inetOrgPerson", "uid: " + user, "cn: " + user,
                        "sn: " + user, "userPassword: " + user + "-password");
            }
            group(admin, "developers", userDn("alice"));
            group(admin, "platform", userDn("bob"));
            group(admin, "contractors", userDn("dave"));
            group(admin, "builders", userDn("erin"), groupDn("contractors"));
        }
    }

    private static void group(LDAPConnection admin, String name, String... members)
            throws LDAPException, LDIFException {
        List<String> lines = new ArrayList<>(List.of("dn: " + groupDn(name), "objectClass: groupOfNames", "cn: " + name));
        for (String member : members) {
            lines.add("member: " + member);
        }
        admin.add(lines.toArray(new String[0]));
    }

    public static String userDn(String user) {
        return "uid=" + user + "," + PEOPLE;
    }

    public static String groupDn(String group) {
        return "cn=" + group + "," + GROUPS;
    }

    /** Takes {@code member} out of {@code group}. */
    public void removeMember(String group, String member) throws LDAPException {
        try (LDAPConnection admin = admin()) {
            admin.modify(groupDn(group), new Modification(ModificationType.DELETE, "member", member));
        }
    }

    /** Deletes a user entry. */
    public void deleteUser(String user) throws LDAPException {
        try (LDAPConnection admin = admin()) {
            admin.delete(userDn(user));
        }
    }

    /** Adds an attribute value to an entry. */
    public void add(String dn, String attribute, String value) throws LDAPException {
        try (LDAPConnection admin = admin()) {
            admin.modify(dn, new Modification(ModificationType.ADD, attribute, value));
        }
    }

    private LDAPConnection admin() throws LDAPException {
        return new LDAPConnection("127.0.0.1", port, ADMIN_DN, ADMIN_PASSWORD);
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Stops slapd by its process id. */
    @Override
    public void close() throws InterruptedException {
        Programs.stop(process, Duration.ofSeconds(10));
    }

    /** CA certificate, server certificate (for 127.0.0.1 and localhost) and server key, as PEM. */
    private static String[] certificates() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair caKeys = rsa.generateKeyPair();
        KeyPair serverKeys = rsa.generateKeyPair();
        Instant now = Instant.now();
        X500Name caName = new X500Name("CN=registry-auth test CA");
        X509Certificate ca = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(caName,
                BigInteger.ONE, Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))),
                caName, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
        X509Certificate server = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                caName, BigInteger.TWO, Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))), new X500Name("CN=127.0.0.1"), serverKeys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}))
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
        return new String[] {pem(ca), pem(server), pem(serverKeys.getPrivate())};
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
