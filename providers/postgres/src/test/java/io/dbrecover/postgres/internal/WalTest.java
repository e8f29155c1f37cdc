package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalTest {
  private static final long SIZE = Wal.DEFAULT_SEGMENT_SIZE;

  @Test
  void lsn_roundTrips() {
    assertThat(Wal.lsn(Wal.lsn("16/B374D848"))).isEqualTo("16/B374D848");
    assertThat(Wal.lsn("1/0")).isEqualTo(1L << 32);
  }

  @Test
  void lsn_notAnLsn_throwsNamingIt() {
    assertThatThrownBy(() -> Wal.lsn("16B374D848"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16B374D848");
  }

  @Test
  void segment_nameAcrossLogBoundary_numbersAreConsecutive() {
    Wal.Segment last = Wal.segment("0000000100000000000000FF", SIZE).orElseThrow();
    Wal.Segment next = Wal.segment("000000010000000100000000", SIZE).orElseThrow();

    assertThat(next.number()).isEqualTo(last.number() + 1);
    assertThat(Wal.segment(1, next.number(), SIZE).name()).isEqualTo(next.name());
  }

  @Test
  void segment_historyBackupAndPartialFiles_areNotSegments() {
    assertThat(Wal.segment("00000002.history", SIZE)).isEmpty();
    assertThat(Wal.segment("000000010000000000000002.00000028.backup", SIZE)).isEmpty();
    assertThat(Wal.segment("000000010000000000000002.partial", SIZE)).isEmpty();
  }

  @Test
  void segmentOf_positionInsideSegment_isThatSegment() {
    assertThat(Wal.segmentOf(1, Wal.lsn("0/2000028"), SIZE).name())
        .isEqualTo("000000010000000000000002");
  }

  @Test
  void gaps_missingMiddleSegment_isNamed() {
    List<Wal.Archived> archived =
        List.of(archived("000000010000000000000002"), archived("000000010000000000000004"));

    assertThat(Wal.gaps(archived, Wal.segment(1, 2, SIZE), SIZE))
        .extracting(Wal.Segment::name)
        .containsExactly("000000010000000000000003");
  }

  @Test
  void gaps_otherTimelinesAndOlderSegments_areIgnored() {
    List<Wal.Archived> archived =
        List.of(
            archived("000000010000000000000001"),
            archived("000000010000000000000003"),
            archived("000000020000000000000009"));

    assertThat(Wal.gaps(archived, Wal.segment(1, 3, SIZE), SIZE)).isEmpty();
  }

  private static Wal.Archived archived(String name) {
    return new Wal.Archived(Wal.segment(name, SIZE).orElseThrow(), Instant.EPOCH);
  }
}
