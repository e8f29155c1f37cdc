package io.dbrecover.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.Decision;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Interaction;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.RunOutcome;
import io.dbrecover.engine.api.RunReport;
import io.dbrecover.engine.api.Step;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.engine.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run model against a provider whose restore is asynchronous (as Neon's, RDS's and Cloud SQL's
 * are): {@code advance} returns "wait until t" instead of blocking, and a reopened journal
 * continues where the last call stopped.
 */
class RecoveryRunIT {
  @TempDir Path state;
  MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  DbUrl live;
  DbUrl snapshot;
  AsyncProvider provider;
  RecoveryPoint point;

  @BeforeEach
  void setUp() throws Exception {
    live = TestPostgres.createDatabase();
    TestPostgres.sql(
        live,
        "create table t (id int primary key, v text); insert into t values (1, 'good'), (2, 'good')");
    snapshot = TestPostgres.createDatabase(live);
    TestPostgres.sql(live, "update t set v = 'corrupt'; insert into t values (3, 'new')");
    try (Connection c = DatabaseInspector.connect(snapshot)) {
      point =
          new RecoveryPoint(
              "snap-1",
              RecoveryPoint.Kind.SNAPSHOT,
              clock.instant().minusSeconds(60),
              null,
              false,
              0,
              DatabaseInspector.migrationState(c),
              DatabaseInspector.rowCounts(c),
              DatabaseInspector.schemaFingerprint(c),
              "fake");
    }
    provider = new AsyncProvider();
  }

  private RecoveryRun newRun(ProtectionLevel protection) {
    return newRun(protection, point, Method.SNAPSHOT_RESTORE);
  }

  private RecoveryRun newRun(ProtectionLevel protection, RecoveryPoint point, Method method) {
    EnvironmentConfig env =
        new EnvironmentConfig(
            "prod",
            Tier.PRODUCTION,
            protection,
            new EnvironmentConfig.Database("fake", live.toSecretUri().reveal(), false, Map.of()),
            state.resolve("backups"),
            null,
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            Set.of(Method.values()),
            EnvironmentConfig.Retention.DEFAULT,
            List.of(),
            1);
    RunContext ctx = new RunContext(env, provider, Optional.empty(), state, clock);
    Decision decision =
        new Decision(
            Decision.Outcome.RECOVER, method, point, point.takenAt(), List.of("test"), List.of());
    RunHeader header =
        new RunHeader(
            "run-20260101-000000-abcd",
            "prod",
            clock.instant(),
            new RunOptions(Incident.data(null), false, false, List.of(), null),
            decision,
            live.database(),
            live.redacted(),
            List.of());
    return RecoveryRun.create(ctx, state.resolve("runs").resolve(header.runId()), header);
  }

  @Test
  void advance_providerStillRestoring_returnsWaitUntilItsPollTime() {
    RecoveryRun run = newRun(ProtectionLevel.NONE);

    RunOutcome outcome = run.advance(clock.instant().plus(Duration.ofMinutes(5)), new Silent(true));

    assertThat(outcome.state()).isEqualTo(RunOutcome.State.WAITING);
    assertThat(outcome.waitUntil()).isEqualTo(clock.instant().plusSeconds(30));
    assertThat(run.lastOf(Step.AWAIT_RESTORE).status()).isEqualTo("waiting");
    assertThat(run.lastOf(Step.VERIFY_RESTORED)).isNull();
  }

  @Test
  void advance_reopenedAfterWaits_finishesWithDataLossReport() {
    RecoveryRun first = newRun(ProtectionLevel.NONE);
    first.advance(clock.instant().plusSeconds(300), new Silent(true));
    clock.advance(Duration.ofSeconds(30));
    RecoveryRun second = RecoveryRun.open(first.context(), first.runDir());
    assertThat(second.advance(clock.instant().plusSeconds(300), new Silent(true)).state())
        .isEqualTo(RunOutcome.State.WAITING);
    clock.advance(Duration.ofSeconds(30));

    RunOutcome outcome =
        RecoveryRun.open(first.context(), first.runDir())
            .advance(clock.instant().plusSeconds(300), new Silent(true));

    assertThat(outcome.state()).isEqualTo(RunOutcome.State.DONE);
    assertThat(provider.starts).as("a resumed run never starts a second restore").isEqualTo(1);
    String report = read(outcome.report());
    assertThat(report).contains("status: **DONE**").contains("| public.t | 3 | 2 | 1 | 2 | 0 |");
  }

  @Test
  void advance_restoreDoneWithinItsStart_isNotPolledAgain() {
    provider.pollsUntilDone = 0; // startRestore answers Done (through one pollRestore of its own)

    RunOutcome outcome =
        newRun(ProtectionLevel.NONE).advance(clock.instant().plusSeconds(300), new Silent(true));

    assertThat(outcome.state()).isEqualTo(RunOutcome.State.DONE);
    assertThat(provider.starts).isEqualTo(1);
    assertThat(provider.polls).as("only the start's own").isEqualTo(1);
  }

  @Test
  void advance_pastDeadline_stopsBeforeTheNextStep() {
    RecoveryRun run = newRun(ProtectionLevel.NONE);
    clock.autoAdvance = Duration.ofSeconds(10);

    RunOutcome outcome = run.advance(clock.instant().plusSeconds(15), new Silent(true));

    assertThat(outcome.state()).isEqualTo(RunOutcome.State.WAITING);
    assertThat(run.lastOf(Step.START_RESTORE)).isNull();
  }

  @Test
  void advance_operatorDeclines_cancelledWithReportAndNoSwap() {
    provider.pollsUntilDone = 0;
    RecoveryRun run = newRun(ProtectionLevel.STRICT);

    RunOutcome outcome = run.advance(clock.instant().plusSeconds(300), new Silent(false));

    assertThat(outcome.state()).isEqualTo(RunOutcome.State.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(run.lastOf(Step.SWAP_URL)).isNull();
    assertThat(read(outcome.report())).contains("status: **CANCELLED**");
  }

  @Test
  void rebuild_finishedRun_isTheReportItWrote() throws Exception {
    provider.pollsUntilDone = 0;
    RecoveryRun run = newRun(ProtectionLevel.NONE);
    RunOutcome outcome = run.advance(clock.instant().plusSeconds(300), new Silent(true));
    String written = read(outcome.report());
    Files.delete(outcome.report());

    RunReport rebuilt = ReportWriter.rebuild(RecoveryRun.read(run.runDir()));

    assertThat(rebuilt.status()).isEqualTo("DONE");
    assertThat(ReportWriter.markdown(rebuilt)).isEqualTo(written);
  }

  @Test
  void rebuild_cancelledRun_keepsItsStatusAndMessage() {
    provider.pollsUntilDone = 0;
    RecoveryRun run = newRun(ProtectionLevel.STRICT);
    RunOutcome outcome = run.advance(clock.instant().plusSeconds(300), new Silent(false));

    RunReport rebuilt = ReportWriter.rebuild(RecoveryRun.read(run.runDir()));

    assertThat(rebuilt.status()).isEqualTo("CANCELLED");
    assertThat(rebuilt.errorCode()).isEqualTo("CANCELLED");
    assertThat(rebuilt.errorMessage()).isEqualTo(outcome.error().getMessage());
    assertThat(ReportWriter.markdown(rebuilt)).isEqualTo(read(outcome.report()));
  }

  @Test
  void rebuild_runStillWaitingForTheProvider_isIncompleteWithNoSwap() {
    RecoveryRun run = newRun(ProtectionLevel.NONE);
    run.advance(clock.instant().plusSeconds(300), new Silent(true));

    RunReport rebuilt = ReportWriter.rebuild(RecoveryRun.read(run.runDir()));

    assertThat(rebuilt.status()).isEqualTo(ReportWriter.INCOMPLETE);
    assertThat(rebuilt.errorCode()).isNull();
    assertThat(rebuilt.urlTarget()).isNull();
    assertThat(rebuilt.dataLoss()).isNull();
    assertThat(rebuilt.steps())
        .extracting(RunReport.StepTiming::step, RunReport.StepTiming::status)
        .contains(org.assertj.core.groups.Tuple.tuple(Step.AWAIT_RESTORE.label(), "interrupted"));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void advance_pointInTimeProviderReadsChangedBlocks_askedAtTheSnapshotsWalPositionAndNarrowed()
      throws Exception {
    provider.pollsUntilDone = 1;
    provider.readsBlocks = true;
    String before = TestPostgres.query(live, "select pg_current_wal_lsn()::text");

    RunOutcome outcome =
        pointInTimeRun().advance(clock.instant().plusSeconds(300), new Silent(true));

    assertThat(outcome.state()).isEqualTo(RunOutcome.State.DONE);
    assertThat(provider.askedAt).hasSize(1);
    assertThat(lsn(provider.askedAt.get(0))).isGreaterThanOrEqualTo(lsn(before));
    String report = read(outcome.report());
    assertThat(report)
        .contains("Compared: narrowed to what the live database changed after the recovery point")
        .contains("| public.t | 3 | 2 | 1 | 2 | 0 |");
  }

  @Test
  void advance_providerDoesNotReadChangedBlocks_neverAskedAndEveryRowCompared() throws Exception {
    provider.pollsUntilDone = 1;
    provider.readsBlocks = false;

    RunOutcome outcome =
        pointInTimeRun().advance(clock.instant().plusSeconds(300), new Silent(true));

    assertThat(outcome.state()).isEqualTo(RunOutcome.State.DONE);
    assertThat(provider.askedAt).isEmpty();
    assertThat(read(outcome.report()))
        .doesNotContain("narrowed")
        .contains("| public.t | 3 | 2 | 1 | 2 | 0 |");
  }

  @Test
  void advance_liveSnapshotEndedDuringTheRestore_comparedInFullWithoutAskingTheProvider()
      throws Exception {
    provider.pollsUntilDone = 1;
    provider.readsBlocks = true;
    // as a server's idle_in_transaction_session_timeout would, while the restore runs
    provider.beforeDone =
        () -> {
          awaitIdleInTransaction();
          TestPostgres.sql(
              TestPostgres.url("postgres"),
              // waits (up to 10 s) until the session is gone, as it is after such a timeout
              "select pg_terminate_backend(pid, 10000) from pg_stat_activity where datname = '"
                  + live.database()
                  + "' and state like 'idle in transaction%'");
        };

    RunOutcome outcome =
        pointInTimeRun().advance(clock.instant().plusSeconds(300), new Silent(true));

    assertThat(outcome.state()).isEqualTo(RunOutcome.State.DONE);
    assertThat(provider.askedAt).as("no snapshot to narrow against").isEmpty();
    assertThat(read(outcome.report())).contains("| public.t | 3 | 2 | 1 | 2 | 0 |");
  }

  private RecoveryRun pointInTimeRun() {
    return newRun(
        ProtectionLevel.NONE,
        RecoveryPoint.at(clock.instant().minusSeconds(60), RecoveryPoint.Kind.POINT_IN_TIME),
        Method.POINT_IN_TIME);
  }

  /** Waits until the engine's live snapshot (one idle transaction on the live database) is open. */
  private void awaitIdleInTransaction() {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      String open =
          TestPostgres.query(
              TestPostgres.url("postgres"),
              "select count(*)::text from pg_stat_activity where datname = '"
                  + live.database()
                  + "' and state like 'idle in transaction%'");
      if (!"0".equals(open)) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new AssertionError("the engine never opened its live snapshot");
  }

  private static long lsn(String text) {
    String[] parts = text.split("/");
    return (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
  }

  /** Answers confirmations with a fixed answer and prints nothing. */
  private static final class Silent implements Interaction {
    private final boolean answer;

    Silent(boolean answer) {
      this.answer = answer;
    }

    @Override
    public void progress(Step step, String message) {}

    @Override
    public boolean confirm(ProtectionLevel level, String phrase, String summary) {
      return answer;
    }
  }

  /** A clock tests move by hand; each read may also move it by {@code autoAdvance}. */
  private static final class MutableClock extends Clock {
    private Instant now;
    Duration autoAdvance = Duration.ZERO;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      Instant t = now;
      now = now.plus(autoAdvance);
      return t;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  /** Restores by copying the snapshot database after a number of polls, like a cloud API. */
  private final class AsyncProvider implements Provider {
    int starts;
    int polls;
    int pollsUntilDone = 3;
    boolean readsBlocks;
    final List<String> askedAt = new java.util.ArrayList<>();
    Runnable beforeDone = () -> {};

    @Override
    public boolean readsChangedBlocks(RestoreRequest request) {
      return readsBlocks;
    }

    @Override
    public io.dbrecover.engine.spi.ChangedBlocks changedBlocks(
        ProviderContext ctx, RestoreRequest request, DbUrl restored, String liveLsn) {
      askedAt.add(liveLsn);
      // what a provider reading the WAL would find: the one table changed, to compare in full
      return new io.dbrecover.engine.spi.ChangedBlocks(
          true, "0/1", liveLsn, Map.of(), Set.of("public.t"), "test: t changed");
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public DbUrl configuredUrl(EnvironmentConfig environment, Path stateDir) {
      return live;
    }

    @Override
    public Capabilities capabilities(ProviderContext ctx) {
      return Capabilities.of(Method.SNAPSHOT_RESTORE);
    }

    @Override
    public List<RecoveryPoint> recoveryPoints(ProviderContext ctx) {
      return List.of(point);
    }

    @Override
    public RecoveryPoint backup(ProviderContext ctx, BackupRequest request) {
      throw new AssertionError("side-by-side runs take no backup");
    }

    @Override
    public BackupCheck verifyBackup(ProviderContext ctx, String backupId, boolean deep) {
      throw new AssertionError("not used");
    }

    @Override
    public RestoreStatus startRestore(ProviderContext ctx, RestoreRequest request) {
      starts++;
      return pollRestore(ctx, request);
    }

    @Override
    public RestoreStatus pollRestore(ProviderContext ctx, RestoreRequest request) {
      DbUrl target = live.withDatabase(request.targetName());
      if (polls++ < pollsUntilDone) {
        return new RestoreStatus.Running(ctx.clock().instant().plusSeconds(30), "copying");
      }
      if (polls == pollsUntilDone + 1) {
        beforeDone.run();
        TestPostgres.sql(
            TestPostgres.url("postgres"),
            "create database \""
                + request.targetName()
                + "\" template \""
                + snapshot.database()
                + "\"");
      }
      return new RestoreStatus.Done(target, "copied");
    }

    @Override
    public void replaceOriginal(ProviderContext ctx, RestoreRequest restored, String originalName) {
      throw new AssertionError("not in place");
    }

    @Override
    public boolean deleteBackup(ProviderContext ctx, String backupId) {
      return false;
    }
  }
}
