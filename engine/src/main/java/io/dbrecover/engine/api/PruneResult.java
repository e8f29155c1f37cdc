package io.dbrecover.engine.api;

import java.util.List;

/**
 * What retention removed (or, in a dry run, would remove) and what it kept.
 *
 * @param deleted backup ids deleted
 * @param kept backup ids kept
 * @param dryRun true when nothing was deleted
 */
public record PruneResult(List<String> deleted, List<String> kept, boolean dryRun) {}
