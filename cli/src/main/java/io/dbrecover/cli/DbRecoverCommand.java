package io.dbrecover.cli;

import io.dbrecover.engine.api.ConfigLoader;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.Trace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level command; global options are inherited by every subcommand. */
@Command(
    name = "dbrecover",
    mixinStandardHelpOptions = true,
    version = "dbrecover 0.1.0",
    sortOptions = false,
    description = {
      "Gets a PostgreSQL database back to a good state after a bad migration or data corruption.",
      "",
      "Without a dbrecover.yaml, an 'embedded' environment backed by an embedded PostgreSQL under"
          + " .dbrecover/ is used, so every command works on a fresh machine."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:configuration or validation error",
      "2:no backup / recovery point available",
      "3:backup not found",
      "4:restore failed (original untouched)",
      "5:post-recovery verification failed",
      "6:cancelled by the user",
      "7:another recovery holds the lock",
      "8:provider API error (auth, quota, throttling after retries)"
    })
final class DbRecoverCommand implements Runnable {
  /** The subcommands, in the order help lists them (registered by {@link Main#commandLine}). */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          PlanCommand.class,
          RollbackCommand.class,
          RestoreCommand.class,
          BackupCommand.class,
          ListBackupsCommand.class,
          VerifyBackupCommand.class,
          PruneCommand.class,
          StatusCommand.class,
          ResumeCommand.class,
          SwapBackCommand.class,
          ReportCommand.class,
          ApproveCommand.class,
          PitrCommand.class,
          TimelineCommand.class,
          DrillCommand.class);

  /** The output format of every command. */
  enum Format {
    TEXT,
    JSON
  }

  @Option(
      names = {"-c", "--config"},
      scope = ScopeType.INHERIT,
      paramLabel = "<file>",
      description =
          "Configuration file (default: $DBRECOVER_CONFIG, else ./dbrecover.yaml if present, else the"
              + " embedded default).")
  Path config;

  @Option(
      names = "--state-dir",
      scope = ScopeType.INHERIT,
      paramLabel = "<dir>",
      description =
          "Where journals, locks, reports and the embedded database live (default: .dbrecover).")
  Path stateDir;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      paramLabel = "text|json",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: text).")
  Format output = Format.TEXT;

  private final Supplier<RecoveryEngine> engine;
  private final Map<String, String> environment;

  DbRecoverCommand(Supplier<RecoveryEngine> engine) {
    this(engine, System.getenv());
  }

  /** With the environment variables the commands read (tests pass their own). */
  DbRecoverCommand(Supplier<RecoveryEngine> engine, Map<String, String> environment) {
    this.engine = engine;
    this.environment = Map.copyOf(environment);
  }

  /** An environment variable, or null. */
  String env(String key) {
    return environment.get(key);
  }

  RecoveryEngine engine() {
    try (Trace.Span t = Trace.span("engine")) {
      return engine.get();
    }
  }

  DbRecoverConfig loadConfig() {
    Path file = config;
    if (file == null && env("DBRECOVER_CONFIG") != null) {
      file = Path.of(env("DBRECOVER_CONFIG"));
    }
    if (file == null && Files.exists(Path.of("dbrecover.yaml"))) {
      file = Path.of("dbrecover.yaml");
    }
    if (file == null) {
      return ConfigLoader.embeddedDefault(
          stateDir != null ? stateDir : Path.of(".dbrecover").toAbsolutePath());
    }
    if (!Files.isRegularFile(file)) {
      throw new ConfigurationException(
          "configuration file "
              + file
              + " does not exist; create it (see docs/configuration.md) or omit"
              + " --config to use the embedded default");
    }
    DbRecoverConfig loaded;
    try (Trace.Span t = Trace.span("configuration " + file)) {
      loaded = ConfigLoader.load(file, environment);
    }
    if (stateDir != null) {
      return new DbRecoverConfig(
          loaded.source(), stateDir.toAbsolutePath(), loaded.environments(), loaded.stateStore());
    }
    return loaded;
  }

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }
}
