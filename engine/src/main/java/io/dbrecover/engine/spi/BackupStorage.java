package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.EnvironmentConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Files kept under keys in a remote store, such as an S3 bucket below a prefix. Providers put their
 * backup files here and keep the format (metadata, checksums) themselves; the storage only moves
 * bytes. Registered with Dagger under the URL scheme it serves ({@code @StringKey("s3")}) as a
 * {@link Factory}.
 *
 * <p>Keys are relative to the configured prefix and use {@code /} as separator. Every call blocks
 * until done. Errors are {@link io.dbrecover.engine.api.DbRecoverException}s: access denied and
 * service failures {@link io.dbrecover.engine.api.ErrorCode#PROVIDER_API}, a missing bucket {@link
 * io.dbrecover.engine.api.ErrorCode#CONFIGURATION}.
 */
public interface BackupStorage {

  /** Where the files go, for messages, e.g. {@code s3://bucket/prefix}; never a secret. */
  String describe();

  /**
   * Stores {@code file} under {@code key}, replacing what was there. The object appears whole or
   * not at all; a failed call leaves no partial object behind.
   */
  void put(String key, Path file);

  /**
   * Writes the object {@code key} to {@code target} (which must not exist).
   *
   * @throws io.dbrecover.engine.api.DbRecoverException {@link
   *     io.dbrecover.engine.api.ErrorCode#BACKUP_NOT_FOUND} when there is no such object
   */
  void get(String key, Path target);

  /** Every object whose key starts with {@code prefix} (relative, may be empty), sorted by key. */
  List<StoredObject> list(String prefix);

  /** Deletes the objects; keys that do not exist are ignored. */
  void delete(Collection<String> keys);

  /** One stored object: its relative key, size and last modification. */
  record StoredObject(String key, long size, Instant lastModified) {
    public StoredObject {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(lastModified, "lastModified");
    }
  }

  /** Opens stores of one URL scheme. */
  interface Factory {
    /**
     * The store at {@code config}; validates its options (a {@link
     * io.dbrecover.engine.api.ConfigurationException} names a bad one). Makes no network call.
     */
    BackupStorage open(EnvironmentConfig.RemoteStore config);
  }
}
