package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.DbUrl;

/** Progress of a long step, shown to the operator; messages must not contain secrets. */
public interface Progress {
  Progress NONE = message -> {};

  void update(String message);

  /**
   * A restore finished loading the rows of {@code table} ({@code schema.table}, unquoted) into the
   * database at {@code restored}, nothing changes them before the restore ends, and nothing the
   * restore still does locks the table against a read. Lets the engine read that table while the
   * restore goes on. Optional for providers; ignored by default.
   */
  default void tableLoaded(DbUrl restored, String table) {}

  /**
   * The restore into {@code restored} has loaded every table and built every index and key: what it
   * still does is light, so reads need no longer leave it the cores. Optional for providers
   * (without it, reads made while the restore runs take one core); ignored by default.
   */
  default void heavyWorkDone(DbUrl restored) {}
}
