package io.dbrecover.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

/**
 * {@link ExecutionRuns} as one small JSON file per execution under {@code
 * <stateDir>/lambda/executions/}, written atomically (temporary file, then rename).
 */
public final class FileExecutionRuns implements ExecutionRuns {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path dir;

  public FileExecutionRuns(Path stateDir) {
    this.dir = stateDir.resolve("lambda").resolve("executions");
  }

  @Override
  public Optional<Entry> find(String execution) {
    Path file = file(execution);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      JsonNode n = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
      return Optional.of(
          new Entry(
              Instant.parse(n.get("reservedAt").asText()),
              n.hasNonNull("runId") ? n.get("runId").asText() : null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void reserve(String execution, Instant at) {
    if (find(execution).isEmpty()) {
      write(execution, at, null);
    }
  }

  @Override
  public synchronized void record(String execution, String runId) {
    Instant reserved = find(execution).map(Entry::reservedAt).orElse(Instant.now());
    write(execution, reserved, runId);
  }

  private void write(String execution, Instant reservedAt, String runId) {
    ObjectNode n = JSON.createObjectNode();
    n.put("execution", execution);
    n.put("reservedAt", reservedAt.toString());
    if (runId != null) {
      n.put("runId", runId);
    }
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "exec", ".tmp");
      Files.writeString(tmp, JSON.writeValueAsString(n), StandardCharsets.UTF_8);
      Files.move(tmp, file(execution), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path file(String execution) {
    if (!execution.matches("[A-Za-z0-9_-]{1,80}")) {
      throw new RejectedEventException(
          "'" + execution + "' is not a Step Functions execution name ([A-Za-z0-9_-], 1-80)");
    }
    return dir.resolve(execution + ".json");
  }
}
