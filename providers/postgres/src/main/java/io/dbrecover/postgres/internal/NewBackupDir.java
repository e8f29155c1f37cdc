package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Fills a new backup directory (logical or base): it is removed again when anything fails, so the
 * store never lists half a backup, and a database error becomes a provider error naming the source.
 */
public final class NewBackupDir {
  private NewBackupDir() {}

  /** What fills the directory. */
  public interface Fill<T> {
    T into(Path dir) throws IOException, SQLException;
  }

  /**
   * Creates {@code dir} and runs {@code fill} on it.
   *
   * @param what names the backup in messages, e.g. "base backup"
   */
  public static <T> T fill(Path dir, DbUrl source, String what, Fill<T> fill) throws IOException {
    Files.createDirectories(dir);
    try {
      return fill.into(dir);
    } catch (RuntimeException | IOException e) {
      EmbeddedBinaries.deleteTree(dir);
      throw e;
    } catch (SQLException e) {
      EmbeddedBinaries.deleteTree(dir);
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          what + " of " + source.redacted() + " failed: " + Jdbc.safe(e, source),
          e);
    }
  }
}
