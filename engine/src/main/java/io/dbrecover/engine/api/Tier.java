package io.dbrecover.engine.api;

/** What kind of environment this is; only development allows a reset. */
public enum Tier {
  DEVELOPMENT,
  STAGING,
  PRODUCTION
}
