/**
 * Google Cloud: the {@code cloudsql} provider (Cloud SQL Admin API v1) and the {@code
 * gcp-secret-manager} URL target (Secret Manager REST API v1). Vendor types stay inside this
 * module.
 */
package io.dbrecover.gcp;
