package io.dbrecover.engine.api;

/** The steps of a recovery run, in order. Each is idempotent and recorded in the journal. */
public enum Step {
  PREFLIGHT("preflight"),
  SAFETY_COPY("safety copy"),
  START_RESTORE("start restore"),
  AWAIT_RESTORE("await restore"),
  VERIFY_RESTORED("verify restored"),
  DATA_LOSS_REPORT("data-loss report"),
  CONFIRM("confirm"),
  SWAP_URL("swap URL"),
  VERIFY_LIVE("verify live"),
  REPORT("report");

  private final String label;

  Step(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
