package io.dbrecover.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.testing.SampleSchema;
import io.dbrecover.postgres.testing.TestEnvironments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbeddedClusterIT {
  private Path dir;
  private EmbeddedCluster cluster;

  @BeforeEach
  void setUp() throws IOException {
    dir = TestEnvironments.openTempDir("dbrecover-cluster-it-");
    cluster = EmbeddedCluster.at(dir.resolve("embedded"));
  }

  @AfterEach
  void tearDown() throws IOException {
    cluster.stop();
    EmbeddedBinaries.deleteTree(dir);
  }

  @Test
  void ensureRunning_freshDirectory_initialisesAndAcceptsPasswordConnections() {
    cluster.ensureRunning();
    cluster.createDatabaseIfMissing("app");

    SampleSchema.create(cluster.url("app"));

    assertThat(cluster.isRunning()).isTrue();
    assertThat(SampleSchema.rowCounts(cluster.url("app"))).isEqualTo(SampleSchema.ROW_COUNTS);
  }

  @Test
  void ensureRunning_afterStop_restartsOnSamePortKeepingData() {
    cluster.ensureRunning();
    cluster.createDatabaseIfMissing("app");
    SampleSchema.create(cluster.url("app"));
    DbUrl before = cluster.url("app");
    cluster.stop();

    EmbeddedCluster again = EmbeddedCluster.at(dir.resolve("embedded"));
    again.ensureRunning();

    assertThat(again.url("app")).isEqualTo(before);
    assertThat(SampleSchema.rowCounts(again.url("app"))).isEqualTo(SampleSchema.ROW_COUNTS);
  }

  @Test
  void ensureRunning_serverAlreadyRunning_reusesItWithoutStarting() {
    cluster.ensureRunning();

    EmbeddedCluster second = EmbeddedCluster.at(dir.resolve("embedded"));
    second.ensureRunning();

    assertThat(second.startedHere()).isFalse();
    assertThat(cluster.startedHere()).isTrue();
  }

  @Test
  void ensureRunning_concurrentCallers_initialiseOnceAndShareTheServer() throws Exception {
    EmbeddedCluster other = EmbeddedCluster.at(dir.resolve("embedded"));
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var a = pool.submit(cluster::ensureRunning);
      var b = pool.submit(other::ensureRunning);
      a.get();
      b.get();
    } finally {
      pool.shutdown();
    }

    assertThat(cluster.url("postgres")).isEqualTo(other.url("postgres"));
    assertThat(cluster.startedHere() ^ other.startedHere()).isTrue();
    cluster.createDatabaseIfMissing("shared");
    assertThat(other.isRunning()).isTrue();
  }

  @Test
  void ensureRunning_passwordFile_isOwnerOnly() throws IOException {
    cluster.ensureRunning();

    assertThat(Files.getPosixFilePermissions(dir.resolve("embedded/superuser.password")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }
}
