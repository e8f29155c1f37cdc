package io.dbrecover.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyRangesTest {
  @Test
  void over_fewKeys_oneKeyPerBucket() {
    KeyRanges r = KeyRanges.over(-3, 10, 16);

    assertThat(r.shift()).isZero();
    assertThat(r.buckets()).isEqualTo(14);
  }

  @Test
  void over_manyKeys_atMostMaxBuckets() {
    KeyRanges r = KeyRanges.over(1, 7_510_000, 1 << 14);

    assertThat(r.shift()).isEqualTo(9);
    assertThat(r.buckets()).isLessThanOrEqualTo(1 << 14).isGreaterThan(1 << 13);
  }

  @Test
  void over_wholeBigintRange_doesNotOverflow() {
    KeyRanges r = KeyRanges.over(Long.MIN_VALUE, Long.MAX_VALUE, 1 << 14);

    assertThat(r.buckets()).isEqualTo(1 << 14);
    assertThat(r.differing(b -> b == 0 || b == (1 << 14) - 1))
        .containsExactly(
            new long[] {Long.MIN_VALUE, Long.MIN_VALUE + (1L << 50) - 1},
            new long[] {Long.MAX_VALUE - (1L << 50) + 1, Long.MAX_VALUE});
  }

  @Test
  void differing_consecutiveBuckets_joinIntoOneRangeClampedToLoAndHi() {
    KeyRanges r = KeyRanges.over(5, 100, 16); // width 8: buckets 0..8 start at 0, 8, ..., 96

    List<long[]> ranges = r.differing(Set.of(0, 1, 4, 12)::contains);

    assertThat(ranges)
        .containsExactly(new long[] {5, 15}, new long[] {32, 39}, new long[] {96, 100});
  }

  @Test
  void bucketSql_minimumKey_usesBigintLiteral() {
    assertThat(KeyRanges.over(Long.MIN_VALUE, 0, 4).bucketSql("t.id"))
        .isEqualTo("((t.id::int8 >> 62) - '-2'::int8)::int");
  }
}
