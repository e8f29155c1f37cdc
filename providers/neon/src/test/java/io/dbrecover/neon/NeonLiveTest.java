package io.dbrecover.neon;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import io.dbrecover.neon.internal.NeonClient;
import io.dbrecover.neon.internal.NeonHttp;
import io.dbrecover.neon.internal.NeonModel.Branch;
import io.dbrecover.neon.internal.RetryPolicy;
import io.dbrecover.neon.internal.Sleeper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Against a real Neon project (run with {@code -Plive}): {@code NEON_API_KEY}, {@code
 * NEON_PROJECT_ID}, {@code NEON_DATABASE} (default {@code neondb}) and {@code NEON_ROLE} (default
 * {@code neondb_owner}). Each test creates one branch named {@code dbrecover-live-<time>} and
 * deletes it.
 */
@EnabledIfEnvironmentVariable(named = "NEON_API_KEY", matches = ".+")
@EnabledIfEnvironmentVariable(named = "NEON_PROJECT_ID", matches = ".+")
class NeonLiveTest {
  private final Map<String, String> env = System.getenv();
  private final String project = env.get("NEON_PROJECT_ID");
  private final NeonProvider provider = new NeonProvider(env);
  private final String branchName = "dbrecover-live-" + Instant.now().getEpochSecond();
  private final ProviderContext ctx =
      new ProviderContext(
          NeonProviderTest.environment(options()),
          DbUrl.parse(
              "postgresql://"
                  + env.getOrDefault("NEON_ROLE", "neondb_owner")
                  + "@unused.invalid/"
                  + env.getOrDefault("NEON_DATABASE", "neondb")),
          Path.of(System.getProperty("java.io.tmpdir")),
          Clock.systemUTC(),
          null);

  private Map<String, String> options() {
    Map<String, String> o = new HashMap<>();
    o.put("project-id", project);
    if (env.get("NEON_BRANCH") != null) {
      o.put("branch", env.get("NEON_BRANCH"));
    }
    return o;
  }

  @Test
  void sideBySide_branchesFiveMinutesBack_andReachesTheBranch() throws InterruptedException {
    Capabilities caps = provider.capabilities(ctx);
    assertThat(caps.methods()).contains(Method.BRANCH_RESTORE);
    Instant target = Instant.now().minus(Duration.ofMinutes(5));
    assertThat(caps.historyWindow().contains(target)).isTrue();
    RestoreRequest request =
        new RestoreRequest(
            "run-live",
            RecoveryPoint.at(target, RecoveryPoint.Kind.BRANCH_POINT),
            branchName,
            false);

    RestoreStatus status = provider.startRestore(ctx, request);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    while (status instanceof RestoreStatus.Running && Instant.now().isBefore(deadline)) {
      Thread.sleep(3000);
      status = provider.pollRestore(ctx, request);
    }

    assertThat(status).isInstanceOf(RestoreStatus.Done.class);
    assertThat(((RestoreStatus.Done) status).url().host()).startsWith("ep-");
    // A second start is a retry: it must find the branch, not make another.
    assertThat(provider.startRestore(ctx, request)).isInstanceOf(RestoreStatus.Done.class);
    assertThat(client().listBranches(project, branchName))
        .filteredOn(b -> b.name().equals(branchName))
        .hasSize(1);
  }

  @Test
  void preview_branchesFiveMinutesBack_thenDeletesTheBranch() {
    RecoveryPoint point =
        RecoveryPoint.at(
            Instant.now().minus(Duration.ofMinutes(5)), RecoveryPoint.Kind.BRANCH_POINT);

    try (var preview = provider.preview(ctx, point, branchName).orElseThrow()) {
      assertThat(preview.url().host()).startsWith("ep-");
    }

    assertThat(client().listBranches(project, branchName))
        .noneMatch(b -> b.name().equals(branchName));
  }

  @AfterEach
  void deleteTheBranch() {
    NeonClient client = client();
    for (Branch b : client.listBranches(project, branchName)) {
      if (b.name().equals(branchName)) {
        client.deleteBranch(project, b.id());
      }
    }
  }

  private NeonClient client() {
    NeonSettings s = NeonSettings.from(ctx.environment().database(), env);
    return new NeonClient(
        new NeonHttp(
            NeonHttp.Timeouts.DEFAULT.newClient(),
            s.apiUrl(),
            s.apiKey(),
            NeonHttp.Timeouts.DEFAULT,
            RetryPolicy.DEFAULT,
            Sleeper.SYSTEM,
            Clock.systemUTC(),
            () -> ThreadLocalRandom.current().nextDouble()));
  }
}
