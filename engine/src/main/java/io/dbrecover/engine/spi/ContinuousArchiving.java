package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.ArchivingStatus;

/**
 * Implemented by providers whose point-in-time recovery dbrecover runs itself (self-hosted
 * PostgreSQL and the embedded default): WAL archiving set up and watched by dbrecover. Cloud
 * providers archive on their own and do not implement it.
 */
public interface ContinuousArchiving {
  /** Reads the archiving settings, {@code pg_stat_archiver} and the archive; never mutates. */
  ArchivingStatus archivingStatus(ProviderContext ctx);

  /**
   * Configures {@code wal_level}, {@code archive_mode} and {@code archive_command} into the
   * environment's WAL archive directory where the provider is allowed to (the embedded default:
   * always, restarting it; a server dbrecover does not manage: with {@code ALTER SYSTEM} when the
   * user may, otherwise the problems say what to set). Idempotent.
   *
   * @param apply false: only report what would change
   */
  ArchivingStatus enableArchiving(ProviderContext ctx, boolean apply);
}
