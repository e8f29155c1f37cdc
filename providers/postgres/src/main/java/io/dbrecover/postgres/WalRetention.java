package io.dbrecover.postgres;

import io.dbrecover.engine.spi.Progress;
import io.dbrecover.postgres.internal.BaseBackupMetadata;
import io.dbrecover.postgres.internal.Wal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Removes archived WAL that no remaining base backup needs (what pg_archivecleanup does). */
final class WalRetention {
  private WalRetention() {}

  /**
   * Deletes the segments of {@code archiveDir} older than the start segment of the oldest of {@code
   * remaining}; with no base backup left, keeps everything (a later one may not need it, but
   * nothing proves that yet). Returns how many were removed.
   */
  static int prune(Path archiveDir, List<BaseBackupMetadata> remaining, Progress progress) {
    if (remaining.isEmpty()) {
      return 0;
    }
    BaseBackupMetadata oldest = remaining.get(0);
    long keepFrom = oldest.startWalSegment().number();
    int removed = 0;
    for (Wal.Archived a : Wal.archived(archiveDir, oldest.walSegmentSize())) {
      if (a.segment().number() < keepFrom) {
        try {
          Files.deleteIfExists(archiveDir.resolve(a.segment().name()));
          removed++;
        } catch (IOException e) {
          throw new UncheckedIOException(
              "could not remove archived segment " + a.segment().name() + " from " + archiveDir, e);
        }
      }
    }
    if (removed > 0) {
      progress.update(
          "removed "
              + removed
              + " archived WAL segments older than base backup "
              + oldest.id()
              + " from "
              + archiveDir);
    }
    return removed;
  }
}
