package io.dbrecover.neon.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The parts of Neon API v2 objects dbrecover reads and sends, named as in Neon's OpenAPI document
 * (snake case on the wire). Unknown fields are ignored: Neon adds fields without notice.
 */
public final class NeonModel {
  private NeonModel() {}

  /** {@code Project}: only the history retention matters here. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Project(String id, String name, long historyRetentionSeconds, Instant createdAt) {}

  /** {@code Branch}. {@code currentState} is {@code init}, {@code resetting}, {@code ready}, ... */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Branch(
      String id,
      String projectId,
      String parentId,
      String parentLsn,
      Instant parentTimestamp,
      String name,
      String currentState,
      String pendingState,
      @JsonProperty("default") boolean isDefault,
      @JsonProperty("protected") boolean isProtected,
      Instant createdAt,
      Instant lastResetAt) {

    /** Whether the branch can be queried (not being created or reset). */
    public boolean ready() {
      return "ready".equals(currentState) && (pendingState == null || pendingState.isEmpty());
    }
  }

  /** {@code Endpoint} (a compute). {@code type} is {@code read_write} or {@code read_only}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Endpoint(
      String id,
      String projectId,
      String branchId,
      String host,
      String type,
      String currentState,
      boolean disabled) {
    public boolean readWrite() {
      return "read_write".equals(type);
    }
  }

  /** {@code Operation}: an asynchronous change Neon applies after answering the request. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Operation(
      String id,
      String projectId,
      String branchId,
      String endpointId,
      String action,
      String status,
      String error,
      int failuresCount,
      Instant createdAt,
      Instant updatedAt) {

    /** Where an operation stands, from its {@code status} (unknown values count as running). */
    public OperationState state() {
      return OperationState.of(status);
    }
  }

  /** Neon's {@code OperationStatus}, folded into what a caller waits for. */
  public enum OperationState {
    RUNNING,
    FINISHED,
    FAILED;

    static OperationState of(String status) {
      switch (status == null ? "" : status.toLowerCase(Locale.ROOT)) {
        case "finished":
        case "skipped":
          return FINISHED;
        case "failed":
        case "error":
        case "cancelled":
          return FAILED;
        default:
          // scheduling, running, cancelling, and values added after this was written
          return RUNNING;
      }
    }
  }

  /**
   * {@code Snapshot} (beta API). Neon's document gives its times as plain strings, so they stay
   * strings here.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Snapshot(
      String id,
      String name,
      String lsn,
      String timestamp,
      String sourceBranchId,
      String createdAt,
      String expiresAt,
      Boolean manual) {}

  /** The answer of create snapshot: the snapshot and the operations taking it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SnapshotOperations(Snapshot snapshot, List<Operation> operations) {
    public SnapshotOperations {
      operations = operations == null ? List.of() : List.copyOf(operations);
    }
  }

  /** {@code CreatedBranch} (201 of create branch). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CreatedBranch(Branch branch, List<Endpoint> endpoints, List<Operation> operations) {
    public CreatedBranch {
      endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
      operations = operations == null ? List.of() : List.copyOf(operations);
    }
  }

  /** {@code BranchOperations}: a branch and the operations a change to it started. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record BranchOperations(Branch branch, List<Operation> operations) {
    public BranchOperations {
      operations = operations == null ? List.of() : List.copyOf(operations);
    }
  }

  /** {@code EndpointOperations}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record EndpointOperations(Endpoint endpoint, List<Operation> operations) {
    public EndpointOperations {
      operations = operations == null ? List.of() : List.copyOf(operations);
    }
  }

  /**
   * {@code BranchCreateRequest}: a new branch from {@code parentId} (null: the default branch) at
   * {@code parentTimestamp} or {@code parentLsn} (both null: its head), with one read-write compute
   * when {@code withCompute}.
   */
  public record BranchCreate(
      String parentId,
      String name,
      Instant parentTimestamp,
      String parentLsn,
      boolean withCompute) {
    public BranchCreate {
      if (parentTimestamp != null && parentLsn != null) {
        throw new IllegalArgumentException("give parent_timestamp or parent_lsn, not both");
      }
    }
  }

  /**
   * {@code BranchRestoreRequest}: restore a branch from {@code sourceBranchId} at a timestamp or
   * LSN (both null: the source's head), keeping the previous state as {@code preserveUnderName}.
   */
  public record BranchRestore(
      String sourceBranchId, Instant sourceTimestamp, String sourceLsn, String preserveUnderName) {
    public BranchRestore {
      java.util.Objects.requireNonNull(sourceBranchId, "sourceBranchId");
      if (sourceTimestamp != null && sourceLsn != null) {
        throw new IllegalArgumentException("give source_timestamp or source_lsn, not both");
      }
    }
  }

  /** Wire shapes of the request bodies, in the OpenAPI document's field names. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record BranchCreateBody(BranchFields branch, List<EndpointOptions> endpoints) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record BranchFields(String parentId, String name, String parentTimestamp, String parentLsn) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record EndpointOptions(String type) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record BranchRestoreBody(
      String sourceBranchId, String sourceTimestamp, String sourceLsn, String preserveUnderName) {}

  record EndpointCreateBody(EndpointFields endpoint) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SnapshotRestoreBody(String name, String targetBranchId, Boolean finalizeRestore) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record FinalizeRestoreBody(String name) {}

  record EndpointFields(String branchId, String type) {}
}
