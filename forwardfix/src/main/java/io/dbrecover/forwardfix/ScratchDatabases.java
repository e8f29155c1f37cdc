package io.dbrecover.forwardfix;

import io.dbrecover.engine.api.DbUrl;

/**
 * Where the shadow database is built: an embedded PostgreSQL server that dbrecover owns, never the
 * live one. Implementations create and drop whole databases.
 */
public interface ScratchDatabases {
  /** Creates an empty database called {@code name} and returns a URL that can connect to it. */
  DbUrl create(String name);

  /** Drops a database made by {@link #create}; does nothing if it is already gone. */
  void drop(DbUrl database);
}
