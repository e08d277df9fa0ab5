package dev.jotter.annotation.cdi;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.build.compatible.spi.BeanInfo;
import jakarta.enterprise.inject.build.compatible.spi.BuildCompatibleExtension;
import jakarta.enterprise.inject.build.compatible.spi.ClassConfig;
import jakarta.enterprise.inject.build.compatible.spi.Discovery;
import jakarta.enterprise.inject.build.compatible.spi.MetaAnnotations;
import jakarta.enterprise.inject.build.compatible.spi.MethodConfig;
import jakarta.enterprise.inject.build.compatible.spi.Parameters;
import jakarta.enterprise.inject.build.compatible.spi.Registration;
import jakarta.enterprise.inject.build.compatible.spi.ScannedClasses;
import jakarta.enterprise.inject.build.compatible.spi.Synthesis;
import jakarta.enterprise.inject.build.compatible.spi.SyntheticBeanCreator;
import jakarta.enterprise.inject.build.compatible.spi.SyntheticComponents;
import jakarta.enterprise.lang.model.AnnotationInfo;
import jakarta.enterprise.util.Nonbinding;
import java.lang.annotation.Annotation;
import java.util.Collection;
import java.util.List;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.CacheRemoveAll;
import javax.cache.annotation.CacheResult;

/**
 * Makes the JSR-107 annotations work on a Jakarta CDI 4 container: a CDI Lite build compatible
 * extension, so it runs on Weld 5/6 (through Weld's lite extension translator) and on Quarkus ArC
 * alike. Found through
 * {@code META-INF/services/jakarta.enterprise.inject.build.compatible.spi.BuildCompatibleExtension};
 * adding the jar is all an application does.
 *
 * <ul>
 *   <li>Discovery: {@code @CacheResult}, {@code @CachePut}, {@code @CacheRemove},
 *       {@code @CacheRemoveAll} and {@code @CacheDefaults} become interceptor bindings, every member
 *       {@code @jakarta.enterprise.util.Nonbinding} (the annotations' own {@code @Nonbinding} is the
 *       {@code javax.enterprise} one, which a Jakarta container does not read). The interceptors and
 *       their shared state are added as scanned classes, so the jar needs no {@code beans.xml}.</li>
 *   <li>Registration and synthesis: unless the application has a {@code @Default CacheManager} bean
 *       of its own (a producer, say), a synthetic {@code @ApplicationScoped} one is added: the
 *       default {@code CacheManager} of the default {@code CachingProvider}. Either way the
 *       interceptors {@code @Inject} the {@code CacheManager}.</li>
 * </ul>
 *
 * <p>{@code @CacheDefaults} binds no interceptor by itself; it is a binding so that its members are
 * non-binding too, and the interceptors read it from the bean class.
 */
public class JCacheAnnotationsExtension implements BuildCompatibleExtension {

  private static final List<Class<? extends Annotation>> BINDINGS = List.of(CacheResult.class,
      CachePut.class, CacheRemove.class, CacheRemoveAll.class, CacheDefaults.class);

  private static final List<Class<?>> COMPONENTS = List.of(CacheResultInterceptor.class,
      CachePutInterceptor.class, CacheRemoveEntryInterceptor.class,
      CacheRemoveAllInterceptor.class, CacheMethods.class);

  private boolean applicationCacheManager;

  /** Created by the container. */
  public JCacheAnnotationsExtension() {}

  /**
   * Declares the JSR-107 annotations interceptor bindings with non-binding members, and adds the
   * interceptors.
   *
   * @param meta the container's meta-annotation registry
   * @param scan the classes the container discovers besides the bean archives
   */
  @Discovery
  public void registerBindingsAndInterceptors(MetaAnnotations meta, ScannedClasses scan) {
    for (Class<? extends Annotation> binding : BINDINGS) {
      ClassConfig annotation = meta.addInterceptorBinding(binding);
      for (MethodConfig member : annotation.methods()) {
        member.addAnnotation(Nonbinding.class);
      }
    }
    for (Class<?> component : COMPONENTS) {
      scan.add(component.getName());
    }
  }

  /**
   * Notes a {@code CacheManager} bean of the application's own.
   *
   * @param bean a bean whose types include {@code CacheManager}
   */
  @Registration(types = CacheManager.class)
  public void noteApplicationCacheManager(BeanInfo bean) {
    if (!bean.isSynthetic() && hasDefaultQualifier(bean.qualifiers())) {
      applicationCacheManager = true;
    }
  }

  /**
   * Adds the default {@code CacheManager} bean when the application has none.
   *
   * @param synthesis the container's synthetic components
   */
  @Synthesis
  public void addDefaultCacheManager(SyntheticComponents synthesis) {
    if (!applicationCacheManager) {
      synthesis.<CacheManager>addBean(CacheManager.class)
          .type(CacheManager.class)
          .scope(ApplicationScoped.class)
          .createWith(DefaultCacheManagerCreator.class);
    }
  }

  private static boolean hasDefaultQualifier(Collection<AnnotationInfo> qualifiers) {
    // a bean declaring no qualifier has @Default; containers list it, but do not rely on it
    return qualifiers.isEmpty() || qualifiers.stream()
        .anyMatch(q -> q.name().equals(Default.class.getName()));
  }

  /**
   * Creates the default {@code CacheManager} bean: {@code Caching.getCachingProvider()
   * .getCacheManager()}, which fails loudly when no or several JCache providers are present. The
   * manager is the provider's shared one, so the bean does not close it.
   */
  public static final class DefaultCacheManagerCreator implements SyntheticBeanCreator<CacheManager> {

    /** Created by the container. */
    public DefaultCacheManagerCreator() {}

    @Override
    public CacheManager create(Instance<Object> lookup, Parameters params) {
      return Caching.getCachingProvider().getCacheManager();
    }
  }
}
