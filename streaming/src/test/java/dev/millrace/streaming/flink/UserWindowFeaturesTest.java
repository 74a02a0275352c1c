package dev.millrace.streaming.flink;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UserWindowFeaturesTest {

    @Test
    void firstAfterFindsTheUpperBound() {
        long[] sorted = {1, 3, 3, 7};
        assertThat(UserWindowFeatures.firstAfter(sorted, 0)).isEqualTo(0);
        assertThat(UserWindowFeatures.firstAfter(sorted, 3)).isEqualTo(3);
        assertThat(UserWindowFeatures.firstAfter(sorted, 7)).isEqualTo(4);
        assertThat(UserWindowFeatures.firstAfter(new long[0], 5)).isEqualTo(0);
    }

    @Test
    void lastItemsKeepTheNewestNWhateverTheArrivalOrder() {
        UserWindowFeatures.Recent inOrder = UserWindowFeatures.Recent.of(null, null);
        UserWindowFeatures.Recent shuffled = UserWindowFeatures.Recent.of(null, null);
        long[] times = {10, 20, 30, 40, 50};
        long[] arrival = {30, 10, 50, 20, 40};
        for (long t : times) {
            inOrder = inOrder.insert(t, "sku-" + t, 3);
        }
        for (long t : arrival) {
            shuffled = shuffled.insert(t, "sku-" + t, 3);
        }
        assertThat(shuffled.times()).containsExactly(inOrder.times());
        assertThat(shuffled.items()).containsExactly(inOrder.items());
        assertThat(inOrder.times()).containsExactly(50, 40, 30);
        assertThat(inOrder.items()).containsExactly("sku-50", "sku-40", "sku-30");
    }

    @Test
    void anOlderEventThanTheLastNLeavesThemAsTheyAre() {
        UserWindowFeatures.Recent r = UserWindowFeatures.Recent.of(new long[]{50, 40}, new String[]{"b", "a"});
        assertThat(r.insert(10, "old", 2)).isSameAs(r);
        UserWindowFeatures.Recent tie = r.insert(40, "later-arrival", 3);
        assertThat(tie.items()).containsExactly("b", "later-arrival", "a");
    }
}
