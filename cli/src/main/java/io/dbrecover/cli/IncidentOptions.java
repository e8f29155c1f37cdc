package io.dbrecover.cli;

import io.dbrecover.engine.api.Incident;
import picocli.CommandLine.Option;

/** How the operator describes the incident; shared by {@code plan} and {@code rollback}. */
final class IncidentOptions {
  @Option(names = "--from", paramLabel = "<backup-id>", description = "Recover from this backup.")
  String from;

  @Option(
      names = "--to",
      paramLabel = "<migration>",
      description = "Recover to the newest backup whose last applied migration is this one.")
  String to;

  @Option(
      names = "--incident",
      paramLabel = "app|schema|data",
      description = "What is damaged (default: data). 'app' means no database action is needed.")
  Incident.Kind kind = Incident.Kind.DATA;

  @Option(
      names = "--since",
      paramLabel = "<timestamp>",
      description = "When the damage began (ISO-8601, e.g. 2025-01-15T10:30:00Z); default: now.")
  String since;

  Incident incident() {
    return new Incident(kind, Recovery.parseInstant("--since", since), to, from, null);
  }
}
