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
        long[] inOrder = new long[0];
        long[] shuffled = new long[0];
        long[] times = {10, 20, 30, 40, 50};
        long[] arrival = {30, 10, 50, 20, 40};
        for (long t : times) {
            inOrder = UserWindowFeatures.insertRecent(inOrder, t, 100 + t, 3);
        }
        for (long t : arrival) {
            shuffled = UserWindowFeatures.insertRecent(shuffled, t, 100 + t, 3);
        }
        assertThat(shuffled).containsExactly(inOrder);
        assertThat(inOrder).containsExactly(50, 150, 40, 140, 30, 130);
    }
}
