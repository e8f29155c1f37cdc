package io.dbrecover.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.UrlTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DotenvUrlTargetTest {
  private static final String OLD = "postgresql://app:old@db:5432/app";
  private static final String NEW = "postgresql://app:new@db:5432/app_rb_1";
  private static final String ORIGINAL =
      "# app settings\n"
          + "PORT=3000\n"
          + "export DATABASE_URL=\""
          + OLD
          + "\" # primary\n"
          + "\n"
          + "SECRET_KEY='abc def'\n";

  @TempDir Path dir;

  @Test
  void read_quotedExportedValueWithComment_returnsTheValue() throws IOException {
    Path env = env(ORIGINAL);

    assertThat(target(env).read()).contains(Secret.of(OLD));
  }

  @Test
  void read_missingFile_isEmpty() {
    assertThat(target(dir.resolve(".env")).read()).isEmpty();
  }

  @Test
  void read_unquotedValueWithComment_stopsAtTheComment() throws IOException {
    Path env = env("DATABASE_URL=" + OLD + "   # old one\n");

    assertThat(target(env).read()).contains(Secret.of(OLD));
  }

  @Test
  void write_existingFile_replacesOnlyTheKeyKeepingOtherLinesAndStyle() throws IOException {
    Path env = env(ORIGINAL);

    target(env).write(Secret.of(NEW), "run1");

    assertThat(Files.readString(env))
        .isEqualTo(
            "# app settings\n"
                + "PORT=3000\n"
                + "export DATABASE_URL=\""
                + NEW
                + "\" # primary\n"
                + "\n"
                + "SECRET_KEY='abc def'\n");
  }

  @Test
  void write_replacesTheFileByRenameLeavingNoTempFiles() throws IOException {
    Path env = env(ORIGINAL);
    Object inodeBefore = Files.getAttribute(env, "unix:ino");

    target(env).write(Secret.of(NEW), "run1");

    assertThat(Files.getAttribute(env, "unix:ino")).isNotEqualTo(inodeBefore);
    assertThat(fileNames()).isEqualTo(".env .env.dbrecover-run1.bak");
  }

  @Test
  void write_keepsTheFilesPermissions() throws IOException {
    Path env = env(ORIGINAL);
    Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r-----"));

    target(env).write(Secret.of(NEW), "run1");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(env)))
        .isEqualTo("rw-r-----");
  }

  @Test
  void write_savesThePreviousFileOwnerOnly() throws IOException {
    Path env = env(ORIGINAL);
    Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r--r--"));

    Map<String, String> receipt = target(env).write(Secret.of(NEW), "run1");

    Path backup = dir.resolve(".env.dbrecover-run1.bak");
    assertThat(receipt)
        .isEqualTo(
            Map.of(
                "type",
                "dotenv",
                "file",
                env.toRealPath().toString(),
                "backup",
                backup.toRealPath().toString(),
                "key",
                "DATABASE_URL"));
    assertThat(Files.readString(backup)).isEqualTo(ORIGINAL);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)))
        .isEqualTo("rw-------");
  }

  @Test
  void write_sameRunTwice_keepsTheFirstBackup() throws IOException {
    Path env = env(ORIGINAL);
    UrlTarget target = target(env);

    target.write(Secret.of(NEW), "run1");
    target.write(Secret.of(NEW), "run1");

    assertThat(Files.readString(dir.resolve(".env.dbrecover-run1.bak"))).isEqualTo(ORIGINAL);
    assertThat(target.read()).contains(Secret.of(NEW));
  }

  @Test
  void write_missingFile_createsItOwnerOnlyWithTheKey() throws IOException {
    Path env = dir.resolve(".env");

    target(env).write(Secret.of(NEW), "run1");

    assertThat(Files.readString(env)).isEqualTo("DATABASE_URL=" + NEW + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(env)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(dir.resolve(".env.dbrecover-run1.bak"))).isEmpty();
  }

  @Test
  void write_keyAbsent_appendsItAfterTheLastLine() throws IOException {
    Path env = env("PORT=3000");

    target(env).write(Secret.of(NEW), "run1");

    assertThat(Files.readString(env)).isEqualTo("PORT=3000\nDATABASE_URL=" + NEW + "\n");
  }

  @Test
  void write_valueNeedingQuotes_isQuoted() throws IOException {
    Path env = env("DATABASE_URL=x\n");

    target(env).write(Secret.of("postgresql://a:p w#1@h/db"), "run1");

    assertThat(Files.readString(env)).isEqualTo("DATABASE_URL='postgresql://a:p w#1@h/db'\n");
    assertThat(target(env).read()).contains(Secret.of("postgresql://a:p w#1@h/db"));
  }

  @Test
  void swapBack_restoresOnlyTheKeyKeepingLinesEditedSince() throws IOException {
    Path env = env(ORIGINAL);
    UrlTarget target = target(env);
    Map<String, String> receipt = target.write(Secret.of(NEW), "run1");
    Files.writeString(env, Files.readString(env).replace("PORT=3000", "PORT=4000"));

    target.swapBack(receipt);

    assertThat(Files.readString(env)).isEqualTo(ORIGINAL.replace("PORT=3000", "PORT=4000"));
  }

  @Test
  void swapBack_fileDidNotExistBefore_removesTheKey() throws IOException {
    Path env = dir.resolve(".env");
    UrlTarget target = target(env);
    Map<String, String> receipt = target.write(Secret.of(NEW), "run1");
    Files.writeString(env, "PORT=1\n", java.nio.file.StandardOpenOption.APPEND);

    target.swapBack(receipt);

    assertThat(Files.readString(env)).isEqualTo("PORT=1\n");
    assertThat(target.read()).isEmpty();
  }

  @Test
  void swapBack_backupDeleted_backupNotFound() throws IOException {
    Path env = env(ORIGINAL);
    Map<String, String> receipt = target(env).write(Secret.of(NEW), "run1");
    Files.delete(Path.of(receipt.get("backup")));

    assertThatThrownBy(() -> target(env).swapBack(receipt))
        .isExactlyInstanceOf(DbRecoverException.class)
        .hasMessageContaining("the saved previous DATABASE_URL is gone")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
  }

  @Test
  void describe_namesFileAndKeyButNeverTheValue() throws IOException {
    Path env = env(ORIGINAL);

    assertThat(target(env).describe()).isEqualTo(env + " (DATABASE_URL)").doesNotContain("old");
  }

  @Test
  void factory_resolvesARelativePathAgainstTheBaseDir() throws IOException {
    env(ORIGINAL);

    UrlTarget target =
        new DotenvUrlTarget.Factory()
            .create(new EnvironmentConfig.UrlTarget("dotenv", ".env", null), dir);

    assertThat(target.read()).contains(Secret.of(OLD));
  }

  private Path env(String content) throws IOException {
    Path env = dir.resolve(".env");
    Files.writeString(env, content);
    return env;
  }

  private static UrlTarget target(Path env) {
    return new DotenvUrlTarget(env, "DATABASE_URL");
  }

  private String fileNames() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(" "));
    }
  }
}
