package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.RateLimitedException;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RdsProviderTest {
  private static final String RUN = "run-20250115-104000-ab12";
  private static final String TARGET = "orders-rb-0115-1040-ab12";
  private static final String PASSWORD = "s3cret-pw";
  private static final DbUrl LIVE =
      DbUrl.parse(
          "postgresql://app:"
              + PASSWORD
              + "@orders.c9akciq32.eu-west-1.rds.amazonaws.com:5432/orders?sslmode=require");
  private static final Instant NOW = Instant.parse("2025-01-15T10:45:00Z");
  private static final Instant BEFORE_MIGRATION = Instant.parse("2025-01-15T10:20:00.123456Z");

  private AwsStub aws;
  private RdsProvider provider;
  private ProviderContext ctx;

  @BeforeEach
  void setUp() {
    aws = new AwsStub();
    provider = new RdsProvider(AwsStub.clients());
    ctx =
        new ProviderContext(
            aws.rdsEnvironment(null, Map.of()),
            LIVE,
            Path.of("state"),
            Clock.fixed(NOW, ZoneOffset.UTC),
            null);
    aws.rds("DescribeDBInstances", "orders", AwsStub.fixture("rds/describe-source.xml"));
    aws.rds(
        "DescribeDBInstanceAutomatedBackups",
        "orders",
        AwsStub.fixture("rds/describe-automated-backups.xml"));
    aws.rdsError(
        "DescribeDBInstances",
        TARGET,
        404,
        "DBInstanceNotFound",
        "DBInstance " + TARGET + " not found.");
    aws.rds("RestoreDBInstanceToPointInTime", null, AwsStub.fixture("rds/restore-target.xml"));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private static RestoreRequest request(Instant at) {
    return new RestoreRequest(
        RUN, RecoveryPoint.at(at, RecoveryPoint.Kind.POINT_IN_TIME), "orders_rb_x", false);
  }

  private void targetIs(String status, String run, boolean withEndpoint) {
    String endpoint =
        withEndpoint
            ? "<Endpoint><Address>"
                + TARGET
                + ".c9akciq32.eu-west-1.rds.amazonaws.com</Address><Port>5433</Port>"
                + "<HostedZoneId>Z29XKXDKYMONMX</HostedZoneId></Endpoint>"
            : "";
    aws.rds(
        "DescribeDBInstances",
        TARGET,
        AwsStub.fixture("rds/describe-target.xml")
            .replace("${status}", status)
            .replace("${run}", run)
            .replace("${endpoint}", endpoint));
  }

  @Test
  void capabilities_backupsOn_offersPointInTimeFromLiveBackupToLatestRestorableAndSnapshots() {
    Capabilities caps = provider.capabilities(ctx);

    assertThat(caps.methods())
        .containsExactlyInAnyOrder(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE);
    // The retained backup of an older, deleted instance of the same name does not count.
    assertThat(caps.historyWindow())
        .isEqualTo(
            new RestoreWindow(
                Instant.parse("2025-01-08T03:10:00Z"), Instant.parse("2025-01-15T10:25:00Z")));
  }

  @Test
  void capabilities_retentionZero_offersSnapshotsOnlyAndSaysWhy() {
    aws.rds(
        "DescribeDBInstances",
        "orders",
        AwsStub.fixture("rds/describe-source.xml")
            .replace("<BackupRetentionPeriod>7<", "<BackupRetentionPeriod>0<")
            .replaceAll("<LatestRestorableTime>.*</LatestRestorableTime>", ""));

    Capabilities caps = provider.capabilities(ctx);

    assertThat(caps.methods()).containsExactly(Method.SNAPSHOT_RESTORE);
    assertThat(caps.historyWindow()).isNull();
    assertThat(caps.notes()).singleElement().asString().contains("automated backups are off");
  }

  @Test
  void startRestore_passesTheSettingsARestoreDoesNotCopyAndTheTargetTime() {
    RestoreStatus status = provider.startRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(((RestoreStatus.Running) status).detail()).contains(TARGET, "creating");
    Map<String, String> sent = aws.rdsRequests("RestoreDBInstanceToPointInTime").get(0);
    assertThat(sent)
        .containsEntry("Version", "2014-10-31")
        .containsEntry("SourceDBInstanceIdentifier", "orders")
        .containsEntry("TargetDBInstanceIdentifier", TARGET)
        .containsEntry("RestoreTime", "2025-01-15T10:20:00.123Z")
        .containsEntry("DBSubnetGroupName", "orders-subnets")
        .containsEntry("VpcSecurityGroupIds.VpcSecurityGroupId.1", "sg-0a1b2c3d")
        .containsEntry("VpcSecurityGroupIds.VpcSecurityGroupId.2", "sg-0e4f5a6b")
        .containsEntry("DBParameterGroupName", "orders-pg16")
        .containsEntry("OptionGroupName", "default:postgres-16")
        .containsEntry("DBInstanceClass", "db.r6g.large")
        .containsEntry("MultiAZ", "true")
        .containsEntry("StorageType", "gp3")
        .containsEntry("PubliclyAccessible", "false")
        .containsEntry("DeletionProtection", "true")
        .containsEntry("EnableIAMDatabaseAuthentication", "true")
        .containsEntry("CopyTagsToSnapshot", "true")
        .containsEntry("Port", "5432")
        .containsEntry("Tags.Tag.1.Key", "team")
        .containsEntry("Tags.Tag.1.Value", "payments")
        .containsEntry("Tags.Tag.2.Key", "dbrecover:run")
        .containsEntry("Tags.Tag.2.Value", RUN)
        .containsEntry("Tags.Tag.3.Key", "dbrecover:source")
        .containsEntry("Tags.Tag.3.Value", "orders")
        // aws: tags are reserved; gp3 baseline IOPS would be rejected below 400 GiB.
        .doesNotContainValue("aws:cloudformation:stack-name")
        .doesNotContainKey("Iops")
        .doesNotContainKey("UseLatestRestorableTime");
  }

  @Test
  void startRestore_atLatestRestorableTime_usesLatestRestorableTime() {
    provider.startRestore(ctx, request(Instant.parse("2025-01-15T10:25:00Z")));

    assertThat(aws.rdsRequests("RestoreDBInstanceToPointInTime").get(0))
        .containsEntry("UseLatestRestorableTime", "true")
        .doesNotContainKey("RestoreTime");
  }

  @Test
  void startRestore_retriedAfterTheRestoreCall_findsTheInstanceAndIssuesNoSecondRestore() {
    provider.startRestore(ctx, request(BEFORE_MIGRATION));
    targetIs("creating", RUN, false);

    RestoreStatus again = provider.startRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(again).isInstanceOf(RestoreStatus.Running.class);
    assertThat(aws.rdsRequests("RestoreDBInstanceToPointInTime")).hasSize(1);
  }

  @Test
  void startRestore_targetCreatedConcurrently_adoptsItOnAlreadyExists() {
    aws.rdsError(
        "RestoreDBInstanceToPointInTime",
        null,
        400,
        "DBInstanceAlreadyExists",
        "DB instance already exists");
    aws.server.stubFor(
        AwsStub.rdsCall("DescribeDBInstances", TARGET)
            .inScenario("race")
            .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
            .willReturn(AwsStub.xml(404, AwsStub.rdsError("DBInstanceNotFound", "not found")))
            .willSetStateTo("created"));
    aws.server.stubFor(
        AwsStub.rdsCall("DescribeDBInstances", TARGET)
            .inScenario("race")
            .whenScenarioStateIs("created")
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("rds/describe-target.xml")
                        .replace("${status}", "creating")
                        .replace("${run}", RUN)
                        .replace("${endpoint}", ""))));

    RestoreStatus status = provider.startRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(aws.rdsRequests("RestoreDBInstanceToPointInTime")).hasSize(1);
  }

  @Test
  void startRestore_targetNameTakenByAnotherRun_failsWithExit1AndIssuesNoRestore() {
    targetIs("available", "run-20250101-090000-ffff", true);

    assertThatThrownBy(() -> provider.startRestore(ctx, request(BEFORE_MIGRATION)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'" + TARGET + "' already exists and was not created by run " + RUN);
    assertThat(aws.mutatingCalls()).isEmpty();
  }

  @Test
  void startRestore_targetBeforeTheWindow_exits2WithTheWindowBeforeAnyChange() {
    assertThatThrownBy(
            () -> provider.startRestore(ctx, request(Instant.parse("2025-01-01T00:00:00Z"))))
        .isInstanceOf(DbRecoverException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.NO_RECOVERY_POINT))
        .hasMessageContaining("2025-01-08T03:10:00Z .. 2025-01-15T10:25:00Z")
        .hasMessageContaining("not to 2025-01-01T00:00:00Z");
    assertThat(aws.mutatingCalls()).isEmpty();
  }

  @Test
  void startRestore_targetAfterLatestRestorableTime_exits2BeforeAnyChange() {
    assertThatThrownBy(
            () -> provider.startRestore(ctx, request(Instant.parse("2025-01-15T10:30:00Z"))))
        .isInstanceOf(DbRecoverException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.NO_RECOVERY_POINT))
        .hasMessageContaining("2025-01-15T10:25:00Z");
    assertThat(aws.mutatingCalls()).isEmpty();
  }

  @Test
  void pollRestore_creating_runsOnWithTheStatusAndAPollTime() {
    targetIs("creating", RUN, false);

    RestoreStatus status = provider.pollRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    RestoreStatus.Running running = (RestoreStatus.Running) status;
    assertThat(running.detail()).isEqualTo("RDS instance " + TARGET + " is creating");
    assertThat(running.pollAt()).isAfter(NOW);
  }

  @Test
  void pollRestore_available_isDoneWithTheNewEndpointAndTheLiveCredentials() {
    targetIs("available", RUN, true);

    RestoreStatus status = provider.pollRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Done.class);
    DbUrl url = ((RestoreStatus.Done) status).url();
    assertThat(url.host()).isEqualTo(TARGET + ".c9akciq32.eu-west-1.rds.amazonaws.com");
    assertThat(url.port()).isEqualTo(5433);
    assertThat(url.user()).contains("app");
    assertThat(url.password().map(p -> p.reveal())).contains(PASSWORD);
    assertThat(url.database()).isEqualTo("orders");
    assertThat(url.params()).containsEntry("sslmode", "require");
    assertThat(((RestoreStatus.Done) status).description()).doesNotContain(PASSWORD);
  }

  @Test
  void pollRestore_incompatibleRestore_failsLeavingTheOriginal() {
    targetIs("incompatible-restore", RUN, false);

    RestoreStatus status = provider.pollRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Failed.class);
    assertThat(((RestoreStatus.Failed) status).reason())
        .contains(TARGET, "incompatible-restore", "original 'orders' is untouched");
  }

  @Test
  void pollRestore_targetMissing_fails() {
    RestoreStatus status = provider.pollRestore(ctx, request(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Failed.class);
    assertThat(((RestoreStatus.Failed) status).reason()).contains("does not exist");
  }

  @Test
  void startRestore_accessDenied_exits8NamingThePermission() {
    aws.rdsError(
        "RestoreDBInstanceToPointInTime",
        null,
        403,
        "AccessDenied",
        "User: arn:aws:sts::123456789012:assumed-role/dbrecover/x is not authorized to perform:"
            + " rds:RestoreDBInstanceToPointInTime");

    assertThatThrownBy(() -> provider.startRestore(ctx, request(BEFORE_MIGRATION)))
        .isInstanceOf(ProviderException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.PROVIDER_API))
        .hasMessageContaining("allow rds:RestoreDBInstanceToPointInTime")
        .hasMessageContaining("request req-AccessDenied");
  }

  @Test
  void capabilities_sourceNotFound_isAConfigurationError() {
    aws.rdsError(
        "DescribeDBInstances", "orders", 404, "DBInstanceNotFound", "DBInstance orders not found.");

    assertThatThrownBy(() -> provider.capabilities(ctx))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("RDS instance 'orders' does not exist")
        .hasMessageContaining("check the name and the region");
  }

  @Test
  void capabilities_throttledOnEveryAttempt_retriesThenExits8() {
    aws.rdsError("DescribeDBInstances", "orders", 400, "Throttling", "Rate exceeded");

    assertThatThrownBy(() -> provider.capabilities(ctx))
        .isInstanceOf(RateLimitedException.class)
        .hasMessageContaining("AWS throttled rds:DescribeDBInstances");
    assertThat(aws.rdsRequests("DescribeDBInstances")).hasSize(AwsStub.ATTEMPTS);
  }

  @Test
  void capabilities_throttledOnce_succeedsOnRetry() {
    aws.server.stubFor(
        AwsStub.rdsCall("DescribeDBInstances", "orders")
            .inScenario("throttle")
            .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
            .willReturn(AwsStub.xml(400, AwsStub.rdsError("Throttling", "Rate exceeded")))
            .willSetStateTo("calm"));
    aws.server.stubFor(
        AwsStub.rdsCall("DescribeDBInstances", "orders")
            .inScenario("throttle")
            .whenScenarioStateIs("calm")
            .willReturn(AwsStub.xml(200, AwsStub.fixture("rds/describe-source.xml"))));

    assertThat(provider.capabilities(ctx).methods()).contains(Method.POINT_IN_TIME);
    assertThat(aws.rdsRequests("DescribeDBInstances")).hasSize(2);
  }

  @Test
  void startRestore_serverErrorOnEveryAttempt_retriesThenExits8() {
    aws.server.stubFor(
        AwsStub.rdsCall("RestoreDBInstanceToPointInTime", null)
            .willReturn(
                AwsStub.xml(
                    503,
                    AwsStub.rdsError("ServiceUnavailable", "Service is unavailable")
                        .replace("<Type>Sender</Type>", "<Type>Receiver</Type>"))));

    assertThatThrownBy(() -> provider.startRestore(ctx, request(BEFORE_MIGRATION)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("after retries, HTTP 503");
    assertThat(aws.rdsRequests("RestoreDBInstanceToPointInTime")).hasSize(AwsStub.ATTEMPTS);
  }

  @Test
  void configuredUrl_withoutUrl_isTheInstanceEndpointWithMasterUser() {
    DbUrl url = provider.configuredUrl(ctx.environment(), Path.of("state"));

    assertThat(url.redacted())
        .isEqualTo("postgresql://app@orders.c9akciq32.eu-west-1.rds.amazonaws.com:5432/orders");
  }

  @Test
  void settings_unknownOption_isRejectedNamingTheValidOnes() {
    assertThatThrownBy(
            () -> provider.capabilities(withEnv(aws.rdsEnvironment(null, Map.of("instanse", "x")))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("database.options.instanse is not an rds option")
        .hasMessageContaining("endpoint-override, instance, region");
  }

  @Test
  void startRestore_rdsRejectsTheTimeAsInvalidRestore_exits2WithTheWindow() {
    aws.rdsError(
        "RestoreDBInstanceToPointInTime",
        null,
        400,
        "InvalidRestoreFault",
        "The requested restore time is not within the valid restore window.");

    assertThatThrownBy(() -> provider.startRestore(ctx, request(BEFORE_MIGRATION)))
        .isInstanceOf(DbRecoverException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.NO_RECOVERY_POINT))
        .hasMessageContaining("InvalidRestoreFault, request req-InvalidRestoreFault")
        .hasMessageContaining("the window was 2025-01-08T03:10:00Z .. 2025-01-15T10:25:00Z");
  }

  @Test
  void startRestore_pointInTimeRestoreNotEnabled_exits2() {
    aws.rdsError(
        "RestoreDBInstanceToPointInTime",
        null,
        400,
        "PointInTimeRestoreNotEnabled",
        "Point-in-time restore is not enabled for DB instance orders");

    assertThatThrownBy(() -> provider.startRestore(ctx, request(BEFORE_MIGRATION)))
        .isInstanceOf(DbRecoverException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.NO_RECOVERY_POINT))
        .hasMessageContaining("enable automated backups");
  }

  @Test
  void startRestore_instanceQuotaExceeded_exits8SayingWhatToDo() {
    aws.rdsError(
        "RestoreDBInstanceToPointInTime",
        null,
        400,
        "InstanceQuotaExceeded",
        "Cannot create more than 40 DB instances");

    assertThatThrownBy(() -> provider.startRestore(ctx, request(BEFORE_MIGRATION)))
        .isInstanceOf(ProviderException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.PROVIDER_API))
        .hasMessageContaining("quota or capacity limit")
        .hasMessageContaining("request a quota increase");
    assertThat(aws.rdsRequests("RestoreDBInstanceToPointInTime")).hasSize(1);
  }

  @Test
  void startRestore_inPlace_isRefusedBeforeAnyCall() {
    RestoreRequest inPlace =
        new RestoreRequest(
            RUN,
            RecoveryPoint.at(BEFORE_MIGRATION, RecoveryPoint.Kind.POINT_IN_TIME),
            "orders",
            true);

    assertThatThrownBy(() -> provider.startRestore(ctx, inPlace))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("side by side only");
    assertThat(aws.server.getAllServeEvents()).isEmpty();
  }

  private ProviderContext withEnv(io.dbrecover.engine.api.EnvironmentConfig env) {
    return new ProviderContext(env, LIVE, Path.of("state"), ctx.clock(), null);
  }
}
