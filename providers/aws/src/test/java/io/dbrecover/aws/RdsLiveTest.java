package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.aws.internal.InstanceNames;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.DBInstance;

/**
 * The {@code rds} provider against a real AWS account; runs only under {@code -Plive} and only when
 * {@code DBRECOVER_LIVE_RDS_INSTANCE} names an RDS for PostgreSQL instance (region from {@code
 * AWS_REGION}, credentials from the default chain). Read-only unless {@code
 * DBRECOVER_LIVE_RDS_RESTORE=true}: then it restores the instance to five minutes ago side by side,
 * waits for it (up to 90 minutes; it costs an instance-hour), compares its settings with the
 * source's and deletes it.
 */
@EnabledIfEnvironmentVariable(
    named = "DBRECOVER_LIVE_RDS_INSTANCE",
    matches = "[A-Za-z][A-Za-z0-9-]*")
class RdsLiveTest {
  private static final String INSTANCE = System.getenv("DBRECOVER_LIVE_RDS_INSTANCE");
  private static final String REGION = System.getenv("AWS_REGION");

  private final AwsClients clients = AwsClients.fromDefaultChain();
  private final RdsProvider provider = new RdsProvider(clients);
  private ProviderContext ctx;

  @BeforeEach
  void setUp() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put(RdsProvider.INSTANCE, INSTANCE);
    if (REGION != null) {
      options.put(AwsSettings.REGION, REGION);
    }
    EnvironmentConfig env =
        new EnvironmentConfig(
            "live",
            Tier.STAGING,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database(RdsProvider.NAME, null, false, options),
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
  void capabilities_realInstanceWithBackups_hasAWindowEndingWithinMinutesOfNow() {
    Capabilities caps = provider.capabilities(ctx);

    assertThat(caps.methods()).contains(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE);
    assertThat(caps.historyWindow().earliest()).isBefore(caps.historyWindow().latest());
    assertThat(caps.historyWindow().latest()).isAfter(Instant.now().minus(Duration.ofMinutes(30)));
  }

  @Test
  void recoveryPoints_realInstance_areSnapshotsDbrecoverTookNewestFirst() {
    List<RecoveryPoint> points = provider.recoveryPoints(ctx);

    assertThat(points).allSatisfy(p -> assertThat(p.id()).startsWith(INSTANCE + "-dbr-"));
    assertThat(points)
        .extracting(RecoveryPoint::takenAt)
        .isSortedAccordingTo(java.util.Comparator.reverseOrder());
  }

  @Test
  @EnabledIfEnvironmentVariable(named = "DBRECOVER_LIVE_RDS_RESTORE", matches = "true")
  void startRestore_toFiveMinutesAgo_becomesAvailableWithTheSourcesSettings() throws Exception {
    String run =
        "run-"
            + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now())
            + "-11fe";
    RestoreRequest request =
        new RestoreRequest(
            run,
            RecoveryPoint.at(
                Instant.now().minus(Duration.ofMinutes(5)), RecoveryPoint.Kind.POINT_IN_TIME),
            "live_rb",
            false);
    String target = InstanceNames.restored(INSTANCE, run);
    RdsClient rds = clients.rds(RdsProvider.settings(ctx.environment()));
    try {
      RestoreStatus status = provider.startRestore(ctx, request);
      Instant giveUp = Instant.now().plus(Duration.ofMinutes(90));
      while (status instanceof RestoreStatus.Running && Instant.now().isBefore(giveUp)) {
        Thread.sleep(60_000);
        status = provider.pollRestore(ctx, request);
      }

      assertThat(status).isInstanceOf(RestoreStatus.Done.class);
      DBInstance source = describe(rds, INSTANCE);
      DBInstance restored = describe(rds, target);
      assertThat(restored.dbSubnetGroup().dbSubnetGroupName())
          .isEqualTo(source.dbSubnetGroup().dbSubnetGroupName());
      assertThat(restored.vpcSecurityGroups())
          .extracting(g -> g.vpcSecurityGroupId())
          .containsExactlyInAnyOrderElementsOf(
              source.vpcSecurityGroups().stream().map(g -> g.vpcSecurityGroupId()).toList());
      assertThat(restored.dbParameterGroups().get(0).dbParameterGroupName())
          .isEqualTo(source.dbParameterGroups().get(0).dbParameterGroupName());
      assertThat(restored.dbInstanceClass()).isEqualTo(source.dbInstanceClass());
      assertThat(restored.multiAZ()).isEqualTo(source.multiAZ());
    } finally {
      // Clean-up is not something dbrecover does, so its calls are outside the IAM list.
      IamActionRecorder.outsideTheList(
          () -> {
            try {
              rds.modifyDBInstance(
                  b ->
                      b.dbInstanceIdentifier(target)
                          .deletionProtection(false)
                          .applyImmediately(true));
              rds.deleteDBInstance(
                  b ->
                      b.dbInstanceIdentifier(target)
                          .skipFinalSnapshot(true)
                          .deleteAutomatedBackups(true));
            } catch (software.amazon.awssdk.services.rds.model.DbInstanceNotFoundException gone) {
              // the restore never started
            }
          });
    }
  }

  private static DBInstance describe(RdsClient rds, String id) {
    return rds.describeDBInstances(b -> b.dbInstanceIdentifier(id)).dbInstances().get(0);
  }
}
