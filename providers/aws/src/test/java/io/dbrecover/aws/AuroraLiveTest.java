package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ProviderContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The {@code aurora} provider against a real AWS account, read-only; runs only under {@code -Plive}
 * and only when {@code DBRECOVER_LIVE_AURORA_CLUSTER} names an Aurora PostgreSQL cluster (region
 * from {@code AWS_REGION}, credentials from the default chain).
 */
@EnabledIfEnvironmentVariable(
    named = "DBRECOVER_LIVE_AURORA_CLUSTER",
    matches = "[A-Za-z][A-Za-z0-9-]*")
class AuroraLiveTest {
  private static final String CLUSTER = System.getenv("DBRECOVER_LIVE_AURORA_CLUSTER");
  private static final String REGION = System.getenv("AWS_REGION");

  private final AuroraProvider provider = new AuroraProvider(AwsClients.fromDefaultChain());
  private ProviderContext ctx;

  @BeforeEach
  void setUp() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put(AuroraProvider.CLUSTER, CLUSTER);
    if (REGION != null) {
      options.put(AwsSettings.REGION, REGION);
    }
    EnvironmentConfig env =
        new EnvironmentConfig(
            "live",
            Tier.STAGING,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database(AuroraProvider.NAME, null, false, options),
            Path.of("backups"),
            null,
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            Set.of(),
            EnvironmentConfig.Retention.DEFAULT,
            List.of(),
            1);
    DbUrl url = provider.configuredUrl(env, Path.of("state"));
    ctx = new ProviderContext(env, url, Path.of("state"), Clock.systemUTC(), null);
  }

  @Test
  void capabilities_realCluster_hasAWindowEndingWithinMinutesOfNow() {
    Capabilities caps = provider.capabilities(ctx);

    assertThat(caps.methods()).contains(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE);
    assertThat(caps.historyWindow().earliest()).isBefore(caps.historyWindow().latest());
    assertThat(caps.historyWindow().latest()).isAfter(Instant.now().minus(Duration.ofMinutes(30)));
  }

  @Test
  void recoveryPoints_realCluster_areSnapshotsDbrecoverTook() {
    List<RecoveryPoint> points = provider.recoveryPoints(ctx);

    assertThat(points).allSatisfy(p -> assertThat(p.id()).startsWith(CLUSTER + "-dbr-"));
  }
}
