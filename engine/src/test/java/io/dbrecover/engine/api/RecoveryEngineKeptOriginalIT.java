package io.dbrecover.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.engine.spi.UrlTarget;
import io.dbrecover.engine.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine with a provider whose in-place replacement keeps the original itself (as Neon's branch
 * restore with {@code preserve_under_name} does) and which makes cheap temporary copies for dry
 * runs: no safety backup is taken, swap-back puts the kept original back, and a dry run measures
 * the loss exactly and deletes its copy. The provider's "snapshot" recorded nothing (no row counts,
 * no fingerprint), like a cloud snapshot.
 */
class RecoveryEngineKeptOriginalIT {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  @TempDir Path state;
  DbUrl live;
  DbUrl snapshot;
  KeepingProvider provider;
  RecoveryEngine engine;

  @BeforeEach
  void setUp() {
    live = TestPostgres.createDatabase();
    TestPostgres.sql(
        live,
        "create table t (id int primary key, v text); insert into t values (1, 'good'), (2, 'good')");
    snapshot = TestPostgres.createDatabase(live);
    TestPostgres.sql(
        live, "update t set v = 'corrupt' where id = 1; insert into t values (3, 'new')");
    provider = new KeepingProvider();
    engine =
        new RecoveryEngine(
            Map.of("keeper", provider),
            Map.<String, UrlTarget.Factory>of(),
            Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private DbRecoverConfig config() {
    EnvironmentConfig env =
        new EnvironmentConfig(
            "prod",
            Tier.PRODUCTION,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database("keeper", live.toSecretUri().reveal(), false, Map.of()),
            state.resolve("backups"),
            null,
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            Set.of(Method.values()),
            EnvironmentConfig.Retention.DEFAULT,
            List.of(new EnvironmentConfig.SmokeQuery("t readable", "select count(*) from t", null)),
            1);
    return new DbRecoverConfig(Optional.empty(), state, Map.of("prod", env));
  }

  private RunOutcome runInPlace() {
    Incident incident = new Incident(Incident.Kind.DATA, NOW, null, "snap-1", null);
    RecoveryEngine.Lock lock = engine.lock(config(), "prod", "test");
    Plan plan = engine.plan(config(), "prod", incident, false);
    try (RecoveryEngine.RunSession s =
        engine.start(
            config(), plan, new RunOptions(incident, true, false, List.of(), null), lock)) {
      return s.advance(NOW.plusSeconds(600), new Yes());
    }
  }

  @Test
  void inPlace_providerKeepsTheOriginal_noSafetyBackup_originalReplacedAndKept() throws Exception {
    RunOutcome outcome = runInPlace();

    assertThat(outcome.state()).as("%s", outcome.error()).isEqualTo(RunOutcome.State.DONE);
    assertThat(provider.backups).as("no safety backup taken").isZero();
    assertThat(rows(live)).containsExactly("1=good", "2=good");
    assertThat(rows(live.withDatabase(keptName()))).containsExactly("1=corrupt", "2=good", "3=new");
    String report = Files.readString(outcome.report());
    assertThat(report)
        .contains("database " + keptName())
        .contains("dbrecover swap-back " + outcome.runId());
  }

  @Test
  void swapBack_ofAnInPlaceRunWithAKeptOriginal_putsItBack() throws Exception {
    RunOutcome outcome = runInPlace();

    SwapBackResult result = engine.swapBack(config(), outcome.runId());

    assertThat(result.verification().passed()).isTrue();
    assertThat(result.target()).contains(keptName());
    assertThat(rows(live)).containsExactly("1=corrupt", "2=good", "3=new");
  }

  @Test
  void dryRun_providerPreviews_measuresTheLossExactly_andDeletesTheCopy() throws Exception {
    Plan plan =
        engine.dryRun(
            config(), "prod", new Incident(Incident.Kind.DATA, NOW, null, "snap-1", null), m -> {});

    assertThat(plan.dataLossEstimate().estimate()).isFalse();
    DataLossReport.Table t = plan.dataLossEstimate().tables().get(0);
    assertThat(List.of(t.lostRows(), t.changedRows(), t.addedRows())).containsExactly(1L, 1L, 0L);
    assertThat(provider.previews).hasSize(1);
    assertThat(exists(provider.previews.get(0))).as("the copy is deleted again").isFalse();
    assertThat(rows(live)).containsExactly("1=corrupt", "2=good", "3=new");
  }

  private String keptName() {
    return live.database() + "_kept";
  }

  private static List<String> rows(DbUrl url) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = TestPostgres.connect(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select id, v from t order by id")) {
      while (rs.next()) {
        out.add(rs.getInt(1) + "=" + rs.getString(2));
      }
    }
    return out;
  }

  private static boolean exists(String database) throws SQLException {
    try (Connection c = TestPostgres.connect(TestPostgres.url("postgres"));
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("select 1 from pg_database where datname = '" + database + "'")) {
      return rs.next();
    }
  }

  private static void admin(String sql) {
    TestPostgres.sql(TestPostgres.url("postgres"), sql);
  }

  private static void terminate(String database) {
    admin(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = '"
            + database
            + "' and pid <> pg_backend_pid()");
  }

  private static final class Yes implements Interaction {
    @Override
    public void progress(Step step, String message) {}

    @Override
    public boolean confirm(ProtectionLevel level, String phrase, String summary) {
      return true;
    }
  }

  /** Databases on the test server; replacing the original renames it to {@code <name>_kept}. */
  private final class KeepingProvider implements Provider {
    int backups;
    final List<String> previews = new ArrayList<>();

    @Override
    public String name() {
      return "keeper";
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
      return List.of(
          new RecoveryPoint(
              "snap-1",
              RecoveryPoint.Kind.SNAPSHOT,
              NOW.minusSeconds(3600),
              null,
              false,
              0,
              null,
              null,
              null,
              "fake snapshot"));
    }

    @Override
    public RecoveryPoint backup(ProviderContext ctx, BackupRequest request) {
      backups++;
      throw new AssertionError("the replacement keeps the original; no backup expected");
    }

    @Override
    public BackupCheck verifyBackup(ProviderContext ctx, String backupId, boolean deep) {
      throw new AssertionError("no backup to verify");
    }

    @Override
    public RestoreStatus startRestore(ProviderContext ctx, RestoreRequest request) {
      if (!exists(request.targetName())) {
        terminate(snapshot.database());
        admin("create database " + request.targetName() + " template " + snapshot.database());
      }
      return pollRestore(ctx, request);
    }

    @Override
    public RestoreStatus pollRestore(ProviderContext ctx, RestoreRequest request) {
      return new RestoreStatus.Done(live.withDatabase(request.targetName()), "copied");
    }

    @Override
    public void replaceOriginal(ProviderContext ctx, RestoreRequest restored, String originalName) {
      if (!exists(originalName + "_kept")) {
        terminate(originalName);
        terminate(restored.targetName());
        admin("alter database " + originalName + " rename to " + originalName + "_kept");
        admin("alter database " + restored.targetName() + " rename to " + originalName);
      }
    }

    @Override
    public Optional<String> originalKeptByReplace(ProviderContext ctx, RestoreRequest restored) {
      return Optional.of("database " + ctx.liveUrl().database() + "_kept");
    }

    @Override
    public Optional<String> putBackKeptOriginal(ProviderContext ctx, String runId) {
      String name = ctx.liveUrl().database();
      terminate(name);
      terminate(name + "_kept");
      admin("alter database " + name + " rename to " + name + "_recovered");
      admin("alter database " + name + "_kept rename to " + name);
      return Optional.of("database " + name + " put back from " + name + "_kept");
    }

    @Override
    public Optional<Preview> preview(ProviderContext ctx, RecoveryPoint point, String name) {
      terminate(snapshot.database());
      admin("create database " + name + " template " + snapshot.database());
      previews.add(name);
      return Optional.of(
          new Preview() {
            @Override
            public DbUrl url() {
              return live.withDatabase(name);
            }

            @Override
            public void close() {
              terminate(name);
              admin("drop database " + name);
            }
          });
    }

    @Override
    public boolean deleteBackup(ProviderContext ctx, String backupId) {
      return false;
    }

    private boolean exists(String database) {
      try {
        return RecoveryEngineKeptOriginalIT.exists(database);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
