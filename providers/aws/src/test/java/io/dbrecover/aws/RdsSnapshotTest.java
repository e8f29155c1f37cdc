package io.dbrecover.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.RecoveryPoint;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RdsSnapshotTest {
  private static final String RUN = "run-20250115-104000-ab12";
  private static final String TARGET = "orders-rb-0115-1040-ab12";
  private static final Instant NOW = Instant.parse("2025-01-15T10:45:00Z");
  private static final String LABELLED = "orders-dbr-20250115-104500-pre-deploy-42";
  private static final String SAFETY = "orders-dbr-safety-0115-1040-ab12";
  // Nothing listens there: the live database cannot be read, so no migration tag.
  private static final DbUrl LIVE = DbUrl.parse("postgresql://app:pw@127.0.0.1:1/orders");

  private AwsStub aws;
  private final List<Duration> sleeps = new ArrayList<>();
  private RdsProvider provider;
  private ProviderContext ctx;

  @BeforeEach
  void setUp() {
    aws = new AwsStub();
    provider = new RdsProvider(AwsStub.clients(), sleeps::add);
    ctx =
        new ProviderContext(
            aws.rdsEnvironment(null, Map.of()),
            LIVE,
            Path.of("state"),
            Clock.fixed(NOW, ZoneOffset.UTC),
            null);
    aws.rds("DescribeDBInstances", "orders", AwsStub.fixture("rds/describe-source.xml"));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  static String snapshot(String id, String status, String progress, String tags) {
    return AwsStub.fixture("rds/snapshot.xml")
        .replace("${id}", id)
        .replace("${status}", status)
        .replace("${progress}", progress)
        .replace(
            "${created}",
            status.equals("available")
                ? "<SnapshotCreateTime>2025-01-15T10:45:03.512Z</SnapshotCreateTime>"
                : "")
        .replace("${tags}", tags);
  }

  static String ourTags(String id, String label) {
    return "<Tag><Key>dbrecover:backup</Key><Value>"
        + id
        + "</Value></Tag><Tag><Key>dbrecover:source</Key><Value>orders</Value></Tag>"
        + (label == null
            ? ""
            : "<Tag><Key>dbrecover:label</Key><Value>" + label + "</Value></Tag>");
  }

  static String describeSnapshots(String... snapshots) {
    return AwsStub.fixture("rds/describe-snapshots.xml")
        .replace("${snapshots}", String.join("\n", snapshots));
  }

  private static MappingBuilder snapshotCall(String action, String id) {
    MappingBuilder b = post(urlEqualTo("/")).withRequestBody(containing("Action=" + action + "&"));
    return id == null ? b : b.withRequestBody(containing("DBSnapshotIdentifier=" + id));
  }

  private void snapshotsAre(String id, String... states) {
    for (int i = 0; i < states.length; i++) {
      aws.server.stubFor(
          snapshotCall("DescribeDBSnapshots", id)
              .inScenario("snapshot")
              .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "s" + i)
              .willReturn(AwsStub.xml(200, describeSnapshots(states[i])))
              .willSetStateTo("s" + (i + 1)));
    }
  }

  @Test
  void backup_withLabel_takesATaggedManualSnapshotAndWaitsUntilAvailable() {
    aws.server.stubFor(
        snapshotCall("CreateDBSnapshot", null)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("rds/create-snapshot.xml")
                        .replace(
                            "${snapshot}",
                            snapshot(
                                LABELLED, "creating", "0", ourTags(LABELLED, "pre-deploy-42"))))));
    snapshotsAre(
        LABELLED,
        snapshot(LABELLED, "creating", "40", ourTags(LABELLED, "pre-deploy-42")),
        snapshot(LABELLED, "available", "100", ourTags(LABELLED, "pre-deploy-42")));

    RecoveryPoint point = provider.backup(ctx, new BackupRequest("pre-deploy-42", false, null));

    assertThat(point.id()).isEqualTo(LABELLED);
    assertThat(point.kind()).isEqualTo(RecoveryPoint.Kind.SNAPSHOT);
    assertThat(point.labelOpt()).contains("pre-deploy-42");
    assertThat(point.takenAt()).isEqualTo(Instant.parse("2025-01-15T10:45:03.512Z"));
    assertThat(sleeps).containsExactly(Duration.ofSeconds(15), Duration.ofSeconds(30));
    assertThat(aws.rdsRequests("CreateDBSnapshot").get(0))
        .containsEntry("DBInstanceIdentifier", "orders")
        .containsEntry("DBSnapshotIdentifier", LABELLED)
        .containsEntry("Tags.Tag.1.Key", "dbrecover:backup")
        .containsEntry("Tags.Tag.1.Value", LABELLED)
        .containsEntry("Tags.Tag.2.Key", "dbrecover:source")
        .containsEntry("Tags.Tag.2.Value", "orders")
        .containsEntry("Tags.Tag.3.Key", "dbrecover:label")
        .containsEntry("Tags.Tag.3.Value", "pre-deploy-42")
        .doesNotContainKey("Tags.Tag.4.Key");
  }

  @Test
  void backup_withGitSha_tagsTheSnapshotWithTheCommit() {
    aws.server.stubFor(
        snapshotCall("CreateDBSnapshot", null)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("rds/create-snapshot.xml")
                        .replace(
                            "${snapshot}",
                            snapshot(
                                LABELLED, "creating", "0", ourTags(LABELLED, "pre-deploy-42"))))));
    snapshotsAre(
        LABELLED, snapshot(LABELLED, "available", "100", ourTags(LABELLED, "pre-deploy-42")));

    provider.backup(ctx, new BackupRequest("pre-deploy-42", false, null, false, "3F2A9C1D7E8B"));

    assertThat(aws.rdsRequests("CreateDBSnapshot").get(0))
        .containsEntry("Tags.Tag.3.Key", "dbrecover:label")
        .containsEntry("Tags.Tag.4.Key", "dbrecover:git-sha")
        .containsEntry("Tags.Tag.4.Value", "3f2a9c1d7e8b");
  }

  @Test
  void backup_safetyCopyRetried_findsTheFirstSnapshotAndTakesNoSecond() {
    snapshotsAre(SAFETY, snapshot(SAFETY, "available", "100", ourTags(SAFETY, RUN)));

    RecoveryPoint point = provider.backup(ctx, new BackupRequest(RUN, true, RUN));

    assertThat(point.id()).isEqualTo(SAFETY);
    assertThat(aws.mutatingCalls()).isEmpty();
  }

  @Test
  void backup_snapshotFails_exits8NamingTheSnapshot() {
    aws.server.stubFor(
        snapshotCall("CreateDBSnapshot", null)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("rds/create-snapshot.xml")
                        .replace(
                            "${snapshot}",
                            snapshot(LABELLED, "creating", "0", ourTags(LABELLED, null))))));
    snapshotsAre(LABELLED, snapshot(LABELLED, "failed", "10", ourTags(LABELLED, null)));

    assertThatThrownBy(() -> provider.backup(ctx, new BackupRequest("pre-deploy-42", false, null)))
        .isInstanceOf(DbRecoverException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.PROVIDER_API))
        .hasMessageContaining("'" + LABELLED + "' is failed");
  }

  @Test
  void backup_snapshotQuotaExceeded_exits8SayingWhatToDo() {
    aws.server.stubFor(
        snapshotCall("CreateDBSnapshot", null)
            .willReturn(
                AwsStub.xml(
                    400,
                    AwsStub.rdsError(
                        "SnapshotQuotaExceeded", "Cannot create more than 100 manual snapshots"))));

    assertThatThrownBy(() -> provider.backup(ctx, new BackupRequest("pre-deploy-42", false, null)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("rds:CreateDBSnapshot")
        .hasMessageContaining("quota")
        .hasMessageContaining("request req-SnapshotQuotaExceeded");
  }

  @Test
  void recoveryPoints_listsOnlyAvailableSnapshotsDbrecoverTookNewestFirst() {
    String older = "orders-dbr-20250110-090000";
    String creating = "orders-dbr-20250115-104400";
    String byHand = "orders-before-upgrade";
    aws.server.stubFor(
        snapshotCall("DescribeDBSnapshots", null)
            .willReturn(
                AwsStub.xml(
                    200,
                    describeSnapshots(
                        snapshot(older, "available", "100", ourTags(older, null))
                            .replace("2025-01-15T10:45:03.512Z", "2025-01-10T09:00:04Z"),
                        snapshot(LABELLED, "available", "100", ourTags(LABELLED, "pre-deploy-42")),
                        snapshot(creating, "creating", "20", ourTags(creating, null)),
                        // copied from the instance (CopyTagsToSnapshot): names another snapshot
                        snapshot(byHand, "available", "100", ourTags(LABELLED, null))))));

    List<RecoveryPoint> points = provider.recoveryPoints(ctx);

    assertThat(points).extracting(RecoveryPoint::id).containsExactly(LABELLED, older);
    assertThat(aws.rdsRequests("DescribeDBSnapshots").get(0))
        .containsEntry("DBInstanceIdentifier", "orders")
        .containsEntry("SnapshotType", "manual");
  }

  @Test
  void startRestore_snapshot_restoresSideBySidePassingTheSettingsNotCopied() {
    aws.rdsError("DescribeDBInstances", TARGET, 404, "DBInstanceNotFound", "not found");
    aws.server.stubFor(
        snapshotCall("RestoreDBInstanceFromDBSnapshot", LABELLED)
            .willReturn(AwsStub.xml(200, AwsStub.fixture("rds/restore-from-snapshot.xml"))));

    RestoreStatus status = provider.startRestore(ctx, snapshotRequest(LABELLED));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(aws.rdsRequests("RestoreDBInstanceFromDBSnapshot").get(0))
        .containsEntry("DBSnapshotIdentifier", LABELLED)
        .containsEntry("DBInstanceIdentifier", TARGET)
        .containsEntry("DBSubnetGroupName", "orders-subnets")
        .containsEntry("VpcSecurityGroupIds.VpcSecurityGroupId.1", "sg-0a1b2c3d")
        .containsEntry("VpcSecurityGroupIds.VpcSecurityGroupId.2", "sg-0e4f5a6b")
        .containsEntry("DBParameterGroupName", "orders-pg16")
        .containsEntry("OptionGroupName", "default:postgres-16")
        .containsEntry("DBInstanceClass", "db.r6g.large")
        .containsEntry("MultiAZ", "true")
        .containsEntry("StorageType", "gp3")
        .containsEntry("DeletionProtection", "true")
        .containsEntry("EnableIAMDatabaseAuthentication", "true")
        .containsEntry("Port", "5432")
        .containsEntry("Tags.Tag.2.Key", "dbrecover:run")
        .containsEntry("Tags.Tag.2.Value", RUN);
  }

  @Test
  void startRestore_snapshotMissing_exits3AndCreatesNothing() {
    aws.rdsError("DescribeDBInstances", TARGET, 404, "DBInstanceNotFound", "not found");
    aws.server.stubFor(
        snapshotCall("RestoreDBInstanceFromDBSnapshot", "orders-gone")
            .willReturn(
                AwsStub.xml(
                    404,
                    AwsStub.rdsError("DBSnapshotNotFound", "DBSnapshot not found: orders-gone"))));

    assertThatThrownBy(() -> provider.startRestore(ctx, snapshotRequest("orders-gone")))
        .isInstanceOf(DbRecoverException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.BACKUP_NOT_FOUND))
        .hasMessageContaining("RDS DB snapshot 'orders-gone' does not exist");
  }

  @Test
  void deleteBackup_snapshotDbrecoverTook_deletesIt() {
    snapshotsAre(LABELLED, snapshot(LABELLED, "available", "100", ourTags(LABELLED, null)));
    aws.server.stubFor(
        snapshotCall("DeleteDBSnapshot", LABELLED)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("rds/delete-snapshot.xml")
                        .replace(
                            "${snapshot}",
                            snapshot(LABELLED, "deleted", "100", ourTags(LABELLED, null))))));

    assertThat(provider.deleteBackup(ctx, LABELLED)).isTrue();
    assertThat(aws.rdsRequests("DeleteDBSnapshot")).hasSize(1);
  }

  @Test
  void deleteBackup_snapshotTakenByHand_refusesAndDeletesNothing() {
    snapshotsAre(
        "orders-before-upgrade", snapshot("orders-before-upgrade", "available", "100", ""));

    assertThatThrownBy(() -> provider.deleteBackup(ctx, "orders-before-upgrade"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("was not taken by dbrecover");
    assertThat(aws.mutatingCalls()).isEmpty();
  }

  @Test
  void deleteBackup_unknownSnapshot_isFalse() {
    aws.server.stubFor(
        snapshotCall("DescribeDBSnapshots", "orders-gone")
            .willReturn(AwsStub.xml(404, AwsStub.rdsError("DBSnapshotNotFound", "not found"))));

    assertThat(provider.deleteBackup(ctx, "orders-gone")).isFalse();
    assertThat(aws.mutatingCalls()).isEmpty();
  }

  @Test
  void verifyBackup_availableSnapshot_passes() {
    snapshotsAre(LABELLED, snapshot(LABELLED, "available", "100", ourTags(LABELLED, null)));

    BackupCheck check = provider.verifyBackup(ctx, LABELLED, false);

    assertThat(check.passed()).isTrue();
    assertThat(check.checks())
        .extracting(BackupCheck.Item::name)
        .containsExactly("status", "source");
  }

  @Test
  void verifyBackup_deep_refusedSayingHowToRestoreItSideBySide_noCall() {
    assertThatThrownBy(() -> provider.verifyBackup(ctx, LABELLED, true))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("for an RDS DB snapshot, restore it side by side instead")
        .hasMessageContaining("--from " + LABELLED);
    assertThat(aws.server.getAllServeEvents()).isEmpty();
  }

  @Test
  void backup_snapshotStillCreatingAfterTwoHours_exits8SayingItKeepsGoing() {
    MutableClock clock = new MutableClock(NOW);
    RdsProvider waiting =
        new RdsProvider(AwsStub.clients(), d -> clock.set(clock.instant().plus(d)));
    ProviderContext slow =
        new ProviderContext(ctx.environment(), LIVE, Path.of("state"), clock, null);
    aws.server.stubFor(
        snapshotCall("CreateDBSnapshot", null)
            .willReturn(
                AwsStub.xml(
                    200,
                    AwsStub.fixture("rds/create-snapshot.xml")
                        .replace(
                            "${snapshot}",
                            snapshot(LABELLED, "creating", "0", ourTags(LABELLED, null))))));
    aws.server.stubFor(
        snapshotCall("DescribeDBSnapshots", LABELLED)
            .willReturn(
                AwsStub.xml(
                    200,
                    describeSnapshots(
                        snapshot(LABELLED, "creating", "3", ourTags(LABELLED, null))))));

    assertThatThrownBy(() -> waiting.backup(slow, new BackupRequest("pre-deploy-42", false, null)))
        .isInstanceOf(DbRecoverException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.PROVIDER_API))
        .hasMessageContaining("is still creating after 2 h")
        .hasMessageContaining("list-backups");
    assertThat(aws.rdsRequests("CreateDBSnapshot")).hasSize(1);
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
