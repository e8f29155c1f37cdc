package io.dbrecover.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuroraSnapshotTest {
  private static final String RUN = "run-20250115-104000-ab12";
  private static final String SOURCE = "orders-cluster";
  private static final String TARGET = "orders-cluster-rb-0115-1040-ab12";
  private static final Instant NOW = Instant.parse("2025-01-15T10:45:00Z");
  private static final String LABELLED = "orders-cluster-dbr-20250115-104500-pre-deploy-42";
  // Nothing listens there: the live database cannot be read, so no migration tag.
  private static final DbUrl LIVE = DbUrl.parse("postgresql://app:pw@127.0.0.1:1/orders");

  private AwsStub aws;
  private final List<Duration> sleeps = new ArrayList<>();
  private AuroraProvider provider;
  private ProviderContext ctx;

  @BeforeEach
  void setUp() {
    aws = new AwsStub();
    provider = new AuroraProvider(AwsStub.clients(), sleeps::add);
    EnvironmentConfig env =
        new EnvironmentConfig(
            "production",
            Tier.PRODUCTION,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database(
                "aurora",
                null,
                false,
                Map.of(
                    "cluster", SOURCE, "region", "eu-west-1", "endpoint-override", aws.endpoint())),
            Path.of("backups"),
            null,
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            Set.of(),
            EnvironmentConfig.Retention.DEFAULT,
            List.of(),
            1);
    ctx = new ProviderContext(env, LIVE, Path.of("state"), Clock.fixed(NOW, ZoneOffset.UTC), null);
    aws.server.stubFor(
        call("DescribeDBClusters", "DBClusterIdentifier=" + SOURCE)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("aurora/describe-clusters.xml")
                        .replace(
                            "${cluster}",
                            AuroraProviderTest.cluster(
                                SOURCE,
                                "available",
                                "<Tag><Key>team</Key><Value>payments</Value></Tag>")))));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  static String snapshot(String id, String status, String tags) {
    return AwsStub.fixture("aurora/cluster-snapshot.xml")
        .replace("${id}", id)
        .replace("${status}", status)
        .replace("${progress}", status.equals("available") ? "100" : "30")
        .replace(
            "${created}",
            status.equals("available")
                ? "<SnapshotCreateTime>2025-01-15T10:45:02.118Z</SnapshotCreateTime>"
                : "")
        .replace("${tags}", tags);
  }

  static String ours(String id, String label) {
    return "<Tag><Key>dbrecover:backup</Key><Value>"
        + id
        + "</Value></Tag><Tag><Key>dbrecover:source</Key><Value>"
        + SOURCE
        + "</Value></Tag>"
        + (label == null
            ? ""
            : "<Tag><Key>dbrecover:label</Key><Value>" + label + "</Value></Tag>");
  }

  static String describe(String... snapshots) {
    return AwsStub.fixture("aurora/describe-cluster-snapshots.xml")
        .replace("${snapshots}", String.join("\n", snapshots));
  }

  /** {@code action}, with the form parameter {@code param} (name=value) when given. */
  private static MappingBuilder call(String action, String param) {
    MappingBuilder b = post(urlEqualTo("/")).withRequestBody(containing("Action=" + action + "&"));
    return param == null
        ? b
        : b.withRequestBody(matching("(.*&)?" + Pattern.quote(param) + "(&.*|$)"));
  }

  private void snapshotsAre(String id, String... states) {
    for (int i = 0; i < states.length; i++) {
      aws.server.stubFor(
          call("DescribeDBClusterSnapshots", "DBClusterSnapshotIdentifier=" + id)
              .inScenario("snapshot")
              .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "s" + i)
              .willReturn(AwsStub.xml(200, describe(states[i])))
              .willSetStateTo("s" + (i + 1)));
    }
  }

  @Test
  void backup_withLabel_takesATaggedClusterSnapshotAndWaitsUntilAvailable() {
    aws.server.stubFor(
        call("CreateDBClusterSnapshot", null)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("aurora/create-cluster-snapshot.xml")
                        .replace(
                            "${snapshot}",
                            snapshot(LABELLED, "creating", ours(LABELLED, "pre-deploy-42"))))));
    snapshotsAre(
        LABELLED,
        snapshot(LABELLED, "creating", ours(LABELLED, "pre-deploy-42")),
        snapshot(LABELLED, "available", ours(LABELLED, "pre-deploy-42")));

    RecoveryPoint point = provider.backup(ctx, new BackupRequest("pre-deploy-42", false, null));

    assertThat(point.id()).isEqualTo(LABELLED);
    assertThat(point.kind()).isEqualTo(RecoveryPoint.Kind.SNAPSHOT);
    assertThat(point.labelOpt()).contains("pre-deploy-42");
    assertThat(sleeps).containsExactly(Duration.ofSeconds(15), Duration.ofSeconds(30));
    assertThat(aws.rdsRequests("CreateDBClusterSnapshot").get(0))
        .containsEntry("DBClusterIdentifier", SOURCE)
        .containsEntry("DBClusterSnapshotIdentifier", LABELLED)
        .containsEntry("Tags.Tag.1.Key", "dbrecover:backup")
        .containsEntry("Tags.Tag.1.Value", LABELLED)
        .containsEntry("Tags.Tag.3.Key", "dbrecover:label")
        .containsEntry("Tags.Tag.3.Value", "pre-deploy-42");
  }

  @Test
  void recoveryPoints_listsOnlyAvailableClusterSnapshotsDbrecoverTook() {
    aws.server.stubFor(
        call("DescribeDBClusterSnapshots", "DBClusterIdentifier=" + SOURCE)
            .willReturn(
                AwsStub.xml(
                    200,
                    describe(
                        snapshot(LABELLED, "available", ours(LABELLED, "pre-deploy-42")),
                        snapshot(
                            "orders-cluster-dbr-x", "creating", ours("orders-cluster-dbr-x", null)),
                        snapshot("by-hand", "available", "")))));

    assertThat(provider.recoveryPoints(ctx))
        .extracting(RecoveryPoint::id)
        .containsExactly(LABELLED);
    assertThat(aws.rdsRequests("DescribeDBClusterSnapshots").get(0))
        .containsEntry("SnapshotType", "manual");
  }

  @Test
  void startRestore_clusterSnapshot_restoresSideBySideWithTheEngineAndTheSettingsPassed() {
    aws.server.stubFor(
        call("DescribeDBClusters", "DBClusterIdentifier=" + TARGET)
            .willReturn(AwsStub.xml(404, AwsStub.rdsError("DBClusterNotFoundFault", "not found"))));
    aws.server.stubFor(
        call("RestoreDBClusterFromSnapshot", null)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("aurora/restore-cluster-from-snapshot.xml")
                        .replace(
                            "${cluster}",
                            AuroraProviderTest.cluster(
                                TARGET,
                                "creating",
                                "<Tag><Key>dbrecover:run</Key><Value>"
                                    + RUN
                                    + "</Value></Tag>")))));

    RestoreStatus status = provider.startRestore(ctx, snapshotRequest(LABELLED));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(aws.rdsRequests("RestoreDBClusterFromSnapshot").get(0))
        .containsEntry("SnapshotIdentifier", LABELLED)
        .containsEntry("DBClusterIdentifier", TARGET)
        .containsEntry("Engine", "aurora-postgresql")
        .containsEntry("DBSubnetGroupName", "orders-subnets")
        .containsEntry("VpcSecurityGroupIds.VpcSecurityGroupId.1", "sg-0a1b2c3d")
        .containsEntry("DBClusterParameterGroupName", "orders-apg16")
        .containsEntry("DeletionProtection", "true")
        .containsEntry("ServerlessV2ScalingConfiguration.MaxCapacity", "16.0")
        .containsEntry("Tags.Tag.2.Value", RUN);
  }

  @Test
  void startRestore_clusterSnapshotMissing_exits3() {
    aws.server.stubFor(
        call("DescribeDBClusters", "DBClusterIdentifier=" + TARGET)
            .willReturn(AwsStub.xml(404, AwsStub.rdsError("DBClusterNotFoundFault", "not found"))));
    aws.server.stubFor(
        call("RestoreDBClusterFromSnapshot", null)
            .willReturn(
                AwsStub.xml(
                    404,
                    AwsStub.rdsError(
                        "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot not found: gone"))));

    assertThatThrownBy(() -> provider.startRestore(ctx, snapshotRequest("orders-cluster-gone")))
        .isInstanceOf(DbRecoverException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.BACKUP_NOT_FOUND))
        .hasMessageContaining("Aurora cluster snapshot 'orders-cluster-gone' does not exist");
  }

  @Test
  void deleteBackup_ours_deletesAndOthers_areRefused() {
    snapshotsAre(LABELLED, snapshot(LABELLED, "available", ours(LABELLED, null)));
    aws.server.stubFor(
        call("DescribeDBClusterSnapshots", "DBClusterSnapshotIdentifier=by-hand")
            .willReturn(AwsStub.xml(200, describe(snapshot("by-hand", "available", "")))));
    aws.server.stubFor(
        call("DeleteDBClusterSnapshot", "DBClusterSnapshotIdentifier=" + LABELLED)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("aurora/delete-cluster-snapshot.xml")
                        .replace(
                            "${snapshot}", snapshot(LABELLED, "deleted", ours(LABELLED, null))))));

    assertThat(provider.deleteBackup(ctx, LABELLED)).isTrue();
    assertThatThrownBy(() -> provider.deleteBackup(ctx, "by-hand"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("was not taken by dbrecover");
    assertThat(aws.mutatingCalls()).containsExactly("DeleteDBClusterSnapshot");
  }

  private static RestoreRequest snapshotRequest(String id) {
    RecoveryPoint point =
        new RecoveryPoint(
            id,
            RecoveryPoint.Kind.SNAPSHOT,
            NOW.minusSeconds(60),
            null,
            false,
            0,
            null,
            null,
            null,
            "x");
    return new RestoreRequest(RUN, point, "orders_rb_x", false);
  }
}
