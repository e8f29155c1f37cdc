package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.spi.BackupStorage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real S3 bucket (run with {@code -Plive}): {@code DBRECOVER_LIVE_S3_URL}, e.g. {@code
 * s3://my-bucket/dbrecover-live}, credentials and region from the default chain. Writes objects
 * under {@code <url>/live-<time>/} and deletes them.
 */
@EnabledIfEnvironmentVariable(named = "DBRECOVER_LIVE_S3_URL", matches = "s3://.+")
class S3BackupStorageLiveTest {
  private final String run = "live-" + Instant.now().getEpochSecond();
  private final BackupStorage storage =
      new S3BackupStorage.Factory(AwsClients.fromDefaultChain())
          .open(
              new EnvironmentConfig.RemoteStore(
                  URI.create(System.getenv("DBRECOVER_LIVE_S3_URL")), Map.of("part-size", "5MiB")));

  @TempDir Path dir;

  @AfterEach
  void cleanUp() {
    storage.delete(storage.list(run + "/").stream().map(BackupStorage.StoredObject::key).toList());
  }

  @Test
  void putListGetDelete_smallAndMultipartFiles_roundTrip() throws IOException {
    byte[] big = new byte[11 * 1024 * 1024];
    new Random(7).nextBytes(big);
    Path small = Files.writeString(dir.resolve("small"), "metadata");
    Path large = Files.write(dir.resolve("large"), big);

    storage.put(run + "/dump/large.dat.gz", large);
    storage.put(run + "/metadata.json", small);

    assertThat(storage.list(run + "/"))
        .extracting(BackupStorage.StoredObject::key, BackupStorage.StoredObject::size)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(run + "/dump/large.dat.gz", (long) big.length),
            org.assertj.core.groups.Tuple.tuple(run + "/metadata.json", 8L));
    storage.get(run + "/dump/large.dat.gz", dir.resolve("copy"));
    assertThat(dir.resolve("copy")).hasSameBinaryContentAs(large);

    storage.delete(List.of(run + "/dump/large.dat.gz", run + "/metadata.json"));
    assertThat(storage.list(run + "/")).isEmpty();
  }
}
