package io.dbrecover.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.PruneResult;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RecoveryPoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The snapshot entry, invoked by an EventBridge Scheduler schedule or a deploy pipeline with {@code
 * {"environment": ..., "label": ..., "git_sha": ..., "migration": ...}}: takes the provider's
 * backup of the environment now, then prunes backups by the environment's retention. A git SHA is
 * appended to the label (first 12 characters); a migration is compared with the newest migration
 * the backup recorded, and a mismatch is reported (the backup is kept).
 *
 * <p>Handler: {@code io.dbrecover.lambda.SnapshotHandler::handleRequest}.
 */
public final class SnapshotHandler implements RequestStreamHandler {
  static final String ENTRY = "snapshot";
  private static final Set<String> KEYS = Set.of("environment", "label", "git_sha", "migration");

  private final RecoveryEngine engine;
  private final DbRecoverConfig config;
  private final JsonLog log;

  /** Used by the Lambda runtime: the execution environment's graph, built at init. */
  public SnapshotHandler() {
    this(LambdaRuntime.recovery());
  }

  SnapshotHandler(LambdaComponent component) {
    this.engine = component.engine();
    this.config = component.config();
    this.log = component.log();
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    byte[] raw = input.readAllBytes();
    ObjectNode out = Payloads.object();
    String env = null;
    try {
      JsonNode in = Payloads.objectWithKeys(raw, ENTRY, KEYS);
      env = Payloads.required(in, "environment", ENTRY);
      config.environment(env);
      String gitSha = Payloads.optional(in, "git_sha");
      String label = label(Payloads.optional(in, "label"), gitSha);
      String migration = Payloads.optional(in, "migration");
      RecoveryPoint backup =
          engine.backup(
              config,
              env,
              label,
              false,
              gitSha,
              m -> log.info(ENTRY, m, Map.of("environment", environment(in))));
      PruneResult pruned = engine.prune(config, env, false);
      out.put("status", "done");
      out.put("environment", env);
      out.put("backupId", backup.id());
      out.put("migrations", backup.migrationState().summary());
      backup.migrationState().last().ifPresent(m -> out.put("lastMigration", m));
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("environment", env);
      fields.put("backupId", backup.id());
      fields.put("pruned", pruned.deleted().size());
      if (migration != null) {
        boolean matches = backup.migrationState().endsAt(migration);
        out.put("migrationMatches", matches);
        fields.put("migrationMatches", matches);
        if (!matches) {
          log.warn(
              ENTRY,
              "backup "
                  + backup.id()
                  + " was asked for at migration "
                  + migration
                  + " but records "
                  + backup.migrationState().summary()
                  + "; it is kept",
              fields);
        }
      }
      out.set("pruned", Payloads.JSON.valueToTree(pruned.deleted()));
      log.info(ENTRY, "backup " + backup.id() + " taken", fields);
    } catch (DbRecoverException e) {
      log.error(
          ENTRY,
          (e instanceof RejectedEventException ? "input rejected: " : "snapshot failed: ")
              + e.getMessage(),
          Map.of("environment", String.valueOf(env), "code", e.code().name()));
      out.removeAll();
      out.put("status", e instanceof RejectedEventException ? "rejected" : "failed");
      out.set("error", Payloads.error(e));
    }
    Payloads.write(output, out);
  }

  private static String environment(JsonNode in) {
    return in.path("environment").asText();
  }

  /** The backup label: the given label (default {@code scheduled}) and the git SHA's start. */
  static String label(String label, String gitSha) {
    String base = label == null ? "scheduled" : label;
    if (gitSha != null) {
      if (!gitSha.matches("[0-9a-fA-F]{7,64}")) {
        throw new RejectedEventException(
            "git_sha '" + gitSha + "' is not a commit hash (7 to 64 hex digits)");
      }
      base = base + "-" + gitSha.substring(0, Math.min(12, gitSha.length())).toLowerCase();
    }
    if (!base.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw new RejectedEventException(
          "label '"
              + base
              + "' must start with a letter or digit and use only letters, digits, '.', '_' and"
              + " '-' (at most 63 with the git SHA)");
    }
    return base;
  }
}
