package io.dbrecover.engine.testing;

import io.dbrecover.engine.api.ArchivingStatus;
import io.dbrecover.engine.api.BackupCheck;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.spi.BackupRequest;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ContinuousArchiving;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.RestoreRequest;
import io.dbrecover.engine.spi.RestoreStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A provider that runs point-in-time recovery itself, as self-hosted PostgreSQL with WAL archiving
 * does: it offers {@link Method#POINT_IN_TIME} inside {@link #window}, takes base backups and
 * reports archiving. Restores are not implemented; tests that restore override {@link
 * #startRestore}.
 */
public class PitrTestProvider implements Provider, ContinuousArchiving {
  public final DbUrl live;
  public RestoreWindow window;
  public List<String> problems = List.of();
  public final List<RecoveryPoint> points = new ArrayList<>();
  public final List<BackupRequest> backupRequests = new ArrayList<>();
  public final List<Boolean> enableCalls = new ArrayList<>();

  public PitrTestProvider(DbUrl live, RestoreWindow window) {
    this.live = live;
    this.window = window;
  }

  @Override
  public String name() {
    return "pitr-test";
  }

  @Override
  public DbUrl configuredUrl(EnvironmentConfig environment, Path stateDir) {
    return live;
  }

  @Override
  public Capabilities capabilities(ProviderContext ctx) {
    if (!problems.isEmpty() || window == null) {
      return new Capabilities(Set.of(Method.DUMP_RESTORE), null, Set.copyOf(problems));
    }
    return new Capabilities(Set.of(Method.POINT_IN_TIME, Method.DUMP_RESTORE), window, Set.of());
  }

  @Override
  public List<RecoveryPoint> recoveryPoints(ProviderContext ctx) {
    return List.copyOf(points);
  }

  @Override
  public RecoveryPoint backup(ProviderContext ctx, BackupRequest request) {
    backupRequests.add(request);
    Instant now = ctx.clock().instant();
    RecoveryPoint p =
        new RecoveryPoint(
            (request.physical() ? "base-" : "backup-") + points.size(),
            request.physical() ? RecoveryPoint.Kind.BASE_BACKUP : RecoveryPoint.Kind.LOGICAL_BACKUP,
            now,
            request.label(),
            false,
            1,
            null,
            null,
            null,
            "test");
    points.add(p);
    return p;
  }

  @Override
  public BackupCheck verifyBackup(ProviderContext ctx, String backupId, boolean deep) {
    throw new UnsupportedOperationException("not used");
  }

  @Override
  public RestoreStatus startRestore(ProviderContext ctx, RestoreRequest request) {
    throw new UnsupportedOperationException("not used");
  }

  @Override
  public RestoreStatus pollRestore(ProviderContext ctx, RestoreRequest request) {
    throw new UnsupportedOperationException("not used");
  }

  @Override
  public void replaceOriginal(ProviderContext ctx, RestoreRequest restored, String originalName) {
    throw new UnsupportedOperationException("not used");
  }

  @Override
  public boolean deleteBackup(ProviderContext ctx, String backupId) {
    return false;
  }

  @Override
  public ArchivingStatus archivingStatus(ProviderContext ctx) {
    return status(false);
  }

  @Override
  public ArchivingStatus enableArchiving(ProviderContext ctx, boolean apply) {
    enableCalls.add(apply);
    return status(!apply);
  }

  private ArchivingStatus status(boolean pendingRestart) {
    return new ArchivingStatus(
        "replica",
        "on",
        "cp %p /archive/%f",
        "/archive",
        3,
        "000000010000000000000003",
        window == null ? null : window.latest(),
        0,
        null,
        null,
        (int) points.stream().filter(p -> p.kind() == RecoveryPoint.Kind.BASE_BACKUP).count(),
        window,
        problems,
        java.util.List.of(),
        pendingRestart);
  }
}
