package io.dbrecover.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.gcp.internal.Sleeper;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Against a real Cloud SQL instance (run with {@code -Plive}), with Application Default
 * Credentials: {@code GCP_PROJECT} and {@code GCP_SQL_INSTANCE}. Read-only: reads the restore
 * window and lists backup runs; creates nothing (a clone costs money and takes many minutes).
 */
@EnabledIfEnvironmentVariable(named = "GCP_PROJECT", matches = ".+")
@EnabledIfEnvironmentVariable(named = "GCP_SQL_INSTANCE", matches = ".+")
class GcpLiveTest {
  private final CloudSqlProvider provider =
      new CloudSqlProvider(GcpClients.applicationDefault(), Sleeper.SYSTEM, System.getenv());
  private final ProviderContext ctx =
      new ProviderContext(
          new EnvironmentConfig(
              "live",
              Tier.PRODUCTION,
              ProtectionLevel.NONE,
              new EnvironmentConfig.Database(
                  "cloudsql",
                  null,
                  false,
                  Map.of(
                      "project", System.getenv("GCP_PROJECT"),
                      "instance", System.getenv("GCP_SQL_INSTANCE"))),
              Path.of("backups"),
              null,
              new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
              Set.of(),
              EnvironmentConfig.Retention.DEFAULT,
              List.of(),
              1),
          DbUrl.parse("postgresql://postgres@unused.invalid/postgres"),
          Path.of(System.getProperty("java.io.tmpdir")),
          Clock.systemUTC(),
          null);

  @Test
  void capabilities_realInstance_windowWhenPointInTimeRecoveryIsOnElseSaysHowToTurnItOn() {
    Capabilities caps = provider.capabilities(ctx);

    if (caps.historyWindow() != null) {
      assertThat(caps.historyWindow().latest()).isAfter(caps.historyWindow().earliest());
    } else {
      assertThat(caps.notes()).anyMatch(n -> n.contains("--enable-point-in-time-recovery"));
    }
  }

  @Test
  void recoveryPoints_realInstance_successfulBackupRunsNewestFirst() {
    List<RecoveryPoint> points = provider.recoveryPoints(ctx);

    for (int i = 1; i < points.size(); i++) {
      assertThat(points.get(i).takenAt()).isBeforeOrEqualTo(points.get(i - 1).takenAt());
    }
  }
}
