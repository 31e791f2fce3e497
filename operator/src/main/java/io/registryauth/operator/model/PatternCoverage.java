package io.registryauth.operator.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether every repository name one pattern matches is also matched by another: language inclusion
 * of the two patterns, exactly, not by comparing text. Both are read as automata over characters
 * ({@code *} = any run without '/', {@code **} = any run, {@code ${user}} = one or more characters without
 * '/' in the inner pattern and nothing in the outer one, since a tenancy cannot depend on who asks;
 * {@code ${claims.<name>}} likewise, but any run of one or more characters, '/' included), and the
 * pair is explored until a name is found that the inner pattern accepts and the outer one does not. Patterns
 * only tell characters apart by equality with their literals and with '/', so one representative of "any
 * other character" keeps the alphabet small and the answer exact.
 */
public final class PatternCoverage {
    private static final char OTHER = '\u0000';
    private static final String USER_VARIABLE = "${user}";
    private static final String CLAIMS_VARIABLE = "${claims.";

    private enum Kind { CHAR, STAR, DOUBLE_STAR, NON_SLASH, NOTHING }

    private record Token(Kind kind, char literal) {
    }

    private PatternCoverage() {
    }

    /** Whether {@code outer} matches every name {@code inner} matches. Both must be valid patterns. */
    public static boolean covers(String outer, String inner) {
        List<Token> big = tokens(outer, false);
        List<Token> small = tokens(inner, true);
        Set<Character> alphabet = new TreeSet<>();
        alphabet.add('/');
        alphabet.add(OTHER);
        for (Token t : big) {
            if (t.kind() == Kind.CHAR) {
                alphabet.add(t.literal());
            }
        }
        for (Token t : small) {
            if (t.kind() == Kind.CHAR) {
                alphabet.add(t.literal());
            }
        }
        record Pair(BitSet inner, BitSet outer) {
        }
        Pair start = new Pair(closure(small, single(0)), closure(big, single(0)));
        Set<Pair> seen = new HashSet<>();
        Deque<Pair> queue = new ArrayDeque<>();
        seen.add(start);
        queue.add(start);
        while (!queue.isEmpty()) {
            Pair pair = queue.poll();
            if (pair.inner().get(small.size()) && !pair.outer().get(big.size())) {
                return false;
            }
            for (char c : alphabet) {
                BitSet nextInner = step(small, pair.inner(), c);
                if (nextInner.isEmpty()) {
                    continue;
                }
                Pair next = new Pair(nextInner, step(big, pair.outer(), c));
                if (seen.add(next)) {
                    queue.add(next);
                }
            }
        }
        return true;
    }

    private static List<Token> tokens(String pattern, boolean userMatchesNames) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < pattern.length()) {
            if (pattern.startsWith("**", i)) {
                tokens.add(new Token(Kind.DOUBLE_STAR, OTHER));
                i += 2;
            } else if (pattern.charAt(i) == '*') {
                tokens.add(new Token(Kind.STAR, OTHER));
                i++;
            } else if (pattern.startsWith(CLAIMS_VARIABLE, i) && pattern.indexOf('}', i) > 0) {
                // A workload's claim fills one or more path segments: any run starting with no '/', read widely.
                if (userMatchesNames) {
                    tokens.add(new Token(Kind.NON_SLASH, OTHER));
                    tokens.add(new Token(Kind.DOUBLE_STAR, OTHER));
                } else {
                    tokens.add(new Token(Kind.NOTHING, OTHER));
                }
                i = pattern.indexOf('}', i) + 1;
            } else if (pattern.startsWith(USER_VARIABLE, i)) {
                if (userMatchesNames) {
                    tokens.add(new Token(Kind.NON_SLASH, OTHER));
                    tokens.add(new Token(Kind.STAR, OTHER));
                } else {
                    tokens.add(new Token(Kind.NOTHING, OTHER));
                }
                i += USER_VARIABLE.length();
            } else {
                tokens.add(new Token(Kind.CHAR, pattern.charAt(i)));
                i++;
            }
        }
        return tokens;
    }

    private static BitSet single(int position) {
        BitSet set = new BitSet();
        set.set(position);
        return set;
    }

    /** Adds the positions reachable without reading a character: past any star. */
    private static BitSet closure(List<Token> tokens, BitSet positions) {
        BitSet out = (BitSet) positions.clone();
        for (int p = out.nextSetBit(0); p >= 0 && p < tokens.size(); p = out.nextSetBit(p + 1)) {
            Kind kind = tokens.get(p).kind();
            if (kind == Kind.STAR || kind == Kind.DOUBLE_STAR) {
                out.set(p + 1);
            }
        }
        return out;
    }

    private static BitSet step(List<Token> tokens, BitSet positions, char c) {
        BitSet next = new BitSet();
        for (int p = positions.nextSetBit(0); p >= 0 && p < tokens.size(); p = positions.nextSetBit(p + 1)) {
            Token token = tokens.get(p);
            switch (token.kind()) {
                case CHAR -> {
                    if (token.literal() == c) {
                        next.set(p + 1);
                    }
                }
                case STAR -> {
                    if (c != '/') {
                        next.set(p);
                    }
                }
                case DOUBLE_STAR -> next.set(p);
                case NON_SLASH -> {
                    if (c != '/') {
                        next.set(p + 1);
                    }
                }
                case NOTHING -> {
                }
            }
        }
        return closure(tokens, next);
    }
}
