package io.dbrecover.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's journal: one JSON record per state change, appended and forced to disk before the step
 * that follows it, so a crashed run resumes from the last record. Records never hold secrets.
 */
public final class Journal {
  public static final String FILE = "journal.jsonl";

  /** One record: a sequence number, a time, what changed and its data. */
  public record Entry(
      int seq, Instant at, String type, String step, String status, JsonNode data) {}

  private final Path file;
  private final List<Entry> entries;

  private Journal(Path file, List<Entry> entries) {
    this.file = file;
    this.entries = entries;
  }

  /** Creates the journal of a new run; fails if one exists. */
  public static Journal create(Path runDir) {
    try {
      Files.createDirectories(runDir);
      Path file = runDir.resolve(FILE);
      Files.createFile(file);
      return new Journal(file, new ArrayList<>());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens an existing run's journal; exit 1 naming the run when it does not exist. */
  public static Journal open(Path runDir) {
    Path file = runDir.resolve(FILE);
    try {
      List<Entry> entries = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        try {
          entries.add(Json.mapper().readValue(line, Entry.class));
        } catch (IOException torn) {
          // A crash can tear the last line; everything before it was forced to disk.
          break;
        }
      }
      return new Journal(file, entries);
    } catch (NoSuchFileException e) {
      throw new ConfigurationException(
          "no run '"
              + runDir.getFileName()
              + "' under "
              + runDir.getParent()
              + "; list runs with `dbrecover status <env>`");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  public Path file() {
    return file;
  }

  /** Appends a record and forces it to disk. */
  public synchronized Entry append(
      String type, String step, String status, JsonNode data, Instant at) {
    Entry entry = new Entry(entries.size() + 1, at, type, step, status, data);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
      byte[] line =
          (Json.mapper().writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
      ByteBuffer buf = ByteBuffer.wrap(line);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(false);
    } catch (IOException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION,
          "cannot write the run journal " + file + ": " + e.getMessage(),
          e);
    }
    entries.add(entry);
    return entry;
  }

  public static ObjectNode object() {
    return Json.mapper().createObjectNode();
  }
}
