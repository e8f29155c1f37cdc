package io.dbrecover.cli;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What a drill checks on the recovered database, printed for the operator; fails with exit 5. */
final class DrillProof {
  record Check(String what, String expected, String actual) {
    boolean passed() {
      return Objects.equals(expected, actual);
    }
  }

  private final String title;
  private final List<Check> checks = new ArrayList<>();

  DrillProof(String title) {
    this.title = title;
  }

  DrillProof check(String what, Object expected, Object actual) {
    checks.add(new Check(what, String.valueOf(expected), String.valueOf(actual)));
    return this;
  }

  List<Check> checks() {
    return List.copyOf(checks);
  }

  boolean passed() {
    return checks.stream().allMatch(Check::passed);
  }

  /** A Markdown table: check, expected, actual, pass or FAIL. */
  String render() {
    StringBuilder sb = new StringBuilder("\n## ").append(title).append("\n\n");
    sb.append("| check | expected | actual | result |\n|---|---|---|---|\n");
    for (Check c : checks) {
      sb.append("| ")
          .append(c.what())
          .append(" | ")
          .append(c.expected())
          .append(" | ")
          .append(c.actual())
          .append(" | ")
          .append(c.passed() ? "pass" : "FAIL")
          .append(" |\n");
    }
    return sb.toString();
  }

  /** Throws exit 5 naming every failed check, unless all passed. */
  void requirePassed() {
    List<String> failed = new ArrayList<>();
    for (Check c : checks) {
      if (!c.passed()) {
        failed.add(c.what() + ": expected " + c.expected() + ", got " + c.actual());
      }
    }
    if (!failed.isEmpty()) {
      throw new DbRecoverException(
          ErrorCode.VERIFICATION_FAILED,
          "drill (" + title + ") failed: " + String.join("; ", failed));
    }
  }
}
