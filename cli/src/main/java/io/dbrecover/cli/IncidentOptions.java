package io.dbrecover.cli;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.RecoveryTarget;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import picocli.CommandLine.Option;

/** How the operator describes the incident; shared by {@code plan} and {@code rollback}. */
final class IncidentOptions {
  static final String TIME_FORMS =
      "ISO-8601 with an offset (2025-01-15T10:30:00Z), a local time in --tz (2025-01-15 10:30),"
          + " or relative (-15m, 2h ago)";

  @Option(
      names = "--from",
      paramLabel = "<backup-id>",
      description =
          "Recover from this backup; a base backup is restored to its consistent end (see"
              + " list-backups).")
  String from;

  @Option(
      names = "--to",
      paramLabel = "<migration>",
      description =
          "Recover to before a migration: with point-in-time or branch restore, to just before"
              + " this migration started; with a backup, to the newest one whose last applied"
              + " migration is this one.")
  String to;

  @Option(
      names = "--at",
      paramLabel = "<time>",
      description =
          "Recover to exactly this moment (point-in-time restore inside the window, else the newest"
              + " backup taken at or before it): "
              + TIME_FORMS
              + ", or a WAL position lsn:<hi>/<lo>. Must be before --since when both are given.")
  String at;

  @Option(
      names = "--since",
      paramLabel = "<time>",
      description =
          "When the damage began; recovers to just before it (default: now). " + TIME_FORMS + ".")
  String since;

  @Option(
      names = "--tz",
      paramLabel = "<zone>",
      description =
          "Zone of local times in --at and --since, e.g. Europe/Berlin or UTC (default: this"
              + " machine's zone, ${sys:user.timezone}).")
  String tz;

  @Option(
      names = "--incident",
      paramLabel = "app|schema|data",
      description = "What is damaged (default: data). 'app' means no database action is needed.")
  Incident.Kind kind = Incident.Kind.DATA;

  /** Parses the options; echoes every resolved time to {@code echo} before anything happens. */
  Incident incident(Clock clock, PrintWriter echo) {
    if (at != null && to != null) {
      throw new ConfigurationException(
          "--at and --to both name a target; give one: --at for a moment, --to for a migration");
    }
    if (at != null && from != null) {
      throw new ConfigurationException(
          "--at and --from both name a target; give one: --at for a moment, --from for a backup");
    }
    ZoneId zone = tz == null ? ZoneId.systemDefault() : RecoveryTarget.zone("--tz", tz);
    Instant damage = null;
    if (since != null) {
      RecoveryTarget s = RecoveryTarget.parse("--since", since, zone, clock, false);
      echo(echo, "Damage start", s, zone);
      damage = s.at();
    }
    if (at == null) {
      return new Incident(kind, damage, to, from, null);
    }
    RecoveryTarget target = RecoveryTarget.parse("--at", at, zone, clock, true);
    echo(echo, "Target", target, zone);
    return new Incident(kind, damage, null, null, null, target.at(), target.lsn());
  }

  private static void echo(PrintWriter out, String what, RecoveryTarget t, ZoneId zone) {
    if (t.byLsn()) {
      out.println(what + ": WAL position " + t.lsn() + " (from '" + t.input() + "')");
    } else {
      out.println(
          what
              + ": "
              + t.at()
              + " UTC (from '"
              + t.input()
              + "'; in "
              + zone
              + ": "
              + t.at().atZone(zone).toOffsetDateTime()
              + ")");
    }
    if (t.note() != null) {
      out.println("  note: " + t.note());
    }
    out.flush();
  }
}
