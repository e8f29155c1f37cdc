package io.dbrecover.neon.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.neon.internal.NeonHttp.Call;
import io.dbrecover.neon.internal.NeonHttp.NotFound;
import io.dbrecover.neon.internal.NeonModel.Branch;
import io.dbrecover.neon.internal.NeonModel.BranchCreate;
import io.dbrecover.neon.internal.NeonModel.BranchOperations;
import io.dbrecover.neon.internal.NeonModel.BranchRestore;
import io.dbrecover.neon.internal.NeonModel.CreatedBranch;
import io.dbrecover.neon.internal.NeonModel.Endpoint;
import io.dbrecover.neon.internal.NeonModel.EndpointOperations;
import io.dbrecover.neon.internal.NeonModel.Operation;
import io.dbrecover.neon.internal.NeonModel.Project;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Neon API v2 calls dbrecover needs, typed. Paths, parameters and bodies follow Neon's OpenAPI
 * document; the tests validate every request and stubbed response against it.
 */
public final class NeonClient {
  private static final String CHECK_PROJECT =
      "check database.options.project-id and that the API key's account can see the project";

  private static final int MAX_PAGES = 100;

  private final NeonHttp http;

  public NeonClient(NeonHttp http) {
    this.http = Objects.requireNonNull(http, "http");
  }

  /** {@code GET /projects/{project_id}}; a missing project is a configuration error. */
  public Project getProject(String projectId) {
    return read(
        get(
            List.of("projects", projectId),
            "read Neon project '" + projectId + "'",
            NotFound.CONFIGURATION,
            CHECK_PROJECT),
        "project",
        Project.class);
  }

  /**
   * {@code GET /projects/{project_id}/branches}, optionally filtered by Neon's {@code search} (a
   * substring of the name or id): the caller matches exactly.
   */
  public List<Branch> listBranches(String projectId, String search) {
    List<Branch> out = new ArrayList<>();
    String cursor = null;
    // Without a limit Neon answers with every branch; follow pagination.next should it page.
    for (int page = 0; page < MAX_PAGES; page++) {
      Map<String, String> query = new LinkedHashMap<>();
      query.put("search", search);
      query.put("cursor", cursor);
      JsonNode n =
          http.execute(
                  new Call(
                      "GET",
                      List.of("projects", projectId, "branches"),
                      query,
                      null,
                      "list the branches of Neon project '" + projectId + "'",
                      NotFound.CONFIGURATION,
                      CHECK_PROJECT))
              .orElseThrow();
      List<Branch> branches = list(n.path("branches"), Branch.class);
      out.addAll(branches);
      String next = n.path("pagination").path("next").asText("");
      if (branches.isEmpty() || next.isEmpty() || next.equals(cursor)) {
        break;
      }
      cursor = next;
    }
    return List.copyOf(out);
  }

  /**
   * {@code GET /projects/{project_id}/branches/{branch_id}}; empty when there is no such branch.
   */
  public Optional<Branch> getBranch(String projectId, String branchId) {
    return http.execute(
            get(
                List.of("projects", projectId, "branches", branchId),
                "read Neon branch '" + branchId + "'",
                NotFound.EMPTY,
                null))
        .map(n -> convert(n.path("branch"), Branch.class));
  }

  /** {@code POST /projects/{project_id}/branches} (201 {@code CreatedBranch}). */
  public CreatedBranch createBranch(String projectId, BranchCreate request) {
    NeonModel.BranchCreateBody body =
        new NeonModel.BranchCreateBody(
            new NeonModel.BranchFields(
                request.parentId(),
                request.name(),
                request.parentTimestamp() == null ? null : request.parentTimestamp().toString(),
                request.parentLsn()),
            request.withCompute() ? List.of(new NeonModel.EndpointOptions("read_write")) : null);
    JsonNode n =
        http.execute(
                new Call(
                    "POST",
                    List.of("projects", projectId, "branches"),
                    null,
                    body,
                    "create Neon branch '" + request.name() + "'",
                    NotFound.CONFIGURATION,
                    "check database.options.project-id and database.options.branch"))
            .orElseThrow();
    return convert(n, CreatedBranch.class);
  }

  /**
   * {@code POST /projects/{project_id}/branches/{branch_id}/restore}: restores {@code branchId}
   * from the request's source at its timestamp or LSN, keeping the previous state under {@code
   * preserve_under_name}. The branch keeps its id, computes and connection string.
   */
  public BranchOperations restoreBranch(String projectId, String branchId, BranchRestore r) {
    NeonModel.BranchRestoreBody body =
        new NeonModel.BranchRestoreBody(
            r.sourceBranchId(),
            r.sourceTimestamp() == null ? null : r.sourceTimestamp().toString(),
            r.sourceLsn(),
            r.preserveUnderName());
    JsonNode n =
        http.execute(
                new Call(
                    "POST",
                    List.of("projects", projectId, "branches", branchId, "restore"),
                    null,
                    body,
                    "restore Neon branch '" + branchId + "'",
                    NotFound.BACKUP_NOT_FOUND,
                    "the branch to restore or its source no longer exists"))
            .orElseThrow();
    return convert(n, BranchOperations.class);
  }

  /** {@code POST /projects/{project_id}/branches/{branch_id}/set_as_default}. */
  public BranchOperations setDefaultBranch(String projectId, String branchId) {
    JsonNode n =
        http.execute(
                new Call(
                    "POST",
                    List.of("projects", projectId, "branches", branchId, "set_as_default"),
                    null,
                    null,
                    "make Neon branch '" + branchId + "' the default",
                    NotFound.BACKUP_NOT_FOUND,
                    "the branch no longer exists"))
            .orElseThrow();
    return convert(n, BranchOperations.class);
  }

  /**
   * {@code DELETE /projects/{project_id}/branches/{branch_id}}; empty when the branch was already
   * gone (204 or 404), else the operations the deletion started.
   */
  public Optional<BranchOperations> deleteBranch(String projectId, String branchId) {
    return http.execute(
            new Call(
                "DELETE",
                List.of("projects", projectId, "branches", branchId),
                null,
                null,
                "delete Neon branch '" + branchId + "'",
                NotFound.EMPTY,
                null))
        .map(n -> convert(n, BranchOperations.class));
  }

  /** {@code GET /projects/{project_id}/branches/{branch_id}/endpoints}. */
  public List<Endpoint> listBranchEndpoints(String projectId, String branchId) {
    JsonNode n =
        http.execute(
                get(
                    List.of("projects", projectId, "branches", branchId, "endpoints"),
                    "list the computes of Neon branch '" + branchId + "'",
                    NotFound.CONFIGURATION,
                    "the branch no longer exists"))
            .orElseThrow();
    return list(n.path("endpoints"), Endpoint.class);
  }

  /** {@code POST /projects/{project_id}/endpoints}: a read-write compute for the branch. */
  public EndpointOperations createEndpoint(String projectId, String branchId) {
    JsonNode n =
        http.execute(
                new Call(
                    "POST",
                    List.of("projects", projectId, "endpoints"),
                    null,
                    new NeonModel.EndpointCreateBody(
                        new NeonModel.EndpointFields(branchId, "read_write")),
                    "create a compute for Neon branch '" + branchId + "'",
                    NotFound.CONFIGURATION,
                    "the branch no longer exists"))
            .orElseThrow();
    return convert(n, EndpointOperations.class);
  }

  /**
   * {@code DELETE /projects/{project_id}/endpoints/{endpoint_id}}; empty when the compute was
   * already gone (204 or 404), else the operations the deletion started.
   */
  public Optional<EndpointOperations> deleteEndpoint(String projectId, String endpointId) {
    return http.execute(
            new Call(
                "DELETE",
                List.of("projects", projectId, "endpoints", endpointId),
                null,
                null,
                "delete Neon compute '" + endpointId + "'",
                NotFound.EMPTY,
                null))
        .map(n -> convert(n, EndpointOperations.class));
  }

  /**
   * {@code GET /projects/{project_id}/connection_uri} for a database and role on a branch (its
   * read-write compute). The URI holds the role's password, so it comes back as a {@link Secret}.
   */
  public Secret connectionUri(String projectId, String branchId, String database, String role) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("branch_id", branchId);
    query.put("database_name", database);
    query.put("role_name", role);
    JsonNode n =
        http.execute(
                new Call(
                    "GET",
                    List.of("projects", projectId, "connection_uri"),
                    query,
                    null,
                    "get the connection URI of database '"
                        + database
                        + "' as role '"
                        + role
                        + "' on Neon branch '"
                        + branchId
                        + "'",
                    NotFound.CONFIGURATION,
                    "check database.options.database and database.options.role"))
            .orElseThrow();
    if (!n.hasNonNull("uri")) {
      throw new ProviderException("Neon's connection URI answer has no uri", null, null);
    }
    return Secret.of(n.get("uri").asText());
  }

  /** {@code GET /projects/{project_id}/operations/{operation_id}}; empty when Neon purged it. */
  public Optional<Operation> getOperation(String projectId, String operationId) {
    return http.execute(
            get(
                List.of("projects", projectId, "operations", operationId),
                "read Neon operation '" + operationId + "'",
                NotFound.EMPTY,
                null))
        .map(n -> convert(n.path("operation"), Operation.class));
  }

  /** {@code GET /projects/{project_id}/operations}: the newest {@code limit} operations. */
  public List<Operation> listOperations(String projectId, int limit) {
    JsonNode n =
        http.execute(
                new Call(
                    "GET",
                    List.of("projects", projectId, "operations"),
                    Map.of("limit", Integer.toString(limit)),
                    null,
                    "list the operations of Neon project '" + projectId + "'",
                    NotFound.CONFIGURATION,
                    CHECK_PROJECT))
            .orElseThrow();
    return list(n.path("operations"), Operation.class);
  }

  /**
   * {@code POST /projects/{project_id}/branches/{branch_id}/snapshot} (beta): a snapshot of the
   * branch at {@code timestamp} or {@code lsn} (both null: now), named {@code name}.
   */
  public NeonModel.SnapshotOperations createSnapshot(
      String projectId, String branchId, String name, java.time.Instant timestamp, String lsn) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("name", name);
    query.put("timestamp", timestamp == null ? null : timestamp.toString());
    query.put("lsn", lsn);
    JsonNode n =
        http.execute(
                new Call(
                    "POST",
                    List.of("projects", projectId, "branches", branchId, "snapshot"),
                    query,
                    null,
                    "take a snapshot of Neon branch '" + branchId + "'",
                    NotFound.CONFIGURATION,
                    "check database.options.branch"))
            .orElseThrow();
    return convert(n, NeonModel.SnapshotOperations.class);
  }

  /** {@code GET /projects/{project_id}/snapshots} (beta). */
  public List<NeonModel.Snapshot> listSnapshots(String projectId) {
    JsonNode n =
        http.execute(
                get(
                    List.of("projects", projectId, "snapshots"),
                    "list the snapshots of Neon project '" + projectId + "'",
                    NotFound.CONFIGURATION,
                    CHECK_PROJECT))
            .orElseThrow();
    return list(n.path("snapshots"), NeonModel.Snapshot.class);
  }

  /**
   * {@code POST /projects/{project_id}/snapshots/{snapshot_id}/restore} (beta): a new branch {@code
   * name} with the snapshot's data, for {@code targetBranchId} (null: the snapshot's source
   * branch). Without {@code finalize} it is a preview: {@link #finalizeRestore} makes it the
   * branch.
   */
  public BranchOperations restoreSnapshot(
      String projectId, String snapshotId, String name, String targetBranchId, boolean finalize) {
    JsonNode n =
        http.execute(
                new Call(
                    "POST",
                    List.of("projects", projectId, "snapshots", snapshotId, "restore"),
                    null,
                    new NeonModel.SnapshotRestoreBody(name, targetBranchId, finalize),
                    "restore Neon snapshot '" + snapshotId + "'",
                    NotFound.BACKUP_NOT_FOUND,
                    "`dbrecover list-backups` shows the snapshots there are"))
            .orElseThrow();
    return convert(n, BranchOperations.class);
  }

  /**
   * {@code POST /projects/{project_id}/branches/{branch_id}/finalize_restore} (beta): the restored
   * branch takes the original's name and computes; the original is renamed to {@code name}.
   */
  public List<Operation> finalizeRestore(String projectId, String branchId, String name) {
    JsonNode n =
        http.execute(
                new Call(
                    "POST",
                    List.of("projects", projectId, "branches", branchId, "finalize_restore"),
                    null,
                    new NeonModel.FinalizeRestoreBody(name),
                    "finalize the restore of Neon branch '" + branchId + "'",
                    NotFound.BACKUP_NOT_FOUND,
                    "the restored branch no longer exists"))
            .orElseThrow();
    return list(n.path("operations"), Operation.class);
  }

  /** {@code DELETE /projects/{project_id}/snapshots/{snapshot_id}} (beta); false when gone. */
  public boolean deleteSnapshot(String projectId, String snapshotId) {
    return http.execute(
            new Call(
                "DELETE",
                List.of("projects", projectId, "snapshots", snapshotId),
                null,
                null,
                "delete Neon snapshot '" + snapshotId + "'",
                NotFound.EMPTY,
                null))
        .isPresent();
  }

  private static Call get(List<String> path, String what, NotFound notFound, String hint) {
    return new Call("GET", path, null, null, what, notFound, hint);
  }

  private <T> T read(Call call, String field, Class<T> type) {
    JsonNode n = http.execute(call).orElseThrow();
    if (!n.hasNonNull(field)) {
      throw new ProviderException(
          "Neon's answer to " + call.what() + " has no '" + field + "'", null, null);
    }
    return convert(n.get(field), type);
  }

  private static <T> List<T> list(JsonNode array, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (JsonNode item : array) {
      out.add(convert(item, type));
    }
    return List.copyOf(out);
  }

  private static <T> T convert(JsonNode n, Class<T> type) {
    try {
      return NeonHttp.JSON.treeToValue(n, type);
    } catch (IOException e) {
      throw new ProviderException(
          "cannot read Neon's " + type.getSimpleName() + ": " + e.getMessage(), null, e);
    }
  }
}
