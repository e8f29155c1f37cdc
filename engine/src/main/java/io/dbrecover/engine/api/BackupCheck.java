package io.dbrecover.engine.api;

import java.util.List;

/**
 * The result of verifying a backup: each check with whether it passed.
 *
 * @param backupId the backup
 * @param checks what was checked, in order
 */
public record BackupCheck(String backupId, List<Item> checks) {
  public BackupCheck {
    checks = List.copyOf(checks);
  }

  /** One check: its name, whether it passed, and a detail for the operator. */
  public record Item(String name, boolean passed, String detail) {}

  public boolean passed() {
    return checks.stream().allMatch(Item::passed);
  }
}
