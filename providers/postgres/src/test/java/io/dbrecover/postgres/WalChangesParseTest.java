package io.dbrecover.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written parsing of pg_waldump descriptions ({@link WalLine}) against the regular
 * expression it stands for, on lines as PostgreSQL 15's pg_waldump prints them.
 */
class WalChangesParseTest {
  // The block reference pattern the parser implements.
  private static final Pattern BLKREF =
      Pattern.compile("rel (\\d+)/(\\d+)/(\\d+)(?: fork (\\w+))? blk (\\d+)");

  private static final List<String> DESCS =
      List.of(
          "INSERT off 3 flags 0x00, blkref #0: rel 1663/5/16384 blk 0",
          "HOT_UPDATE off 12 xmax 1503 flags 0x40 ; new off 31 xmax 0, blkref #0: rel"
              + " 1663/16384/16397 blk 104857",
          "UPDATE off 2 xmax 900 flags 0x00 ; new off 7 xmax 0, blkref #0: rel 1663/16384/16400 blk"
              + " 12, blkref #1: rel 1663/16384/16400 blk 3",
          "PRUNE latestRemovedXid 0 nredirected 0 ndead 1, blkref #0: rel 1663/16384/16397 blk 1234"
              + " FPW",
          "VISIBLE cutoff xid 1450 flags 0x01, blkref #0: rel 1663/16384/16397 fork vm blk 0 FPW,"
              + " blkref #1: rel 1663/16384/16397 blk 4321",
          "FPI_FOR_HINT , blkref #0: rel 1664/0/1262 blk 0 FPW",
          "MULTI_INSERT+INIT 61 tuples flags 0x02, blkref #0: rel 1663/16384/16500 blk 0",
          "VACUUM nunused 3, blkref #0: rel 16390/16384/16397 fork init blk 0",
          "COMMIT 2026-11-28 17:41:32.942386 UTC; rels: base/16384/16500; inval msgs: catcache 7",
          "odd rel 1663/16384 blk 4, then rel 1663/1/2 fork blk 5, then rel 1663/1/2 fork main blk"
              + " 6 and frel 7/8/9 blk 10",
          "RUNNING_XACTS nextXid 1504 latestCompletedXid 1503 oldestRunningXid 1504",
          "");

  @Test
  void blockReferencesAreFoundAsTheRegularExpressionFindsThem() {
    for (String desc : DESCS) {
      List<String> expected = new ArrayList<>();
      Matcher m = BLKREF.matcher(desc);
      while (m.find()) {
        boolean main = m.group(4) == null || m.group(4).equals("main");
        expected.add(
            m.group(1)
                + "/"
                + m.group(3)
                + " in "
                + m.group(2)
                + " main "
                + main
                + " blk "
                + Long.parseLong(m.group(5)));
      }
      List<String> actual = new ArrayList<>();
      WalLine.BlockRef b = new WalLine.BlockRef(desc);
      while (b.next()) {
        // the database as the expression read it, checked through in()
        String db =
            expected.size() > actual.size() ? expected.get(actual.size()).split(" ")[2] : "?";
        actual.add(
            b.relfile()
                + " in "
                + (b.in(db) ? db : "another")
                + " main "
                + b.mainFork()
                + " blk "
                + b.block());
      }
      assertThat(actual).as(desc).isEqualTo(expected);
    }
  }

  @Test
  void theDatabaseIsMatchedWhole() {
    WalLine.BlockRef b = new WalLine.BlockRef("blkref #0: rel 1663/16384/16397 blk 7");
    assertThat(b.next()).isTrue();
    assertThat(b.in("16384")).isTrue();
    assertThat(b.in("1638")).isFalse();
    assertThat(b.in("163845")).isFalse();
    assertThat(b.in("6384")).isFalse();
    assertThat(b.next()).isFalse();
  }

  @Test
  void runningRecordsReadDuringTheReplayAnswerOnlyForAStopPointTheyCover() {
    WalChanges.RunningRecords read =
        new WalChanges.RunningRecords(
            1,
            0x1000,
            0x9000,
            List.of(new long[] {0x2000, 700}, new long[] {0x5000, 750}),
            List.of(),
            false);

    assertThat(read.newestBefore(1, 0x5001)).containsExactly(0x5000, 750);
    assertThat(read.newestBefore(1, 0x5000)).containsExactly(0x2000, 700); // before, not at
    assertThat(read.newestBefore(1, 0x9000)).containsExactly(0x5000, 750);
    assertThat(read.newestBefore(1, 0x1800)).isNull(); // none read before it
    assertThat(read.newestBefore(1, 0x9001)).isNull(); // past what was read
    assertThat(read.newestBefore(1, 0x1000)).isNull();
    assertThat(read.newestBefore(2, 0x5001)).isNull(); // another timeline
  }

  @Test
  void commitTimesAreReadAsPgWaldumpPrintsThemInUtc() {
    long at = micros("2026-11-28T17:41:33.011142Z");
    assertThat(
            WalLine.commitMicros(
                "COMMIT 2026-11-28 17:41:33.011142 UTC; inval msgs: catcache 7", "COMMIT"))
        .isEqualTo(at);
    assertThat(WalLine.commitMicros("COMMIT 2026-11-28 17:41:33.011142 UTC", "COMMIT"))
        .isEqualTo(at);
    assertThat(WalLine.commitMicros("ABORT 2026-11-28 17:41:33 UTC", "ABORT"))
        .isEqualTo(micros("2026-11-28T17:41:33Z"));
    assertThat(WalLine.commitMicros("COMMIT 2026-11-28 17:41:33.5 UTC", "COMMIT"))
        .isEqualTo(micros("2026-11-28T17:41:33.5Z"));
    assertThat(WalLine.commitMicros("COMMIT 2026-11-28 18:41:33.011142 CET", "COMMIT"))
        .isEqualTo(Long.MIN_VALUE);
    assertThat(WalLine.commitMicros("COMMIT 2026-11-28 17:41:33.011142 UTCX", "COMMIT"))
        .isEqualTo(Long.MIN_VALUE);
    assertThat(WalLine.commitMicros("COMMIT yesterday UTC", "COMMIT")).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void theReplayToATimeIsPredictedToStopBeforeTheFirstCommitOrAbortAfterIt() {
    Instant target = Instant.parse("2026-11-28T17:41:33.011142Z");
    List<long[]> ends =
        List.of(
            new long[] {0x100, 10, micros("2026-11-28T17:41:33.011141Z")},
            new long[] {0x200, 11, micros("2026-11-28T17:41:33.011142Z")}, // at it: replayed
            new long[] {0x300, 12, micros("2026-11-28T17:41:33.011143Z")},
            new long[] {0x400, 13, micros("2026-11-28T17:41:34Z")});
    WalChanges.RunningRecords read =
        new WalChanges.RunningRecords(1, 0x80, 0x1000, List.of(), ends, false);

    assertThat(read.stopFor(target)).containsExactly(0x300, 12);
    // PostgreSQL reads the target to the microsecond
    assertThat(read.stopFor(target.plusNanos(999))).containsExactly(0x300, 12);
    assertThat(read.stopFor(Instant.parse("2026-11-28T17:41:35Z"))).isNull(); // none after it
    assertThat(
            new WalChanges.RunningRecords(1, 0x80, 0x1000, List.of(), ends, true).stopFor(target))
        .isNull(); // a two-phase record: no prediction
  }

  private static long micros(String instant) {
    return java.time.temporal.ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse(instant));
  }

  @Test
  void theFirstWordEndsAtASpaceSemicolonOrComma() {
    assertThat(WalLine.firstWord("HOT_UPDATE off 12")).isEqualTo("HOT_UPDATE");
    assertThat(WalLine.firstWord("FPI_FOR_HINT , blkref")).isEqualTo("FPI_FOR_HINT");
    assertThat(WalLine.firstWord("COMMIT;x")).isEqualTo("COMMIT");
    assertThat(WalLine.firstWord("VACUUM,")).isEqualTo("VACUUM");
    assertThat(WalLine.firstWord("PRUNE")).isEqualTo("PRUNE");
    assertThat(WalLine.firstWord("")).isEqualTo("");
  }
}
