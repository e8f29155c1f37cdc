package io.dbrecover.engine.api;

import java.util.List;
import java.util.Set;

/**
 * A recovery plan, computed without changing anything: the decision, what it removes, and what it
 * would lose (estimated from the recovery point's recorded row counts).
 *
 * @param environment the environment
 * @param liveUrl the live database, redacted
 * @param currentMigrations the live database's migration state
 * @param decision the decision with reasons and rejected alternatives
 * @param removedMigrations migrations the recovery point does not have
 * @param dataLossEstimate per-table estimate; null when there is no recovery point
 * @param providerNotes what the provider said about methods it does not offer
 * @param historyWindow the times branch or point-in-time restore can reach (null: none offered)
 */
public record Plan(
    String environment,
    String liveUrl,
    MigrationState currentMigrations,
    Decision decision,
    List<String> removedMigrations,
    DataLossReport dataLossEstimate,
    Set<String> providerNotes,
    RestoreWindow historyWindow) {}
