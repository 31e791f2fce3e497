package io.registryauth.realm.auth;

import static io.registryauth.realm.auth.HtpasswdTest.HASH_2A;
import static io.registryauth.realm.auth.HtpasswdTest.HASH_2B;
import static io.registryauth.realm.auth.HtpasswdTest.HASH_2Y;
import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.registryauth.realm.RealmConfig;
import io.registryauth.realm.policy.SubjectKind;
import io.registryauth.realm.sign.KeyRing;
import io.registryauth.realm.sign.TestRealms;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HtpasswdAuthenticatorTest {
    private static final String PASSWORD = "s3cret-pass";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final HtpasswdAuthenticator authenticator =
            new HtpasswdAuthenticator(new CredentialCache(100, Duration.ofMinutes(5), clock));
    private final RealmConfig realm = TestRealms.realm(Map.of(
            "alice", new StaticUser("alice", HASH_2Y, Set.of("developers")),
            "bob", new StaticUser("bob", HASH_2A, Set.of()),
            "carol", new StaticUser("carol", HASH_2B, Set.of())));

    @Test
    void admitsTheRightPasswordForEveryBcryptVersion() {
        for (String user : List.of("alice", "bob", "carol")) {
            AuthResult result = authenticator.authenticate(realm, new Credentials(user, PASSWORD));
            assertThat(result).isInstanceOf(AuthResult.Admitted.class);
        }
        AuthResult.Admitted alice = (AuthResult.Admitted) authenticator.authenticate(realm, new Credentials("alice", PASSWORD));
        assertThat(alice.identity()).isEqualTo(new Identity("alice", Set.of("developers"), "htpasswd", SubjectKind.USER));
        assertThat(authenticator.name()).isEqualTo("htpasswd");
    }

    @Test
    void rejectsAWrongPasswordAndClaimsOnlyItsOwnUsers() {
        assertThat(authenticator.authenticate(realm, new Credentials("alice", "wrong")))
                .isEqualTo(new AuthResult.Rejected("invalid username or password"));
        assertThat(authenticator.authenticate(realm, new Credentials("alice", "")))
                .isInstanceOf(AuthResult.Rejected.class);
        // A known user's name is hers alone, whatever the password looks like (a token, say).
        assertThat(authenticator.claim(realm, new Credentials("alice", "eyJhbGciOi.eyJpc3Mi.c2ln")))
                .isEqualTo(Authenticator.Claim.OWNS);
        assertThat(authenticator.claim(realm, new Credentials("mallory", PASSWORD)))
                .isEqualTo(Authenticator.Claim.NONE);
    }

    @Test
    void costSaysHashExactlyWhenACheckWouldRunBcrypt() {
        Credentials alice = new Credentials("alice", PASSWORD);
        assertThat(authenticator.cost(realm, alice)).isEqualTo(Authenticator.Cost.HASH);
        assertThat(authenticator.cost(realm, new Credentials("mallory", PASSWORD))).isEqualTo(Authenticator.Cost.CHEAP);
        // Asking the cost is no lookup: the counters stay where they were.
        assertThat(authenticator.cacheStats().hits() + authenticator.cacheStats().misses()).isZero();

        authenticator.authenticate(realm, alice);
        assertThat(authenticator.cost(realm, alice)).isEqualTo(Authenticator.Cost.CHEAP);
        assertThat(authenticator.cost(realm, new Credentials("alice", "wrong"))).isEqualTo(Authenticator.Cost.HASH);
        clock.advance(Duration.ofMinutes(5));
        assertThat(authenticator.cost(realm, alice)).isEqualTo(Authenticator.Cost.HASH);
        assertThat(authenticator.recheckCost(realm, session(new Identity("alice", Set.of(), "htpasswd", SubjectKind.USER),
                SessionBinding.NONE))).isEqualTo(Authenticator.Cost.CHEAP);
    }

    @Test
    void aSecondAuthenticationWithTheSamePasswordSkipsBcrypt() {
        authenticator.authenticate(realm, new Credentials("alice", PASSWORD));
        assertThat(authenticator.bcryptRuns()).isEqualTo(1);

        AuthResult again = authenticator.authenticate(realm, new Credentials("alice", PASSWORD));

        assertThat(again).isInstanceOf(AuthResult.Admitted.class);
        assertThat(authenticator.bcryptRuns()).isEqualTo(1);
        assertThat(authenticator.cacheStats()).isEqualTo(new CredentialCache.Stats(1, 1, 1));
    }

    @Test
    void wrongPasswordsAreNeverCached() {
        authenticator.authenticate(realm, new Credentials("alice", PASSWORD));
        assertThat(authenticator.authenticate(realm, new Credentials("alice", "wrong"))).isInstanceOf(AuthResult.Rejected.class);
        assertThat(authenticator.authenticate(realm, new Credentials("alice", "wrong"))).isInstanceOf(AuthResult.Rejected.class);

        assertThat(authenticator.bcryptRuns()).isEqualTo(3);
        assertThat(authenticator.cacheStats().size()).isEqualTo(1);
    }

    @Test
    void aChangedHashMissesTheCache() {
        authenticator.authenticate(realm, new Credentials("alice", PASSWORD));
        String newHash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "n3w-pass".toCharArray());
        RealmConfig changed = TestRealms.realm(Map.of("alice", new StaticUser("alice", newHash, Set.of())));

        assertThat(authenticator.authenticate(changed, new Credentials("alice", PASSWORD))).isInstanceOf(AuthResult.Rejected.class);
        assertThat(authenticator.authenticate(changed, new Credentials("alice", "n3w-pass"))).isInstanceOf(AuthResult.Admitted.class);
        assertThat(authenticator.bcryptRuns()).isEqualTo(3);

        // Same password, re-hashed with a new salt: still a new entry, verified once more.
        String rehashed = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, PASSWORD.toCharArray());
        RealmConfig rehash = TestRealms.realm(Map.of("alice", new StaticUser("alice", rehashed, Set.of())));
        assertThat(authenticator.authenticate(rehash, new Credentials("alice", PASSWORD))).isInstanceOf(AuthResult.Admitted.class);
        assertThat(authenticator.bcryptRuns()).isEqualTo(4);
    }

    @Test
    void entriesExpireAfterTheirMaxAgeCountedFromVerification() {
        authenticator.authenticate(realm, new Credentials("alice", PASSWORD));
        clock.advance(Duration.ofMinutes(4));
        authenticator.authenticate(realm, new Credentials("alice", PASSWORD));
        assertThat(authenticator.bcryptRuns()).isEqualTo(1);

        // A hit does not extend the entry: 5 minutes after verification it is gone.
        clock.advance(Duration.ofMinutes(1));
        authenticator.authenticate(realm, new Credentials("alice", PASSWORD));

        assertThat(authenticator.bcryptRuns()).isEqualTo(2);
    }

    @Test
    void cacheEntriesAreScopedToTheService() {
        RealmConfig other = TestRealms.realm("other.example.com", TestRealms.ISSUER, KeyRing.of(TestRealms.es256()),
                realm.users());
        authenticator.authenticate(realm, new Credentials("alice", PASSWORD));
        authenticator.authenticate(other, new Credentials("alice", PASSWORD));

        assertThat(authenticator.bcryptRuns()).isEqualTo(2);
    }

    @Test
    void passwordsLongerThan72BytesUseTheFirst72LikeCrypt3() {
        // Reference hashes from glibc/libxcrypt crypt(3) (what htpasswd -B produces): a password of
        // 71 'x' + 'A' with or without a tail, and with 'B' instead.
        String hash = "$2y$05$abcdefghijklmnopqrstuuFLQ88i8wPJxkKxgTW2kg90JS8xmsTQm";
        RealmConfig longs = TestRealms.realm(Map.of("dave", new StaticUser("dave", hash, Set.of())));
        HtpasswdAuthenticator fresh = new HtpasswdAuthenticator();

        assertThat(fresh.authenticate(longs, new Credentials("dave", "x".repeat(71) + "A"))).isInstanceOf(AuthResult.Admitted.class);
        assertThat(fresh.authenticate(longs, new Credentials("dave", "x".repeat(71) + "A" + "tail-ignored")))
                .isInstanceOf(AuthResult.Admitted.class);
        assertThat(fresh.authenticate(longs, new Credentials("dave", "x".repeat(71) + "B"))).isInstanceOf(AuthResult.Rejected.class);
        assertThat(fresh.authenticate(longs, new Credentials("dave", "x".repeat(71)))).isInstanceOf(AuthResult.Rejected.class);
        assertThat(fresh.authenticate(longs, new Credentials("dave", "x".repeat(8192)))).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void nonAsciiPasswordsAreHashedAsUtf8() {
        String hash = "$2y$05$abcdefghijklmnopqrstuufb0xBZesbzLgkcQv6N0hvKkXeOJ1uSy"; // crypt(3) of "pässwörd€"
        RealmConfig unicode = TestRealms.realm(Map.of("eve", new StaticUser("eve", hash, Set.of())));

        assertThat(authenticator.authenticate(unicode, new Credentials("eve", "pässwörd€"))).isInstanceOf(AuthResult.Admitted.class);
    }

    @Test
    void aMalformedStoredHashRejectsWithoutThrowing() {
        RealmConfig broken = TestRealms.realm(Map.of("frank", new StaticUser("frank", "$2y$05$short", Set.of()),
                "gina", new StaticUser("gina", "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", Set.of())));

        assertThat(authenticator.authenticate(broken, new Credentials("frank", "x"))).isInstanceOf(AuthResult.Rejected.class);
        assertThat(authenticator.authenticate(broken, new Credentials("gina", "x"))).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void recheckReturnsCurrentGroupsAndEndsTheSessionWithThePassword() {
        AuthResult.Admitted login = (AuthResult.Admitted) authenticator.authenticate(realm, new Credentials("alice", PASSWORD));
        Session session = session(login.identity(), login.binding());
        RealmConfig regrouped = TestRealms.realm(Map.of("alice", new StaticUser("alice", HASH_2Y, Set.of("ops", "dev"))));
        RealmConfig newPassword = TestRealms.realm(Map.of("alice", new StaticUser("alice", HASH_2A, Set.of("developers"))));

        AuthResult rechecked = authenticator.recheck(regrouped, session);
        assertThat(rechecked).isInstanceOf(AuthResult.Admitted.class);
        assertThat(((AuthResult.Admitted) rechecked).identity())
                .isEqualTo(new Identity("alice", Set.of("ops", "dev"), "htpasswd", SubjectKind.USER));
        assertThat(authenticator.recheck(newPassword, session))
                .isEqualTo(new AuthResult.Rejected("the password changed; log in again"));
        assertThat(authenticator.recheck(TestRealms.realm(Map.of()), session)).isInstanceOf(AuthResult.Rejected.class);
        assertThat(authenticator.recheck(realm, session(login.identity(), SessionBinding.NONE)))
                .isInstanceOf(AuthResult.Rejected.class);
        assertThat(authenticator.bcryptRuns()).isEqualTo(1);
    }

    private Session session(Identity identity, SessionBinding binding) {
        return new Session(identity, clock.instant(), clock.instant().plus(Duration.ofHours(1)), binding);
    }

    @Test
    void concurrentIdenticalRequestsShareOneVerification() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger checks = new AtomicInteger();
        HtpasswdAuthenticator held = new HtpasswdAuthenticator(new CredentialCache(100, Duration.ofMinutes(5), clock),
                (user, password) -> {
                    checks.incrementAndGet();
                    entered.countDown();
                    await(release);
                    return password.equals(PASSWORD);
                });
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            Future<AuthResult> first = pool.submit(() -> held.authenticate(realm, new Credentials("alice", PASSWORD)));
            entered.await();
            List<Thread> waiting = new ArrayList<>();
            List<Future<AuthResult>> others = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                others.add(pool.submit(() -> {
                    synchronized (waiting) {
                        waiting.add(Thread.currentThread());
                    }
                    return held.authenticate(realm, new Credentials("alice", PASSWORD));
                }));
            }
            // A different password is a different check and must not wait for (or share) the first.
            Future<AuthResult> different = pool.submit(() -> held.authenticate(realm, new Credentials("alice", "other")));
            awaitAllWaiting(waiting, 4);
            release.countDown();

            assertThat(first.get()).isInstanceOf(AuthResult.Admitted.class);
            for (Future<AuthResult> other : others) {
                assertThat(other.get()).isInstanceOf(AuthResult.Admitted.class);
            }
            assertThat(different.get()).isInstanceOf(AuthResult.Rejected.class);
        } finally {
            pool.shutdownNow();
        }
        // One check for the shared password, one for the other password.
        assertThat(checks.get()).isEqualTo(2);
        assertThat(held.bcryptRuns()).isEqualTo(2);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code count} threads have registered and are all parked (joined on the running check). */
    private static void awaitAllWaiting(List<Thread> threads, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            synchronized (threads) {
                if (threads.size() == count && threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("callers did not all wait for the running check");
    }

    @Test
    void concurrentCallersShareTheCache() throws Exception {
        authenticator.authenticate(realm, new Credentials("alice", PASSWORD));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<AuthResult>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                results.add(pool.submit(() -> authenticator.authenticate(realm, new Credentials("alice", PASSWORD))));
            }
            for (Future<AuthResult> result : results) {
                assertThat(result.get()).isInstanceOf(AuthResult.Admitted.class);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(authenticator.bcryptRuns()).isEqualTo(1);
        assertThat(authenticator.cacheStats().hits()).isEqualTo(200);
    }
}
