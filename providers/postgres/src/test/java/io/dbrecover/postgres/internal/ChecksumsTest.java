package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChecksumsTest {
  @TempDir Path dir;

  @Test
  void of_filesOfEveryKind_areTheirSha256ByRelativePath() throws Exception {
    Path dump = Files.createDirectories(dir.resolve("dump"));
    Files.write(dump.resolve("toc.dat"), bytes(1, 5_000));
    Files.write(dump.resolve("3358.dat.gz"), bytes(2, 3 << 20)); // several reads
    Files.write(dump.resolve("empty"), new byte[0]);
    Files.write(dump.resolve("with space"), bytes(3, 10));
    Files.write(dump.resolve("new\nline"), bytes(4, 10)); // openssl escapes this name
    Files.write(Files.createDirectories(dump.resolve("sub")).resolve("x"), bytes(5, 100));

    Map<String, String> sums = Checksums.of(dir, dump);

    assertThat(sums)
        .containsOnlyKeys(
            "dump/toc.dat",
            "dump/3358.dat.gz",
            "dump/empty",
            "dump/with space",
            "dump/new\nline",
            "dump/sub/x");
    for (Map.Entry<String, String> e : sums.entrySet()) {
      assertThat(e.getValue()).as(e.getKey()).isEqualTo(sha256(dir.resolve(e.getKey())));
    }
    assertThat(sums.get("dump/empty"))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void sha256_moreFilesThanOneBatch_keepsTheirOrder() throws Exception {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      files.add(Files.write(dir.resolve("f" + (599 - i)), bytes(i, 1 + i % 7)));
    }

    List<String> hex = Checksums.sha256(files);

    assertThat(hex).hasSize(600);
    for (int i = 0; i < 600; i += 37) {
      assertThat(hex.get(i)).as(files.get(i).toString()).isEqualTo(sha256(files.get(i)));
    }
  }

  @Test
  void sha256_missingFile_failsAsReadingItWould() throws Exception {
    Path present = Files.write(dir.resolve("a"), bytes(1, 10));

    assertThatThrownBy(() -> Checksums.sha256(List.of(present, dir.resolve("gone"))))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("gone");
  }

  @Test
  void sha256_usesTheSystemsOpensslWhereThereIsOne() {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "no /usr/bin/openssl here");

    assertThat(Checksums.hashesWithOpenssl()).isTrue();
  }

  @Test
  void openssl_plainNames_givesEachSum_escapedName_givesNone() throws Exception {
    Path openssl = Path.of("/usr/bin/openssl");
    assumeTrue(Files.isExecutable(openssl), "no /usr/bin/openssl here");
    Path a = Files.write(dir.resolve("a b"), bytes(1, 70_000));
    Path empty = Files.write(dir.resolve("empty"), new byte[0]);
    Path odd = Files.write(dir.resolve("new\nline"), bytes(2, 10));

    assertThat(Checksums.openssl(openssl, List.of(a, empty)))
        .hasValue(List.of(sha256(a), sha256(empty)));
    assertThat(Checksums.openssl(openssl, List.of(a, odd))).isEmpty();
    assertThat(Checksums.openssl(openssl, List.of(a, dir.resolve("gone")))).isEmpty();
    assertThat(Checksums.openssl(dir.resolve("no-openssl"), List.of(a))).isEmpty();
  }

  private static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256(Path f) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void firstDifference_equal_isEmpty() {
    assertThat(Checksums.firstDifference(Map.of("dump/a", "1"), Map.of("dump/a", "1"))).isEmpty();
  }

  @Test
  void firstDifference_changedFile_namesIt() {
    assertThat(
            Checksums.firstDifference(
                Map.of("dump/a", "1", "dump/b", "2"), Map.of("dump/a", "1", "dump/b", "X")))
        .hasValueSatisfying(d -> assertThat(d).startsWith("dump/b has a different sha256"));
  }

  @Test
  void firstDifference_missingFile_namesIt() {
    assertThat(Checksums.firstDifference(Map.of("dump/a", "1"), Map.of()))
        .hasValue("dump/a is missing");
  }

  @Test
  void firstDifference_extraFile_namesIt() {
    assertThat(Checksums.firstDifference(Map.of(), Map.of("dump/x", "1")))
        .hasValueSatisfying(d -> assertThat(d).startsWith("dump/x is not part of the backup"));
  }
}
