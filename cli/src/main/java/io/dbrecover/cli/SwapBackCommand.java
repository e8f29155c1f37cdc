package io.dbrecover.cli;

import io.dbrecover.engine.api.SwapBackResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "swap-back",
    description =
        "Point DATABASE_URL back to the database it named before a run's swap, and verify it.")
final class SwapBackCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "<run-id>", description = "The run whose swap to undo.")
  String runId;

  @Override
  public Integer call() {
    SwapBackResult r = engine().swapBack(config(), runId);
    print(r, "Swapped back: " + r.target() + " points to " + r.url() + " again (verified).\n");
    return 0;
  }
}
