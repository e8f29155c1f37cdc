package io.dbrecover.engine.api;

import java.util.List;

/**
 * The result of verifying a database: each check with expected and actual values.
 *
 * @param subject what was verified, e.g. "restored database app_rb_1a2b" (no secrets)
 * @param checks the checks in the order they ran
 */
public record Verification(String subject, List<Check> checks) {
  public Verification {
    checks = List.copyOf(checks);
  }

  /** One check. */
  public record Check(String name, String expected, String actual, boolean passed) {}

  public boolean passed() {
    return checks.stream().allMatch(Check::passed);
  }

  public List<Check> failures() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }
}
