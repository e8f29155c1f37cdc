package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.RecoveryPoint;
import java.util.List;
import java.util.Optional;

/**
 * A database platform adapter: takes backups, lists recovery points and restores them side by side
 * (or in place when asked). Registered with Dagger under its config name ({@code @StringKey}).
 *
 * <p>Contract: calls may block for as long as the work takes unless stated; calls that create
 * something are idempotent on the names in their request, so a retried call finds what the first
 * try created; "not found" is an empty result, never an exception, except where a named backup is
 * required ({@link io.dbrecover.engine.api.ErrorCode#BACKUP_NOT_FOUND}). Provider errors are {@link
 * io.dbrecover.engine.api.DbRecoverException}s with the fitting code; messages never contain
 * secrets.
 */
public interface Provider {

  /** The config name, e.g. {@code postgres}. */
  String name();

  /**
   * The URL of the configured database, resolving (and for the embedded default, starting) what is
   * needed. The engine prefers the URL target's value when one is set.
   */
  DbUrl configuredUrl(EnvironmentConfig environment, java.nio.file.Path stateDir);

  /**
   * What this provider offers for the environment; may call the provider's API, never mutates. The
   * engine may ask this and {@link #recoveryPoints} at the same time, on two threads.
   */
  Capabilities capabilities(ProviderContext ctx);

  /** Recovery points newest first (backups, snapshots); never mutates. */
  List<RecoveryPoint> recoveryPoints(ProviderContext ctx);

  /** Takes a backup of the live database and returns it; blocks until it is complete. */
  RecoveryPoint backup(ProviderContext ctx, BackupRequest request);

  /** Checks a backup's integrity; {@code deep} also restores it into a scratch database. */
  BackupCheck verifyBackup(ProviderContext ctx, String backupId, boolean deep);

  /**
   * Starts (or, when the same request was started before, continues) a restore. May block until
   * done for providers without asynchronous restore.
   */
  RestoreStatus startRestore(ProviderContext ctx, RestoreRequest request);

  /** Polls a restore started with the same request. */
  RestoreStatus pollRestore(ProviderContext ctx, RestoreRequest request);

  /**
   * For an in-place recovery: puts the restored copy named by {@code restored} in the place of the
   * original database {@code originalName} (the original is dropped, unless {@link
   * #originalKeptByReplace} says where it is kept). The engine calls this only after a verified
   * safety copy of the original exists (or the provider keeps one by construction) and the operator
   * confirmed. Idempotent: when the original already is the restored copy, does nothing.
   */
  void replaceOriginal(ProviderContext ctx, RestoreRequest restored, String originalName);

  /**
   * For an in-place recovery: where {@link #replaceOriginal} itself keeps the original's current
   * state (e.g. a Neon branch restore that preserves the old state as a branch named after the
   * run), described for the operator. Present: that kept state is the run's safety copy and the
   * engine takes no safety backup. Empty (the default): the engine takes and verifies a safety
   * backup before anything replaces the original. Never mutates.
   */
  default Optional<String> originalKeptByReplace(ProviderContext ctx, RestoreRequest restored) {
    return Optional.empty();
  }

  /**
   * Swap-back of an in-place run whose original {@link #originalKeptByReplace} kept: puts that kept
   * state back in the original's place (the connection string stays the same) and keeps the state
   * being replaced the same way. Blocks until done; idempotent per run.
   *
   * @return a description of what was put back, for the operator; empty (the default) when this
   *     provider keeps no original, so the engine points the operator to the safety backup
   */
  default Optional<String> putBackKeptOriginal(ProviderContext ctx, String runId) {
    return Optional.empty();
  }

  /**
   * For a dry run: a temporary copy of {@code point} beside the live database, made only where that
   * is cheap (a Neon branch takes seconds), so the operator sees the exact data loss before
   * anything is touched. Blocks until the copy can be queried; closing it deletes it again. Empty
   * (the default): the dry run estimates from the point's recorded row counts instead.
   *
   * @param name the temporary copy's name, derived from a fresh run id
   */
  default Optional<Preview> preview(ProviderContext ctx, RecoveryPoint point, String name) {
    return Optional.empty();
  }

  /** A temporary copy of a recovery point; {@link #close} deletes it. */
  interface Preview extends AutoCloseable {
    /** Reaches the copy. */
    DbUrl url();

    /** Deletes the copy; a copy already gone is not an error. */
    @Override
    void close();
  }

  /**
   * Whether {@link #changedBlocks} can answer for {@code request}'s restore. Only then does the
   * engine hold a snapshot of the live database open from the start of the restore until the
   * data-loss report (which keeps vacuum on the live database from removing rows deleted
   * meanwhile); otherwise it reads the live side on its own while the restore runs. Default: false.
   */
  default boolean readsChangedBlocks(RestoreRequest request) {
    return false;
  }

  /**
   * For the data-loss report of a side-by-side restore: which tables (and heap blocks of them) the
   * live database changed after the point the restored copy {@code restored} stopped at, up to the
   * live WAL position {@code liveLsn} (e.g. {@code 0/3A0001C8}, read in the snapshot the engine
   * compares). Blocks until read; never mutates. {@link ChangedBlocks#unknown} (the default) when
   * the provider cannot tell or cannot prove it in this case: then the engine compares every table.
   */
  default ChangedBlocks changedBlocks(
      ProviderContext ctx, RestoreRequest request, DbUrl restored, String liveLsn) {
    return ChangedBlocks.unknown("the " + name() + " provider does not read its write-ahead log");
  }

  /**
   * The snapshot logical backup {@code point} was taken in, when it recorded one: then the
   * data-loss report of its restore reads only the live rows written after it (and the restored
   * rows with the same keys) instead of hashing every row on both sides. Empty (the default).
   */
  default Optional<BackupSnapshot> backupSnapshot(ProviderContext ctx, RecoveryPoint point) {
    return Optional.empty();
  }

  /** Deletes a backup (retention); returns false if it did not exist. */
  boolean deleteBackup(ProviderContext ctx, String backupId);
}
