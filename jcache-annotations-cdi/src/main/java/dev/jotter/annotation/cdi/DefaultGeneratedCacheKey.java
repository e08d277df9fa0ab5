package dev.jotter.annotation.cdi;

import java.util.Arrays;
import javax.cache.annotation.GeneratedCacheKey;

/**
 * The key the default {@code CacheKeyGenerator} makes from an annotated method's key parameters:
 * equal to another when the values are, by {@link Arrays#deepEquals}, with
 * {@link Arrays#deepHashCode} as hash code, as the spec says. Build one to read or write an entry
 * that an annotated method uses:
 * {@code cache.get(DefaultGeneratedCacheKey.of("title"))}.
 *
 * <p>Serializable (a store-by-value cache copies it) as long as the values are.
 */
public final class DefaultGeneratedCacheKey implements GeneratedCacheKey {

  private static final long serialVersionUID = 1L;

  /** The values of the key parameters, in order. */
  private final Object[] parameters;
  /** {@link Arrays#deepHashCode} of the parameters, computed once. */
  private final int hashCode;

  DefaultGeneratedCacheKey(Object[] parameters) {
    this.parameters = parameters;
    this.hashCode = Arrays.deepHashCode(parameters);
  }

  /**
   * Returns the key of a call whose key parameters have these values, in order.
   *
   * @param keyParameters the values of the key parameters ({@code @CacheKey} ones, or all but the
   *     {@code @CacheValue} one); null elements allowed
   * @return the key
   */
  public static DefaultGeneratedCacheKey of(Object... keyParameters) {
    return new DefaultGeneratedCacheKey(keyParameters.clone());
  }

  @Override
  public int hashCode() {
    return hashCode;
  }

  @Override
  public boolean equals(Object other) {
    return other == this || other instanceof DefaultGeneratedCacheKey
        && hashCode == ((DefaultGeneratedCacheKey) other).hashCode
        && Arrays.deepEquals(parameters, ((DefaultGeneratedCacheKey) other).parameters);
  }

  @Override
  public String toString() {
    return "DefaultGeneratedCacheKey" + Arrays.deepToString(parameters);
  }
}
