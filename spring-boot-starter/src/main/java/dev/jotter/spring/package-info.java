/**
 * Jotter on Spring Boot 3.5 and 4.0: the auto-configuration ({@link
 * dev.jotter.spring.JotterAutoConfiguration}), writers and loaders that are Spring beans ({@link
 * dev.jotter.spring.BeanWriterFactory}, {@link dev.jotter.spring.BeanLoaderFactory}), the
 * write-behind caches of an application context ({@link dev.jotter.spring.WriteBehindCaches}),
 * their ordered shutdown ({@link dev.jotter.spring.WriteBehindShutdown}) and their meters ({@link
 * dev.jotter.spring.WriteBehindMeterBinder}). The actuator parts are in {@code
 * dev.jotter.spring.actuate}.
 *
 * <p>Null policy: parameters and return values are non-null unless their javadoc says otherwise.
 */
package dev.jotter.spring;
