package io.dbrecover.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.spi.StateStore;
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
 * A run's journal: one JSON record per state change, appended and made durable before the step that
 * follows it, so a crashed run resumes from the last record. Records never hold secrets. Kept in a
 * file under the run's directory, or in whatever {@link StateStore.RunLog} the state store gives.
 */
public final class Journal {
  public static final String FILE = "journal.jsonl";

  /** One record: a sequence number, a time, what changed and its data. */
  public record Entry(
      int seq, Instant at, String type, String step, String status, JsonNode data) {}

  private final StateStore.RunLog log;
  private final List<Entry> entries;

  private Journal(StateStore.RunLog log, List<Entry> entries) {
    this.log = log;
    this.entries = entries;
  }

  /** Creates the journal file of a new run; fails if one exists. */
  public static Journal create(Path runDir) {
    return new Journal(FileLog.create(runDir), new ArrayList<>());
  }

  /** Opens an existing run's journal file; exit 1 naming the run when it does not exist. */
  public static Journal open(Path runDir) {
    return of(FileLog.open(runDir));
  }

  /** A journal kept in {@code log}, with the records it holds (none for a new run). */
  public static Journal of(StateStore.RunLog log) {
    List<Entry> entries = new ArrayList<>();
    for (String record : log.records()) {
      if (record.isBlank()) {
        continue;
      }
      try {
        entries.add(Json.mapper().readValue(record, Entry.class));
      } catch (IOException torn) {
        // A crash can tear the last line of a file; everything before it was forced to disk.
        break;
      }
    }
    return new Journal(log, entries);
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** The journal file; only for a journal kept in a file. */
  public Path file() {
    if (log instanceof FileLog) {
      return ((FileLog) log).file;
    }
    throw new IllegalStateException("the journal is kept in " + log.describe() + ", not a file");
  }

  /** Where the journal is kept, for messages. */
  public String describe() {
    return log.describe();
  }

  /** Appends a record and makes it durable. */
  public synchronized Entry append(
      String type, String step, String status, JsonNode data, Instant at) {
    Entry entry = new Entry(entries.size() + 1, at, type, step, status, data);
    String record;
    try {
      record = Json.mapper().writeValueAsString(entry);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    log.append(entry.seq(), record);
    entries.add(entry);
    return entry;
  }

  public static ObjectNode object() {
    return Json.mapper().createObjectNode();
  }

  /**
   * {@code <runDir>/journal.jsonl}, one record a line, forced to disk on every append. Only the
   * holder of the environment's file lock writes it, so record numbers cannot collide.
   */
  static final class FileLog implements StateStore.RunLog {
    private final Path file;

    private FileLog(Path file) {
      this.file = file;
    }

    static FileLog create(Path runDir) {
      try {
        Files.createDirectories(runDir);
        Path file = runDir.resolve(FILE);
        Files.createFile(file);
        return new FileLog(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static FileLog open(Path runDir) {
      Path file = runDir.resolve(FILE);
      if (!Files.isRegularFile(file)) {
        throw noRun(runDir);
      }
      return new FileLog(file);
    }

    private static ConfigurationException noRun(Path runDir) {
      return new ConfigurationException(
          "no run '"
              + runDir.getFileName()
              + "' under "
              + runDir.getParent()
              + "; list runs with `dbrecover status <env>`");
    }

    @Override
    public String describe() {
      return file.toString();
    }

    @Override
    public List<String> records() {
      try {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw noRun(file.getParent());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void append(int seq, String record) {
      try (FileChannel ch =
          FileChannel.open(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap((record + "\n").getBytes(StandardCharsets.UTF_8));
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
    }
  }
}
