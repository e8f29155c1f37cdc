package io.dbrecover.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.UrlTarget;
import io.dbrecover.engine.testing.PitrTestProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's point-in-time entry points against a provider that archives WAL itself. */
class RecoveryEngineArchivingTest {
  private static final Instant NOW = Instant.parse("2025-06-10T12:00:00Z");
  private static final RestoreWindow WINDOW =
      new RestoreWindow(Instant.parse("2025-06-09T00:00:00Z"), NOW.minusSeconds(30));
  // Nothing listens on port 1: the live database is unreachable, as far as these tests care.
  private static final DbUrl UNREACHABLE =
      DbUrl.parse("postgresql://app:secret@127.0.0.1:1/app?connectTimeout=1");

  @TempDir Path state;
  PitrTestProvider provider;
  RecoveryEngine engine;

  @BeforeEach
  void setUp() {
    provider = new PitrTestProvider(UNREACHABLE, WINDOW);
    engine = engine(provider);
  }

  private RecoveryEngine engine(Provider p) {
    return new RecoveryEngine(
        Map.of("pitr-test", p),
        Map.<String, UrlTarget.Factory>of(),
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private DbRecoverConfig config() {
    EnvironmentConfig env =
        new EnvironmentConfig(
            "prod",
            Tier.PRODUCTION,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database(
                "pitr-test", UNREACHABLE.toSecretUri().reveal(), false, Map.of()),
            state.resolve("backups"),
            null,
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            Set.of(Method.values()),
            EnvironmentConfig.Retention.DEFAULT,
            List.of(),
            1);
    return new DbRecoverConfig(Optional.empty(), state, Map.of("prod", env));
  }

  @Test
  void archivingStatus_archivingProvider_returnsItsStatus() {
    ArchivingStatus s = engine.archivingStatus(config(), "prod");

    assertThat(s.healthy()).isTrue();
    assertThat(s.window()).isEqualTo(WINDOW);
  }

  @Test
  void enableArchiving_dryRun_asksTheProviderWithoutApplying() {
    ArchivingStatus s = engine.enableArchiving(config(), "prod", false, m -> {});

    assertThat(provider.enableCalls).containsExactly(false);
    assertThat(s.pendingRestart()).isTrue();
  }

  @Test
  void enableArchiving_apply_appliesUnderTheLock() {
    engine.enableArchiving(config(), "prod", true, m -> {});

    assertThat(provider.enableCalls).containsExactly(true);
  }

  @Test
  void backup_physical_asksForABaseBackup() {
    RecoveryPoint p = engine.backup(config(), "prod", "pre-deploy", true, m -> {});

    assertThat(p.kind()).isEqualTo(RecoveryPoint.Kind.BASE_BACKUP);
    assertThat(provider.backupRequests).singleElement().matches(r -> r.physical());
  }

  @Test
  void backup_logical_isNotPhysical() {
    engine.backup(config(), "prod", null, m -> {});

    assertThat(provider.backupRequests).singleElement().matches(r -> !r.physical());
  }

  @Test
  void archivingStatus_providerWithoutArchiving_configurationErrorPointingAtPlanAndStatus() {
    RecoveryEngine plain = engine(new NonArchiving(provider));

    assertThatThrownBy(() -> plain.archivingStatus(config(), "prod"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "environment 'prod' uses provider 'pitr-test', which does not let dbrecover run WAL"
                + " archiving or base backups (a cloud provider keeps its own point-in-time"
                + " history); `dbrecover plan prod` and `dbrecover status prod` show its restore window");
    assertThatThrownBy(() -> plain.backup(config(), "prod", null, true, m -> {}))
        .isInstanceOf(ConfigurationException.class);
  }

  @Test
  void timeline_unreachableLiveDatabase_listsWindowAndBackupsInTimeOrderAndSaysWhy() {
    provider.points.add(
        new RecoveryPoint(
            "base-1",
            RecoveryPoint.Kind.BASE_BACKUP,
            Instant.parse("2025-06-09T00:00:00Z"),
            null,
            false,
            0,
            null,
            null,
            null,
            null));
    provider.points.add(
        new RecoveryPoint(
            "backup-1",
            RecoveryPoint.Kind.LOGICAL_BACKUP,
            Instant.parse("2025-06-10T06:00:00Z"),
            null,
            false,
            0,
            null,
            null,
            null,
            null));

    Timeline t = engine.timeline(config(), "prod");

    assertThat(t.historyWindow()).isEqualTo(WINDOW);
    assertThat(t.entries())
        .extracting(Timeline.Entry::kind)
        .containsExactly(
            Timeline.Kind.WINDOW_START,
            Timeline.Kind.BASE_BACKUP,
            Timeline.Kind.LOGICAL_BACKUP,
            Timeline.Kind.WINDOW_END);
    assertThat(t.notes())
        .containsExactly(
            "the live database postgresql://app:****@127.0.0.1:1/app?connectTimeout=1 did not"
                + " answer, so its migrations are not shown");
  }

  /** The same provider without {@link io.dbrecover.engine.spi.ContinuousArchiving}. */
  private static final class NonArchiving implements Provider {
    private final PitrTestProvider p;

    NonArchiving(PitrTestProvider p) {
      this.p = p;
    }

    @Override
    public String name() {
      return p.name();
    }

    @Override
    public DbUrl configuredUrl(EnvironmentConfig environment, Path stateDir) {
      return p.configuredUrl(environment, stateDir);
    }

    @Override
    public io.dbrecover.engine.spi.Capabilities capabilities(
        io.dbrecover.engine.spi.ProviderContext ctx) {
      return p.capabilities(ctx);
    }

    @Override
    public List<RecoveryPoint> recoveryPoints(io.dbrecover.engine.spi.ProviderContext ctx) {
      return p.recoveryPoints(ctx);
    }

    @Override
    public RecoveryPoint backup(
        io.dbrecover.engine.spi.ProviderContext ctx, io.dbrecover.engine.spi.BackupRequest r) {
      return p.backup(ctx, r);
    }

    @Override
    public BackupCheck verifyBackup(
        io.dbrecover.engine.spi.ProviderContext ctx, String backupId, boolean deep) {
      return p.verifyBackup(ctx, backupId, deep);
    }

    @Override
    public io.dbrecover.engine.spi.RestoreStatus startRestore(
        io.dbrecover.engine.spi.ProviderContext ctx, io.dbrecover.engine.spi.RestoreRequest r) {
      return p.startRestore(ctx, r);
    }

    @Override
    public io.dbrecover.engine.spi.RestoreStatus pollRestore(
        io.dbrecover.engine.spi.ProviderContext ctx, io.dbrecover.engine.spi.RestoreRequest r) {
      return p.pollRestore(ctx, r);
    }

    @Override
    public void replaceOriginal(
        io.dbrecover.engine.spi.ProviderContext ctx,
        io.dbrecover.engine.spi.RestoreRequest restored,
        String originalName) {
      p.replaceOriginal(ctx, restored, originalName);
    }

    @Override
    public boolean deleteBackup(io.dbrecover.engine.spi.ProviderContext ctx, String backupId) {
      return false;
    }
  }
}
