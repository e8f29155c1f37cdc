package io.dbrecover.engine.api;

/**
 * How a run talks to the operator while it advances: progress lines and the confirmation before the
 * swap. The CLI prints and reads standard input; the Lambda uses an approval step.
 */
public interface Interaction {

  /** A progress line for a long step; never contains secrets. */
  void progress(Step step, String message);

  /**
   * Asks the operator to confirm. For {@link ProtectionLevel#STRICT} the operator must type {@code
   * phrase}; for {@link ProtectionLevel#CONFIRM}, answer yes.
   *
   * @param summary what will happen and what will be lost, for the operator to read first
   * @return true to go on
   */
  boolean confirm(ProtectionLevel level, String phrase, String summary);
}
