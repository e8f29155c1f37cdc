/** The {@code neon} provider: branch restore and point in time over the Neon API v2. */
package io.dbrecover.neon;
