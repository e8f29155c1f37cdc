package io.dbrecover.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuroraProviderTest {
  private static final String RUN = "run-20250115-104000-ab12";
  private static final String SOURCE = "orders-cluster";
  private static final String TARGET = "orders-cluster-rb-0115-1040-ab12";
  private static final String WRITER = "orders-cluster-rbw-0115-1040-ab12";
  private static final Instant NOW = Instant.parse("2025-01-15T10:45:00Z");
  private static final Instant EARLIEST = Instant.parse("2025-01-08T03:10:00Z");
  private static final Instant LATEST = Instant.parse("2025-01-15T10:40:00Z");
  private static final Instant BEFORE_MIGRATION = Instant.parse("2025-01-15T10:20:00.123456Z");
  private static final String PASSWORD = "s3cret-pw";
  private static final DbUrl LIVE =
      DbUrl.parse(
          "postgresql://app:"
              + PASSWORD
              + "@orders-cluster.cluster-c9akciq32.eu-west-1.rds.amazonaws.com:5432/orders"
              + "?sslmode=require");
  private static final String OUR_TAGS =
      "<Tag><Key>team</Key><Value>payments</Value></Tag>"
          + "<Tag><Key>dbrecover:run</Key><Value>"
          + RUN
          + "</Value></Tag><Tag><Key>dbrecover:source</Key><Value>orders-cluster</Value></Tag>";

  private AwsStub aws;
  private AuroraProvider provider;
  private ProviderContext ctx;

  @BeforeEach
  void setUp() {
    aws = new AwsStub();
    provider = new AuroraProvider(AwsStub.clients());
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
    clusterIs(
        SOURCE,
        cluster(
            SOURCE,
            "available",
            "<Tag><Key>team</Key><Value>payments</Value></Tag>",
            "<DBClusterMember><DBInstanceIdentifier>orders-cluster-w1</DBInstanceIdentifier>"
                + "<IsClusterWriter>true</IsClusterWriter><DBClusterParameterGroupStatus>in-sync"
                + "</DBClusterParameterGroupStatus><PromotionTier>1</PromotionTier>"
                + "</DBClusterMember><DBClusterMember><DBInstanceIdentifier>orders-cluster-r1"
                + "</DBInstanceIdentifier><IsClusterWriter>false</IsClusterWriter>"
                + "<DBClusterParameterGroupStatus>in-sync</DBClusterParameterGroupStatus>"
                + "<PromotionTier>1</PromotionTier></DBClusterMember>"));
    aws.rds(
        "DescribeDBInstances",
        "orders-cluster-w1",
        describeInstance(
            instance(
                "orders-cluster-w1",
                SOURCE,
                "available",
                "<Tag><Key>team</Key><Value>payments</Value></Tag>")));
    aws.server.stubFor(
        clusterCall("DescribeDBClusters", TARGET)
            .willReturn(
                AwsStub.xml(
                    404,
                    AwsStub.rdsError(
                        "DBClusterNotFoundFault", "DBCluster " + TARGET + " not found."))));
    aws.rdsError("DescribeDBInstances", WRITER, 404, "DBInstanceNotFound", "not found");
    aws.server.stubFor(
        clusterCall("RestoreDBClusterToPointInTime", null)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("aurora/restore-cluster.xml")
                        .replace("${cluster}", cluster(TARGET, "creating", OUR_TAGS)))));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  static String cluster(String id, String status, String tags) {
    return cluster(id, status, tags, "");
  }

  static String cluster(String id, String status, String tags, String members) {
    return AwsStub.fixture("aurora/cluster.xml")
        .replace("${id}", id)
        .replace("${status}", status)
        .replace(
            "${window}",
            id.equals(SOURCE)
                ? "<EarliestRestorableTime>"
                    + EARLIEST
                    + "</EarliestRestorableTime><LatestRestorableTime>"
                    + LATEST
                    + "</LatestRestorableTime>"
                : "")
        .replace("${created}", id.equals(SOURCE) ? "2024-03-01T09:00:00Z" : "2025-01-15T10:40:05Z")
        .replace("${members}", members)
        .replace("${tags}", tags);
  }

  static String instance(String id, String cluster, String status, String tags) {
    return AwsStub.fixture("aurora/instance.xml")
        .replace("${id}", id)
        .replace("${cluster}", cluster)
        .replace("${status}", status)
        .replace("${tags}", tags);
  }

  static String describeInstance(String instance) {
    return AwsStub.fixture("aurora/describe-instances.xml").replace("${instance}", instance);
  }

  private void clusterIs(String id, String cluster) {
    aws.server.stubFor(
        clusterCall("DescribeDBClusters", id)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("aurora/describe-clusters.xml")
                        .replace("${cluster}", cluster))));
  }

  private static MappingBuilder clusterCall(String action, String cluster) {
    MappingBuilder b = post(urlEqualTo("/")).withRequestBody(containing("Action=" + action + "&"));
    return cluster == null
        ? b
        : b.withRequestBody(
            matching(".*DBClusterIdentifier=" + Pattern.quote(cluster) + "(&.*|$)"));
  }

  private static RestoreRequest request(Instant at) {
    return new RestoreRequest(
        RUN, RecoveryPoint.at(at, RecoveryPoint.Kind.POINT_IN_TIME), "orders_rb_x", false);
  }

  @Test
  void capabilities_backupsOn_offersPointInTimeFromEarliestToLatestRestorableAndSnapshots() {
    Capabilities caps = provider.capabilities(ctx);

    assertThat(caps.methods())
        .containsExactlyInAnyOrder(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE);
    assertThat(caps.historyWindow()).isEqualTo(new RestoreWindow(EARLIEST, LATEST));
  }

  @Test
  void startRestore_targetInThePast_fullCopyPassingTheSettingsARestoreDoesNotCopy() {
    RestoreStatus status = provider.startRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(((RestoreStatus.Running) status).detail()).contains(TARGET, "creating");
    assertThat(aws.rdsRequests("RestoreDBClusterToPointInTime").get(0))
        .containsEntry("SourceDBClusterIdentifier", SOURCE)
        .containsEntry("DBClusterIdentifier", TARGET)
        .containsEntry("RestoreType", "full-copy")
        .containsEntry("RestoreToTime", "2025-01-15T10:20:00.123Z")
        .containsEntry("DBSubnetGroupName", "orders-subnets")
        .containsEntry("VpcSecurityGroupIds.VpcSecurityGroupId.1", "sg-0a1b2c3d")
        .containsEntry("DBClusterParameterGroupName", "orders-apg16")
        .containsEntry("Port", "5432")
        .containsEntry("DeletionProtection", "true")
        .containsEntry("EnableIAMDatabaseAuthentication", "true")
        .containsEntry("CopyTagsToSnapshot", "true")
        .containsEntry("ServerlessV2ScalingConfiguration.MinCapacity", "0.5")
        .containsEntry("ServerlessV2ScalingConfiguration.MaxCapacity", "16.0")
        .containsEntry("Tags.Tag.1.Key", "team")
        .containsEntry("Tags.Tag.2.Key", "dbrecover:run")
        .containsEntry("Tags.Tag.2.Value", RUN)
        .doesNotContainKey("UseLatestRestorableTime");
    assertThat(aws.rdsRequests("CreateDBInstance")).isEmpty();
  }

  @Test
  void startRestore_atTheLatestRestorableTime_clonesCopyOnWrite() {
    provider.startRestore(ctx, request(LATEST));

    assertThat(aws.rdsRequests("RestoreDBClusterToPointInTime").get(0))
        .containsEntry("RestoreType", "copy-on-write")
        .containsEntry("UseLatestRestorableTime", "true")
        .doesNotContainKey("RestoreToTime");
  }

  @Test
  void pollRestore_clusterAvailableWithoutWriter_createsOneLikeTheSourceWriter() {
    clusterIs(TARGET, cluster(TARGET, "available", OUR_TAGS));
    aws.server.stubFor(
        clusterCall("CreateDBInstance", TARGET)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("aurora/create-instance.xml")
                        .replace("${instance}", instance(WRITER, TARGET, "creating", OUR_TAGS)))));

    RestoreStatus status = provider.pollRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(((RestoreStatus.Running) status).detail()).contains("creating writer " + WRITER);
    assertThat(aws.rdsRequests("CreateDBInstance").get(0))
        .containsEntry("DBInstanceIdentifier", WRITER)
        .containsEntry("DBClusterIdentifier", TARGET)
        .containsEntry("Engine", "aurora-postgresql")
        .containsEntry("DBInstanceClass", "db.serverless")
        .containsEntry("DBParameterGroupName", "orders-apg16-instance")
        .containsEntry("PubliclyAccessible", "false")
        .containsEntry("Tags.Tag.2.Value", RUN);
  }

  @Test
  void pollRestore_clusterAndWriterAvailable_isDoneOnTheClusterEndpointWithTheLiveCredentials() {
    clusterIs(TARGET, cluster(TARGET, "available", OUR_TAGS));
    aws.rds(
        "DescribeDBInstances",
        WRITER,
        describeInstance(instance(WRITER, TARGET, "available", OUR_TAGS)));

    RestoreStatus status = provider.pollRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Done.class);
    DbUrl url = ((RestoreStatus.Done) status).url();
    assertThat(url.host()).isEqualTo(TARGET + ".cluster-c9akciq32.eu-west-1.rds.amazonaws.com");
    assertThat(url.password().map(p -> p.reveal())).contains(PASSWORD);
    assertThat(url.params()).containsEntry("sslmode", "require");
    assertThat(aws.mutatingCalls()).isEmpty();
  }

  @Test
  void startRestore_retriedAfterTheRestoreCall_issuesNoSecondRestore() {
    clusterIs(TARGET, cluster(TARGET, "creating", OUR_TAGS));

    RestoreStatus status = provider.startRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(aws.mutatingCalls()).isEmpty();
  }

  @Test
  void startRestore_targetClusterOfAnotherRun_failsWithExit1() {
    clusterIs(
        TARGET,
        cluster(TARGET, "available", "<Tag><Key>dbrecover:run</Key><Value>run-x</Value></Tag>"));

    assertThatThrownBy(() -> provider.startRestore(ctx, request(BEFORE_MIGRATION)))
        .isInstanceOf(io.dbrecover.engine.api.ConfigurationException.class)
        .hasMessageContaining("already exists and was not created by run " + RUN);
    assertThat(aws.mutatingCalls()).isEmpty();
  }

  @Test
  void startRestore_targetBeforeTheWindow_exits2WithTheWindowBeforeAnyChange() {
    assertThatThrownBy(
            () -> provider.startRestore(ctx, request(Instant.parse("2025-01-01T00:00:00Z"))))
        .isInstanceOf(DbRecoverException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.NO_RECOVERY_POINT))
        .hasMessageContaining("2025-01-08T03:10:00Z .. 2025-01-15T10:40:00Z");
    assertThat(aws.mutatingCalls()).isEmpty();
  }

  @Test
  void startRestore_clusterQuotaExceeded_exits8() {
    aws.server.stubFor(
        clusterCall("RestoreDBClusterToPointInTime", null)
            .willReturn(
                AwsStub.xml(
                    403,
                    AwsStub.rdsError(
                        "DBClusterQuotaExceededFault", "Cannot create more than 40 DB clusters"))));

    assertThatThrownBy(() -> provider.startRestore(ctx, request(BEFORE_MIGRATION)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("rds:RestoreDBClusterToPointInTime")
        .hasMessageContaining("quota or capacity limit");
  }

  @Test
  void pollRestore_writerFailed_failsLeavingTheOriginal() {
    clusterIs(TARGET, cluster(TARGET, "available", OUR_TAGS));
    aws.rds(
        "DescribeDBInstances",
        WRITER,
        describeInstance(instance(WRITER, TARGET, "incompatible-parameters", OUR_TAGS)));

    RestoreStatus status = provider.pollRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Failed.class);
    assertThat(((RestoreStatus.Failed) status).reason())
        .contains(WRITER, "incompatible-parameters", "original 'orders-cluster' is untouched");
  }
}
