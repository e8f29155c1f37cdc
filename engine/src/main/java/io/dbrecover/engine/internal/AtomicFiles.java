package io.dbrecover.engine.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Crash-safe file replacement: write a temp file beside the target, fsync, rename over it. */
final class AtomicFiles {
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private AtomicFiles() {}

  /**
   * Replaces {@code target} with {@code content} atomically, keeping its permissions; a new file
   * gets {@code newFilePermissions}.
   */
  static void replace(Path target, byte[] content, Set<PosixFilePermission> newFilePermissions)
      throws IOException {
    Set<PosixFilePermission> perms =
        posix(target) && Files.exists(target)
            ? Files.getPosixFilePermissions(target)
            : newFilePermissions;
    write(target, content, perms);
  }

  /** Creates {@code target} readable by its owner only, never visible with other permissions. */
  static void createOwnerOnly(Path target, byte[] content) throws IOException {
    write(target, content, OWNER_ONLY);
  }

  private static void write(Path target, byte[] content, Set<PosixFilePermission> perms)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    boolean posix = posix(dir);
    // The temp file starts owner-only (umask cannot widen it) and is widened only if the target
    // was wider, so the content is never more visible than the target itself.
    FileAttribute<?>[] attrs =
        posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
            : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attrs);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      if (posix) {
        Files.setPosixFilePermissions(tmp, perms);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory(dir);
  }

  private static void syncDirectory(Path dir) {
    if (!posix(dir)) {
      return; // only POSIX file systems can open and sync a directory; the rename is atomic anyway
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // A file system that cannot sync a directory still renamed atomically.
    }
  }

  private static boolean posix(Path path) {
    Path p = path.toAbsolutePath();
    Path existing = Files.exists(p) ? p : p.getParent();
    try {
      return Files.getFileStore(existing).supportsFileAttributeView("posix");
    } catch (IOException e) {
      return false;
    }
  }
}
