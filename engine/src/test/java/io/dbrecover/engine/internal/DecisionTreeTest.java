package io.dbrecover.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.dbrecover.engine.api.RecoveryTarget;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.spi.Capabilities;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DecisionTreeTest {
  private static final Instant NOW = Instant.parse("2025-06-10T12:00:00Z");
  private static final Instant DAMAGE = Instant.parse("2025-06-10T09:30:00Z");

  /** --since is the damage start: the target is the microsecond before it. */
  private static final Instant BEFORE_DAMAGE = Instant.parse("2025-06-10T09:29:59.999999Z");

  private static final RestoreWindow WINDOW =
      new RestoreWindow(Instant.parse("2025-06-03T12:00:00Z"), NOW);
  private static final Set<Method> ALL = EnumSet.allOf(Method.class);
  private static final Set<Method> ALL_BUT_RESET = EnumSet.complementOf(EnumSet.of(Method.RESET));

  private static final MigrationState CURRENT =
      new MigrationState(
          "prisma",
          List.of(
              new MigrationState.Applied("20250601_init", Instant.parse("2025-06-01T10:00:00Z")),
              new MigrationState.Applied("20250605_orders", Instant.parse("2025-06-05T10:00:00Z")),
              new MigrationState.Applied(
                  "20250610_drop_email", Instant.parse("2025-06-10T11:00:00Z"))));

  private static final Capabilities NEON =
      new Capabilities(
          Set.of(Method.BRANCH_RESTORE, Method.SNAPSHOT_RESTORE, Method.DUMP_RESTORE),
          WINDOW,
          Set.of());
  private static final Capabilities RDS =
      new Capabilities(
          Set.of(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE, Method.DUMP_RESTORE),
          WINDOW,
          Set.of());
  private static final Capabilities SELF_HOSTED =
      new Capabilities(
          Set.of(Method.RESET, Method.FORWARD_FIX, Method.DUMP_RESTORE), null, Set.of());

  // --- row 1: app broken, schema and data fine

  @Test
  void decide_appBroken_noDatabaseActionAppRollback() {
    Decision d = decide(incident(Incident.Kind.APP), Tier.PRODUCTION, ALL, RDS, List.of());

    assertThat(d.outcome()).isEqualTo(Outcome.NO_DATABASE_ACTION);
    assertThat(d.method()).isEqualTo(Method.APP_ROLLBACK);
    assertThat(d.point()).isNull();
    assertThat(d.reasons()).contains("roll back the application deployment; the database is fine");
    assertThat(rejectedMethods(d)).isEqualTo(EnumSet.complementOf(EnumSet.of(Method.APP_ROLLBACK)));
  }

  // --- row 2: dev environment, schema issue

  @Test
  void decide_schemaIssueInDevelopment_reset() {
    Decision d =
        decide(incident(Incident.Kind.SCHEMA), Tier.DEVELOPMENT, ALL, SELF_HOSTED, List.of());

    assertThat(d.outcome()).isEqualTo(Outcome.RECOVER);
    assertThat(d.method()).isEqualTo(Method.RESET);
    assertThat(d.reasons())
        .containsExactly(
            "a migration broke the schema",
            "development environment: recreate the database and re-run the migrations");
    assertThat(why(d, Method.FORWARD_FIX))
        .isEqualTo("a higher-priority method was chosen (reset and re-run migrations)");
    assertThat(why(d, Method.APP_ROLLBACK)).contains("schema is damaged");
  }

  @Test
  void decide_schemaIssueInProduction_resetRejectedAsDevelopmentOnly() {
    Decision d = decide(schema(true), Tier.PRODUCTION, ALL, SELF_HOSTED, List.of());

    assertThat(d.method()).isEqualTo(Method.FORWARD_FIX);
    assertThat(why(d, Method.RESET))
        .isEqualTo("only for development environments (this is production)");
  }

  @Test
  void decide_schemaIssueInDevelopmentWithResetForbidden_fallsBackToForwardFix() {
    Decision d = decide(schema(true), Tier.DEVELOPMENT, ALL_BUT_RESET, SELF_HOSTED, List.of());

    assertThat(d.method()).isEqualTo(Method.FORWARD_FIX);
    assertThat(why(d, Method.RESET))
        .isEqualTo(
            "forbidden by environment config (allowed: app-rollback, forward-fix, branch-restore,"
                + " point-in-time, snapshot-restore, dump-restore)");
  }

  @Test
  void decide_schemaIssueInDevelopmentWithoutResetCapability_resetNotOffered() {
    Decision d =
        decide(schema(true), Tier.DEVELOPMENT, ALL, Capabilities.of(Method.FORWARD_FIX), List.of());

    assertThat(d.method()).isEqualTo(Method.FORWARD_FIX);
    assertThat(why(d, Method.RESET)).isEqualTo("not offered by this provider");
  }

  // --- row 3: schema issue, reverse migration loses no data

  @Test
  void decide_schemaIssueWithLosslessReverseMigration_forwardFix() {
    Decision d = decide(schema(true), Tier.STAGING, ALL, SELF_HOSTED, List.of());

    assertThat(d.outcome()).isEqualTo(Outcome.RECOVER);
    assertThat(d.method()).isEqualTo(Method.FORWARD_FIX);
    assertThat(d.point()).isNull();
    assertThat(d.reasons())
        .containsExactly(
            "a migration broke the schema",
            "a generated reverse migration undoes the schema change without losing data");
    assertThat(why(d, Method.RESET))
        .isEqualTo("only for development environments (this is staging)");
    assertThat(why(d, Method.DUMP_RESTORE))
        .isEqualTo("a higher-priority method was chosen (forward-fix migration)");
  }

  // --- row 4: schema issue a forward-fix cannot undo: data recovery just before the migration

  @Test
  void decide_schemaIssueWithLossyReverseMigration_pointInTimeJustBeforeNewestMigration() {
    Decision d = decide(schema(false), Tier.PRODUCTION, ALL_BUT_RESET, RDS, List.of(), CURRENT);

    assertThat(d.outcome()).isEqualTo(Outcome.RECOVER);
    assertThat(d.method()).isEqualTo(Method.POINT_IN_TIME);
    assertThat(d.target()).isEqualTo(Instant.parse("2025-06-10T10:59:59.999999Z"));
    assertThat(d.point().kind()).isEqualTo(RecoveryPoint.Kind.POINT_IN_TIME);
    assertThat(why(d, Method.FORWARD_FIX))
        .isEqualTo("the generated reverse migration would lose data");
    assertThat(d.reasons())
        .containsSubsequence(
            "a migration broke the schema",
            "a forward-fix cannot undo the schema change without loss: treating it as data damage"
                + " just before the migration",
            "target: just before the newest migration 20250610_drop_email started at"
                + " 2025-06-10T11:00:00Z: 2025-06-10T10:59:59.999999Z");
  }

  @Test
  void decide_schemaIssueWithoutReverseAnalysis_forwardFixRejectedAndTreatedAsData() {
    Decision d = decide(schema(null), Tier.PRODUCTION, ALL_BUT_RESET, NEON, List.of(), CURRENT);

    assertThat(d.method()).isEqualTo(Method.BRANCH_RESTORE);
    assertThat(why(d, Method.FORWARD_FIX)).isEqualTo("no reverse-migration analysis was made");
  }

  @Test
  void decide_schemaIssueToMigrationWithPointInTime_targetsAMicrosecondBeforeItStarted() {
    Incident incident = new Incident(Incident.Kind.SCHEMA, null, "orders", null, false);

    Decision d = decide(incident, Tier.PRODUCTION, ALL_BUT_RESET, RDS, List.of(), CURRENT);

    assertThat(d.method()).isEqualTo(Method.POINT_IN_TIME);
    assertThat(d.target()).isEqualTo(Instant.parse("2025-06-05T09:59:59.999999Z"));
    assertThat(d.reasons())
        .contains(
            "target for branch and point-in-time restore: just before migration 20250605_orders"
                + " started at 2025-06-05T10:00:00Z: 2025-06-05T09:59:59.999999Z (it and every"
                + " later migration are undone); a backup is chosen by its migration state"
                + " instead: one that ends at orders (keeps it)");
  }

  @Test
  void decide_schemaIssueWithUnknownMigrationTimes_targetsNow() {
    Decision d = decide(schema(false), Tier.PRODUCTION, ALL_BUT_RESET, RDS, List.of(), null);

    assertThat(d.target()).isEqualTo(NOW);
    assertThat(d.reasons())
        .contains("the newest migration's start time is unknown: targeting now (" + NOW + ")");
  }

  // --- row 5: data corruption, provider branches, T inside the window

  @Test
  void decide_dataCorruptionInsideNeonWindow_branchRestore() {
    Decision d = decide(Incident.data(DAMAGE), Tier.PRODUCTION, ALL_BUT_RESET, NEON, List.of());

    assertThat(d.outcome()).isEqualTo(Outcome.RECOVER);
    assertThat(d.method()).isEqualTo(Method.BRANCH_RESTORE);
    assertThat(d.target()).isEqualTo(BEFORE_DAMAGE);
    assertThat(d.point().kind()).isEqualTo(RecoveryPoint.Kind.BRANCH_POINT);
    assertThat(d.point().takenAt()).isEqualTo(BEFORE_DAMAGE);
    assertThat(d.reasons())
        .containsExactly(
            "data was damaged starting at " + DAMAGE,
            "target: just before the damage start " + DAMAGE + ": " + BEFORE_DAMAGE,
            "branch restore to " + BEFORE_DAMAGE + ": inside the history window " + WINDOW);
    assertThat(why(d, Method.RESET)).isEqualTo("incident is not a schema issue");
    assertThat(why(d, Method.FORWARD_FIX)).isEqualTo("incident is not a schema issue");
    assertThat(why(d, Method.POINT_IN_TIME))
        .isEqualTo("a higher-priority method was chosen (branch restore)");
  }

  // --- row 6: data corruption, provider has PITR, T inside the window

  @Test
  void decide_dataCorruptionInsideRdsWindow_pointInTime() {
    Decision d = decide(Incident.data(DAMAGE), Tier.PRODUCTION, ALL_BUT_RESET, RDS, List.of());

    assertThat(d.outcome()).isEqualTo(Outcome.RECOVER);
    assertThat(d.method()).isEqualTo(Method.POINT_IN_TIME);
    assertThat(d.target()).isEqualTo(BEFORE_DAMAGE);
    assertThat(d.point().kind()).isEqualTo(RecoveryPoint.Kind.POINT_IN_TIME);
    assertThat(d.point().takenAt()).isEqualTo(BEFORE_DAMAGE);
    assertThat(why(d, Method.BRANCH_RESTORE)).isEqualTo("not offered by this provider");
    assertThat(d.reasons())
        .last()
        .isEqualTo(
            "point-in-time restore to " + BEFORE_DAMAGE + ": inside the history window " + WINDOW);
  }

  @Test
  void decide_dataCorruptionWithoutTime_pointInTimeToNow() {
    Decision d = decide(Incident.data(null), Tier.PRODUCTION, ALL_BUT_RESET, RDS, List.of());

    assertThat(d.method()).isEqualTo(Method.POINT_IN_TIME);
    assertThat(d.target()).isEqualTo(NOW);
    assertThat(d.reasons())
        .contains("data was damaged (start time not given)", "target: now (" + NOW + ")");
  }

  // --- row 7: otherwise the newest snapshot / backup taken before T

  @Test
  void decide_dataCorruptionOutsideWindow_newestSnapshotBeforeT() {
    Instant old = Instant.parse("2025-05-01T00:00:00Z");
    List<RecoveryPoint> points =
        List.of(
            point("snap-older", RecoveryPoint.Kind.SNAPSHOT, "2025-04-20T00:00:00Z"),
            point("snap-newest-before", RecoveryPoint.Kind.SNAPSHOT, "2025-04-30T00:00:00Z"),
            point("dump-before", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-04-25T00:00:00Z"),
            point("snap-after", RecoveryPoint.Kind.SNAPSHOT, "2025-05-02T00:00:00Z"));

    Decision d = decide(Incident.data(old), Tier.PRODUCTION, ALL_BUT_RESET, RDS, points);

    assertThat(d.outcome()).isEqualTo(Outcome.RECOVER);
    assertThat(d.method()).isEqualTo(Method.SNAPSHOT_RESTORE);
    assertThat(d.point().id()).isEqualTo("snap-newest-before");
    assertThat(d.target()).isEqualTo(Instant.parse("2025-04-30T00:00:00Z"));
    assertThat(why(d, Method.POINT_IN_TIME))
        .isEqualTo(
            "target 2025-04-30T23:59:59.999999Z is outside the history window"
                + " 2025-06-03T12:00:00Z..2025-06-10T12:00:00Z");
    assertThat(why(d, Method.DUMP_RESTORE))
        .isEqualTo("the newer snapshot 'snap-newest-before' was chosen");
    assertThat(d.reasons())
        .last()
        .isEqualTo(
            "newest snapshot taken at or before 2025-04-30T23:59:59.999999Z: 'snap-newest-before'"
                + " taken at"
                + " 2025-04-30T00:00:00Z");
  }

  @Test
  void decide_dataCorruptionSelfHostedWithoutWal_dumpRestore() {
    List<RecoveryPoint> points =
        List.of(point("dump-1", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-10T08:00:00Z"));

    Decision d = decide(Incident.data(DAMAGE), Tier.PRODUCTION, ALL_BUT_RESET, SELF_HOSTED, points);

    assertThat(d.method()).isEqualTo(Method.DUMP_RESTORE);
    assertThat(d.point().id()).isEqualTo("dump-1");
    assertThat(why(d, Method.POINT_IN_TIME)).isEqualTo("not offered by this provider");
    assertThat(why(d, Method.SNAPSHOT_RESTORE))
        .isEqualTo("no snapshot taken at or before " + BEFORE_DAMAGE);
  }

  @Test
  void decide_newestBackupIsARunsSafetyCopy_skipsItForTheOperatorsBackup() {
    RecoveryPoint good =
        point("dump-good", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-10T08:00:00Z");
    RecoveryPoint safety =
        new RecoveryPoint(
            "dump-safety",
            RecoveryPoint.Kind.LOGICAL_BACKUP,
            Instant.parse("2025-06-10T09:00:00Z"),
            "run-x",
            true,
            0,
            null,
            Map.of(),
            null,
            null);

    Decision d =
        decide(
            Incident.data(DAMAGE),
            Tier.PRODUCTION,
            ALL_BUT_RESET,
            SELF_HOSTED,
            List.of(good, safety));

    assertThat(d.point().id()).isEqualTo("dump-good");
  }

  @Test
  void decide_safetyCopyPinnedByName_isRestored() {
    RecoveryPoint safety =
        new RecoveryPoint(
            "dump-safety",
            RecoveryPoint.Kind.LOGICAL_BACKUP,
            Instant.parse("2025-06-10T09:00:00Z"),
            "run-x",
            true,
            0,
            null,
            Map.of(),
            null,
            null);

    Decision d =
        decide(pinned("dump-safety"), Tier.PRODUCTION, ALL_BUT_RESET, SELF_HOSTED, List.of(safety));

    assertThat(d.method()).isEqualTo(Method.DUMP_RESTORE);
    assertThat(d.point().id()).isEqualTo("dump-safety");
  }

  // --- row 8: nothing before T

  @Test
  void decide_dataCorruptionNoBackupBeforeT_noRecoveryPoint() {
    List<RecoveryPoint> points =
        List.of(
            point("dump-after", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-10T10:00:00Z"),
            point("dump-first", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-10T09:45:00Z"));

    Decision d = decide(Incident.data(DAMAGE), Tier.PRODUCTION, ALL_BUT_RESET, SELF_HOSTED, points);

    assertThat(d.outcome()).isEqualTo(Outcome.NO_RECOVERY_POINT);
    assertThat(d.method()).isNull();
    assertThat(d.point()).isNull();
    assertThat(d.target()).isEqualTo(BEFORE_DAMAGE);
    assertThat(d.reasons())
        .containsSubsequence(
            "no recovery point taken at or before " + BEFORE_DAMAGE,
            "needed: a backup taken at or before 2025-06-10T09:29:59.999999Z, or point-in-time"
                + " recovery whose history window contains 2025-06-10T09:29:59.999999Z; newest"
                + " backup is from"
                + " 2025-06-10T10:00:00Z, oldest from 2025-06-10T09:45:00Z",
            "next time: enable point-in-time recovery and take backups before deploys"
                + " (`dbrecover backup <env> --label pre-deploy`)");
    assertThat(rejectedMethods(d)).isEqualTo(EnumSet.allOf(Method.class));
    assertThat(why(d, Method.DUMP_RESTORE))
        .isEqualTo("no pg_dump backup taken at or before " + BEFORE_DAMAGE);
  }

  @Test
  void decide_dataCorruptionWithNoBackupsAtAll_saysNoBackupsExist() {
    Decision d =
        decide(Incident.data(DAMAGE), Tier.PRODUCTION, ALL_BUT_RESET, SELF_HOSTED, List.of());

    assertThat(d.outcome()).isEqualTo(Outcome.NO_RECOVERY_POINT);
    assertThat(d.reasons())
        .anyMatch(r -> r.startsWith("needed: ") && r.endsWith("; no backups exist"));
  }

  // --- environment config forbids methods

  @Test
  void decide_environmentForbidsPointInTime_fallsBackToDumpWithReason() {
    Set<Method> allowed = EnumSet.of(Method.DUMP_RESTORE);
    List<RecoveryPoint> points =
        List.of(point("dump-1", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-10T08:00:00Z"));

    Decision d = decide(Incident.data(DAMAGE), Tier.PRODUCTION, allowed, RDS, points);

    assertThat(d.method()).isEqualTo(Method.DUMP_RESTORE);
    assertThat(why(d, Method.POINT_IN_TIME))
        .isEqualTo("forbidden by environment config (allowed: dump-restore)");
    assertThat(why(d, Method.SNAPSHOT_RESTORE))
        .isEqualTo("forbidden by environment config (allowed: dump-restore)");
  }

  @Test
  void decide_onlyFittingBackupIsForbidden_noRecoveryPointSaysSo() {
    List<RecoveryPoint> points =
        List.of(point("snap-1", RecoveryPoint.Kind.SNAPSHOT, "2025-06-10T08:00:00Z"));

    Decision d =
        decide(
            Incident.data(DAMAGE), Tier.PRODUCTION, EnumSet.of(Method.DUMP_RESTORE), RDS, points);

    assertThat(d.outcome()).isEqualTo(Outcome.NO_RECOVERY_POINT);
    assertThat(d.reasons())
        .contains(
            "snapshot 'snap-1' would fit, but its method is forbidden by environment config"
                + " (allowed: dump-restore)");
  }

  // --- pinned backups

  @Test
  void decide_pinnedBackup_usesThatPointsMethod() {
    List<RecoveryPoint> points =
        List.of(
            point("dump-1", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-09T08:00:00Z"),
            point("snap-1", RecoveryPoint.Kind.SNAPSHOT, "2025-06-10T08:00:00Z"));

    Decision d = decide(pinned("dump-1"), Tier.PRODUCTION, ALL_BUT_RESET, RDS, points);

    assertThat(d.outcome()).isEqualTo(Outcome.RECOVER);
    assertThat(d.method()).isEqualTo(Method.DUMP_RESTORE);
    assertThat(d.point().id()).isEqualTo("dump-1");
    assertThat(why(d, Method.POINT_IN_TIME))
        .isEqualTo("backup 'dump-1' was pinned by the operator");
  }

  @Test
  void decide_pinnedBackupUnknown_backupNotFoundListingIdsNewestFirst() {
    List<RecoveryPoint> points =
        List.of(
            point("dump-old", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-01T08:00:00Z"),
            point("dump-new", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-09T08:00:00Z"));

    assertThatThrownBy(() -> decide(pinned("nope"), Tier.PRODUCTION, ALL, RDS, points))
        .isExactlyInstanceOf(DbRecoverException.class)
        .hasMessage(
            "backup 'nope' not found; available (newest first): dump-new (2025-06-09T08:00:00Z),"
                + " dump-old (2025-06-01T08:00:00Z); run `dbrecover list-backups <env>` to list them all")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
  }

  @Test
  void decide_pinnedBackupWhenNoneExist_backupNotFoundSaysNoBackupsExist() {
    assertThatThrownBy(() -> decide(pinned("nope"), Tier.PRODUCTION, ALL, RDS, List.of()))
        .isExactlyInstanceOf(DbRecoverException.class)
        .hasMessageContaining(
            "backup 'nope' not found: no backups exist; take one with `dbrecover backup`");
  }

  @Test
  void decide_pinnedBackupWithForbiddenMethod_configurationError() {
    List<RecoveryPoint> points =
        List.of(point("snap-1", RecoveryPoint.Kind.SNAPSHOT, "2025-06-10T08:00:00Z"));

    assertThatThrownBy(
            () ->
                decide(
                    pinned("snap-1"),
                    Tier.PRODUCTION,
                    EnumSet.of(Method.DUMP_RESTORE),
                    RDS,
                    points))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "backup 'snap-1' is restored by snapshot restore, which is forbidden by environment"
                + " config (allowed: dump-restore); pick another backup or add snapshot-restore to"
                + " allowed-methods");
  }

  // --- --to <migration>

  @Test
  void decide_toMigrationWithoutHistoryWindow_newestBackupWhoseStateEndsAtIt() {
    List<RecoveryPoint> points =
        List.of(
            point(
                "b-init",
                RecoveryPoint.Kind.LOGICAL_BACKUP,
                "2025-06-02T00:00:00Z",
                "20250601_init"),
            point(
                "b-orders-old",
                RecoveryPoint.Kind.LOGICAL_BACKUP,
                "2025-06-06T00:00:00Z",
                "20250601_init",
                "20250605_orders"),
            point(
                "b-orders-new",
                RecoveryPoint.Kind.LOGICAL_BACKUP,
                "2025-06-09T00:00:00Z",
                "20250601_init",
                "20250605_orders"),
            point(
                "b-latest",
                RecoveryPoint.Kind.LOGICAL_BACKUP,
                "2025-06-10T11:30:00Z",
                "20250601_init",
                "20250605_orders",
                "20250610_drop_email"));
    Incident incident = new Incident(Incident.Kind.DATA, null, "20250605_orders", null, null);

    Decision d = decide(incident, Tier.PRODUCTION, ALL_BUT_RESET, SELF_HOSTED, points, CURRENT);

    assertThat(d.method()).isEqualTo(Method.DUMP_RESTORE);
    assertThat(d.point().id()).isEqualTo("b-orders-new");
    assertThat(d.reasons())
        .last()
        .isEqualTo(
            "newest pg_dump backup whose migration state ends at 20250605_orders: 'b-orders-new'"
                + " taken at 2025-06-09T00:00:00Z");
  }

  @Test
  void decide_toMigrationUnknownToHistory_timeBasedMethodsRejected() {
    List<RecoveryPoint> points =
        List.of(
            point(
                "b-x",
                RecoveryPoint.Kind.SNAPSHOT,
                "2025-06-02T00:00:00Z",
                "20250601_init",
                "x_feature"));
    Incident incident = new Incident(Incident.Kind.DATA, null, "x_feature", null, null);

    Decision d = decide(incident, Tier.PRODUCTION, ALL_BUT_RESET, RDS, points, CURRENT);

    assertThat(d.method()).isEqualTo(Method.SNAPSHOT_RESTORE);
    assertThat(why(d, Method.POINT_IN_TIME))
        .isEqualTo("no start time is known for migration x_feature");
  }

  @Test
  void decide_toMigrationWithNoMatchingBackup_noRecoveryPointListsWhereBackupsEnd() {
    List<RecoveryPoint> points =
        List.of(
            point(
                "b-init",
                RecoveryPoint.Kind.LOGICAL_BACKUP,
                "2025-06-02T00:00:00Z",
                "20250601_init"));
    Incident incident = new Incident(Incident.Kind.DATA, null, "20250605_orders", null, null);

    Decision d = decide(incident, Tier.PRODUCTION, ALL_BUT_RESET, SELF_HOSTED, points, CURRENT);

    assertThat(d.outcome()).isEqualTo(Outcome.NO_RECOVERY_POINT);
    assertThat(d.reasons())
        .contains(
            "needed: a backup whose migration state ends at 20250605_orders, or point-in-time"
                + " recovery whose history window contains 2025-06-05T09:59:59.999999Z; existing"
                + " backups end at: b-init (20250601_init)");
  }

  // --- point-in-time targets: --at <time>, --at lsn:, --to on a point-in-time provider, base
  // backups

  private static final Capabilities WAL =
      new Capabilities(Set.of(Method.POINT_IN_TIME, Method.DUMP_RESTORE), WINDOW, Set.of());
  private static final Capabilities WAL_OFF =
      new Capabilities(
          Set.of(Method.DUMP_RESTORE), null, Set.of("WAL archiving is off: dbrecover pitr enable"));

  @Test
  void decide_atInsideWindow_pointInTimeToExactlyThatTime() {
    Instant at = Instant.parse("2025-06-10T09:15:00Z");

    Decision d =
        decide(Incident.dataAt(target(at), null), Tier.PRODUCTION, ALL_BUT_RESET, WAL, List.of());

    assertThat(d.method()).isEqualTo(Method.POINT_IN_TIME);
    assertThat(d.target()).isEqualTo(at);
    assertThat(d.point().takenAt()).isEqualTo(at);
    assertThat(d.point().targetLsn()).isEmpty();
    assertThat(d.reasons())
        .containsExactly(
            "data was damaged (start time not given)",
            "target: 2025-06-10T09:15:00Z (--at)",
            "point-in-time restore to 2025-06-10T09:15:00Z: inside the history window " + WINDOW);
  }

  @Test
  void decide_atBeforeTheDamageStart_targetsAtAndNamesTheDamageStart() {
    Instant at = Instant.parse("2025-06-10T09:00:00Z");

    Decision d =
        decide(Incident.dataAt(target(at), DAMAGE), Tier.PRODUCTION, ALL_BUT_RESET, WAL, List.of());

    assertThat(d.target()).isEqualTo(at);
    assertThat(d.reasons())
        .contains("target: 2025-06-10T09:00:00Z (--at), before the damage start " + DAMAGE);
  }

  @Test
  void decide_atNotBeforeTheDamageStart_configurationError() {
    Incident incident = Incident.dataAt(target(DAMAGE), DAMAGE);

    assertThatThrownBy(() -> decide(incident, Tier.PRODUCTION, ALL_BUT_RESET, WAL, List.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "the target 2025-06-10T09:30:00Z (--at) is not before the damage start"
                + " 2025-06-10T09:30:00Z (--since): restoring to it would keep the damage; give an"
                + " --at before 2025-06-10T09:30:00Z, or omit --at to restore to just before the"
                + " damage");
  }

  @Test
  void decide_atOutsideWindow_noRecoveryPointWithTheWindowAndTheBackupToPin() {
    Instant at = Instant.parse("2025-06-01T00:00:00Z");
    List<RecoveryPoint> points =
        List.of(point("dump-may", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-05-31T00:00:00Z"));

    Decision d =
        decide(Incident.dataAt(target(at), null), Tier.PRODUCTION, ALL_BUT_RESET, WAL, points);

    assertThat(d.outcome()).isEqualTo(Outcome.NO_RECOVERY_POINT);
    assertThat(d.method()).isNull();
    assertThat(d.reasons())
        .containsSubsequence(
            "target 2025-06-01T00:00:00Z is outside the point-in-time window " + WINDOW,
            "needed: a target inside the point-in-time window "
                + WINDOW
                + ", or restore the newest backup taken before it with `--from dump-may` (taken"
                + " 2025-05-31T00:00:00Z)");
    assertThat(why(d, Method.POINT_IN_TIME))
        .isEqualTo(
            "target 2025-06-01T00:00:00Z is outside the history window"
                + " 2025-06-03T12:00:00Z..2025-06-10T12:00:00Z");
    assertThat(why(d, Method.DUMP_RESTORE))
        .isEqualTo("target 2025-06-01T00:00:00Z is outside the point-in-time window " + WINDOW);
  }

  @Test
  void decide_atInTheFuture_noRecoveryPointSayingSo() {
    Instant at = NOW.plusSeconds(3600);

    Decision d =
        decide(Incident.dataAt(target(at), null), Tier.PRODUCTION, ALL_BUT_RESET, WAL, List.of());

    assertThat(d.outcome()).isEqualTo(Outcome.NO_RECOVERY_POINT);
    assertThat(d.reasons())
        .contains(
            "target 2025-06-10T13:00:00Z is in the future (now is 2025-06-10T12:00:00Z)",
            "needed: a target at or before now; check the time, its zone (--tz) and this machine's"
                + " clock; the point-in-time window is "
                + WINDOW);
    assertThat(rejectedMethods(d)).isEqualTo(EnumSet.allOf(Method.class));
  }

  @Test
  void decide_sinceInTheFuture_noRecoveryPointInsteadOfTheNewestBackup() {
    List<RecoveryPoint> points =
        List.of(point("dump-1", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-10T08:00:00Z"));

    Decision d =
        decide(
            Incident.data(NOW.plusSeconds(60)),
            Tier.PRODUCTION,
            ALL_BUT_RESET,
            SELF_HOSTED,
            points);

    assertThat(d.outcome()).isEqualTo(Outcome.NO_RECOVERY_POINT);
    assertThat(d.reasons()).anyMatch(r -> r.endsWith("is in the future (now is " + NOW + ")"));
  }

  @Test
  void decide_atWithoutPointInTime_fallsBackToTheNewestBackupBeforeItAndSaysWhy() {
    Instant at = Instant.parse("2025-06-10T09:15:00Z");
    List<RecoveryPoint> points =
        List.of(
            point("dump-8", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-10T08:00:00Z"),
            point("dump-10", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-10T10:00:00Z"));

    Decision d =
        decide(Incident.dataAt(target(at), null), Tier.PRODUCTION, ALL_BUT_RESET, WAL_OFF, points);

    assertThat(d.method()).isEqualTo(Method.DUMP_RESTORE);
    assertThat(d.point().id()).isEqualTo("dump-8");
    assertThat(d.reasons())
        .containsSubsequence(
            "target: 2025-06-10T09:15:00Z (--at)",
            "point-in-time restore is not possible (not offered by this provider): falling back to"
                + " the newest backup taken at or before 2025-06-10T09:15:00Z",
            "newest pg_dump backup taken at or before 2025-06-10T09:15:00Z: 'dump-8' taken at"
                + " 2025-06-10T08:00:00Z");
  }

  @Test
  void decide_atLsn_pointInTimeToThatWalPosition() {
    Incident incident =
        Incident.dataAt(new RecoveryTarget("lsn:0/16B3748", NOW, "0/16B3748", null), null);

    Decision d = decide(incident, Tier.PRODUCTION, ALL_BUT_RESET, WAL, List.of());

    assertThat(d.method()).isEqualTo(Method.POINT_IN_TIME);
    assertThat(d.point().targetLsn()).contains("0/16B3748");
    assertThat(why(d, Method.BRANCH_RESTORE)).isEqualTo("not offered by this provider");
    assertThat(d.reasons())
        .containsExactly(
            "data was damaged (start time not given)",
            "target: WAL position 0/16B3748 (--at lsn:)",
            "point-in-time restore to WAL position 0/16B3748 (the provider checks it against its"
                + " archive; history window "
                + WINDOW
                + ")");
  }

  @Test
  void decide_atLsnWithoutPointInTime_noRecoveryPoint() {
    Incident incident = Incident.dataAt(new RecoveryTarget("lsn:0/1", NOW, "0/1", null), null);
    List<RecoveryPoint> points =
        List.of(point("dump-1", RecoveryPoint.Kind.LOGICAL_BACKUP, "2025-06-10T08:00:00Z"));

    Decision d = decide(incident, Tier.PRODUCTION, ALL_BUT_RESET, WAL_OFF, points);

    assertThat(d.outcome()).isEqualTo(Outcome.NO_RECOVERY_POINT);
    assertThat(d.reasons())
        .contains(
            "a WAL position can only be restored by point-in-time restore, which is not possible:"
                + " not offered by this provider",
            "needed: point-in-time recovery that reaches WAL position 0/1; give a time with --at"
                + " instead to use a backup");
  }

  @Test
  void decide_toMigrationOnPointInTimeProvider_restoresToAMicrosecondBeforeItStarted() {
    Incident incident = new Incident(Incident.Kind.DATA, null, "20250610_drop_email", null, null);

    Decision d = decide(incident, Tier.PRODUCTION, ALL_BUT_RESET, WAL, List.of(), CURRENT);

    assertThat(d.method()).isEqualTo(Method.POINT_IN_TIME);
    assertThat(d.target()).isEqualTo(Instant.parse("2025-06-10T10:59:59.999999Z"));
    assertThat(d.point().takenAt()).isEqualTo(Instant.parse("2025-06-10T10:59:59.999999Z"));
  }

  @Test
  void decide_toMigrationStartedBeforeTheWindow_fallsBackToTheBackupEndingAtIt() {
    List<RecoveryPoint> points =
        List.of(
            point(
                "b-init",
                RecoveryPoint.Kind.LOGICAL_BACKUP,
                "2025-06-02T00:00:00Z",
                "20250601_init"));
    Incident incident = new Incident(Incident.Kind.DATA, null, "20250601_init", null, null);

    Decision d = decide(incident, Tier.PRODUCTION, ALL_BUT_RESET, WAL, points, CURRENT);

    assertThat(d.method()).isEqualTo(Method.DUMP_RESTORE);
    assertThat(d.point().id()).isEqualTo("b-init");
    assertThat(why(d, Method.POINT_IN_TIME))
        .isEqualTo(
            "target 2025-06-01T09:59:59.999999Z is outside the history window"
                + " 2025-06-03T12:00:00Z..2025-06-10T12:00:00Z");
  }

  @Test
  void decide_pinnedBaseBackup_pointInTimeToItsConsistentEnd() {
    List<RecoveryPoint> points =
        List.of(point("base-1", RecoveryPoint.Kind.BASE_BACKUP, "2025-06-09T08:00:00Z"));

    Decision d = decide(pinned("base-1"), Tier.PRODUCTION, ALL_BUT_RESET, WAL, points);

    assertThat(d.method()).isEqualTo(Method.POINT_IN_TIME);
    assertThat(d.point().id()).isEqualTo("base-1");
    assertThat(d.target()).isEqualTo(Instant.parse("2025-06-09T08:00:00Z"));
    assertThat(d.reasons())
        .containsExactly(
            "the operator pinned base backup 'base-1' taken at 2025-06-09T08:00:00Z",
            "restore it with point-in-time restore to the backup's consistent end (no archived WAL"
                + " replayed past it)");
  }

  @Test
  void decide_pinnedBaseBackupWithPointInTimeForbidden_configurationError() {
    List<RecoveryPoint> points =
        List.of(point("base-1", RecoveryPoint.Kind.BASE_BACKUP, "2025-06-09T08:00:00Z"));

    assertThatThrownBy(
            () ->
                decide(
                    pinned("base-1"),
                    Tier.PRODUCTION,
                    EnumSet.of(Method.DUMP_RESTORE),
                    WAL,
                    points))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(
            "backup 'base-1' is restored by point-in-time restore, which is forbidden");
  }

  @Test
  void decide_baseBackupsOutsideTheWindow_neverChosenAsBackups() {
    Instant old = Instant.parse("2025-05-01T00:00:00Z");
    List<RecoveryPoint> points =
        List.of(point("base-old", RecoveryPoint.Kind.BASE_BACKUP, "2025-04-01T00:00:00Z"));

    Decision d = decide(Incident.data(old), Tier.PRODUCTION, ALL_BUT_RESET, WAL, points);

    assertThat(d.outcome()).isEqualTo(Outcome.NO_RECOVERY_POINT);
  }

  // --- helpers

  private static Decision decide(
      Incident incident,
      Tier tier,
      Set<Method> allowed,
      Capabilities caps,
      List<RecoveryPoint> points) {
    return decide(incident, tier, allowed, caps, points, null);
  }

  private static Decision decide(
      Incident incident,
      Tier tier,
      Set<Method> allowed,
      Capabilities caps,
      List<RecoveryPoint> points,
      MigrationState current) {
    return DecisionTree.decide(
        new DecisionInput(incident, tier, allowed, caps, points, current, NOW));
  }

  private static Incident incident(Incident.Kind kind) {
    return new Incident(kind, null, null, null, null);
  }

  private static Incident schema(Boolean lossless) {
    return new Incident(Incident.Kind.SCHEMA, null, null, null, lossless);
  }

  private static Incident pinned(String id) {
    return new Incident(Incident.Kind.DATA, DAMAGE, null, id, null);
  }

  private static RecoveryTarget target(Instant at) {
    return new RecoveryTarget(at.toString(), at, null, null);
  }

  private static RecoveryPoint point(
      String id, RecoveryPoint.Kind kind, String at, String... migrations) {
    MigrationState state =
        new MigrationState(
            "prisma",
            Arrays.stream(migrations)
                .map(m -> new MigrationState.Applied(m, null))
                .collect(Collectors.toList()));
    return new RecoveryPoint(
        id, kind, Instant.parse(at), null, false, 0, state, Map.of(), null, null);
  }

  private static String why(Decision d, Method m) {
    return d.rejected().stream()
        .filter(r -> r.method() == m)
        .map(Rejection::why)
        .findFirst()
        .orElseThrow(() -> new AssertionError(m + " not in rejected: " + d.rejected()));
  }

  private static Set<Method> rejectedMethods(Decision d) {
    return d.rejected().stream()
        .map(Rejection::method)
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(Method.class)));
  }
}
