package io.dbrecover.postgres;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * One line of pg_waldump: {@code rmgr: Heap len (rec/tot): 54/ 54, tx: 735, lsn: 0/01A2B3C8, prev
 * 0/01A2B390, desc: INSERT off 3 flags 0x00, blkref #0: rel 1663/5/16384 blk 0}, and the parts of
 * its description {@link WalChanges} reads. Parsed by hand: a read goes through hundreds of
 * thousands of lines.
 */
record WalLine(String rmgr, long tx, String lsn, String desc) {
  /** The line parsed; null when it is not a record (pg_waldump's own notes). */
  static WalLine parse(String line) {
    if (!line.startsWith("rmgr: ")) {
      return null;
    }
    int rmgrEnd = line.indexOf(' ', 6);
    int tx = line.indexOf(", tx:", rmgrEnd);
    int lsn = line.indexOf(", lsn: ", tx);
    int prev = line.indexOf(", prev ", lsn);
    int desc = line.indexOf(", desc: ", prev);
    if (rmgrEnd < 0 || tx < 0 || lsn < 0 || prev < 0 || desc < 0) {
      return null;
    }
    try {
      return new WalLine(
          line.substring(6, rmgrEnd),
          Long.parseLong(line.substring(tx + 5, lsn).strip()),
          line.substring(lsn + 7, prev),
          line.substring(desc + 8));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** {@code at} in whole microseconds since the epoch, as PostgreSQL keeps times. */
  static long micros(Instant at) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, at.truncatedTo(ChronoUnit.MICROS));
  }

  /** {@code s} up to its first space, semicolon or comma. */
  static String firstWord(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ' || c == ';' || c == ',') {
        return s.substring(0, i);
      }
    }
    return s;
  }

  /**
   * The block references of a pg_waldump description, {@code rel <tablespace>/<database>/<relfile>[
   * fork <fork>] blk <n>}, in order; parsed by hand, as the forward pass reads hundreds of
   * thousands of lines.
   */
  static final class BlockRef {
    private final String desc;
    private int from;
    private int spcStart;
    private int spcEnd;
    private int dbStart;
    private int dbEnd;
    private int relEnd;
    private int forkStart;
    private int forkEnd;
    private long block;

    BlockRef(String desc) {
      this.desc = desc;
    }

    /** Moves to the next reference; false when there is none. */
    boolean next() {
      while (true) {
        int at = desc.indexOf("rel ", from);
        if (at < 0) {
          from = desc.length();
          return false;
        }
        from = at + 1;
        int i = at + 4;
        spcStart = i;
        i = digits(i);
        if (i == spcStart || !at(i, '/')) {
          continue;
        }
        spcEnd = i;
        dbStart = ++i;
        i = digits(i);
        if (i == dbStart || !at(i, '/')) {
          continue;
        }
        dbEnd = i;
        int relStart = ++i;
        i = digits(i);
        if (i == relStart) {
          continue;
        }
        relEnd = i;
        forkStart = -1;
        if (desc.startsWith(" fork ", i)) {
          int f = i + 6;
          int e = f;
          while (e < desc.length() && word(desc.charAt(e))) {
            e++;
          }
          if (e == f) {
            continue;
          }
          forkStart = f;
          forkEnd = e;
          i = e;
        }
        if (!desc.startsWith(" blk ", i)) {
          continue;
        }
        int blkStart = i + 5;
        int blkEnd = digits(blkStart);
        if (blkEnd == blkStart) {
          continue;
        }
        try {
          block = Long.parseLong(desc, blkStart, blkEnd, 10);
        } catch (NumberFormatException e) {
          continue;
        }
        from = blkEnd;
        return true;
      }
    }

    private int digits(int i) {
      while (i < desc.length() && desc.charAt(i) >= '0' && desc.charAt(i) <= '9') {
        i++;
      }
      return i;
    }

    // what \w matches in a regular expression
    private static boolean word(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private boolean at(int i, char c) {
      return i < desc.length() && desc.charAt(i) == c;
    }

    /** Whether the reference is to database {@code db} (an oid). */
    boolean in(String db) {
      return dbEnd - dbStart == db.length() && desc.startsWith(db, dbStart);
    }

    /** Whether it is to the main fork (no fork named, or {@code main}). */
    boolean mainFork() {
      return forkStart < 0 || (forkEnd - forkStart == 4 && desc.startsWith("main", forkStart));
    }

    /** {@code <tablespace>/<relfile>}, as WalChanges keys its relations. */
    String relfile() {
      return desc.substring(spcStart, spcEnd) + desc.substring(dbEnd, relEnd);
    }

    long block() {
      return block;
    }
  }

  private static final DateTimeFormatter WALDUMP_TIME =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 6, true)
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  /**
   * The time of a commit or abort as pg_waldump prints it in UTC ({@code COMMIT 2026-11-28
   * 17:41:33.011142 UTC; ...}), in microseconds since the epoch; Long.MIN_VALUE when it is not
   * printed so.
   */
  static long commitMicros(String desc, String op) {
    int start = op.length() + 1;
    int utc = desc.indexOf(" UTC", start);
    if (utc < 0 || (utc + 4 < desc.length() && desc.charAt(utc + 4) != ';')) {
      return Long.MIN_VALUE;
    }
    try {
      Instant at =
          LocalDateTime.parse(desc.substring(start, utc), WALDUMP_TIME).toInstant(ZoneOffset.UTC);
      return micros(at);
    } catch (DateTimeParseException e) {
      return Long.MIN_VALUE;
    }
  }
}
