package io.dbrecover.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Integer keys from {@code lo} to {@code hi} in buckets of equal width {@code 2^shift}: key {@code
 * k} is in bucket {@code (k >> shift) - (lo >> shift)}. Shifts instead of {@code (k - lo) / width}
 * because {@code k - lo} overflows a bigint for keys of both signs far apart, while the shifted
 * difference is always a small non-negative number.
 */
record KeyRanges(long lo, long hi, int shift) {
  KeyRanges {
    if (lo > hi || shift < 0 || shift > 63) {
      throw new IllegalArgumentException("no key range " + lo + ".." + hi + " >> " + shift);
    }
  }

  /** The narrowest buckets over {@code lo..hi} that are at most {@code maxBuckets}. */
  static KeyRanges over(long lo, long hi, int maxBuckets) {
    int shift = 0;
    // hi >= lo, so the difference is exact read as unsigned, even when it exceeds Long.MAX_VALUE
    while (Long.compareUnsigned((hi >> shift) - (lo >> shift), maxBuckets) >= 0) {
      shift++;
    }
    return new KeyRanges(lo, hi, shift);
  }

  /** How many buckets there are. */
  int buckets() {
    return (int) ((hi >> shift) - (lo >> shift)) + 1;
  }

  /** The bucket of key column {@code key} as an SQL int expression. */
  String bucketSql(String key) {
    // a quoted literal: the unquoted -9223372036854775808 would be numeric, not bigint
    return "((" + key + "::int8 >> " + shift + ") - '" + (lo >> shift) + "'::int8)::int";
  }

  /**
   * The key ranges {@code {from, to}} (inclusive, within lo..hi, ascending) of each run of
   * consecutive buckets for which {@code differs} holds.
   */
  List<long[]> differing(IntPredicate differs) {
    List<long[]> ranges = new ArrayList<>();
    int n = buckets();
    for (int b = 0; b < n; b++) {
      if (differs.test(b)) {
        int first = b;
        while (b + 1 < n && differs.test(b + 1)) {
          b++;
        }
        ranges.add(new long[] {from(first), to(b)});
      }
    }
    return ranges;
  }

  private long from(int bucket) {
    return Math.max(lo, ((lo >> shift) + bucket) << shift);
  }

  private long to(int bucket) {
    // the low bits of the bucket's first key are zero, so or-ing them in cannot overflow
    return Math.min(hi, (((lo >> shift) + bucket) << shift) | ((1L << shift) - 1));
  }
}
