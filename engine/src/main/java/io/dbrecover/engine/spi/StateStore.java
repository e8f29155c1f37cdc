package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.StateStoreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where recovery runs keep their journals and environments their locks: files under the state
 * directory for the CLI ({@code files}), a DynamoDB table for the Lambda ({@code dynamodb}).
 * Registered with Dagger under its config type ({@code @StringKey("files")}) as a {@link Factory};
 * {@code state-store.type} in {@code dbrecover.yaml} picks one.
 *
 * <p>Contract: calls block until the store answered. Errors are {@link
 * io.dbrecover.engine.api.DbRecoverException}s: {@link io.dbrecover.engine.api.ErrorCode#LOCKED}
 * when another holder has the lock or wrote a journal record first, {@link
 * io.dbrecover.engine.api.ErrorCode#CONFIGURATION} for a run that does not exist, {@link
 * io.dbrecover.engine.api.ErrorCode#PROVIDER_API} when a remote store failed. Journal records are
 * opaque JSON text to the store and never hold secrets.
 */
public interface StateStore {

  /** Where the state is kept, for messages, e.g. {@code DynamoDB table dbrecover-state}. */
  String describe();

  /**
   * Takes the environment's lock without waiting.
   *
   * @param holder who holds it, e.g. {@code run run-20250610-120000-1a2b}; shown to others
   * @throws io.dbrecover.engine.api.DbRecoverException {@code LOCKED} naming the holder when held
   */
  Lock lock(String environment, String holder);

  /** Creates the empty journal of a new run; exit 1 when a run of that id exists. */
  RunLog create(String environment, String runId);

  /** Opens an existing run's journal; exit 1 naming the run when it does not exist. */
  RunLog open(String runId);

  /**
   * Ids of the runs that may belong to {@code environment}, newest first. A store that cannot tell
   * a run's environment without reading it may return other runs too: callers check each header.
   */
  List<String> runIds(String environment);

  /**
   * A small JSON document of {@code kind} kept beside the journals (a pending approval: kind {@code
   * approvals}, id the run id); empty when there is none. Kinds and ids are {@code [a-z0-9-]}
   * strings the engine chooses. Unlike journal records, a document may hold a secret (a task
   * token); it is never printed.
   *
   * @throws io.dbrecover.engine.api.ConfigurationException when this store keeps no documents
   */
  default Optional<String> document(String kind, String id) {
    throw noDocuments();
  }

  /**
   * Writes a document. With {@code onlyIfAbsent}, an existing document is kept and {@code false}
   * returned (atomically: of two writers, one wins); otherwise it is replaced.
   */
  default boolean putDocument(String kind, String id, String json, boolean onlyIfAbsent) {
    throw noDocuments();
  }

  /** The ids of the documents of {@code kind}, in no particular order. */
  default List<String> documentIds(String kind) {
    throw noDocuments();
  }

  private io.dbrecover.engine.api.ConfigurationException noDocuments() {
    return new io.dbrecover.engine.api.ConfigurationException(
        describe() + " keeps no approvals; use state-store type files or dynamodb");
  }

  /** A held environment lock. */
  interface Lock extends AutoCloseable {
    /**
     * Confirms the lock is still held and, for a lock with a lease, extends the lease.
     *
     * @throws io.dbrecover.engine.api.DbRecoverException {@code LOCKED} when it was lost, e.g. a
     *     lease that expired and was taken over by another run
     */
    void renew();

    /** Releases the lock; harmless when it was lost. */
    @Override
    void close();
  }

  /** One run's journal: records numbered from 1, appended in order, never changed. */
  interface RunLog {
    /** Where the journal is, for messages; no secrets. */
    String describe();

    /** The records in order, record 1 first. */
    List<String> records();

    /**
     * Appends record number {@code seq}, which is one more than the records already written. Only
     * one writer can write a given number: a second fails with {@code LOCKED}.
     */
    void append(int seq, String record);
  }

  /** Creates stores from configuration. */
  interface Factory {
    /**
     * @param config the {@code state-store} configuration; the factory validates its options
     * @param stateDir dbrecover's state directory
     */
    StateStore create(StateStoreConfig config, Path stateDir);
  }
}
