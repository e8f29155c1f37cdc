package io.dbrecover.neon.internal;

import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.dbrecover.neon.testing.NeonApiStub.API_KEY;
import static io.dbrecover.neon.testing.NeonApiStub.BASE;
import static io.dbrecover.neon.testing.NeonApiStub.PROJECT;
import static io.dbrecover.neon.testing.NeonApiStub.error;
import static io.dbrecover.neon.testing.NeonApiStub.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.RateLimitedException;
import io.dbrecover.neon.internal.NeonModel.BranchCreate;
import io.dbrecover.neon.internal.NeonModel.BranchRestore;
import io.dbrecover.neon.internal.NeonModel.OperationState;
import io.dbrecover.neon.testing.NeonApiStub;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NeonClientTest {
  private static final String PROJECT_PATH = BASE + "/projects/" + PROJECT;
  private static final String MAIN = "br-aged-salad-637688";
  private static final String NEW = "br-quiet-rain-123456";

  @RegisterExtension final NeonApiStub neon = new NeonApiStub();
  private final NeonClient client = neon.client();

  @Test
  void getProject_readsHistoryRetention_withTheBearerKey() {
    neon.stub(get(urlEqualTo(PROJECT_PATH)).willReturn(json(200, "project.json")));

    assertThat(client.getProject(PROJECT).historyRetentionSeconds()).isEqualTo(86400);
    neon.server()
        .verify(
            getRequestedFor(urlEqualTo(PROJECT_PATH))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY)));
  }

  @Test
  void listBranches_passesTheSearch_andReadsTheDefaultFlag() {
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/branches"))
            .withQueryParam("search", equalTo("main"))
            .willReturn(json(200, "branches-main.json")));

    assertThat(client.listBranches(PROJECT, "main"))
        .singleElement()
        .satisfies(b -> assertThat(b.id()).isEqualTo(MAIN))
        .satisfies(b -> assertThat(b.isDefault()).isTrue())
        .satisfies(b -> assertThat(b.ready()).isTrue());
  }

  @Test
  void listBranches_followsPaginationNext() {
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/branches"))
            .withQueryParam("cursor", WireMock.absent())
            .willReturn(
                WireMock.aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        NeonApiStub.resource("branches-main.json")
                            .replaceFirst("\\{", "{\"pagination\": {\"next\": \"c1\"},"))));
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/branches"))
            .withQueryParam("cursor", equalTo("c1"))
            .willReturn(json(200, "branches-restored-ready.json")));

    assertThat(client.listBranches(PROJECT, null))
        .extracting(NeonModel.Branch::id)
        .containsExactly(MAIN, NEW);
  }

  @Test
  void getBranch_found_andEmptyOn404() {
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches/" + MAIN))
            .willReturn(json(200, "branch-main.json")));
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches/br-gone-000000"))
            .willReturn(error(404, "branch not found")));

    assertThat(client.getBranch(PROJECT, MAIN))
        .hasValueSatisfying(b -> assertThat(b.name()).isEqualTo("main"));
    assertThat(client.getBranch(PROJECT, "br-gone-000000")).isEmpty();
  }

  @Test
  void createBranch_sendsParentTimestampAndAReadWriteCompute() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches")).willReturn(json(201, "branch-created.json")));

    NeonModel.CreatedBranch created =
        client.createBranch(
            PROJECT,
            new BranchCreate(
                MAIN,
                "neondb_rb_0115_1030_1a2b",
                Instant.parse("2025-01-15T10:20:00Z"),
                null,
                true));

    assertThat(created.branch().id()).isEqualTo(NEW);
    assertThat(created.operations())
        .extracting(NeonModel.Operation::state)
        .containsOnly(OperationState.RUNNING);
    neon.server()
        .verify(
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches"))
                .withRequestBody(
                    equalToJson(
                        "{\"branch\": {\"parent_id\": \""
                            + MAIN
                            + "\", \"name\": \"neondb_rb_0115_1030_1a2b\","
                            + " \"parent_timestamp\": \"2025-01-15T10:20:00Z\"},"
                            + " \"endpoints\": [{\"type\": \"read_write\"}]}")));
  }

  @Test
  void createBranch_atAnLsn_sendsParentLsn() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches")).willReturn(json(201, "branch-created.json")));

    client.createBranch(PROJECT, new BranchCreate(MAIN, "x", null, "0/1DE2850", false));

    neon.server()
        .verify(
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches"))
                .withRequestBody(
                    equalToJson(
                        "{\"branch\": {\"parent_id\": \""
                            + MAIN
                            + "\", \"name\": \"x\", \"parent_lsn\": \"0/1DE2850\"}}")));
  }

  @Test
  void restoreBranch_sendsSourceTimestampAndPreserveUnderName() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches/" + MAIN + "/restore"))
            .willReturn(json(200, "branch-restored-in-place.json")));

    NeonModel.BranchOperations r =
        client.restoreBranch(
            PROJECT,
            MAIN,
            new BranchRestore(
                MAIN, Instant.parse("2025-01-15T10:20:00Z"), null, "main_before_1a2b"));

    assertThat(r.branch().lastResetAt()).isEqualTo(Instant.parse("2025-01-15T11:00:00Z"));
    neon.server()
        .verify(
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches/" + MAIN + "/restore"))
                .withRequestBody(
                    equalToJson(
                        "{\"source_branch_id\": \""
                            + MAIN
                            + "\", \"source_timestamp\": \"2025-01-15T10:20:00Z\","
                            + " \"preserve_under_name\": \"main_before_1a2b\"}")));
  }

  @Test
  void restoreBranch_ofAMissingBranch_isBackupNotFound() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches/br-gone-000000/restore"))
            .willReturn(error(404, "branch not found")));

    DbRecoverException e =
        catchThrowableOfType(
            DbRecoverException.class,
            () ->
                client.restoreBranch(
                    PROJECT, "br-gone-000000", new BranchRestore(MAIN, null, null, null)));

    assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
    assertThat(e.code().exitCode()).isEqualTo(3);
    assertThat(e).hasMessageContaining("br-gone-000000").hasMessageContaining("branch not found");
  }

  @Test
  void setDefaultBranch_postsWithoutABody() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches/" + NEW + "/set_as_default"))
            .willReturn(json(200, "branch-deleted.json")));

    assertThat(client.setDefaultBranch(PROJECT, NEW).branch().id()).isEqualTo(NEW);
    neon.server()
        .verify(
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches/" + NEW + "/set_as_default")));
  }

  @Test
  void deleteBranch_returnsItsOperations_andEmptyWhenAlreadyGone() {
    neon.stub(
        delete(urlEqualTo(PROJECT_PATH + "/branches/" + NEW))
            .willReturn(json(200, "branch-deleted.json")));
    neon.stub(
        delete(urlEqualTo(PROJECT_PATH + "/branches/br-gone-000000"))
            .willReturn(error(404, "branch not found")));

    assertThat(client.deleteBranch(PROJECT, NEW)).isPresent();
    assertThat(client.deleteBranch(PROJECT, "br-gone-000000")).isEmpty();
    neon.server().verify(1, deleteRequestedFor(urlEqualTo(PROJECT_PATH + "/branches/" + NEW)));
  }

  @Test
  void endpoints_listedAndCreatedForABranch() {
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/branches/" + NEW + "/endpoints"))
            .willReturn(json(200, "endpoints.json")));
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/endpoints"))
            .willReturn(json(201, "endpoint-created.json")));

    assertThat(client.listBranchEndpoints(PROJECT, NEW))
        .singleElement()
        .satisfies(ep -> assertThat(ep.readWrite()).isTrue());
    assertThat(client.createEndpoint(PROJECT, NEW).endpoint().id())
        .isEqualTo("ep-little-smoke-851426");
    neon.server()
        .verify(
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/endpoints"))
                .withRequestBody(
                    equalToJson(
                        "{\"endpoint\": {\"branch_id\": \""
                            + NEW
                            + "\", \"type\": \"read_write\"}}")));
  }

  @Test
  void deleteEndpoint_returnsItsOperations_andEmptyWhenAlreadyGone() {
    neon.stub(
        delete(urlEqualTo(PROJECT_PATH + "/endpoints/ep-little-smoke-851426"))
            .willReturn(json(200, "endpoint-created.json")));
    neon.stub(
        delete(urlEqualTo(PROJECT_PATH + "/endpoints/ep-gone-000000"))
            .willReturn(NeonApiStub.error(404, "endpoint not found")));

    assertThat(client.deleteEndpoint(PROJECT, "ep-little-smoke-851426"))
        .hasValueSatisfying(ops -> assertThat(ops.operations()).hasSize(1));
    assertThat(client.deleteEndpoint(PROJECT, "ep-gone-000000")).isEmpty();
  }

  @Test
  void connectionUri_asksForDatabaseAndRole_andHidesThePassword() {
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/connection_uri"))
            .withQueryParam("branch_id", equalTo(NEW))
            .withQueryParam("database_name", equalTo("neondb"))
            .withQueryParam("role_name", equalTo("app"))
            .willReturn(json(200, "connection-uri.json")));

    var uri = client.connectionUri(PROJECT, NEW, "neondb", "app");

    assertThat(uri.toString()).isEqualTo("****");
    assertThat(uri.reveal()).contains("s3cret-pw@ep-little-smoke-851426");
  }

  @Test
  void operations_getAndList() {
    String id = "a07f8772-1877-4da9-a939-3a3ae62d1d8d";
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/operations/" + id))
            .willReturn(json(200, "operation-finished.json")));
    neon.stub(
        get(urlPathEqualTo(PROJECT_PATH + "/operations"))
            .withQueryParam("limit", equalTo("100"))
            .willReturn(json(200, "operations-failed.json")));

    assertThat(client.getOperation(PROJECT, id))
        .hasValueSatisfying(op -> assertThat(op.state()).isEqualTo(OperationState.FINISHED));
    assertThat(client.listOperations(PROJECT, 100))
        .singleElement()
        .satisfies(op -> assertThat(op.state()).isEqualTo(OperationState.FAILED))
        .satisfies(op -> assertThat(op.error()).contains("not enough space"));
  }

  @Test
  void createSnapshot_passesNameAndTimestampAsQuery() {
    neon.stub(
        post(urlPathEqualTo(PROJECT_PATH + "/branches/" + MAIN + "/snapshot"))
            .withQueryParam("name", equalTo("before-deploy-42"))
            .withQueryParam("timestamp", equalTo("2025-01-15T09:00:00Z"))
            .willReturn(json(200, "snapshot-created.json")));

    NeonModel.SnapshotOperations s =
        client.createSnapshot(
            PROJECT, MAIN, "before-deploy-42", Instant.parse("2025-01-15T09:00:00Z"), null);

    assertThat(s.snapshot().id()).isEqualTo("snap-billowing-frost-123456");
    assertThat(s.operations()).hasSize(1);
  }

  @Test
  void listSnapshots_readsTheirSourceBranch() {
    neon.stub(get(urlEqualTo(PROJECT_PATH + "/snapshots")).willReturn(json(200, "snapshots.json")));

    assertThat(client.listSnapshots(PROJECT))
        .singleElement()
        .satisfies(s -> assertThat(s.sourceBranchId()).isEqualTo(MAIN))
        .satisfies(s -> assertThat(s.name()).isEqualTo("before-deploy-42"));
  }

  @Test
  void restoreSnapshot_asAPreview_thenFinalize() {
    String snap = "snap-billowing-frost-123456";
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/snapshots/" + snap + "/restore"))
            .willReturn(json(200, "snapshot-restored.json")));
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches/" + NEW + "/finalize_restore"))
            .willReturn(json(200, "finalize-restore.json")));

    NeonModel.BranchOperations r =
        client.restoreSnapshot(PROJECT, snap, "main_restored_1a2b", MAIN, false);
    List<NeonModel.Operation> ops =
        client.finalizeRestore(PROJECT, r.branch().id(), "main_before_1a2b");

    assertThat(ops).hasSize(1);
    neon.server()
        .verify(
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/snapshots/" + snap + "/restore"))
                .withRequestBody(
                    equalToJson(
                        "{\"name\": \"main_restored_1a2b\", \"target_branch_id\": \""
                            + MAIN
                            + "\", \"finalize_restore\": false}")));
    neon.server()
        .verify(
            postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches/" + NEW + "/finalize_restore"))
                .withRequestBody(equalToJson("{\"name\": \"main_before_1a2b\"}")));
  }

  @Test
  void restoreSnapshot_thatIsGone_isBackupNotFound() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/snapshots/snap-gone-000000/restore"))
            .willReturn(error(404, "snapshot not found")));

    DbRecoverException e =
        catchThrowableOfType(
            DbRecoverException.class,
            () -> client.restoreSnapshot(PROJECT, "snap-gone-000000", null, null, false));

    assertThat(e.code()).isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
    assertThat(e).hasMessageContaining("list-backups");
  }

  @Test
  void deleteSnapshot_trueWhenDeleted_falseWhenGone() {
    neon.stub(
        delete(urlEqualTo(PROJECT_PATH + "/snapshots/snap-billowing-frost-123456"))
            .willReturn(json(202, "snapshot-deleted.json")));
    neon.stub(
        delete(urlEqualTo(PROJECT_PATH + "/snapshots/snap-gone-000000"))
            .willReturn(error(404, "snapshot not found")));

    assertThat(client.deleteSnapshot(PROJECT, "snap-billowing-frost-123456")).isTrue();
    assertThat(client.deleteSnapshot(PROJECT, "snap-gone-000000")).isFalse();
  }

  @Test
  void unauthorized_isAProviderErrorNamingTheKeySetting_neverTheKey() {
    neon.stub(get(urlEqualTo(PROJECT_PATH)).willReturn(error(401, "authentication required")));

    ProviderException e =
        catchThrowableOfType(ProviderException.class, () -> client.getProject(PROJECT));

    assertThat(e.code().exitCode()).isEqualTo(8);
    assertThat(e)
        .hasMessageContaining("NEON_API_KEY")
        .hasMessageContaining("HTTP 401")
        .hasMessageNotContaining(API_KEY);
    assertThat(e.requestId()).hasValue("req-401");
    neon.server().verify(1, getRequestedFor(urlEqualTo(PROJECT_PATH)));
  }

  @Test
  void forbidden_isAProviderErrorSayingThePermissionIsMissing() {
    neon.stub(post(urlEqualTo(PROJECT_PATH + "/branches")).willReturn(error(403, "access denied")));

    ProviderException e =
        catchThrowableOfType(
            ProviderException.class,
            () -> client.createBranch(PROJECT, new BranchCreate(MAIN, "x", null, null, false)));

    assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_API);
    assertThat(e)
        .hasMessageContaining("not permitted to create Neon branch 'x'")
        .hasMessageContaining("access to the project")
        .hasMessageNotContaining(API_KEY);
  }

  @Test
  void missingProject_isAConfigurationError() {
    neon.stub(get(urlEqualTo(PROJECT_PATH)).willReturn(error(404, "project not found")));

    ConfigurationException e =
        catchThrowableOfType(ConfigurationException.class, () -> client.getProject(PROJECT));

    assertThat(e.code().exitCode()).isEqualTo(1);
    assertThat(e)
        .hasMessageContaining("project '" + PROJECT + "'")
        .hasMessageContaining("database.options.project-id");
  }

  @Test
  void locked_isRetriedAfterThreeSeconds_untilTheOperationEnds() {
    neon.sequence(
        () -> post(urlEqualTo(PROJECT_PATH + "/branches/" + MAIN + "/restore")),
        error(423, "project already has running operations"),
        error(423, "project already has running operations"),
        json(200, "branch-restored-in-place.json"));

    client.restoreBranch(
        PROJECT,
        MAIN,
        new BranchRestore(MAIN, Instant.parse("2025-01-15T10:20:00Z"), null, "keep"));

    assertThat(neon.sleeps).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(3));
    neon.server()
        .verify(3, postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches/" + MAIN + "/restore")));
  }

  @Test
  void conflict_isRetriedLikeLocked() {
    neon.sequence(
        () -> get(urlEqualTo(PROJECT_PATH)),
        error(409, "operation in progress"),
        json(200, "project.json"));

    assertThat(client.getProject(PROJECT).id()).isEqualTo(PROJECT);
    assertThat(neon.sleeps).containsExactly(Duration.ofSeconds(3));
  }

  @Test
  void lockedFiveTimes_givesUpWithAProviderError() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches/" + MAIN + "/restore"))
            .willReturn(error(423, "project already has running operations")));

    ProviderException e =
        catchThrowableOfType(
            ProviderException.class,
            () ->
                client.restoreBranch(
                    PROJECT,
                    MAIN,
                    new BranchRestore(MAIN, Instant.parse("2025-01-15T10:20:00Z"), null, "keep")));

    assertThat(e)
        .hasMessageContaining("locked by another operation")
        .hasMessageContaining("5 attempts");
    neon.server()
        .verify(5, postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches/" + MAIN + "/restore")));
    assertThat(neon.sleeps).hasSize(4);
  }

  @Test
  void rateLimited_waitsRetryAfter() {
    neon.sequence(
        () -> get(urlEqualTo(PROJECT_PATH)),
        error(429, "rate limit exceeded").withHeader("Retry-After", "7"),
        json(200, "project.json"));

    assertThat(client.getProject(PROJECT).id()).isEqualTo(PROJECT);
    assertThat(neon.sleeps).containsExactly(Duration.ofSeconds(7));
  }

  @Test
  void rateLimitedThroughout_isRateLimitedWithTheLastRetryAfter() {
    neon.stub(
        get(urlEqualTo(PROJECT_PATH))
            .willReturn(error(429, "rate limit exceeded").withHeader("Retry-After", "7")));

    RateLimitedException e =
        catchThrowableOfType(RateLimitedException.class, () -> client.getProject(PROJECT));

    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(e.code().exitCode()).isEqualTo(8);
    assertThat(e).hasMessageContaining("HTTP 429");
    neon.server().verify(5, getRequestedFor(urlEqualTo(PROJECT_PATH)));
  }

  @Test
  void serverError_onARead_isRetriedWithGrowingBackoff() {
    neon.sequence(
        () -> get(urlEqualTo(PROJECT_PATH)),
        error(500, "internal error"),
        error(502, "bad gateway"),
        json(200, "project.json"));

    assertThat(client.getProject(PROJECT).historyRetentionSeconds()).isEqualTo(86400);
    // base 1 s doubled per attempt, times the jitter factor 0.75 (jitter 0.5)
    assertThat(neon.sleeps).containsExactly(Duration.ofMillis(750), Duration.ofMillis(1500));
  }

  @Test
  void serverErrorThroughout_isAProviderErrorWithTheRequestId() {
    neon.stub(get(urlEqualTo(PROJECT_PATH)).willReturn(error(500, "internal error")));

    ProviderException e =
        catchThrowableOfType(ProviderException.class, () -> client.getProject(PROJECT));

    assertThat(e.code().exitCode()).isEqualTo(8);
    assertThat(e).hasMessageContaining("HTTP 500").hasMessageContaining("after 4 attempts");
    assertThat(e.requestId()).hasValue("req-500");
    neon.server().verify(4, getRequestedFor(urlEqualTo(PROJECT_PATH)));
  }

  @Test
  void serverError_onACreate_isNotRetriedBlindly() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches")).willReturn(error(500, "internal error")));

    ProviderException e =
        catchThrowableOfType(
            ProviderException.class,
            () -> client.createBranch(PROJECT, new BranchCreate(MAIN, "x", null, null, true)));

    assertThat(e).hasMessageContaining("HTTP 500");
    neon.server().verify(1, postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches")));
    assertThat(neon.sleeps).isEmpty();
  }

  @Test
  void unavailable_onACreate_isRetried() {
    neon.sequence(
        () -> post(urlEqualTo(PROJECT_PATH + "/branches")),
        error(503, "service unavailable"),
        json(201, "branch-created.json"));

    assertThat(
            client
                .createBranch(PROJECT, new BranchCreate(MAIN, "x", null, null, true))
                .branch()
                .id())
        .isEqualTo(NEW);
    neon.server().verify(2, postRequestedFor(urlEqualTo(PROJECT_PATH + "/branches")));
  }

  @Test
  void timestampOutsideRetention_isNoRecoveryPoint() {
    neon.stub(
        post(urlEqualTo(PROJECT_PATH + "/branches"))
            .willReturn(
                error(
                    400,
                    "timestamp is before retention window; timestamp:\\\"2025-01-13 00:00:00 +0000 UTC\\\","
                        + " retention_window:\\\"24h0m0s\\\"")));

    DbRecoverException e =
        catchThrowableOfType(
            DbRecoverException.class,
            () ->
                client.createBranch(
                    PROJECT,
                    new BranchCreate(
                        MAIN, "x", Instant.parse("2025-01-13T00:00:00Z"), null, true)));

    assertThat(e.code()).isEqualTo(ErrorCode.NO_RECOVERY_POINT);
    assertThat(e).hasMessageContaining("history window").hasMessageContaining("24h0m0s");
  }

  @Test
  void theValidator_catchesARequestTheDocumentForbids() {
    // A guard on the guard: an operation id that is not a uuid breaks the document's path rule.
    neon.stub(
        get(urlEqualTo(PROJECT_PATH + "/operations/not-a-uuid"))
            .willReturn(json(200, "operation-finished.json")));

    client.getOperation(PROJECT, "not-a-uuid");

    assertThat(neon.problems()).anySatisfy(p -> assertThat(p).contains("not-a-uuid"));
    neon.server().resetRequests();
  }
}
