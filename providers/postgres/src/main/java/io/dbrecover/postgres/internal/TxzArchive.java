package io.dbrecover.postgres.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Unpacks an xz-compressed tar archive. The only class that needs commons-compress and xz, so that
 * {@link EmbeddedBinaries} loads where those libraries are left out.
 */
final class TxzArchive {
  private TxzArchive() {}

  /** Unpacks {@code in} into the existing directory {@code dir}; the caller closes {@code in}. */
  static void unpack(InputStream in, Path dir) throws IOException {
    TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(in)));
    TarArchiveEntry e;
    while ((e = tar.getNextEntry()) != null) {
      Path out = dir.resolve(e.getName()).normalize();
      if (!out.startsWith(dir)) {
        throw new IOException("archive entry outside the target: " + e.getName());
      }
      if (e.isDirectory()) {
        Files.createDirectories(out);
      } else if (e.isSymbolicLink()) {
        Files.createDirectories(out.getParent());
        Files.createSymbolicLink(out, Path.of(e.getLinkName()));
      } else {
        Files.createDirectories(out.getParent());
        Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(out, permissions(e.getMode()));
      }
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> p =
        EnumSet.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ);
    if ((mode & 0100) != 0) {
      p.add(PosixFilePermission.OWNER_EXECUTE);
      p.add(PosixFilePermission.GROUP_EXECUTE);
      p.add(PosixFilePermission.OTHERS_EXECUTE);
    }
    return p;
  }
}
