package io.dbrecover.lambda;

import io.dbrecover.engine.api.Incident;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One incident to recover from, as the alarm entry hands it to the state machine: the environment,
 * what is damaged, since when, and the execution name that identifies it.
 *
 * @param execution the Step Functions execution name, derived from (alarm, state change time)
 * @param environment the environment to recover
 * @param kind what is damaged
 * @param suspectedStart the alarm's state change time minus the route's look-back
 * @param alarm the alarm's name
 * @param stateChangeTime when the alarm went into ALARM
 */
public record IncidentRequest(
    String execution,
    String environment,
    Incident.Kind kind,
    Instant suspectedStart,
    String alarm,
    Instant stateChangeTime) {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  public IncidentRequest {
    Objects.requireNonNull(execution, "execution");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(suspectedStart, "suspectedStart");
  }

  /** The incident an alarm signals, by its route. */
  public static IncidentRequest of(Alarm alarm, AlarmRoute route) {
    return new IncidentRequest(
        executionName(alarm),
        route.environment(),
        route.kind(),
        alarm.stateChangeTime().minus(route.lookBack()),
        alarm.name(),
        alarm.stateChangeTime());
  }

  /** The incident for the engine. */
  public Incident incident() {
    return new Incident(kind, suspectedStart, null, null, null);
  }

  /**
   * A Step Functions execution name (at most 80 of {@code [A-Za-z0-9_-]}) that is the same for
   * every delivery of one state change: SNS and the alarm action deliver the same alarm name and
   * time, so a duplicate or retried delivery names the execution that already exists.
   */
  static String executionName(Alarm alarm) {
    String hash =
        sha256(alarm.name() + "\n" + alarm.stateChangeTime().toEpochMilli()).substring(0, 12);
    String readable = alarm.name().replaceAll("[^A-Za-z0-9_-]", "-");
    if (readable.length() > 40) {
      readable = readable.substring(0, 40);
    }
    return readable + "-" + STAMP.format(alarm.stateChangeTime()) + "-" + hash;
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
