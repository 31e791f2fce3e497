package io.registryauth.bench;

import at.favre.lib.crypto.bcrypt.BCrypt;

/**
 * One htpasswd line as {@code htpasswd -nbB -C cost user password} writes it ({@code $2y$}), for benchmark
 * scripts on machines without apache2-utils.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.registryauth.bench.HtpasswdLine user password [cost]} (cost 10
 * unless given, htpasswd's default).
 */
public final class HtpasswdLine {
    private HtpasswdLine() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: HtpasswdLine user password [cost]");
            System.exit(2);
        }
        int cost = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        System.out.println(args[0] + ":" + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(cost, args[1].toCharArray()));
    }
}
