package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.Decision;
import io.dbrecover.engine.api.Decision.Outcome;
import io.dbrecover.engine.api.Decision.Rejection;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.api.Tier;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The decision tree of DESIGN.md as a pure function: no I/O, no clock. It walks the table in order
 * and records the path taken in {@link Decision#reasons()} and why every other method was rejected.
 */
public final class DecisionTree {
  private static final int MAX_LISTED_IDS = 10;

  private DecisionTree() {}

  /**
   * Decides how to recover.
   *
   * @throws DbRecoverException {@link ErrorCode#BACKUP_NOT_FOUND} when a pinned backup does not
   *     exist
   * @throws ConfigurationException when a pinned backup's method is forbidden by the environment
   */
  public static Decision decide(DecisionInput in) {
    return new Walk(in).run();
  }

  /** The point in time to recover to and how it was derived. */
  private record Target(
      Instant at, boolean timeKnown, String explanation, boolean explicit, String lsn) {}

  private static final class Walk {
    private final DecisionInput in;
    private final Incident incident;
    private final List<String> reasons = new ArrayList<>();
    private final Map<Method, String> rejected = new EnumMap<>(Method.class);

    Walk(DecisionInput in) {
      this.in = in;
      this.incident = in.incident();
    }

    Decision run() {
      if (incident.kind() == Incident.Kind.APP) {
        return appRollback();
      }
      if (incident.backupId() != null) {
        return pinned(incident.backupId());
      }
      if (incident.kind() == Incident.Kind.SCHEMA) {
        reasons.add("a migration broke the schema");
        rejected.put(
            Method.APP_ROLLBACK,
            "the schema is damaged, so rolling back the application is not enough");
        Optional<Decision> fix = schemaFix();
        if (fix.isPresent()) {
          return fix.get();
        }
        reasons.add(
            "a forward-fix cannot undo the schema change without loss: treating it as data damage"
                + " just before the migration");
      } else {
        reasons.add(
            "data was damaged"
                + (incident.damageStartedAt() == null
                    ? " (start time not given)"
                    : " starting at " + incident.damageStartedAt()));
        rejected.put(
            Method.APP_ROLLBACK,
            "the data is damaged, so rolling back the application is not enough");
        rejected.put(Method.RESET, "incident is not a schema issue");
        rejected.put(Method.FORWARD_FIX, "incident is not a schema issue");
      }
      return recoverData(target());
    }

    private Decision appRollback() {
      reasons.add("the application is broken; schema and data are fine");
      reasons.add("roll back the application deployment; the database is fine");
      for (Method m : Method.values()) {
        if (m != Method.APP_ROLLBACK) {
          rejected.put(m, "no database action is needed: the database is fine");
        }
      }
      return decision(Outcome.NO_DATABASE_ACTION, Method.APP_ROLLBACK, null, null);
    }

    private Decision pinned(String id) {
      RecoveryPoint point =
          in.points().stream()
              .filter(p -> p.id().equals(id))
              .findFirst()
              .orElseThrow(() -> backupNotFound(id));
      Method method = point.kind().method();
      if (!allowed(method)) {
        throw new ConfigurationException(
            "backup '"
                + id
                + "' is restored by "
                + method.label()
                + ", which is "
                + forbidden()
                + "; pick another backup or add "
                + method.configName()
                + " to allowed-methods");
      }
      reasons.add(
          "the operator pinned "
              + noun(point.kind())
              + " '"
              + id
              + "' taken at "
              + point.takenAt());
      reasons.add(
          "restore it with "
              + method.label()
              + (point.kind() == RecoveryPoint.Kind.BASE_BACKUP
                  ? " to the backup's consistent end (no archived WAL replayed past it)"
                  : ""));
      for (Method m : Method.values()) {
        if (m != method) {
          rejected.put(m, "backup '" + id + "' was pinned by the operator");
        }
      }
      return decision(Outcome.RECOVER, method, point, point.takenAt());
    }

    private DbRecoverException backupNotFound(String id) {
      List<RecoveryPoint> newestFirst = newestFirst(in.points());
      if (newestFirst.isEmpty()) {
        return new DbRecoverException(
            ErrorCode.BACKUP_NOT_FOUND,
            "backup '"
                + id
                + "' not found: no backups exist; take one with `dbrecover backup`, or omit the"
                + " backup id to let dbrecover choose");
      }
      String listed =
          newestFirst.stream()
              .limit(MAX_LISTED_IDS)
              .map(p -> p.id() + " (" + p.takenAt() + ")")
              .collect(Collectors.joining(", "));
      int more = newestFirst.size() - MAX_LISTED_IDS;
      return new DbRecoverException(
          ErrorCode.BACKUP_NOT_FOUND,
          "backup '"
              + id
              + "' not found; available (newest first): "
              + listed
              + (more > 0 ? " and " + more + " more" : "")
              + "; run `dbrecover list-backups <env>` to list them all");
    }

    private Optional<Decision> schemaFix() {
      if (in.tier() != Tier.DEVELOPMENT) {
        rejected.put(
            Method.RESET,
            "only for development environments (this is "
                + in.tier().name().toLowerCase(Locale.ROOT)
                + ")");
      } else if (unavailable(Method.RESET) == null) {
        reasons.add("development environment: recreate the database and re-run the migrations");
        return Optional.of(decision(Outcome.RECOVER, Method.RESET, null, null));
      } else {
        rejected.put(Method.RESET, unavailable(Method.RESET));
      }
      Boolean lossless = incident.reverseMigrationLossless();
      if (lossless == null) {
        rejected.put(Method.FORWARD_FIX, "no reverse-migration analysis was made");
      } else if (!lossless) {
        rejected.put(Method.FORWARD_FIX, "the generated reverse migration would lose data");
      } else if (unavailable(Method.FORWARD_FIX) != null) {
        rejected.put(Method.FORWARD_FIX, unavailable(Method.FORWARD_FIX));
      } else {
        reasons.add("a generated reverse migration undoes the schema change without losing data");
        return Optional.of(decision(Outcome.RECOVER, Method.FORWARD_FIX, null, null));
      }
      return Optional.empty();
    }

    private Target target() {
      MigrationState current = in.currentMigrations();
      Instant since = incident.damageStartedAt();
      if (incident.explicitTarget()) {
        return explicitTarget(since);
      }
      Instant fallback = since != null ? justBefore(since) : in.now();
      String fallbackText =
          since != null
              ? "just before the damage start " + since + ": " + fallback
              : "now (" + fallback + ")";
      String migration = incident.toMigration();
      if (migration != null) {
        Optional<MigrationState.Applied> applied =
            current == null ? Optional.empty() : current.find(migration);
        if (applied.isPresent() && applied.get().startedAt() != null) {
          Instant at = justBefore(applied.get().startedAt());
          return new Target(
              at,
              true,
              "target for branch and point-in-time restore: just before migration "
                  + applied.get().name()
                  + " started at "
                  + applied.get().startedAt()
                  + ": "
                  + at
                  + " (it and every later migration are undone); a backup is chosen by its"
                  + " migration state instead: one that ends at "
                  + migration
                  + " (keeps it)",
              false,
              null);
        }
        return new Target(
            fallback,
            false,
            "the start time of migration "
                + migration
                + " is unknown ("
                + (current == null
                    ? "no migration history"
                    : applied.isPresent()
                        ? "its tool does not record it"
                        : "not in the applied migrations")
                + "): looking for a backup whose migration state ends at "
                + migration,
            false,
            null);
      }
      if (incident.kind() == Incident.Kind.SCHEMA) {
        Optional<MigrationState.Applied> newest =
            current == null || current.applied().isEmpty()
                ? Optional.empty()
                : Optional.of(current.applied().get(current.applied().size() - 1));
        if (newest.isPresent() && newest.get().startedAt() != null) {
          Instant at = justBefore(newest.get().startedAt());
          return new Target(
              at,
              true,
              "target: just before the newest migration "
                  + newest.get().name()
                  + " started at "
                  + newest.get().startedAt()
                  + ": "
                  + at,
              false,
              null);
        }
        return new Target(
            fallback,
            true,
            "the newest migration's start time is unknown: targeting " + fallbackText,
            false,
            null);
      }
      return new Target(fallback, true, "target: " + fallbackText, false, null);
    }

    private Target explicitTarget(Instant since) {
      Instant at = incident.targetAt();
      if (incident.targetLsn() != null) {
        return new Target(
            at,
            false,
            "target: WAL position " + incident.targetLsn() + " (--at lsn:)",
            true,
            incident.targetLsn());
      }
      if (since != null && !at.isBefore(since)) {
        throw new ConfigurationException(
            "the target "
                + at
                + " (--at) is not before the damage start "
                + since
                + " (--since): restoring to it would keep the damage; give an --at before "
                + since
                + ", or omit --at to restore to just before the damage");
      }
      return new Target(
          at,
          true,
          "target: " + at + " (--at)" + (since == null ? "" : ", before the damage start " + since),
          true,
          null);
    }

    /** The latest instant before {@code t} that PostgreSQL can tell apart (microseconds). */
    private static Instant justBefore(Instant t) {
      return t.minus(1, ChronoUnit.MICROS);
    }

    private Decision recoverData(Target target) {
      reasons.add(target.explanation());
      if (target.lsn() == null && target.at().isAfter(in.now())) {
        return refused(
            target,
            "target " + target.at() + " is in the future (now is " + in.now() + ")",
            "needed: a target at or before now; check the time, its zone (--tz) and this"
                + " machine's clock"
                + windowSuffix());
      }
      for (Method m : List.of(Method.BRANCH_RESTORE, Method.POINT_IN_TIME)) {
        String why = timeBasedRejection(m, target);
        if (why == null) {
          RecoveryPoint point;
          if (target.lsn() != null) {
            reasons.add(
                m.label()
                    + " to WAL position "
                    + target.lsn()
                    + " (the provider checks it against its archive; history window "
                    + in.capabilities().historyWindow()
                    + ")");
            point = RecoveryPoint.atLsn(target.lsn(), target.at());
          } else {
            reasons.add(
                m.label()
                    + " to "
                    + target.at()
                    + ": inside the history window "
                    + in.capabilities().historyWindow());
            RecoveryPoint.Kind kind =
                m == Method.BRANCH_RESTORE
                    ? RecoveryPoint.Kind.BRANCH_POINT
                    : RecoveryPoint.Kind.POINT_IN_TIME;
            point = timePoint(target.at(), kind);
          }
          return decision(Outcome.RECOVER, m, point, target.at());
        }
        rejected.put(m, why);
      }
      if (target.lsn() != null) {
        return refused(
            target,
            "a WAL position can only be restored by point-in-time restore, which is not possible: "
                + rejected.get(Method.POINT_IN_TIME),
            "needed: point-in-time recovery that reaches WAL position "
                + target.lsn()
                + "; give a time with --at instead to use a backup");
      }
      RestoreWindow window = in.capabilities().historyWindow();
      if (target.explicit()
          && window != null
          && unavailable(Method.POINT_IN_TIME) == null
          && !window.contains(target.at())) {
        return refused(
            target,
            "target " + target.at() + " is outside the point-in-time window " + window,
            "needed: a target inside the point-in-time window "
                + window
                + newestBackupHint(target.at()));
      }
      if (target.explicit()) {
        reasons.add(
            "point-in-time restore is not possible ("
                + rejected.get(Method.POINT_IN_TIME)
                + "): falling back to the newest backup taken at or before "
                + target.at());
      }
      return fromBackups(target);
    }

    /**
     * A moment in the history window; when every live migration's start time is known, with the
     * migration state the restored database will have (those started at or before it), so the run
     * verifies it and {@code plan} lists what is removed.
     */
    private RecoveryPoint timePoint(Instant at, RecoveryPoint.Kind kind) {
      RecoveryPoint p = RecoveryPoint.at(at, kind);
      MigrationState current = in.currentMigrations();
      if (current == null || current.applied().stream().anyMatch(a -> a.startedAt() == null)) {
        return p;
      }
      List<MigrationState.Applied> before =
          current.applied().stream()
              .filter(a -> !a.startedAt().isAfter(at))
              .collect(Collectors.toList());
      return new RecoveryPoint(
          p.id(),
          kind,
          at,
          null,
          false,
          0,
          new MigrationState(current.tool(), before),
          null,
          null,
          null);
    }

    /**
     * No recovery for a target that cannot be reached as asked: every method is rejected with
     * {@code why} and the reasons say what would have been needed.
     */
    private Decision refused(Target target, String why, String needed) {
      reasons.add(why);
      reasons.add(needed);
      for (Method m : Method.values()) {
        rejected.putIfAbsent(m, why);
      }
      return decision(
          Outcome.NO_RECOVERY_POINT, null, null, target.lsn() == null ? target.at() : null);
    }

    private String windowSuffix() {
      RestoreWindow window = in.capabilities().historyWindow();
      return window == null ? "" : "; the point-in-time window is " + window;
    }

    private String newestBackupHint(Instant at) {
      return newestFirst(backups()).stream()
          .filter(p -> !p.safety() && !p.takenAt().isAfter(at))
          .findFirst()
          .map(
              p ->
                  ", or restore the newest backup taken before it with `--from "
                      + p.id()
                      + "` (taken "
                      + p.takenAt()
                      + ")")
          .orElse("");
    }

    private String timeBasedRejection(Method m, Target target) {
      String unavailable = unavailable(m);
      if (unavailable != null) {
        return unavailable;
      }
      if (target.lsn() != null) {
        if (m == Method.BRANCH_RESTORE) {
          return "a WAL position target is restored by point-in-time restore";
        }
        return in.capabilities().historyWindow() == null
            ? "the provider reports no history window"
            : null;
      }
      if (!target.timeKnown()) {
        return "no start time is known for migration " + incident.toMigration();
      }
      RestoreWindow window = in.capabilities().historyWindow();
      if (window == null) {
        return "the provider reports no history window";
      }
      if (!window.contains(target.at())) {
        return "target "
            + target.at()
            + " is outside the history window "
            + window.earliest()
            + ".."
            + window.latest();
      }
      return null;
    }

    private Decision fromBackups(Target target) {
      String migration = incident.toMigration();
      List<RecoveryPoint> candidates =
          newestFirst(backups()).stream()
              // A run's safety copy holds the damaged state it replaced: restore it by name only.
              .filter(p -> !p.safety())
              .filter(
                  p ->
                      migration != null
                          ? p.migrationState().endsAt(migration)
                          : !p.takenAt().isAfter(target.at()))
              .collect(Collectors.toList());
      Optional<RecoveryPoint> best =
          candidates.stream().filter(p -> allowed(p.kind().method())).findFirst();
      String condition =
          migration != null
              ? "whose migration state ends at " + migration
              : "taken at or before " + target.at();
      for (RecoveryPoint.Kind kind :
          List.of(RecoveryPoint.Kind.SNAPSHOT, RecoveryPoint.Kind.LOGICAL_BACKUP)) {
        Method m = kind.method();
        if (best.isPresent() && best.get().kind() == kind) {
          continue;
        }
        if (!allowed(m)) {
          rejected.put(m, forbidden());
        } else if (candidates.stream().noneMatch(p -> p.kind() == kind)) {
          rejected.put(m, "no " + noun(kind) + " " + condition);
        } else {
          rejected.put(
              m, "the newer " + noun(best.get().kind()) + " '" + best.get().id() + "' was chosen");
        }
      }
      if (best.isEmpty()) {
        return noRecoveryPoint(target, candidates, condition);
      }
      RecoveryPoint p = best.get();
      reasons.add(
          "newest "
              + noun(p.kind())
              + " "
              + condition
              + ": '"
              + p.id()
              + "' taken at "
              + p.takenAt());
      return decision(Outcome.RECOVER, p.kind().method(), p, p.takenAt());
    }

    private Decision noRecoveryPoint(
        Target target, List<RecoveryPoint> candidates, String condition) {
      reasons.add("no recovery point " + condition);
      if (!candidates.isEmpty()) {
        reasons.add(
            noun(candidates.get(0).kind())
                + " '"
                + candidates.get(0).id()
                + "' would fit, but its method is "
                + forbidden());
      }
      List<RecoveryPoint> backups = newestFirst(backups());
      String existing;
      long bases =
          in.points().stream().filter(p -> p.kind() == RecoveryPoint.Kind.BASE_BACKUP).count();
      if (backups.isEmpty() && bases > 0) {
        existing =
            "no pg_dump backups or snapshots exist; the "
                + bases
                + " base backup(s) serve only point-in-time restore, which is not available here"
                + " (see the notes)";
      } else if (backups.isEmpty()) {
        existing = "no backups exist";
      } else if (incident.toMigration() != null) {
        existing =
            "existing backups end at: "
                + backups.stream()
                    .limit(MAX_LISTED_IDS)
                    .map(
                        p ->
                            p.id() + " (" + p.migrationState().last().orElse("no migrations") + ")")
                    .collect(Collectors.joining(", "));
      } else {
        existing =
            "newest backup is from "
                + backups.get(0).takenAt()
                + ", oldest from "
                + backups.get(backups.size() - 1).takenAt();
      }
      reasons.add(
          "needed: a backup "
              + condition
              + (target.timeKnown()
                  ? ", or point-in-time recovery whose history window contains " + target.at()
                  : "")
              + "; "
              + existing);
      reasons.add(
          "next time: enable point-in-time recovery and take backups before deploys"
              + " (`dbrecover backup <env> --label pre-deploy`)");
      return decision(Outcome.NO_RECOVERY_POINT, null, null, target.at());
    }

    private List<RecoveryPoint> backups() {
      return in.points().stream()
          .filter(
              p ->
                  p.kind() == RecoveryPoint.Kind.LOGICAL_BACKUP
                      || p.kind() == RecoveryPoint.Kind.SNAPSHOT)
          .collect(Collectors.toList());
    }

    private static List<RecoveryPoint> newestFirst(List<RecoveryPoint> points) {
      return points.stream()
          .sorted(Comparator.comparing(RecoveryPoint::takenAt).reversed())
          .collect(Collectors.toList());
    }

    /** Why a method cannot be used regardless of the target, or null when it can. */
    private String unavailable(Method m) {
      if (!in.capabilities().offers(m)) {
        return "not offered by this provider";
      }
      if (!allowed(m)) {
        return forbidden();
      }
      return null;
    }

    private boolean allowed(Method m) {
      return in.allowedMethods().contains(m);
    }

    private String forbidden() {
      List<String> allowed = new ArrayList<>();
      for (Method m : Method.values()) {
        if (allowed(m)) {
          allowed.add(m.configName());
        }
      }
      return "forbidden by environment config (allowed: "
          + (allowed.isEmpty() ? "none" : String.join(", ", allowed))
          + ")";
    }

    private static String noun(RecoveryPoint.Kind kind) {
      switch (kind) {
        case LOGICAL_BACKUP:
          return "pg_dump backup";
        case SNAPSHOT:
          return "snapshot";
        case POINT_IN_TIME:
          return "point in time";
        case BASE_BACKUP:
          return "base backup";
        default:
          return "branch point";
      }
    }

    private Decision decision(Outcome outcome, Method method, RecoveryPoint point, Instant at) {
      List<Rejection> rejections = new ArrayList<>();
      for (Method m : Method.values()) {
        if (m == method) {
          continue;
        }
        String why = rejected.get(m);
        if (why == null) {
          why = "a higher-priority method was chosen (" + method.label() + ")";
        }
        rejections.add(new Rejection(m, why));
      }
      return new Decision(outcome, method, point, at, reasons, rejections);
    }
  }
}
