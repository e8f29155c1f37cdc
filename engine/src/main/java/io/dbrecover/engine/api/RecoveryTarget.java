package io.dbrecover.engine.api;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A moment as an operator types it ({@code --at}, {@code --since}), resolved to a UTC instant or a
 * WAL position. Parsing is pure: "now" comes from the given clock, local times from the given zone.
 *
 * <p>Accepted forms: ISO-8601 with an offset or {@code Z} ({@code 2025-01-15T10:30:00+01:00}); a
 * local date and time ({@code 2025-01-15 10:30} or {@code 2025-01-15 10:30:15}, also with {@code
 * T}) in the given zone; relative to now ({@code -15m}, {@code -2h}, {@code 90s ago}, {@code 1d
 * ago}; units s, m, h, d); and, where allowed, a PostgreSQL LSN {@code lsn:<hi>/<lo>} (hex).
 *
 * <p>A local time that occurs twice (clocks go back) resolves to the <em>earlier</em> instant: for
 * a recovery target that errs towards restoring less rather than keeping damage; {@link #note()}
 * says so and how to pick the other. A local time that does not exist (clocks skip it) is refused.
 *
 * @param input what the operator typed
 * @param at the resolved instant; for an LSN target, when it was resolved (orders it, nothing more)
 * @param lsn the WAL position for an {@code lsn:} target (upper-case hex), else null
 * @param note how an ambiguous input was resolved (null: it was not)
 */
public record RecoveryTarget(String input, Instant at, String lsn, String note) {
  /** The accepted forms, as error messages and help texts list them. */
  public static final List<String> FORMS =
      List.of(
          "2025-01-15T10:30:00Z or 2025-01-15T10:30:00+01:00 (ISO-8601 with an offset)",
          "2025-01-15 10:30 or 2025-01-15 10:30:15 (in --tz, default: the local zone)",
          "-15m, -2h, 90s ago, 1d ago (relative to now; units s, m, h, d)",
          "lsn:0/16B3748 (a WAL position; --at only)");

  private static final Pattern RELATIVE =
      Pattern.compile("(?:-\\s*(\\d{1,9})\\s*([smhd])|(\\d{1,9})\\s*([smhd])\\s+ago)");
  private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");
  private static final DateTimeFormatter LOCAL =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .appendLiteral('T')
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .toFormatter(Locale.ROOT);

  public RecoveryTarget {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(at, "at");
  }

  /** Whether this target is a WAL position rather than a time. */
  public boolean byLsn() {
    return lsn != null;
  }

  /**
   * Parses what the operator typed.
   *
   * @param option the option or field it came from, named in errors (e.g. {@code --at})
   * @param text what was typed
   * @param zone the zone of local date-times
   * @param clock "now" for relative times and LSN targets
   * @param allowLsn whether {@code lsn:} is accepted
   * @throws ConfigurationException naming the option and listing the accepted forms
   */
  public static RecoveryTarget parse(
      String option, String text, ZoneId zone, Clock clock, boolean allowLsn) {
    Objects.requireNonNull(text, "text");
    String s = text.trim();
    if (s.regionMatches(true, 0, "lsn:", 0, 4)) {
      String lsn = s.substring(4).trim();
      if (!allowLsn) {
        throw invalid(option, text, "an LSN is accepted by --at only");
      }
      if (!LSN.matcher(lsn).matches()) {
        throw invalid(
            option,
            text,
            "an LSN is two hex numbers of at most 8 digits separated by '/', e.g. lsn:0/16B3748");
      }
      return new RecoveryTarget(text, clock.instant(), lsn.toUpperCase(Locale.ROOT), null);
    }
    Matcher rel = RELATIVE.matcher(s);
    if (rel.matches()) {
      String n = rel.group(1) != null ? rel.group(1) : rel.group(3);
      String unit = rel.group(2) != null ? rel.group(2) : rel.group(4);
      // Whole seconds: nobody typing "-15m" means a nanosecond.
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      return new RecoveryTarget(text, now.minus(duration(n, unit)), null, null);
    }
    String iso =
        s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + 'T' + s.substring(11) : s;
    try {
      return new RecoveryTarget(text, OffsetDateTime.parse(iso).toInstant(), null, null);
    } catch (DateTimeParseException notOffset) {
      // not ISO with an offset: try a local date-time below
    }
    LocalDateTime local;
    try {
      local = LocalDateTime.parse(iso, LOCAL);
    } catch (DateTimeParseException e) {
      throw invalid(option, text, null);
    }
    return local(option, text, local, zone);
  }

  private static RecoveryTarget local(
      String option, String text, LocalDateTime local, ZoneId zone) {
    List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
    if (offsets.isEmpty()) {
      throw invalid(
          option,
          text,
          local
              + " does not exist in "
              + zone
              + " (the clocks skipped it); give an offset, e.g. "
              + ZonedDateTime.ofLocal(local, zone, null).toOffsetDateTime());
    }
    // getValidOffsets lists the earlier instant's offset (the larger one) first in an overlap.
    ZonedDateTime chosen = ZonedDateTime.ofLocal(local, zone, offsets.get(0));
    String note = null;
    if (offsets.size() > 1) {
      ZonedDateTime other = ZonedDateTime.ofLocal(local, zone, offsets.get(1));
      if (other.toInstant().isBefore(chosen.toInstant())) {
        ZonedDateTime swap = chosen;
        chosen = other;
        other = swap;
      }
      note =
          local
              + " happens twice in "
              + zone
              + " (the clocks went back); took the earlier, "
              + chosen.toOffsetDateTime()
              + "; for the later one give "
              + other.toOffsetDateTime();
    }
    return new RecoveryTarget(text, chosen.toInstant(), null, note);
  }

  private static Duration duration(String n, String unit) {
    long v = Long.parseLong(n);
    switch (unit) {
      case "s":
        return Duration.ofSeconds(v);
      case "m":
        return Duration.ofMinutes(v);
      case "h":
        return Duration.ofHours(v);
      default:
        return Duration.ofDays(v);
    }
  }

  /**
   * Resolves a zone as {@code --tz} names it (e.g. {@code Europe/Berlin}, {@code UTC}, {@code
   * +02:00}).
   */
  public static ZoneId zone(String option, String name) {
    try {
      return ZoneId.of(name);
    } catch (DateTimeException e) {
      throw new ConfigurationException(
          option
              + " '"
              + name
              + "' is not a time zone; use a region such as Europe/Berlin, UTC or an offset such as"
              + " +02:00");
    }
  }

  private static ConfigurationException invalid(String option, String text, String why) {
    return new ConfigurationException(
        option
            + " '"
            + text
            + "' is not a time"
            + (why == null ? "" : ": " + why)
            + "; accepted: "
            + String.join("; ", FORMS));
  }
}
