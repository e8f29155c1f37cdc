package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckedCopyTest {
  private static final FileTime MODIFIED = FileTime.from(Instant.parse("2026-01-02T03:04:05Z"));

  @TempDir Path tmp;
  private Path source;
  private Path target;

  @BeforeEach
  void tree() throws IOException {
    source = tmp.resolve("source");
    target = tmp.resolve("target");
    Files.createDirectories(source.resolve("base/1"));
    Files.createDirectories(source.resolve("pg_tblspc"));
    byte[] large = new byte[(1 << 20) * 2 + 8192 + 17]; // several buffers, a partial last write
    new Random(7).nextBytes(large);
    Files.write(source.resolve("base/1/16384"), large);
    Files.writeString(source.resolve("PG_VERSION"), "15\n");
    Files.writeString(source.resolve("backup_manifest"), "{}");
    Path secret = source.resolve("base/1/pg_filenode.map");
    Files.write(secret, new byte[512]);
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    Files.setLastModifiedTime(secret, MODIFIED);
    Files.createSymbolicLink(source.resolve("pg_tblspc/16500"), Path.of("/srv/tablespace"));
  }

  @Test
  void checksum_isWrittenAsBackupManifestsWriteIt() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    // CRC-32C of the check string is 0xe3069283; PostgreSQL writes its bytes little-endian
    assertThat(CheckedCopy.checksum("CRC32C", check)).isEqualTo("839206e3");
    assertThat(CheckedCopy.checksum("SHA256", "abc".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void copy_likeCpA_withEveryFileChecked() throws IOException {
    int files = CheckedCopy.copy(source, target, expected("CRC32C"), Set.of("backup_manifest"), 2);

    assertThat(files).isEqualTo(3);
    for (String f : new String[] {"base/1/16384", "PG_VERSION", "base/1/pg_filenode.map"}) {
      assertThat(Files.readAllBytes(target.resolve(f)))
          .isEqualTo(Files.readAllBytes(source.resolve(f)));
    }
    assertThat(target.resolve("backup_manifest")).doesNotExist();
    Path secret = target.resolve("base/1/pg_filenode.map");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
        .isEqualTo("rw-------");
    assertThat(Files.getLastModifiedTime(secret)).isEqualTo(MODIFIED);
    assertThat(Files.isSymbolicLink(target.resolve("pg_tblspc/16500"))).isTrue();
    assertThat(Files.readSymbolicLink(target.resolve("pg_tblspc/16500")))
        .isEqualTo(Path.of("/srv/tablespace"));
  }

  @Test
  void copy_flippedByte_failsNamingTheFile() throws IOException {
    Map<String, CheckedCopy.Expected> expected = expected("CRC32C");
    flipByte(source.resolve("base/1/16384"), 1_500_000);

    assertThatThrownBy(() -> CheckedCopy.copy(source, target, expected, Set.of(), 2))
        .isInstanceOf(CheckedCopy.Mismatch.class)
        .hasMessageStartingWith("base/1/16384 has a different CRC32C checksum than recorded");
  }

  @Test
  void copy_largeFileInParts_isCopiedWholeAndChecked() throws IOException {
    Map<String, CheckedCopy.Expected> expected = expected("CRC32C");

    CheckedCopy.copy(source, target, expected, Set.of(), 2, 1 << 20); // 3 parts of 1 MB

    assertThat(Files.readAllBytes(target.resolve("base/1/16384")))
        .isEqualTo(Files.readAllBytes(source.resolve("base/1/16384")));
  }

  @Test
  void copy_largeFileInParts_flippedByteInAMiddlePart_fails() throws IOException {
    Map<String, CheckedCopy.Expected> expected = expected("CRC32C");
    flipByte(source.resolve("base/1/16384"), (1 << 20) + 99);

    assertThatThrownBy(() -> CheckedCopy.copy(source, target, expected, Set.of(), 2, 1 << 20))
        .isInstanceOf(CheckedCopy.Mismatch.class)
        .hasMessageStartingWith("base/1/16384 has a different CRC32C checksum than recorded");
  }

  @Test
  void copy_flippedByteUnderSha256_failsToo() throws IOException {
    Map<String, CheckedCopy.Expected> expected = expected("SHA256");
    flipByte(source.resolve("PG_VERSION"), 0);

    assertThatThrownBy(() -> CheckedCopy.copy(source, target, expected, Set.of(), 1))
        .isInstanceOf(CheckedCopy.Mismatch.class)
        .hasMessageStartingWith("PG_VERSION has a different SHA256 checksum than recorded");
  }

  @Test
  void copy_fileCutShort_failsOnItsSize() throws IOException {
    Map<String, CheckedCopy.Expected> expected = expected("CRC32C");
    Files.writeString(source.resolve("PG_VERSION"), "1");

    assertThatThrownBy(() -> CheckedCopy.copy(source, target, expected, Set.of(), 2))
        .isInstanceOf(CheckedCopy.Mismatch.class)
        .hasMessage("PG_VERSION is 1 bytes where 3 were recorded (corrupt or cut)");
  }

  @Test
  void copy_missingOrUnexpectedFile_failsBeforeCopying() throws IOException {
    Map<String, CheckedCopy.Expected> expected = expected("CRC32C");
    Files.delete(source.resolve("PG_VERSION"));

    assertThatThrownBy(() -> CheckedCopy.copy(source, target, expected, Set.of(), 2))
        .isInstanceOf(CheckedCopy.Mismatch.class)
        .hasMessage("PG_VERSION is missing");
    assertThat(target).doesNotExist();

    Files.writeString(source.resolve("PG_VERSION"), "15\n");
    Files.writeString(source.resolve("base/1/99999"), "planted");
    assertThatThrownBy(() -> CheckedCopy.copy(source, target, expected, Set.of(), 2))
        .isInstanceOf(CheckedCopy.Mismatch.class)
        .hasMessage("base/1/99999 is not part of the backup (unexpected file)");
  }

  @Test
  void copy_intoAnExistingTarget_isRefused() throws IOException {
    Files.createDirectories(target);

    assertThatThrownBy(() -> CheckedCopy.copy(source, target, expected("CRC32C"), Set.of(), 2))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  /** What each regular file hashes to now, as a manifest would record it. */
  private Map<String, CheckedCopy.Expected> expected(String algorithm) throws IOException {
    Map<String, CheckedCopy.Expected> sums = new HashMap<>();
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          byte[] data = Files.readAllBytes(p);
          sums.put(
              source.relativize(p).toString(),
              new CheckedCopy.Expected(
                  algorithm, CheckedCopy.checksum(algorithm, data), data.length));
        }
      }
    }
    return sums;
  }

  private static void flipByte(Path file, int at) throws IOException {
    byte[] data = Files.readAllBytes(file);
    data[at] = (byte) ~data[at];
    Files.write(file, data);
  }
}
