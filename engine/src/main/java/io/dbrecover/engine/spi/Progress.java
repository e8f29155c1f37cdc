package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.DbUrl;

/** Progress of a long step, shown to the operator; messages must not contain secrets. */
public interface Progress {
  Progress NONE = message -> {};

  void update(String message);

  /**
   * A restore finished loading the rows of {@code table} ({@code schema.table}, unquoted) into the
   * database at {@code restored}, and nothing changes them before the restore ends. Lets the engine
   * read that table while the restore goes on. Optional for providers; ignored by default.
   */
  default void tableLoaded(DbUrl restored, String table) {}
}
