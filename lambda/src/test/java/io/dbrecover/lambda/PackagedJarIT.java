package io.dbrecover.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.lambda.probe.JarProbe;
import io.dbrecover.postgres.testing.TestPostgres;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery jar as it is deployed: the shaded {@code target/dbrecover-lambda.jar} alone on a
 * child JVM's class path (the package phase built it before this integration test), so a class the
 * packaging left out shows up here and not in a Lambda.
 */
class PackagedJarIT {
  private static final Path RECOVERY_JAR = Path.of("target/dbrecover-lambda.jar");

  @TempDir Path work;

  /**
   * Issue 7's packaging budget for each jar (bench/lambda-cold-start.sh measures it with the init
   * time): a dependency that pushes a jar over it fails here, where it is added, and not at deploy.
   */
  @Test
  void jars_stayUnderThirtyMegabytes() throws IOException {
    assertThat(Files.size(RECOVERY_JAR)).isLessThan(30_000_000L);
    assertThat(Files.size(Path.of("target/dbrecover-lambda-alarm.jar"))).isLessThan(30_000_000L);
  }

  @Test
  void recoveryJar_leavesOutTheEmbeddedServersArchiveLibraries() throws IOException {
    try (ZipFile jar = new ZipFile(RECOVERY_JAR.toFile())) {
      List<String> names = jar.stream().map(e -> e.getName()).toList();
      assertThat(names)
          .contains("io/dbrecover/lambda/StepHandler.class")
          .contains("io/dbrecover/postgres/internal/EmbeddedBinaries.class")
          .noneMatch(n -> n.startsWith("org/apache/commons/") || n.startsWith("org/tukaani/"))
          .noneMatch(n -> n.endsWith(".txz"));
    }
  }

  @Test
  void snapshotHandler_fromTheJar_takesAPgDumpBackup() throws Exception {
    DbUrl db = TestPostgres.freshDatabase();
    Path yaml = work.resolve("dbrecover.yaml");
    Files.writeString(
        yaml,
        "environments:\n  prod:\n    protection: none\n"
            + "    database: { provider: postgres, url: '${APP_DB_URL}' }\n"
            + "    backup-store: "
            + work.resolve("backups")
            + "\n");

    JsonNode out =
        invoke(
            "io.dbrecover.lambda.SnapshotHandler",
            "{\"environment\":\"prod\",\"label\":\"nightly\"}",
            Map.of(
                LambdaSettings.CONFIG, yaml.toString(), "APP_DB_URL", db.toSecretUri().reveal()));

    assertThat(out.get("status").asText()).as(out.toString()).isEqualTo("done");
    try (Stream<Path> backups = Files.list(work.resolve("backups"))) {
      assertThat(backups.map(p -> p.getFileName().toString()))
          .anyMatch(name -> name.matches("backup-\\d{8}-\\d{6}-nightly"));
    }
  }

  @Test
  void snapshotHandler_fromTheJar_embeddedEnvironment_isAConfigurationErrorNotAMissingClass()
      throws Exception {
    JsonNode out =
        invoke("io.dbrecover.lambda.SnapshotHandler", "{\"environment\":\"embedded\"}", Map.of());

    assertThat(out.get("status").asText()).as(out.toString()).isEqualTo("failed");
    assertThat(out.get("error").get("message").asText())
        .contains("no embedded PostgreSQL binaries for this platform");
    assertThat(out.toString()).doesNotContain("NoClassDefFoundError");
  }

  /** Runs {@code handler} from the jar in a fresh JVM with only {@code env} and a state dir set. */
  private JsonNode invoke(String handler, String event, Map<String, String> env)
      throws IOException, InterruptedException, URISyntaxException {
    Path probe = work.resolve("probe");
    Path cls = probe.resolve("io/dbrecover/lambda/probe/JarProbe.class");
    Files.createDirectories(cls.getParent());
    Files.copy(
        Path.of(JarProbe.class.getResource("JarProbe.class").toURI()),
        cls,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path eventFile = Files.writeString(work.resolve("event.json"), event);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(RECOVERY_JAR.toAbsolutePath() + ":" + probe);
    cmd.add(JarProbe.class.getName());
    cmd.add(handler);
    cmd.add(eventFile.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().put("HOME", work.toString());
    pb.environment().put("AWS_REGION", "eu-west-1");
    pb.environment().put(LambdaSettings.STATE_DIR, work.resolve("state").toString());
    pb.environment().putAll(env);
    pb.redirectError(work.resolve("stderr.txt").toFile());
    Process p = pb.start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String stderr = Files.readString(work.resolve("stderr.txt"));
    assertThat(p.exitValue()).as(stderr).isZero();
    assertThat(stderr).doesNotContain("NoClassDefFoundError").doesNotContain("ClassNotFound");
    String[] lines = stdout.strip().split("\n");
    return Harness.JSON.readTree(lines[lines.length - 1]);
  }
}
