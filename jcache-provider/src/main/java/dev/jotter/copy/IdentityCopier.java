package dev.jotter.copy;

/** Store-by-reference: the cache holds the caller's own objects. */
enum IdentityCopier implements Copier {
  INSTANCE;

  @Override
  public <T> T copy(T object, ClassLoader classLoader) {
    return object;
  }
}
