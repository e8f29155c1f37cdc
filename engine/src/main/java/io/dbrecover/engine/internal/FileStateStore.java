package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.StateStoreConfig;
import io.dbrecover.engine.spi.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CLI's state store: journals in {@code <stateDir>/runs/<run>/journal.jsonl}, locks in {@code
 * <stateDir>/locks/<env>.lock} (an OS lock released when the process dies), documents in {@code
 * <stateDir>/<kind>/<id>.json} (owner-only: an approval holds a task token).
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

  @Override
  public Optional<String> document(String kind, String id) {
    Path file = documentFile(kind, id);
    try {
      return Files.isRegularFile(file)
          ? Optional.of(Files.readString(file, StandardCharsets.UTF_8))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean putDocument(String kind, String id, String json, boolean onlyIfAbsent) {
    Path file = documentFile(kind, id);
    byte[] content = json.getBytes(StandardCharsets.UTF_8);
    try {
      Files.createDirectories(file.getParent());
      if (!onlyIfAbsent) {
        AtomicFiles.replace(file, content, AtomicFiles.OWNER_ONLY);
        return true;
      }
      // Written completely beside it, then linked in: the link fails if the document exists.
      Path draft = file.resolveSibling("." + file.getFileName() + ".draft-" + System.nanoTime());
      AtomicFiles.createOwnerOnly(draft, content);
      try {
        Files.createLink(file, draft);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } finally {
        Files.deleteIfExists(draft);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public List<String> documentIds(String kind) {
    Path dir = stateDir.resolve(checkName(kind));
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> !n.startsWith(".") && n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - ".json".length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path documentFile(String kind, String id) {
    return stateDir.resolve(checkName(kind)).resolve(checkName(id) + ".json");
  }

  private static String checkName(String name) {
    if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,99}")) {
      throw new IllegalArgumentException("not a document kind or id: " + name);
    }
    return name;
  }

  private Path runDir(String runId) {
    return stateDir.resolve("runs").resolve(runId);
  }
}
