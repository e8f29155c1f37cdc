package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.StateStoreConfig;
import io.dbrecover.engine.spi.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The CLI's state store: journals in {@code <stateDir>/runs/<run>/journal.jsonl}, locks in {@code
 * <stateDir>/locks/<env>.lock} (an OS lock released when the process dies).
 */
public final class FileStateStore implements StateStore {
  /** The config type. */
  public static final String TYPE = "files";

  private final Path stateDir;
  private final Clock clock;

  public FileStateStore(Path stateDir, Clock clock) {
    this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Creates file stores; they take no options. */
  public static final class Factory implements StateStore.Factory {
    private final Clock clock;

    public Factory(Clock clock) {
      this.clock = clock;
    }

    @Override
    public StateStore create(StateStoreConfig config, Path stateDir) {
      if (!config.options().isEmpty()) {
        throw new ConfigurationException(
            "state-store.options: the files state store takes no options (it uses the state"
                + " directory); remove "
                + String.join(", ", new java.util.TreeSet<>(config.options().keySet())));
      }
      return new FileStateStore(stateDir, clock);
    }
  }

  @Override
  public String describe() {
    return "files under " + stateDir;
  }

  @Override
  public Lock lock(String environment, String holder) {
    return EnvironmentLock.acquire(stateDir, environment, holder, clock);
  }

  @Override
  public RunLog create(String environment, String runId) {
    return Journal.FileLog.create(runDir(runId));
  }

  @Override
  public RunLog open(String runId) {
    return Journal.FileLog.open(runDir(runId));
  }

  /** Every run directory with a journal: a file journal does not name its environment. */
  @Override
  public List<String> runIds(String environment) {
    Path runs = stateDir.resolve("runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve(Journal.FILE)))
          .sorted(Comparator.reverseOrder())
          .map(d -> d.getFileName().toString())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path runDir(String runId) {
    return stateDir.resolve("runs").resolve(runId);
  }
}
