/**
 * The JSR-107 caching annotations ({@code javax.cache.annotation}) on Jakarta CDI 4: Weld 5/6 and
 * Quarkus 3 (ArC).
 *
 * <p>The JSR-107 annotations are not interceptor bindings (they carry no {@code @InterceptorBinding},
 * and their members use the old {@code javax.enterprise.util.Nonbinding}), so a Jakarta container
 * ignores them. {@link dev.jotter.annotation.cdi.JCacheAnnotationsExtension}, a build compatible
 * extension found through {@code META-INF/services}, declares them interceptor bindings with
 * non-binding members and adds the four interceptors. The way of an intercepted call:
 * <ol>
 *   <li>the interceptor of the binding ({@link dev.jotter.annotation.cdi.CacheResultInterceptor},
 *       {@link dev.jotter.annotation.cdi.CachePutInterceptor},
 *       {@link dev.jotter.annotation.cdi.CacheRemoveEntryInterceptor},
 *       {@link dev.jotter.annotation.cdi.CacheRemoveAllInterceptor}) asks {@code CacheMethods}
 *       for the method's plan;</li>
 *   <li>{@code CacheMethods} resolves it once per bean class and method ({@code InterceptedMethod}):
 *       the one effective cache annotation, the cache name, {@code @CacheDefaults}, the key and value
 *       parameters, the {@code CacheResolver}s and the {@code CacheKeyGenerator};</li>
 *   <li>per call, an {@code Invocation} (the spec's {@code CacheKeyInvocationContext}) feeds the key
 *       generator and the resolvers, and the interceptor runs the spec's rules against the
 *       {@code javax.cache.Cache}.</li>
 * </ol>
 *
 * <p>Nulls: parameters and return values are never null unless documented; the JSR-107 types
 * implemented here return null only where their javadoc says so
 * ({@code CacheKeyInvocationContext#getValueParameter()} outside {@code @CachePut}).
 */
package dev.jotter.annotation.cdi;
