package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.RestoreWindow;
import java.util.Optional;
import java.util.Set;

/**
 * What a provider can do for one environment right now. The decision tree asks this, never the
 * provider's type.
 *
 * @param methods the recovery methods offered
 * @param historyWindow for branch and point-in-time restore: the times that can be restored to;
 *     null when neither is offered
 * @param notes why a method is not offered (e.g. "WAL archiving is off"), shown by {@code plan}
 */
public record Capabilities(Set<Method> methods, RestoreWindow historyWindow, Set<String> notes) {
  public Capabilities {
    methods = Set.copyOf(methods);
    notes = Set.copyOf(notes);
  }

  public static Capabilities of(Method... methods) {
    return new Capabilities(Set.of(methods), null, Set.of());
  }

  public boolean offers(Method method) {
    return methods.contains(method);
  }

  public Optional<RestoreWindow> window() {
    return Optional.ofNullable(historyWindow);
  }
}
