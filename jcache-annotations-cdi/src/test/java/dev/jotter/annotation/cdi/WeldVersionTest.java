package dev.jotter.annotation.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jboss.weld.environment.se.Weld;
import org.junit.jupiter.api.Test;

/** Proves which Weld the build ran on: the default build Weld 5.1, {@code -Pweld6} Weld 6.0. */
class WeldVersionTest {

  @Test
  void testsRunOnTheWeldTheBuildSelected() {
    assertEquals(System.getProperty("weld.version.expected"),
        Weld.class.getPackage().getImplementationVersion());
  }
}
