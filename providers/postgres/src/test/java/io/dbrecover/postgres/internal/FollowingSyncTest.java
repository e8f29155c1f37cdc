package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FollowingSyncTest {
  @TempDir Path tmp;

  @Test
  void finish_treeCopiedFileByFileWhileFollowed_everyFileFlushedOnceAndCopyIntact()
      throws Exception {
    Path source = tmp.resolve("source");
    Random random = new Random(11);
    for (int i = 0; i < 12; i++) {
      Path f = source.resolve(i % 3 == 0 ? "base/1/" + i : "global/" + i);
      Files.createDirectories(f.getParent());
      byte[] data = new byte[random.nextInt(200_000)];
      random.nextBytes(data);
      Files.write(f, data);
    }
    Files.write(source.resolve("empty"), new byte[0]);
    Path target = tmp.resolve("target");
    FollowingSync sync = FollowingSync.start(source, target);

    // a copy that writes each file in pieces, with pauses, as cp does on a busy machine
    try (var files = Files.walk(source)) {
      for (Path f : (Iterable<Path>) files.sorted()::iterator) {
        Path to = target.resolve(source.relativize(f));
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
          continue;
        }
        byte[] data = Files.readAllBytes(f);
        try (OutputStream out = Files.newOutputStream(to)) {
          for (int at = 0; at < data.length; at += 64_000) {
            out.write(data, at, Math.min(64_000, data.length - at));
            out.flush();
            Thread.sleep(5);
          }
        }
      }
    }
    sync.finish();

    assertThat(sync.flushed()).isEqualTo(13);
    for (int i = 0; i < 12; i++) {
      String rel = i % 3 == 0 ? "base/1/" + i : "global/" + i;
      assertThat(target.resolve(rel)).hasSameBinaryContentAs(source.resolve(rel));
    }
  }

  @Test
  void finish_targetNeverMade_nothingFlushedAndNoError() {
    FollowingSync sync = FollowingSync.start(tmp.resolve("source"), tmp.resolve("missing"));

    sync.finish();

    assertThat(sync.flushed()).isZero();
  }
}
