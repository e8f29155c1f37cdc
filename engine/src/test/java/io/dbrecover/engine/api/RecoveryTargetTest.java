package io.dbrecover.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecoveryTargetTest {
  private static final Instant NOW = Instant.parse("2025-01-15T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  @ParameterizedTest
  @CsvSource({
    "2025-01-15T10:30:00Z,          2025-01-15T10:30:00Z",
    "2025-01-15T10:30:00.123456Z,   2025-01-15T10:30:00.123456Z",
    "2025-01-15T10:30:00+01:00,     2025-01-15T09:30:00Z",
    "2025-01-15 10:30:00-05:00,     2025-01-15T15:30:00Z",
    "2025-01-15 10:30,              2025-01-15T09:30:00Z",
    "2025-01-15 10:30:15,           2025-01-15T09:30:15Z",
    "2025-01-15T10:30,              2025-01-15T09:30:00Z",
    "-15m,                          2025-01-15T11:45:00Z",
    "-2h,                           2025-01-15T10:00:00Z",
    "2h ago,                        2025-01-15T10:00:00Z",
    "90s ago,                       2025-01-15T11:58:30Z",
    "1d ago,                        2025-01-14T12:00:00Z",
  })
  void parse_acceptedForm_resolvesToUtcInstant(String input, String expected) {
    RecoveryTarget t = RecoveryTarget.parse("--at", input, BERLIN, CLOCK, true);

    assertThat(t.at()).isEqualTo(Instant.parse(expected));
    assertThat(t.input()).isEqualTo(input);
    assertThat(t.byLsn()).isFalse();
    assertThat(t.note()).isNull();
  }

  @Test
  void parse_localTimeWithoutZone_usesTheGivenZone() {
    RecoveryTarget utc =
        RecoveryTarget.parse("--at", "2025-07-01 10:30", ZoneOffset.UTC, CLOCK, true);
    RecoveryTarget berlin = RecoveryTarget.parse("--at", "2025-07-01 10:30", BERLIN, CLOCK, true);

    assertThat(utc.at()).isEqualTo(Instant.parse("2025-07-01T10:30:00Z"));
    assertThat(berlin.at()).isEqualTo(Instant.parse("2025-07-01T08:30:00Z"));
  }

  @Test
  void parse_localTimeTheClocksWentBackOver_takesTheEarlierInstantAndSaysSo() {
    // 2025-10-26 02:30 happens twice in Berlin: first at +02:00, then at +01:00.
    RecoveryTarget t = RecoveryTarget.parse("--at", "2025-10-26 02:30", BERLIN, CLOCK, true);

    assertThat(t.at()).isEqualTo(Instant.parse("2025-10-26T00:30:00Z"));
    assertThat(t.note())
        .isEqualTo(
            "2025-10-26T02:30 happens twice in Europe/Berlin (the clocks went back); took the"
                + " earlier, 2025-10-26T02:30+02:00; for the later one give 2025-10-26T02:30+01:00");
  }

  @Test
  void parse_localTimeTheClocksSkipped_refusedWithAnOffsetToUse() {
    assertThatThrownBy(() -> RecoveryTarget.parse("--at", "2025-03-30 02:30", BERLIN, CLOCK, true))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(
            "--at '2025-03-30 02:30' is not a time: 2025-03-30T02:30 does not exist in"
                + " Europe/Berlin (the clocks skipped it); give an offset, e.g."
                + " 2025-03-30T03:30+02:00");
  }

  @Test
  void parse_lsn_keepsThePositionInUpperCaseAndResolvesAtNow() {
    RecoveryTarget t = RecoveryTarget.parse("--at", "lsn:0/16b3748", BERLIN, CLOCK, true);

    assertThat(t.byLsn()).isTrue();
    assertThat(t.lsn()).isEqualTo("0/16B3748");
    assertThat(t.at()).isEqualTo(NOW);
  }

  @ParameterizedTest
  @CsvSource({"lsn:0-16B3748", "lsn:", "lsn:123456789/0", "lsn:0/XYZ"})
  void parse_malformedLsn_refusedWithTheForm(String input) {
    assertThatThrownBy(() -> RecoveryTarget.parse("--at", input, BERLIN, CLOCK, true))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(
            "--at '"
                + input
                + "' is not a time: an LSN is two hex numbers of at most 8 digits separated by"
                + " '/', e.g. lsn:0/16B3748");
  }

  @Test
  void parse_lsnWhereNotAllowed_refused() {
    assertThatThrownBy(() -> RecoveryTarget.parse("--since", "lsn:0/1", BERLIN, CLOCK, false))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("--since 'lsn:0/1' is not a time: an LSN is accepted by --at only");
  }

  @ParameterizedTest
  @CsvSource({"yesterday", "15m", "-15 minutes", "2025-01-15", "2025-13-01 10:00", "10:30", "''"})
  void parse_somethingElse_exitOneNamingTheOptionAndListingTheForms(String input) {
    assertThatThrownBy(() -> RecoveryTarget.parse("--at", input, BERLIN, CLOCK, true))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "--at '"
                + input
                + "' is not a time; accepted: 2025-01-15T10:30:00Z or 2025-01-15T10:30:00+01:00"
                + " (ISO-8601 with an offset); 2025-01-15 10:30 or 2025-01-15 10:30:15 (in --tz,"
                + " default: the local zone); -15m, -2h, 90s ago, 1d ago (relative to now; units"
                + " s, m, h, d); lsn:0/16B3748 (a WAL position; --at only)")
        .extracting(e -> ((ConfigurationException) e).code())
        .isEqualTo(ErrorCode.CONFIGURATION);
  }

  @Test
  void zone_unknown_refusedWithExamples() {
    assertThatThrownBy(() -> RecoveryTarget.zone("--tz", "Mars/Olympus"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "--tz 'Mars/Olympus' is not a time zone; use a region such as Europe/Berlin, UTC or an"
                + " offset such as +02:00");
  }
}
