package io.dbrecover.engine.spi;

/**
 * The PostgreSQL snapshot a logical backup was taken in, as recorded with it: enough to tell, in
 * the same database later, the rows written after it (a row version whose {@code xmin} is not older
 * than the snapshot's {@code xmin}) from the ones the backup holds unchanged.
 *
 * @param systemIdentifier the cluster's {@code pg_control_system().system_identifier}
 * @param databaseOid the database's oid
 * @param timeline the cluster's timeline then ({@code pg_control_checkpoint().timeline_id}); a
 *     later timeline may have reused transaction ids (a point-in-time restore of the cluster)
 * @param xmin the snapshot's oldest transaction still running, as a 64-bit transaction id
 */
public record BackupSnapshot(String systemIdentifier, long databaseOid, int timeline, long xmin) {}
