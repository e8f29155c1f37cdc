package io.dbrecover.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentLockTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-06-10T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path stateDir;

  @Test
  void acquire_free_writesHolderPidAndSinceToTheLockFile() throws Exception {
    try (EnvironmentLock lock = EnvironmentLock.acquire(stateDir, "prod", "run r1", CLOCK)) {
      assertThat(lock.file()).isEqualTo(stateDir.resolve("locks/prod.lock"));
      assertThat(Files.readString(lock.file()))
          .isEqualTo(
              "holder=run r1\npid="
                  + ProcessHandle.current().pid()
                  + "\nsince=2025-06-10T12:00:00Z\n");
    }
  }

  @Test
  void acquire_heldInThisJvm_lockedNamingTheHolder() {
    try (EnvironmentLock held = EnvironmentLock.acquire(stateDir, "prod", "run r1", CLOCK)) {
      assertThat(held.file()).exists();
      assertThatThrownBy(() -> EnvironmentLock.acquire(stateDir, "prod", "run r2", CLOCK))
          .isExactlyInstanceOf(DbRecoverException.class)
          .hasMessageStartingWith(
              "environment 'prod' is locked by run r1 (pid "
                  + ProcessHandle.current().pid()
                  + ", since 2025-06-10T12:00:00Z); wait for it to finish, or stop process ")
          .extracting(e -> ((DbRecoverException) e).code())
          .isEqualTo(ErrorCode.LOCKED);
    }
  }

  @Test
  void acquire_afterClose_succeedsAgain() {
    EnvironmentLock.acquire(stateDir, "prod", "run r1", CLOCK).close();

    try (EnvironmentLock again = EnvironmentLock.acquire(stateDir, "prod", "run r2", CLOCK)) {
      assertThat(again.file()).exists();
    }
  }

  @Test
  void acquire_otherEnvironment_isIndependent() {
    try (EnvironmentLock prod = EnvironmentLock.acquire(stateDir, "prod", "run r1", CLOCK);
        EnvironmentLock staging = EnvironmentLock.acquire(stateDir, "staging", "run r2", CLOCK)) {
      assertThat(staging.file()).isNotEqualTo(prod.file());
    }
  }

  @Test
  void acquire_heldByAnotherProcess_lockedNamingItsPid() throws Exception {
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LockHolderMain.class.getName(),
                stateDir.toString(),
                "prod",
                "run other")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("LOCKED");

      assertThatThrownBy(() -> EnvironmentLock.acquire(stateDir, "prod", "run mine", CLOCK))
          .isExactlyInstanceOf(DbRecoverException.class)
          .hasMessageStartingWith(
              "environment 'prod' is locked by run other (pid " + holder.pid() + ", since ")
          .extracting(e -> ((DbRecoverException) e).code())
          .isEqualTo(ErrorCode.LOCKED);
    } finally {
      holder.getOutputStream().close();
      if (!holder.waitFor(10, TimeUnit.SECONDS)) {
        holder.destroyForcibly();
      }
    }
  }

  @Test
  void acquire_holderProcessExited_lockIsFreeAgain() throws Exception {
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LockHolderMain.class.getName(),
                stateDir.toString(),
                "prod",
                "run other")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
        .readLine();
    holder.destroyForcibly();
    holder.waitFor(10, TimeUnit.SECONDS);

    try (EnvironmentLock lock = EnvironmentLock.acquire(stateDir, "prod", "run mine", CLOCK)) {
      assertThat(Files.readString(lock.file())).startsWith("holder=run mine\n");
    }
  }
}
