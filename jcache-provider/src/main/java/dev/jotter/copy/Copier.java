package dev.jotter.copy;

/**
 * Makes the copies that store-by-value needs: keys and values are copied on the way into the cache and
 * values on the way out, so that neither the caller nor the cache sees the other's later changes.
 */
public interface Copier {

  /**
   * Returns an independent copy of {@code object}, or the object itself where no one can change it.
   *
   * @param object the object to copy, non-null
   * @param classLoader the loader that resolves the classes of the copy
   */
  <T> T copy(T object, ClassLoader classLoader);

  /** Returns the copier of store-by-reference caches: no copy at all. */
  static Copier identity() {
    return IdentityCopier.INSTANCE;
  }
}
