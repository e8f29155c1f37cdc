package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.DbUrl;
import java.time.Instant;

/** Where a restore stands: still running, done with the restored database's URL, or failed. */
public sealed interface RestoreStatus {
  /** Still running; poll again at {@code pollAt}. */
  record Running(Instant pollAt, String detail) implements RestoreStatus {}

  /** Finished; {@code url} reaches the restored database. */
  record Done(DbUrl url, String description) implements RestoreStatus {}

  /** Failed; the original is untouched. */
  record Failed(String reason) implements RestoreStatus {}
}
