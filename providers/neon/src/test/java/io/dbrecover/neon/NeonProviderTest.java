package io.dbrecover.neon;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.dbrecover.neon.testing.NeonApiStub.BASE;
import static io.dbrecover.neon.testing.NeonApiStub.NOW;
import static io.dbrecover.neon.testing.NeonApiStub.PROJECT;
import static io.dbrecover.neon.testing.NeonApiStub.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.neon.testing.NeonApiStub;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NeonProviderTest {
  private static final String PROJECT_PATH = BASE + "/projects/" + PROJECT;
  private static final String TARGET = "neondb_rb_0115_1030_1a2b";
  private static final String MAIN = "br-aged-salad-637688";
  private static final String NEW = "br-quiet-rain-123456";
  private static final Instant T = Instant.parse("2025-01-15T10:20:00Z");

  @RegisterExtension final NeonApiStub neon = new NeonApiStub();
  private final NeonProvider provider =
      new NeonProvider(
          Map.of("NEON_API_KEY", NeonApiStub.API_KEY), neon.clients(), neon.sleeps::add);
  private final ProviderContext ctx =
      new ProviderContext(
          environment(Map.of("project-id", PROJECT, "api-url", neon.baseUrl())),
          DbUrl.parse("postgresql://app:live-pw@ep-main-111111.us-east-2.aws.neon.tech/neondb"),
          Path.of("/nonexistent-state"),
          Clock.fixed(NOW, ZoneOffset.UTC),
          null);

  static EnvironmentConfig environment(Map<String, String> options) {
    return new EnvironmentConfig(
        "production",
        Tier.PRODUCTION,
        ProtectionLevel.NONE,
        new EnvironmentConfig.Database("neon", null, false, options),
        Path.of("/nonexistent-backups"),
        null,
        new EnvironmentConfig.Migrations(MigrationTool.SQL, Path.of("migrations")),
        Set.of(Method.values()),
        EnvironmentConfig.Retention.DEFAULT,
        List.of(),
        1);
  }

  private void stubProjectAndMain() {
    neon.stub(get(urlEqualTo(PROJECT_PATH)).willReturn(json(200, "project.json")));
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches")).willReturn(json(200, "branches-main.json")));
  }

  private void stubTargetBranch(String fixture) {
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/branches"))
            .withQueryParam("search", equalTo(TARGET))
            .willReturn(json(200, fixture)));
  }

  private static RestoreRequest request(RecoveryPoint point) {
    return new RestoreRequest("run-20250115-103000-1a2b", point, TARGET, false);
  }

  @Test
  void capabilities_offerBranchRestoreAndPointInTimeInsideTheRetentionWindow_andSnapshots() {
    stubProjectAndMain();

    Capabilities caps = provider.capabilities(ctx);

    assertThat(caps.methods())
        .containsExactlyInAnyOrder(
            Method.BRANCH_RESTORE, Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE);
    // history_retention_seconds 86400 back from now; main was created long before
    assertThat(caps.historyWindow())
        .isEqualTo(new RestoreWindow(Instant.parse("2025-01-14T12:00:00Z"), NOW));
  }

  @Test
  void pollInterval_threeSecondsAtFirst_thenATenthOfTheWait_atMostThirty_withJitter() {
    assertThat(NeonProvider.pollInterval(java.time.Duration.ZERO, 0.5)).hasSeconds(3);
    assertThat(NeonProvider.pollInterval(java.time.Duration.ofMinutes(2), 0.5)).hasSeconds(12);
    assertThat(NeonProvider.pollInterval(java.time.Duration.ofHours(1), 0.5)).hasSeconds(30);
    assertThat(NeonProvider.pollInterval(java.time.Duration.ZERO, 0.0)).hasMillis(2400);
    assertThat(NeonProvider.pollInterval(java.time.Duration.ofHours(1), 0.99)).hasMillis(35880);
  }

  @Test
  void window_startsNoEarlierThanTheBranch() {
    var project = new io.dbrecover.neon.internal.NeonModel.Project(PROJECT, "shop", 604800, null);
    var young =
        new io.dbrecover.neon.internal.NeonModel.Branch(
            MAIN,
            PROJECT,
            null,
            null,
            null,
            "main",
            "ready",
            null,
            true,
            false,
            Instant.parse("2025-01-15T06:00:00Z"),
            null);

    assertThat(NeonProvider.window(project, young, NOW))
        .hasValue(new RestoreWindow(Instant.parse("2025-01-15T06:00:00Z"), NOW));
    assertThat(
            NeonProvider.window(
                new io.dbrecover.neon.internal.NeonModel.Project(PROJECT, "shop", 0, null),
                young,
                NOW))
        .isEmpty();
  }

  @Test
  void startRestore_createsABranchAtTheTimeWithACompute() {
    stubProjectAndMain();
    stubTargetBranch("branches-empty.json");
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches")).willReturn(json(201, "branch-created.json")));

    RestoreStatus status =
        provider.startRestore(ctx, request(RecoveryPoint.at(T, RecoveryPoint.Kind.BRANCH_POINT)));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    neon.server()
        .verify(
            1,
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches"))
                .withRequestBody(
                    equalToJson(
                        "{\"branch\": {\"parent_id\": \""
                            + MAIN
                            + "\", \"name\": \""
                            + TARGET
                            + "\","
                            + " \"parent_timestamp\": \"2025-01-15T10:20:00Z\"},"
                            + " \"endpoints\": [{\"type\": \"read_write\"}]}")));
  }

  @Test
  void startRestore_atAnLsn_branchesAtTheLsn() {
    stubProjectAndMain();
    stubTargetBranch("branches-empty.json");
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches")).willReturn(json(201, "branch-created.json")));

    provider.startRestore(ctx, request(RecoveryPoint.atLsn("0/1DE2850", NOW)));

    neon.server()
        .verify(
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches"))
                .withRequestBody(
                    WireMock.matchingJsonPath("$.branch.parent_lsn", equalTo("0/1DE2850"))));
  }

  @Test
  void startRestore_retried_findsTheBranchAndCreatesNothing() {
    stubTargetBranch("branches-restored-init.json");
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches/" + NEW + "/endpoints"))
            .willReturn(json(200, "endpoints.json")));
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/operations"))
            .willReturn(json(200, "operations-running.json")));

    RestoreStatus status =
        provider.startRestore(ctx, request(RecoveryPoint.at(T, RecoveryPoint.Kind.BRANCH_POINT)));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(((RestoreStatus.Running) status).detail()).contains("create_timeline");
    neon.server().verify(0, postRequestedFor(anyUrl()));
  }

  @Test
  void startRestore_retriedAfterTheComputeWasLost_addsOnlyTheCompute() {
    stubTargetBranch("branches-restored-ready.json");
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches/" + NEW + "/endpoints"))
            .willReturn(json(200, "endpoints-empty.json")));
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/endpoints"))
            .willReturn(json(201, "endpoint-created.json")));
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/operations"))
            .willReturn(json(200, "operations-running.json")));

    provider.startRestore(ctx, request(RecoveryPoint.at(T, RecoveryPoint.Kind.BRANCH_POINT)));

    neon.server().verify(0, postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches")));
    neon.server().verify(1, postRequestedFor(urlEqualTo(PROJECT_PATH + "/endpoints")));
  }

  @Test
  void startRestore_outsideTheWindow_isRefusedWithTheWindow_beforeAnyChange() {
    stubProjectAndMain();
    stubTargetBranch("branches-empty.json");

    DbRecoverException e =
        catchThrowableOfType(
            DbRecoverException.class,
            () ->
                provider.startRestore(
                    ctx,
                    request(
                        RecoveryPoint.at(
                            Instant.parse("2025-01-13T09:00:00Z"),
                            RecoveryPoint.Kind.BRANCH_POINT))));

    assertThat(e.code()).isEqualTo(ErrorCode.NO_RECOVERY_POINT);
    assertThat(e.code().exitCode()).isEqualTo(2);
    assertThat(e)
        .hasMessageContaining("2025-01-13T09:00:00Z")
        .hasMessageContaining("2025-01-14T12:00:00Z .. 2025-01-15T12:00:00Z");
    neon.server().verify(0, postRequestedFor(anyUrl()));
  }

  @Test
  void pollRestore_whileOperationsRun_isRunning() {
    stubTargetBranch("branches-restored-init.json");
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/operations"))
            .willReturn(json(200, "operations-running.json")));

    RestoreStatus status =
        provider.pollRestore(ctx, request(RecoveryPoint.at(T, RecoveryPoint.Kind.BRANCH_POINT)));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(((RestoreStatus.Running) status).pollAt()).isAfter(NOW);
  }

  @Test
  void pollRestore_whenReady_isDoneWithTheBranchUrl() {
    stubTargetBranch("branches-restored-ready.json");
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/operations"))
            .willReturn(json(200, "operations-finished.json")));
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches/" + NEW + "/endpoints"))
            .willReturn(json(200, "endpoints.json")));
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/connection_uri"))
            .withQueryParam("branch_id", equalTo(NEW))
            .withQueryParam("database_name", equalTo("neondb"))
            .withQueryParam("role_name", equalTo("app"))
            .willReturn(json(200, "connection-uri.json")));

    RestoreStatus status =
        provider.pollRestore(ctx, request(RecoveryPoint.at(T, RecoveryPoint.Kind.BRANCH_POINT)));

    assertThat(status).isInstanceOf(RestoreStatus.Done.class);
    RestoreStatus.Done done = (RestoreStatus.Done) status;
    assertThat(done.url().host()).isEqualTo("ep-little-smoke-851426.us-east-2.aws.neon.tech");
    assertThat(done.url().database()).isEqualTo("neondb");
    assertThat(done.url().password())
        .hasValueSatisfying(p -> assertThat(p.reveal()).isEqualTo("s3cret-pw"));
    assertThat(done.description()).contains(TARGET).contains(NEW).doesNotContain("s3cret-pw");
  }

  @Test
  void pollRestore_whenAnOperationFailed_isFailedWithNeonsError() {
    stubTargetBranch("branches-restored-init.json");
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/operations"))
            .willReturn(json(200, "operations-failed.json")));

    RestoreStatus status =
        provider.pollRestore(ctx, request(RecoveryPoint.at(T, RecoveryPoint.Kind.BRANCH_POINT)));

    assertThat(status).isInstanceOf(RestoreStatus.Failed.class);
    assertThat(((RestoreStatus.Failed) status).reason())
        .contains("create_timeline")
        .contains("not enough space")
        .contains("live branch is untouched");
  }

  @Test
  void configuredBranchName_thatDoesNotExist_isAConfigurationError() {
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/branches"))
            .withQueryParam("search", equalTo("prod"))
            .willReturn(json(200, "branches-empty.json")));
    neon.stub(get(urlEqualTo(PROJECT_PATH)).willReturn(json(200, "project.json")));
    ProviderContext prod =
        new ProviderContext(
            environment(Map.of("project-id", PROJECT, "branch", "prod")),
            ctx.liveUrl(),
            ctx.stateDir(),
            ctx.clock(),
            null);

    ConfigurationException e =
        catchThrowableOfType(ConfigurationException.class, () -> provider.capabilities(prod));

    assertThat(e)
        .hasMessageContaining("no branch named 'prod'")
        .hasMessageContaining("database.options.branch");
  }

  @Test
  void startRestore_straightIntoTheLiveBranch_isRefusedBeforeAnyCall() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                provider.startRestore(
                    ctx,
                    new RestoreRequest(
                        "run-20250115-103000-1a2b",
                        RecoveryPoint.at(T, RecoveryPoint.Kind.BRANCH_POINT),
                        "neondb",
                        true)));

    assertThat(e).hasMessageContaining("never straight into the live one");
    assertThat(neon.server().getAllServeEvents()).isEmpty();
  }

  private static final String PRESERVED = "main_before_run-20250115-103000-1a2b";

  @Test
  void replaceOriginal_restoresTheLiveBranchFromTheRestoredOne_keepingTheOldStateByName() {
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches")).willReturn(json(200, "branches-main.json")));
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/branches"))
            .withQueryParam("search", equalTo(PRESERVED))
            .willReturn(json(200, "branches-empty.json")));
    stubTargetBranch("branches-restored-ready.json");
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches/" + MAIN + "/restore"))
            .willReturn(json(200, "branch-restored-in-place.json")));
    neon.sequence(
        () -> get(urlPathEqualTo(PROJECT_PATH + "/operations")),
        json(200, "operations-main-running.json"),
        json(200, "operations-main-finished.json"));

    provider.replaceOriginal(
        ctx, request(RecoveryPoint.at(T, RecoveryPoint.Kind.BRANCH_POINT)), "neondb");

    neon.server()
        .verify(
            1,
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches/" + MAIN + "/restore"))
                .withRequestBody(
                    equalToJson(
                        "{\"source_branch_id\": \""
                            + NEW
                            + "\", \"preserve_under_name\": \""
                            + PRESERVED
                            + "\"}")));
    // waited once for Neon's running operation on the live branch, without sleeping for real
    assertThat(neon.sleeps).hasSize(1);
  }

  @Test
  void replaceOriginal_retriedAfterItWasMade_sendsNoSecondRestore() {
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches")).willReturn(json(200, "branches-main.json")));
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/branches"))
            .withQueryParam("search", equalTo(PRESERVED))
            .willReturn(json(200, "branches-preserved.json")));
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/operations"))
            .willReturn(json(200, "operations-main-finished.json")));

    provider.replaceOriginal(
        ctx, request(RecoveryPoint.at(T, RecoveryPoint.Kind.BRANCH_POINT)), "neondb");

    neon.server().verify(0, postRequestedFor(anyUrl()));
  }

  @Test
  void replaceOriginal_whenNeonFailsTheRestore_isRestoreFailed() {
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches")).willReturn(json(200, "branches-main.json")));
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/branches"))
            .withQueryParam("search", equalTo(PRESERVED))
            .willReturn(json(200, "branches-preserved.json")));
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/operations"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        NeonApiStub.resource("operations-main-finished.json")
                            .replace("\"finished\"", "\"failed\""))));

    DbRecoverException e =
        catchThrowableOfType(
            DbRecoverException.class,
            () ->
                provider.replaceOriginal(
                    ctx, request(RecoveryPoint.at(T, RecoveryPoint.Kind.BRANCH_POINT)), "neondb"));

    assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_FAILED);
    assertThat(e.code().exitCode()).isEqualTo(4);
    assertThat(e).hasMessageContaining("create_timeline").hasMessageContaining("failed");
  }

  private static final String SNAP = "snap-billowing-frost-123456";
  private static final String OP = "a07f8772-1877-4da9-a939-3a3ae62d1d8d";

  @Test
  void originalKeptByReplace_snapshotWithTheBranchConfiguredById_isRefusedBeforeAnyCall() {
    ProviderContext byId =
        new ProviderContext(
            environment(Map.of("project-id", PROJECT, "branch", MAIN, "api-url", neon.baseUrl())),
            ctx.liveUrl(),
            ctx.stateDir(),
            ctx.clock(),
            null);
    RecoveryPoint snapshot =
        new RecoveryPoint(
            SNAP, RecoveryPoint.Kind.SNAPSHOT, T, null, false, 0, null, null, null, null);

    ConfigurationException e =
        catchThrowableOfType(
            () -> provider.originalKeptByReplace(byId, request(snapshot)),
            ConfigurationException.class);

    assertThat(e)
        .hasMessageContaining("database.options.branch must name the branch")
        .hasMessageContaining("it is the id " + MAIN);
    assertThat(neon.server().getAllServeEvents()).isEmpty();
  }

  @Test
  void originalKeptByReplace_snapshotWithoutAConfiguredBranch_isRefusedBeforeAnyCall() {
    RecoveryPoint snapshot =
        new RecoveryPoint(
            SNAP, RecoveryPoint.Kind.SNAPSHOT, T, null, false, 0, null, null, null, null);

    ConfigurationException e =
        catchThrowableOfType(
            () -> provider.originalKeptByReplace(ctx, request(snapshot)),
            ConfigurationException.class);

    assertThat(e).hasMessageContaining("it is not set");
    assertThat(neon.server().getAllServeEvents()).isEmpty();
  }

  @Test
  void originalKeptByReplace_isTheBranchNamedAfterTheRun() {
    stubProjectAndMain();

    assertThat(
            provider.originalKeptByReplace(
                ctx, request(RecoveryPoint.at(T, RecoveryPoint.Kind.BRANCH_POINT))))
        .hasValueSatisfying(
            where ->
                assertThat(where).startsWith("Neon branch main_before_run-20250115-103000-1a2b"));
  }

  @Test
  void recoveryPoints_areTheLiveBranchsSnapshots_andItsPreservedBranches_newestFirst() {
    stubProjectAndMain();
    neon.stub(get(urlEqualTo(PROJECT_PATH + "/snapshots")).willReturn(json(200, "snapshots.json")));
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/branches"))
            .withQueryParam("search", equalTo("main_before_"))
            .willReturn(json(200, "branches-preserved.json")));

    List<RecoveryPoint> points = provider.recoveryPoints(ctx);

    assertThat(points).hasSize(2);
    assertThat(points.get(0))
        .satisfies(p -> assertThat(p.kind()).isEqualTo(RecoveryPoint.Kind.SNAPSHOT))
        .satisfies(p -> assertThat(p.id()).isEqualTo(SNAP))
        .satisfies(p -> assertThat(p.takenAt()).isEqualTo(Instant.parse("2025-01-15T09:00:00Z")))
        .satisfies(p -> assertThat(p.label()).isEqualTo("before-deploy-42"))
        .satisfies(p -> assertThat(p.safety()).isFalse());
    assertThat(points.get(1))
        .satisfies(p -> assertThat(p.id()).isEqualTo("br-old-state-222222"))
        .satisfies(p -> assertThat(p.label()).isEqualTo("run-20250115-103000-1a2b"))
        .satisfies(p -> assertThat(p.safety()).as("a run's safety copy").isTrue())
        .satisfies(p -> assertThat(p.takenAt()).isEqualTo(Instant.parse("2024-06-01T08:00:00Z")));
  }

  @Test
  void backup_takesASnapshotOfTheLiveBranch_andWaitsForIt() {
    stubProjectAndMain();
    neon.stub(
        post(urlPathEqualTo(PROJECT_PATH + "/branches/" + MAIN + "/snapshot"))
            .withQueryParam("name", equalTo("dbrecover-20250115-120000-deploy-42"))
            .willReturn(json(200, "snapshot-created.json")));
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/operations/" + OP))
            .willReturn(json(200, "operation-finished.json")));

    RecoveryPoint p =
        provider.backup(ctx, new io.dbrecover.engine.spi.BackupRequest("deploy-42", false, null));

    assertThat(p.id()).isEqualTo(SNAP);
    assertThat(neon.sleeps).hasSize(1);
  }

  @Test
  void safetyBackup_retried_findsTheSnapshotOfTheRun() {
    stubProjectAndMain();
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/snapshots"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        NeonApiStub.resource("snapshots.json")
                            .replace(
                                "before-deploy-42", "dbrecover-safety-run-20250115-103000-1a2b"))));

    RecoveryPoint p =
        provider.backup(
            ctx, new io.dbrecover.engine.spi.BackupRequest(null, true, "run-20250115-103000-1a2b"));

    assertThat(p.id()).isEqualTo(SNAP);
    assertThat(p.safety()).isTrue();
    neon.server().verify(0, postRequestedFor(anyUrl()));
  }

  @Test
  void startRestore_ofASnapshot_restoresAPreviewBranchBesideTheLiveOne_withACompute() {
    stubProjectAndMain();
    stubTargetBranch("branches-empty.json");
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/snapshots/" + SNAP + "/restore"))
            .willReturn(json(200, "snapshot-restored.json")));
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches/" + NEW + "/endpoints"))
            .willReturn(json(200, "endpoints-empty.json")));
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/endpoints"))
            .willReturn(json(201, "endpoint-created.json")));
    RecoveryPoint snapshot =
        new RecoveryPoint(
            SNAP,
            RecoveryPoint.Kind.SNAPSHOT,
            Instant.parse("2025-01-15T09:00:00Z"),
            "before-deploy-42",
            false,
            0,
            null,
            null,
            null,
            null);

    RestoreStatus status = provider.startRestore(ctx, request(snapshot));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    neon.server()
        .verify(
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/snapshots/" + SNAP + "/restore"))
                .withRequestBody(
                    equalToJson(
                        "{\"name\": \""
                            + TARGET
                            + "\", \"target_branch_id\": \""
                            + MAIN
                            + "\", \"finalize_restore\": false}")));
    neon.server().verify(1, postRequestedFor(urlEqualTo(PROJECT_PATH + "/endpoints")));
    neon.server().verify(0, postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches")));
  }

  @Test
  void deleteBackup_deletesTheSnapshot_falseWhenGone() {
    neon.stub(
        WireMock.delete(urlEqualTo(PROJECT_PATH + "/snapshots/" + SNAP))
            .willReturn(json(202, "snapshot-deleted.json")));
    neon.stub(
        WireMock.delete(urlEqualTo(PROJECT_PATH + "/snapshots/snap-gone-000000"))
            .willReturn(NeonApiStub.error(404, "snapshot not found")));

    assertThat(provider.deleteBackup(ctx, SNAP)).isTrue();
    assertThat(provider.deleteBackup(ctx, "snap-gone-000000")).isFalse();
  }
}
