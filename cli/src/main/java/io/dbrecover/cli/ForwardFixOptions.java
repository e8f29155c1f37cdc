package io.dbrecover.cli;

import picocli.CommandLine.Option;

/** The options of {@code rollback --method forward-fix}. */
final class ForwardFixOptions {
  @Option(
      names = "--method",
      paramLabel = "forward-fix",
      description =
          "Use this method instead of the decision tree's choice. Only forward-fix: generate the"
              + " reverse migration from the environment's migrations directory back to --to (default:"
              + " revert the newest migration, or only a failed one) and write it in the tool's"
              + " format; see docs/forward-fix.md.")
  String method;

  @Option(
      names = "--apply",
      description =
          "forward-fix: also run the written migration on the database in one transaction and record"
              + " it in the tool's history table.")
  boolean apply;

  @Option(
      names = "--allow-data-loss",
      description =
          "forward-fix: accept a migration that destroys rows or values (they are counted and"
              + " listed first); without it such a migration is refused.")
  boolean allowDataLoss;
}
