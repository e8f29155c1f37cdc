package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.UrlTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * DATABASE_URL in a dotenv file. {@link #write} keeps the whole previous file in {@code
 * <file>.dbrecover-<runId>.bak} (owner-only) and replaces the file by an atomic rename; {@link
 * #swapBack} puts back only the key, keeping lines edited since.
 */
public final class DotenvUrlTarget implements UrlTarget {
  /** The config type and receipt type. */
  public static final String TYPE = "dotenv";

  private final Path file;
  private final String key;

  public DotenvUrlTarget(Path file, String key) {
    this.file = Objects.requireNonNull(file, "file");
    this.key = Objects.requireNonNull(key, "key");
    if (!key.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
      throw new ConfigurationException("'" + key + "' is not a valid dotenv key");
    }
  }

  /** Creates dotenv targets; a relative path resolves against the config file's directory. */
  public static final class Factory implements UrlTarget.Factory {
    @Override
    public UrlTarget create(EnvironmentConfig.UrlTarget config, Path baseDir) {
      if (!TYPE.equals(config.type())) {
        throw new ConfigurationException("url-target type '" + config.type() + "' is not " + TYPE);
      }
      return new DotenvUrlTarget(baseDir.resolve(config.location()).normalize(), config.key());
    }
  }

  @Override
  public String describe() {
    return file + " (" + key + ")";
  }

  @Override
  public Optional<Secret> read() {
    return readText(file).flatMap(text -> DotenvLines.get(text, key)).map(Secret::of);
  }

  @Override
  public Map<String, String> write(Secret value, String runId) {
    if (runId == null || !runId.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new IllegalArgumentException("run id must be a plain name: " + runId);
    }
    Path target = realTarget();
    Path backup = target.resolveSibling(target.getFileName() + ".dbrecover-" + runId + ".bak");
    String previous = readText(target).orElse("");
    try {
      // A retry of the same run must keep the value from before the run, not its own.
      if (!Files.exists(backup)) {
        AtomicFiles.createOwnerOnly(backup, previous.getBytes(StandardCharsets.UTF_8));
      }
      AtomicFiles.replace(
          target,
          DotenvLines.set(previous, key, value.reveal()).getBytes(StandardCharsets.UTF_8),
          AtomicFiles.OWNER_ONLY);
    } catch (IOException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION,
          "cannot write " + describe() + ": " + e.getMessage() + "; check the file's permissions",
          e);
    }
    return Map.of("type", TYPE, "file", target.toString(), "backup", backup.toString(), "key", key);
  }

  @Override
  public void swapBack(Map<String, String> receipt) {
    if (!TYPE.equals(receipt.get("type"))) {
      throw new IllegalArgumentException("not a dotenv receipt: type " + receipt.get("type"));
    }
    Path target = Path.of(receipt.get("file"));
    Path backup = Path.of(receipt.get("backup"));
    String receiptKey = receipt.get("key");
    String saved =
        readText(backup)
            .orElseThrow(
                () ->
                    new DbRecoverException(
                        ErrorCode.BACKUP_NOT_FOUND,
                        "the saved previous "
                            + receiptKey
                            + " is gone: "
                            + backup
                            + " does not exist; set "
                            + receiptKey
                            + " in "
                            + target
                            + " by hand"));
    Optional<String> previous = DotenvLines.get(saved, receiptKey);
    String current = readText(target).orElse("");
    String restored =
        previous.isPresent()
            ? DotenvLines.set(current, receiptKey, previous.get())
            : DotenvLines.remove(current, receiptKey);
    try {
      AtomicFiles.replace(
          target, restored.getBytes(StandardCharsets.UTF_8), AtomicFiles.OWNER_ONLY);
    } catch (IOException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION,
          "cannot restore " + receiptKey + " in " + target + ": " + e.getMessage(),
          e);
    }
  }

  /** The file a symlinked .env points to, so the rename replaces the file, not the link. */
  private Path realTarget() {
    try {
      return Files.exists(file) ? file.toRealPath() : file.toAbsolutePath().normalize();
    } catch (IOException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION, "cannot resolve " + file + ": " + e.getMessage(), e);
    }
  }

  private static Optional<String> readText(Path path) {
    try {
      return Optional.of(Files.readString(path, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION, "cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
