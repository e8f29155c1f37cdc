package io.dbrecover.postgres.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The {@code metadata.json} beside every backup (logical or base): pretty, with sorted maps and ISO
 * times, written atomically; unknown fields are ignored on reading so older tools read newer files.
 */
public final class MetadataFile {
  public static final String NAME = "metadata.json";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private MetadataFile() {}

  /** Writes {@code <backupDir>/metadata.json} atomically (temp file, then rename). */
  static void write(Path backupDir, Object metadata) throws IOException {
    Path tmp = backupDir.resolve(NAME + ".tmp");
    JSON.writeValue(tmp.toFile(), metadata);
    Files.move(
        tmp,
        backupDir.resolve(NAME),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** Reads {@code <backupDir>/metadata.json}. */
  static <T> T read(Path backupDir, Class<T> type) throws IOException {
    return JSON.readValue(backupDir.resolve(NAME).toFile(), type);
  }
}
