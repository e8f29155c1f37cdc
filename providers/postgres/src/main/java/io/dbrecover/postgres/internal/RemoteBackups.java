package io.dbrecover.postgres.internal;

import io.dbrecover.engine.spi.BackupStorage;
import io.dbrecover.engine.spi.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Logical backups kept in a remote {@link BackupStorage} with the layout of the local store: {@code
 * <id>/dump/...} and {@code <id>/metadata.json}, the metadata uploaded last. An id with objects but
 * no metadata is an incomplete backup, exactly as a local directory without it.
 */
public final class RemoteBackups {
  private static final String METADATA = BackupMetadata.FILE;

  private final BackupStorage storage;

  public RemoteBackups(BackupStorage storage) {
    this.storage = Objects.requireNonNull(storage, "storage");
  }

  /** The store, for messages, e.g. {@code s3://bucket/prefix}. */
  public String describe() {
    return storage.describe();
  }

  /** Where one backup lives, e.g. {@code s3://bucket/prefix/backup-20260101-000000}. */
  public String location(String id) {
    return storage.describe() + "/" + id;
  }

  /**
   * Uploads the complete local backup {@code <bdir>}: every dump file, then {@code metadata.json}.
   */
  public void upload(Path bdir, String id, Progress progress) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(bdir.resolve("dump"))) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    int n = 0;
    for (Path f : files) {
      n++;
      String rel = bdir.relativize(f).toString().replace('\\', '/');
      progress.update("uploading " + id + "/" + rel + " (" + n + " of " + files.size() + ")");
      storage.put(id + "/" + rel, f);
    }
    // Last: until it is there, the remote backup is incomplete and never listed as usable.
    storage.put(id + "/" + METADATA, bdir.resolve(METADATA));
    progress.update("uploaded " + id + " to " + storage.describe());
  }

  /** The objects of every backup id in the store, by id (ids that are not backup ids ignored). */
  public Map<String, List<BackupStorage.StoredObject>> objectsById() {
    Map<String, List<BackupStorage.StoredObject>> byId = new TreeMap<>();
    for (BackupStorage.StoredObject o : storage.list("")) {
      int slash = o.key().indexOf('/');
      if (slash > 0 && BackupIds.valid(o.key().substring(0, slash))) {
        byId.computeIfAbsent(o.key().substring(0, slash), k -> new ArrayList<>()).add(o);
      }
    }
    return byId;
  }

  /** Whether the objects of one id include its metadata (the backup completed). */
  public static boolean complete(String id, List<BackupStorage.StoredObject> objects) {
    return objects.stream().anyMatch(o -> o.key().equals(id + "/" + METADATA));
  }

  /**
   * The metadata of the complete backups, downloaded into a temporary directory under {@code
   * scratch} that is removed afterwards.
   */
  public List<BackupMetadata> metadata(Path scratch) throws IOException {
    List<BackupMetadata> result = new ArrayList<>();
    Map<String, List<BackupStorage.StoredObject>> byId = objectsById();
    if (byId.isEmpty()) {
      return result;
    }
    Files.createDirectories(scratch);
    Path tmp = Files.createTempDirectory(scratch, "metadata-");
    try {
      for (Map.Entry<String, List<BackupStorage.StoredObject>> e : byId.entrySet()) {
        if (complete(e.getKey(), e.getValue())) {
          Path d = tmp.resolve(e.getKey());
          Files.createDirectories(d);
          storage.get(e.getKey() + "/" + METADATA, d.resolve(METADATA));
          try {
            result.add(BackupMetadata.read(d));
          } catch (IOException unreadable) {
            // not a usable recovery point; verify-backup reports it
          }
        }
      }
    } finally {
      EmbeddedBinaries.deleteTree(tmp);
    }
    return result;
  }

  /**
   * Downloads every object of backup {@code id} into {@code target} (created), keeping the layout.
   * Returns false when the store has no object of that id.
   */
  public boolean download(String id, Path target, Progress progress) throws IOException {
    List<BackupStorage.StoredObject> objects = storage.list(id + "/");
    if (objects.isEmpty()) {
      return false;
    }
    Files.createDirectories(target);
    Path root = target.toAbsolutePath().normalize();
    for (BackupStorage.StoredObject o : objects) {
      Path file = root.resolve(o.key().substring(id.length() + 1)).normalize();
      if (!file.startsWith(root) || file.equals(root)) {
        // a key such as "<id>/../x" would write outside the download directory
        throw new IOException("object key " + o.key() + " does not name a file of the backup");
      }
      progress.update("downloading " + o.key() + " (" + o.size() + " bytes)");
      Files.createDirectories(file.getParent());
      storage.get(o.key(), file);
    }
    return true;
  }

  /** Deletes backup {@code id}, its metadata first; false when it had no objects. */
  public boolean delete(String id) {
    List<BackupStorage.StoredObject> objects = storage.list(id + "/");
    if (objects.isEmpty()) {
      return false;
    }
    // metadata first: a half-deleted backup is then incomplete, never listed as usable
    storage.delete(List.of(id + "/" + METADATA));
    storage.delete(
        objects.stream()
            .map(BackupStorage.StoredObject::key)
            .filter(k -> !k.equals(id + "/" + METADATA))
            .toList());
    return true;
  }

  /**
   * Deletes incomplete backups whose newest object is older than {@code before}: younger ones may
   * still be uploading from another machine.
   */
  public void removeIncomplete(Instant before, Progress progress) {
    for (Map.Entry<String, List<BackupStorage.StoredObject>> e : objectsById().entrySet()) {
      if (complete(e.getKey(), e.getValue())) {
        continue;
      }
      Instant newest =
          e.getValue().stream()
              .map(BackupStorage.StoredObject::lastModified)
              .max(Comparator.naturalOrder())
              .orElse(Instant.MIN);
      if (newest.isBefore(before)) {
        progress.update("removing incomplete backup " + e.getKey() + " from " + describe());
        storage.delete(e.getValue().stream().map(BackupStorage.StoredObject::key).toList());
      }
    }
  }
}
