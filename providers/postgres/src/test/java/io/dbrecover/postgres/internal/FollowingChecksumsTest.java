package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FollowingChecksumsTest {
  @TempDir Path tmp;

  @Test
  void finish_filesWrittenInPiecesWhileFollowed_sameSumsAsReadingThemAfterwards() throws Exception {
    Path dump = tmp.resolve("b1/dump");
    FollowingChecksums following =
        FollowingChecksums.start(tmp.resolve("b1"), dump, Duration.ofMillis(1));
    Random random = new Random(7);
    Files.createDirectories(dump);
    // two files grow in turns, with pauses so the follower reads each of them part way
    try (OutputStream a = Files.newOutputStream(dump.resolve("3001.dat.gz"));
        OutputStream b = Files.newOutputStream(dump.resolve("3002.dat.gz"))) {
      for (int i = 0; i < 40; i++) {
        byte[] chunk = new byte[random.nextInt(50_000)];
        random.nextBytes(chunk);
        (i % 2 == 0 ? a : b).write(chunk);
        (i % 2 == 0 ? a : b).flush();
        Thread.sleep(2);
      }
    }
    Files.writeString(dump.resolve("toc.dat"), "written last, in one go");

    Map<String, String> sums = following.finish();

    assertThat(sums)
        .isEqualTo(Checksums.of(tmp.resolve("b1"), dump))
        .containsOnlyKeys("dump/3001.dat.gz", "dump/3002.dat.gz", "dump/toc.dat");
  }

  @Test
  void finish_fileRewrittenShorterAfterItWasRead_isHashedAnew() throws Exception {
    Path dump = Files.createDirectories(tmp.resolve("b2/dump"));
    Path file = dump.resolve("toc.dat");
    Files.writeString(file, "a first version that is longer than the second");
    FollowingChecksums following =
        FollowingChecksums.start(tmp.resolve("b2"), dump, Duration.ofMillis(1));
    Thread.sleep(100); // read at least once

    Files.writeString(file, "second version");
    Map<String, String> sums = following.finish();

    assertThat(sums).isEqualTo(Checksums.of(tmp.resolve("b2"), dump));
  }

  @Test
  void finish_directoryNeverCreated_noSums() throws IOException {
    FollowingChecksums following =
        FollowingChecksums.start(tmp, tmp.resolve("missing"), Duration.ofMillis(1));

    assertThat(following.finish()).isEmpty();
  }
}
