package io.registryauth.operator.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RebuildPacerTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aChangeAfterARecentRebuildIsNotHeldBack() {
        RebuildPacer pacer = new RebuildPacer(0);
        // An edit rebuilt in 300 ms, then the edit is put back 50 ms later: rebuilt at once too.
        assertThat(pacer.waitAt(0)).isZero();
        pacer.ran(0, 300 * MS);
        assertThat(pacer.waitAt(350 * MS)).isZero();
        pacer.ran(350 * MS, 650 * MS);
        assertThat(pacer.waitAt(700 * MS)).isZero();
    }

    @Test
    void aStreamOfChangesIsPacedToAThirdOfACore() {
        RebuildPacer pacer = new RebuildPacer(0);
        long now = 0;
        long busy = 0;
        long firstPaced = -1;
        for (int i = 0; i < 200; i++) {
            now += pacer.waitAt(now);
            long finished = now + 200 * MS;
            pacer.ran(now, finished);
            busy += 200 * MS;
            if (firstPaced < 0 && pacer.waitAt(finished) > 0) {
                firstPaced = i;
            }
            now = finished;
        }
        // The burst allowance runs out after a few back-to-back rebuilds; from then on a third of the time.
        assertThat(firstPaced).isBetween(1L, 10L);
        assertThat((double) busy / now).isBetween(0.30, 0.40);
    }

    @Test
    void noRebuildWaitsLongerThanASecondHoweverLongTheLastTook() {
        RebuildPacer pacer = new RebuildPacer(0);
        pacer.ran(0, TimeUnit.SECONDS.toNanos(30));
        assertThat(pacer.waitAt(TimeUnit.SECONDS.toNanos(30)))
                .isBetween(RebuildPacer.MAX_WAIT_NANOS - MS, RebuildPacer.MAX_WAIT_NANOS);
        assertThat(pacer.waitAt(TimeUnit.SECONDS.toNanos(31))).isZero();
    }
}
