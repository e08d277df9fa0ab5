/**
 * The actuator parts of the starter: the {@code writebehind} endpoint ({@link
 * dev.jotter.spring.actuate.WriteBehindEndpoint}) and the write-behind health rules ({@link
 * dev.jotter.spring.actuate.WriteBehindHealth}), which {@code boot3/} and {@code boot4/} turn into
 * a health contributor of each Spring Boot line: its health API moved from {@code
 * org.springframework.boot.actuate.health} (3.5) to {@code org.springframework.boot.health.contributor}
 * (4.0). Everything else here is the same on both lines.
 *
 * <p>Null policy: parameters and return values are non-null unless their javadoc says otherwise.
 */
package dev.jotter.spring.actuate;
