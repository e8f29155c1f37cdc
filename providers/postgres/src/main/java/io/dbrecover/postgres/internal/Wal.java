package io.dbrecover.postgres.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * WAL positions and segment file names: LSNs ({@code 16/B374D848}), segment names ({@code
 * 00000001000000160000000B}: timeline, then the segment number split in two 32-bit halves), and the
 * segments found in an archive directory.
 */
public final class Wal {
  private static final Pattern LSN = Pattern.compile("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");
  private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");

  /** Whether {@code name} is a WAL segment's file name (timeline, log, segment in hex). */
  public static boolean isSegmentName(String name) {
    return SEGMENT.matcher(name).matches();
  }

  /** The default WAL segment size (16 MB). */
  public static final long DEFAULT_SEGMENT_SIZE = 16L * 1024 * 1024;

  private Wal() {}

  /** One segment: its timeline and number (for a given segment size). */
  public record Segment(int timeline, long number, String name) implements Comparable<Segment> {
    @Override
    public int compareTo(Segment o) {
      int t = Integer.compare(timeline, o.timeline);
      return t != 0 ? t : Long.compare(number, o.number);
    }
  }

  /** An archived segment file and when it was written. */
  public record Archived(Segment segment, Instant modifiedAt) {}

  /** Whether {@code text} is an LSN like {@code 0/16B3748}. */
  public static boolean isLsn(String text) {
    return text != null && LSN.matcher(text.strip()).matches();
  }

  /** An LSN as a 64-bit position. */
  public static long lsn(String text) {
    Matcher m = LSN.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a WAL position (LSN): " + text);
    }
    return (Long.parseLong(m.group(1), 16) << 32) | Long.parseLong(m.group(2), 16);
  }

  /** A 64-bit position as an LSN. */
  public static String lsn(long position) {
    return Long.toHexString(position >>> 32).toUpperCase(Locale.ROOT)
        + "/"
        + Long.toHexString(position & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
  }

  /** A segment file name, or empty when {@code name} is not one (history, .backup, .partial). */
  public static Optional<Segment> segment(String name, long segmentSize) {
    if (name == null || !SEGMENT.matcher(name).matches()) {
      return Optional.empty();
    }
    int timeline = (int) Long.parseLong(name.substring(0, 8), 16);
    long high = Long.parseLong(name.substring(8, 16), 16);
    long low = Long.parseLong(name.substring(16, 24), 16);
    return Optional.of(new Segment(timeline, high * perId(segmentSize) + low, name));
  }

  /** The segment holding {@code position} on {@code timeline}. */
  public static Segment segmentOf(int timeline, long position, long segmentSize) {
    return segment(timeline, position / segmentSize, segmentSize);
  }

  /** The segment {@code number} on {@code timeline}. */
  public static Segment segment(int timeline, long number, long segmentSize) {
    long per = perId(segmentSize);
    String name = String.format(Locale.ROOT, "%08X%08X%08X", timeline, number / per, number % per);
    return new Segment(timeline, number, name);
  }

  /** The segment files in {@code dir}, in timeline and number order; none if it does not exist. */
  public static List<Archived> archived(Path dir, long segmentSize) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Archived> found = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Optional<Segment> seg = segment(p.getFileName().toString(), segmentSize);
        if (seg.isPresent() && Files.isRegularFile(p)) {
          found.add(new Archived(seg.get(), Files.getLastModifiedTime(p).toInstant()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the WAL archive " + dir, e);
    }
    found.sort((a, b) -> a.segment().compareTo(b.segment()));
    return found;
  }

  /**
   * The segments missing from {@code archived} between {@code from} (inclusive) and the newest
   * archived segment of the same timeline, in order.
   */
  public static List<Segment> gaps(List<Archived> archived, Segment from, long segmentSize) {
    java.util.Set<Long> have = new java.util.HashSet<>();
    long newest = -1;
    for (Archived a : archived) {
      if (a.segment().timeline() == from.timeline()) {
        have.add(a.segment().number());
        newest = Math.max(newest, a.segment().number());
      }
    }
    List<Segment> missing = new ArrayList<>();
    for (long n = from.number(); n <= newest; n++) {
      if (!have.contains(n)) {
        missing.add(segment(from.timeline(), n, segmentSize));
      }
    }
    return missing;
  }

  private static long perId(long segmentSize) {
    return 0x100000000L / segmentSize;
  }
}
