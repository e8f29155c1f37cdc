package io.dbrecover.engine.spi;

/** Progress of a long step, shown to the operator; messages must not contain secrets. */
public interface Progress {
  Progress NONE = message -> {};

  void update(String message);
}
