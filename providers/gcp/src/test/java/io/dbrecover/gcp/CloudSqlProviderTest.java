package io.dbrecover.gcp;

import static com.github.tomakehurst.wiremock.http.RequestMethod.GET;
import static com.github.tomakehurst.wiremock.http.RequestMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.RateLimitedException;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.gcp.internal.RetryPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CloudSqlProviderTest {
  private static final String RUN = "run-20250115-104000-ab12";
  private static final String TARGET = "orders-rb-0115-1040-ab12";
  private static final String PASSWORD = "s3cret-pw";
  private static final DbUrl LIVE =
      DbUrl.parse("postgresql://app:" + PASSWORD + "@34.77.10.20:5432/orders?sslmode=require");
  private static final Instant NOW = Instant.parse("2025-01-15T10:45:00Z");
  private static final Instant BEFORE_MIGRATION = Instant.parse("2025-01-15T10:20:00Z");
  private static final String NOT_FOUND =
      GcpStub.error(
          404, "instanceDoesNotExist", "The Cloud SQL instance does not exist.", "NOT_FOUND");
  private static final ObjectMapper JSON = new ObjectMapper();

  private GcpStub gcp;
  private CloudSqlProvider provider;
  private ProviderContext ctx;
  private final List<Duration> pollSleeps = new java.util.ArrayList<>();

  @BeforeEach
  void setUp() {
    gcp = new GcpStub();
    provider =
        new CloudSqlProvider(
            gcp.clients(), pollSleeps::add, Map.of("GITHUB_SHA", "3f2a9c1d7e8b4a5f"));
    ctx =
        new ProviderContext(
            gcp.environment(null, Map.of()),
            LIVE,
            Path.of("state"),
            Clock.fixed(NOW, ZoneOffset.UTC),
            null);
    sourcePitr(true);
    gcp.answer(
        GET,
        "/instances/orders/getLatestRecoveryTime",
        200,
        GcpStub.fixture("latest-recovery-time.json"));
    gcp.answer(GET, "/instances/" + TARGET, 404, NOT_FOUND);
    gcp.answer(GET, "/operations", 200, GcpStub.operations());
    gcp.answer(
        POST,
        "/instances/orders/clone",
        200,
        GcpStub.operation(
            "op-clone-1", "CLONE", TARGET, "PENDING", null, "2025-01-15T10:45:00.100Z"));
  }

  @AfterEach
  void tearDown() {
    gcp.close();
  }

  private void sourcePitr(boolean on) {
    gcp.answer(
        GET,
        "/instances/orders",
        200,
        GcpStub.fixture("instance-orders.json").replace("${pitr}", String.valueOf(on)));
  }

  private static RestoreRequest pitr(Instant at) {
    return new RestoreRequest(
        RUN, RecoveryPoint.at(at, RecoveryPoint.Kind.POINT_IN_TIME), "orders_rb_x", false);
  }

  private void cloneOperationIs(String status, String errorCode) {
    gcp.server.stubFor(
        GcpStub.call(GET, "/operations")
            .withQueryParam(
                "instance", com.github.tomakehurst.wiremock.client.WireMock.equalTo("orders"))
            .willReturn(
                GcpStub.json(
                    200,
                    GcpStub.operations(
                        GcpStub.operation(
                            "op-clone-1",
                            "CLONE",
                            TARGET,
                            status,
                            errorCode,
                            "2025-01-15T10:45:00.100Z")))));
  }

  private void targetIs(String state) {
    gcp.answer(
        GET,
        "/instances/" + TARGET,
        200,
        GcpStub.restoredInstance(
            TARGET, state, "{\"team\": \"payments\"}", "2025-01-15T10:45:01.000Z"));
  }

  @Test
  void capabilities_pitrOn_offersPointInTimeWithGooglesWindow() {
    Capabilities caps = provider.capabilities(ctx);

    assertThat(caps.methods())
        .containsExactlyInAnyOrder(Method.POINT_IN_TIME, Method.SNAPSHOT_RESTORE);
    assertThat(caps.historyWindow())
        .isEqualTo(
            new RestoreWindow(
                Instant.parse("2025-01-08T10:44:30Z"), Instant.parse("2025-01-15T10:44:30.512Z")));
    assertThat(caps.notes()).anyMatch(n -> n.contains("7 days of transaction logs"));
  }

  @Test
  void capabilities_pitrOff_saysItIsOffByDefaultAndHowToTurnItOn() {
    sourcePitr(false);

    Capabilities caps = provider.capabilities(ctx);

    assertThat(caps.methods()).containsExactly(Method.SNAPSHOT_RESTORE);
    assertThat(caps.historyWindow()).isNull();
    assertThat(caps.notes())
        .anyMatch(
            n ->
                n.contains("off by default for instances created with gcloud, Terraform or the API")
                    && n.contains(
                        "gcloud sql instances patch orders --enable-point-in-time-recovery"));
  }

  @Test
  void startRestore_pitrOff_exit2WithHowToEnableAndNoClone() {
    sourcePitr(false);

    assertThatThrownBy(() -> provider.startRestore(ctx, pitr(BEFORE_MIGRATION)))
        .isInstanceOf(DbRecoverException.class)
        .hasMessageContaining("point-in-time recovery is off")
        .hasMessageContaining("--enable-point-in-time-recovery")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.NO_RECOVERY_POINT);
    assertThat(gcp.mutatingCalls()).isEmpty();
  }

  @Test
  void startRestore_outsideWindow_exit2WithTheWindowBeforeAnyChange() {
    Instant tooOld = Instant.parse("2025-01-01T00:00:00Z");

    assertThatThrownBy(() -> provider.startRestore(ctx, pitr(tooOld)))
        .isInstanceOf(DbRecoverException.class)
        .hasMessageContaining("2025-01-08T10:44:30Z .. 2025-01-15T10:44:30.512Z")
        .hasMessageContaining("not to 2025-01-01T00:00:00Z")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.NO_RECOVERY_POINT);
    assertThat(gcp.mutatingCalls()).isEmpty();
  }

  @Test
  void startRestore_insideWindow_clonesAtTheTimeIntoAnInstanceNamedAfterTheRun() throws Exception {
    RestoreStatus status = provider.startRestore(ctx, pitr(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(((RestoreStatus.Running) status).detail()).contains("op-clone-1", "PENDING");
    var sent = gcp.requests(POST, "/instances/orders/clone");
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).getHeader("Authorization")).isEqualTo("Bearer " + GcpStub.TOKEN);
    JsonNode body = JSON.readTree(sent.get(0).getBodyAsString());
    assertThat(body.at("/cloneContext/kind").asText()).isEqualTo("sql#cloneContext");
    assertThat(body.at("/cloneContext/destinationInstanceName").asText()).isEqualTo(TARGET);
    assertThat(body.at("/cloneContext/pointInTime").asText()).isEqualTo("2025-01-15T10:20:00Z");
  }

  @Test
  void startRestore_resumedWhileTheCloneRuns_findsTheOperationAndClonesNoSecondTime() {
    provider.startRestore(ctx, pitr(BEFORE_MIGRATION));
    cloneOperationIs("RUNNING", null);

    RestoreStatus again = provider.startRestore(ctx, pitr(BEFORE_MIGRATION));

    assertThat(again).isInstanceOf(RestoreStatus.Running.class);
    assertThat(((RestoreStatus.Running) again).detail()).contains("op-clone-1", "RUNNING");
    assertThat(gcp.requests(POST, "/instances/orders/clone")).hasSize(1);
  }

  @Test
  void pollRestore_operationPending_runningAndPollsAgainLater() {
    cloneOperationIs("PENDING", null);

    RestoreStatus status = provider.pollRestore(ctx, pitr(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(((RestoreStatus.Running) status).pollAt())
        .isEqualTo(NOW.plus(CloudSqlProvider.POLL));
  }

  @Test
  void pollRestore_operationDoneWithError_failedNamingTheErrorAndTheOriginalIsUntouched() {
    cloneOperationIs("DONE", "ERROR_RDBMS");

    RestoreStatus status = provider.pollRestore(ctx, pitr(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Failed.class);
    assertThat(((RestoreStatus.Failed) status).reason())
        .contains("op-clone-1", "ERROR_RDBMS", "The clone failed");
    assertThat(gcp.mutatingCalls()).isEmpty();
  }

  @Test
  void pollRestore_doneAndRunnable_urlWithLiveCredentialsOnTheNewInstancesAddress() {
    cloneOperationIs("DONE", null);
    targetIs("RUNNABLE");

    RestoreStatus status = provider.pollRestore(ctx, pitr(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Done.class);
    DbUrl url = ((RestoreStatus.Done) status).url();
    assertThat(url.host()).isEqualTo("35.195.1.2");
    assertThat(url.port()).isEqualTo(5432);
    assertThat(url.database()).isEqualTo("orders");
    assertThat(url.password().orElseThrow().reveal()).isEqualTo(PASSWORD);
    assertThat(url.params()).containsEntry("sslmode", "require");
    assertThat(((RestoreStatus.Done) status).description()).doesNotContain(PASSWORD);
  }

  @Test
  void pollRestore_privateIpType_usesThePrivateAddress() {
    ctx =
        new ProviderContext(
            gcp.environment(null, Map.of("ip-type", "private")),
            LIVE,
            Path.of("state"),
            Clock.fixed(NOW, ZoneOffset.UTC),
            null);
    cloneOperationIs("DONE", null);
    targetIs("RUNNABLE");

    RestoreStatus status = provider.pollRestore(ctx, pitr(BEFORE_MIGRATION));

    assertThat(((RestoreStatus.Done) status).url().host()).isEqualTo("10.20.0.7");
  }

  @Test
  void startRestore_nameInUseByAnotherInstance_exit8NamingIt() {
    gcp.answer(
        POST,
        "/instances/orders/clone",
        409,
        GcpStub.error(
            409,
            "instanceAlreadyExists",
            "The Cloud SQL instance already exists.",
            "ALREADY_EXISTS"));
    // Someone else's instance of that name, made before the run started, and no clone of ours.
    gcp.server.stubFor(
        GcpStub.call(GET, "/instances/" + TARGET)
            .inScenario("race")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(GcpStub.json(404, NOT_FOUND))
            .willSetStateTo("exists"));
    gcp.server.stubFor(
        GcpStub.call(GET, "/instances/" + TARGET)
            .inScenario("race")
            .whenScenarioStateIs("exists")
            .willReturn(
                GcpStub.json(
                    200,
                    GcpStub.restoredInstance(TARGET, "RUNNABLE", "{}", "2024-12-01T00:00:00Z"))));

    assertThatThrownBy(() -> provider.startRestore(ctx, pitr(BEFORE_MIGRATION)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("'" + TARGET + "' is in use and not by run " + RUN)
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.PROVIDER_API);
  }

  @Test
  void startRestore_nameInUseByThisRunsClone_adoptsIt() {
    gcp.answer(
        POST,
        "/instances/orders/clone",
        409,
        GcpStub.error(
            409,
            "instanceAlreadyExists",
            "The Cloud SQL instance already exists.",
            "ALREADY_EXISTS"));
    gcp.server.stubFor(
        GcpStub.call(GET, "/operations")
            .inScenario("race")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(GcpStub.json(200, GcpStub.operations()))
            .willSetStateTo("cloned"));
    gcp.server.stubFor(
        GcpStub.call(GET, "/operations")
            .inScenario("race")
            .whenScenarioStateIs("cloned")
            .willReturn(
                GcpStub.json(
                    200,
                    GcpStub.operations(
                        GcpStub.operation(
                            "op-clone-0",
                            "CLONE",
                            TARGET,
                            "RUNNING",
                            null,
                            "2025-01-15T10:44:59Z")))));

    RestoreStatus status = provider.startRestore(ctx, pitr(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(((RestoreStatus.Running) status).detail()).contains("op-clone-0");
  }

  @Test
  void startRestore_permissionDenied_exit8NamingThePermission() {
    gcp.answer(
        POST,
        "/instances/orders/clone",
        403,
        GcpStub.error(
            403,
            "notAuthorized",
            "The client is not authorized to make this request.",
            "PERMISSION_DENIED"));

    assertThatThrownBy(() -> provider.startRestore(ctx, pitr(BEFORE_MIGRATION)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("Google denied instances.clone")
        .hasMessageContaining("needs the permission cloudsql.instances.clone");
    assertThat(gcp.requests(POST, "/instances/orders/clone")).hasSize(1);
  }

  @Test
  void capabilities_badCredentials_exit8SayingHowToLogIn() {
    gcp.answer(
        GET,
        "/instances/orders",
        401,
        GcpStub.error(
            401,
            "authError",
            "Request had invalid authentication credentials.",
            "UNAUTHENTICATED"));

    assertThatThrownBy(() -> provider.capabilities(ctx))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("gcloud auth application-default login")
        .hasMessageContaining("cloudsql.instances.get");
  }

  @Test
  void startRestore_rateLimitedThenAccepted_retriesWithGrowingJitteredBackoff() {
    gcp.server.stubFor(
        GcpStub.call(POST, "/instances/orders/clone")
            .inScenario("quota")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(
                GcpStub.json(
                    429,
                    GcpStub.error(
                        429,
                        "rateLimitExceeded",
                        "Quota exceeded for quota metric 'Mutate requests' of service"
                            + " 'sqladmin.googleapis.com'.",
                        "RESOURCE_EXHAUSTED")))
            .willSetStateTo("one"));
    gcp.server.stubFor(
        GcpStub.call(POST, "/instances/orders/clone")
            .inScenario("quota")
            .whenScenarioStateIs("one")
            .willReturn(
                GcpStub.json(
                    503,
                    GcpStub.error(
                        503,
                        "backendError",
                        "The service is currently unavailable.",
                        "UNAVAILABLE")))
            .willSetStateTo("two"));
    gcp.server.stubFor(
        GcpStub.call(POST, "/instances/orders/clone")
            .inScenario("quota")
            .whenScenarioStateIs("two")
            .willReturn(
                GcpStub.json(
                    200,
                    GcpStub.operation(
                        "op-clone-1", "CLONE", TARGET, "PENDING", null, "2025-01-15T10:45:02Z"))));

    RestoreStatus status = provider.startRestore(ctx, pitr(BEFORE_MIGRATION));

    assertThat(status).isInstanceOf(RestoreStatus.Running.class);
    assertThat(gcp.requests(POST, "/instances/orders/clone")).hasSize(3);
    // base 1 s doubled per attempt, scaled by the jitter factor 0.5 + 0.5/2 = 0.75
    assertThat(gcp.sleeps).containsExactly(Duration.ofMillis(750), Duration.ofMillis(1500));
  }

  @Test
  void startRestore_throttledOnEveryAttempt_exit8AfterTheRetries() {
    provider =
        new CloudSqlProvider(
            gcp.clients(new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(4))),
            pollSleeps::add,
            Map.of());
    gcp.answer(
        POST,
        "/instances/orders/clone",
        429,
        GcpStub.error(429, "rateLimitExceeded", "Quota exceeded.", "RESOURCE_EXHAUSTED"));

    assertThatThrownBy(() -> provider.startRestore(ctx, pitr(BEFORE_MIGRATION)))
        .isInstanceOf(RateLimitedException.class)
        .hasMessageContaining("after 3 attempts")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.PROVIDER_API);
    assertThat(gcp.requests(POST, "/instances/orders/clone")).hasSize(3);
  }

  @Test
  void startRestore_serverErrorsOnEveryAttempt_exit8() {
    provider =
        new CloudSqlProvider(
            gcp.clients(new RetryPolicy(2, Duration.ofSeconds(1), Duration.ofSeconds(4))),
            pollSleeps::add,
            Map.of());
    gcp.answer(
        POST,
        "/instances/orders/clone",
        500,
        GcpStub.error(500, "internalError", "Internal error encountered.", "INTERNAL"));

    assertThatThrownBy(() -> provider.startRestore(ctx, pitr(BEFORE_MIGRATION)))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("Google failed instances.clone")
        .hasMessageContaining("after 2 attempts");
  }

  @Test
  void capabilities_unknownInstance_exit1NamingIt() {
    gcp.answer(GET, "/instances/orders", 404, NOT_FOUND);

    assertThatThrownBy(() -> provider.capabilities(ctx))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("Cloud SQL instance 'orders' does not exist");
  }

  @Test
  void backup_label_descriptionCarriesLabelRunAndGitShaAndWaitsForTheOperation() throws Exception {
    gcp.answer(
        POST,
        "/instances/orders/backupRuns",
        200,
        GcpStub.operation(
            "op-bk-1", "BACKUP_VOLUME", "orders", "PENDING", null, "2025-01-15T10:45:00Z"));
    gcp.answer(
        GET,
        "/operations/op-bk-1",
        200,
        GcpStub.operation(
                "op-bk-1", "BACKUP_VOLUME", "orders", "DONE", null, "2025-01-15T10:45:00Z")
            .replace(
                "\"operationType\"",
                "\"backupContext\": {\"kind\": \"sql#backupContext\", \"backupId\": \"1736935080101\"},\n  \"operationType\""));
    gcp.answer(
        GET,
        "/instances/orders/backupRuns/1736935080101",
        200,
        JSON.readTree(GcpStub.fixture("backup-runs.json")).get("items").get(0).toString());

    RecoveryPoint point = provider.backup(ctx, new BackupRequest("pre-deploy", false, null));

    JsonNode sent =
        JSON.readTree(gcp.requests(POST, "/instances/orders/backupRuns").get(0).getBodyAsString());
    assertThat(sent.get("description").asText())
        .isEqualTo("dbrecover label=pre-deploy run=- git=3f2a9c1d7e8b4a5f");
    assertThat(pollSleeps).containsExactly(CloudSqlProvider.POLL);
    assertThat(point.id()).isEqualTo("1736935080101");
    assertThat(point.kind()).isEqualTo(RecoveryPoint.Kind.SNAPSHOT);
    assertThat(point.label()).isEqualTo("pre-deploy");
  }

  @Test
  void recoveryPoints_listsSuccessfulBackupRunsNewestFirst() {
    gcp.answer(GET, "/instances/orders/backupRuns", 200, GcpStub.fixture("backup-runs.json"));

    List<RecoveryPoint> points = provider.recoveryPoints(ctx);

    assertThat(points)
        .extracting(RecoveryPoint::id)
        .containsExactly("1736935080101", "1736910000000");
    assertThat(points.get(0).takenAt()).isEqualTo(Instant.parse("2025-01-15T10:01:12.400Z"));
    assertThat(points.get(0).label()).isEqualTo("pre-deploy");
    assertThat(points.get(0).location()).contains("ON_DEMAND", "git 3f2a9c1d7e8b");
    assertThat(points.get(1).label()).isNull();
  }

  @Test
  void backupRestore_createsATargetFromTheSourceThenRestoresTheBackupIntoIt() throws Exception {
    String backupRun =
        JSON.readTree(GcpStub.fixture("backup-runs.json")).get("items").get(0).toString();
    gcp.answer(GET, "/instances/orders/backupRuns/1736935080101", 200, backupRun);
    gcp.answer(
        POST,
        "/instances",
        200,
        GcpStub.operation(
            "op-create-1", "CREATE", TARGET, "PENDING", null, "2025-01-15T10:45:00Z"));
    RecoveryPoint point =
        new RecoveryPoint(
            "1736935080101",
            RecoveryPoint.Kind.SNAPSHOT,
            Instant.parse("2025-01-15T10:01:12Z"),
            "pre-deploy",
            false,
            0,
            null,
            null,
            null,
            null);
    RestoreRequest request = new RestoreRequest(RUN, point, "orders_rb_x", false);

    assertThat(provider.startRestore(ctx, request)).isInstanceOf(RestoreStatus.Running.class);

    JsonNode created = JSON.readTree(gcp.requests(POST, "/instances").get(0).getBodyAsString());
    assertThat(created.get("name").asText()).isEqualTo(TARGET);
    assertThat(created.get("region").asText()).isEqualTo("europe-west1");
    assertThat(created.get("databaseVersion").asText()).isEqualTo("POSTGRES_16");
    assertThat(created.at("/settings/tier").asText()).isEqualTo("db-custom-2-7680");
    assertThat(created.at("/settings/edition").asText()).isEqualTo("ENTERPRISE");
    assertThat(created.at("/settings/userLabels/dbrecover-run").asText()).isEqualTo(RUN);
    assertThat(created.at("/settings/userLabels/team").asText()).isEqualTo("payments");

    // Created and RUNNABLE, no restore yet: the poll starts restoreBackup into the new instance.
    String labels = "{\"team\": \"payments\", \"dbrecover-run\": \"" + RUN + "\"}";
    gcp.answer(
        GET,
        "/instances/" + TARGET,
        200,
        GcpStub.restoredInstance(TARGET, "RUNNABLE", labels, "2025-01-15T10:45:01Z"));
    gcp.answer(
        GET,
        "/operations",
        200,
        GcpStub.operations(
            GcpStub.operation(
                "op-create-1", "CREATE", TARGET, "DONE", null, "2025-01-15T10:45:00Z")));
    gcp.answer(
        POST,
        "/instances/" + TARGET + "/restoreBackup",
        200,
        GcpStub.operation(
            "op-restore-1", "RESTORE_VOLUME", TARGET, "PENDING", null, "2025-01-15T10:50:00Z"));

    assertThat(provider.pollRestore(ctx, request)).isInstanceOf(RestoreStatus.Running.class);
    JsonNode restore =
        JSON.readTree(
            gcp.requests(POST, "/instances/" + TARGET + "/restoreBackup").get(0).getBodyAsString());
    assertThat(restore.at("/restoreBackupContext/backupRunId").asText()).isEqualTo("1736935080101");
    assertThat(restore.at("/restoreBackupContext/instanceId").asText()).isEqualTo("orders");
    assertThat(restore.at("/restoreBackupContext/project").asText()).isEqualTo(GcpStub.PROJECT);

    // The restore finished: done, and restoreBackup was not sent again.
    gcp.answer(
        GET,
        "/operations",
        200,
        GcpStub.operations(
            GcpStub.operation(
                "op-restore-1", "RESTORE_VOLUME", TARGET, "DONE", null, "2025-01-15T10:50:00Z"),
            GcpStub.operation(
                "op-create-1", "CREATE", TARGET, "DONE", null, "2025-01-15T10:45:00Z")));
    RestoreStatus done = provider.pollRestore(ctx, request);

    assertThat(done).isInstanceOf(RestoreStatus.Done.class);
    assertThat(((RestoreStatus.Done) done).url().host()).isEqualTo("35.195.1.2");
    assertThat(gcp.requests(POST, "/instances/" + TARGET + "/restoreBackup")).hasSize(1);
    assertThat(gcp.requests(POST, "/instances/orders/restoreBackup")).isEmpty();
  }

  @Test
  void backupRestore_unknownBackupRun_exit3() {
    gcp.answer(
        GET,
        "/instances/orders/backupRuns/42",
        404,
        GcpStub.error(404, "backupRunDoesNotExist", "The backup run does not exist.", "NOT_FOUND"));
    RecoveryPoint point =
        new RecoveryPoint(
            "42", RecoveryPoint.Kind.SNAPSHOT, NOW, null, false, 0, null, null, null, null);

    assertThatThrownBy(() -> provider.startRestore(ctx, new RestoreRequest(RUN, point, "x", false)))
        .isInstanceOf(DbRecoverException.class)
        .hasMessageContaining("has no backup run 42")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
    assertThat(gcp.mutatingCalls()).isEmpty();
  }

  @Test
  void replaceOriginal_pointInTime_refusedExit1AndNothingSent() {
    assertThatThrownBy(() -> provider.replaceOriginal(ctx, pitr(BEFORE_MIGRATION), "orders"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("without --in-place");
    assertThat(gcp.mutatingCalls()).isEmpty();
  }

  @Test
  void replaceOriginal_backupRun_restoresItOntoTheOriginalAndWaitsForTheOperation()
      throws Exception {
    gcp.answer(
        POST,
        "/instances/orders/restoreBackup",
        200,
        GcpStub.operation(
            "op-rv-1", "RESTORE_VOLUME", "orders", "RUNNING", null, "2025-01-15T10:50:00Z"));
    gcp.answer(
        GET,
        "/operations/op-rv-1",
        200,
        GcpStub.operation(
            "op-rv-1", "RESTORE_VOLUME", "orders", "DONE", null, "2025-01-15T10:50:00Z"));
    RecoveryPoint point =
        new RecoveryPoint(
            "1736935080101",
            RecoveryPoint.Kind.SNAPSHOT,
            NOW,
            null,
            false,
            0,
            null,
            null,
            null,
            null);

    provider.replaceOriginal(ctx, new RestoreRequest(RUN, point, "x", false), "orders");

    JsonNode sent =
        JSON.readTree(
            gcp.requests(POST, "/instances/orders/restoreBackup").get(0).getBodyAsString());
    assertThat(sent.at("/restoreBackupContext/backupRunId").asText()).isEqualTo("1736935080101");
    assertThat(sent.at("/restoreBackupContext/instanceId").asText()).isEqualTo("orders");
    assertThat(pollSleeps).containsExactly(CloudSqlProvider.POLL);
  }
}
