package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.Decision;
import io.dbrecover.engine.api.RunOptions;
import java.time.Instant;

/**
 * The first journal record of a run: what was asked and decided, and which database was live.
 *
 * @param runId the run id
 * @param environment the environment name
 * @param createdAt when the run started
 * @param options the run options
 * @param decision the decision the run carries out
 * @param originalDatabase the live database's name when the run started
 * @param originalUrl the live database's URL, redacted
 * @param removedMigrations migrations the recovery point does not have
 */
public record RunHeader(
    String runId,
    String environment,
    Instant createdAt,
    RunOptions options,
    Decision decision,
    String originalDatabase,
    String originalUrl,
    java.util.List<String> removedMigrations) {}
