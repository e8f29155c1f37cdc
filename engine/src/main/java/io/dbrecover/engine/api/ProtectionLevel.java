package io.dbrecover.engine.api;

/** How much confirmation an environment needs before dbrecover changes anything. */
public enum ProtectionLevel {
  /** No prompt. */
  NONE,
  /** A yes/no prompt. */
  CONFIRM,
  /** The operator types {@code rollback-<env>}. */
  STRICT
}
