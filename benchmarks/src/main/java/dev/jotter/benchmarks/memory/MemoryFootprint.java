package dev.jotter.benchmarks.memory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jotter.benchmarks.Contender;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

/**
 * Workload 5: the heap that a cache retains per entry, 2^16 entries of Integer -> Integer and
 * Integer -> byte[64], store-by-reference, for every contender.
 *
 * <p>Method (the same for all three, through the JCache API only): keys and values are allocated
 * before the first measurement and stay reachable from here, so they are not counted; the heap in use
 * is measured after repeated full collections, once with the cache created but empty and once after
 * the 2^16 puts; the difference divided by 2^16 is the provider's own cost per entry (its map node,
 * wrappers and per-entry bookkeeping). The key and value objects themselves, sized with JOL, are shown
 * beside it. Each figure is the median of {@link #REPEATS}
 * measurements, each in a JVM of its own (same options), so that no heap left over by another
 * provider or an earlier fill is counted. Run it with {@code -XX:+UseSerialGC} so that a full
 * collection leaves exactly the live objects.
 *
 * <p>Why not JOL's {@code GraphLayout} on the unwrapped cache: from each provider's cache object the
 * graph reaches its cache manager, class loader, executors and JMX objects, which differ between
 * providers and have nothing to do with the entries; the heap difference counts only what the entries
 * add.
 */
public final class MemoryFootprint {

  static final int ENTRIES = 1 << 16;
  static final int REPEATS = 3;

  private MemoryFootprint() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--measure")) {
      System.out.println(RESULT_PREFIX + measureOnce(Contender.of(args[1]), args[2]));
      return;
    }
    File out = new File(args.length > 0 ? args[0] : "memory.json");
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("entries", ENTRIES);
    result.put("repeats", REPEATS);
    result.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version")
        + ", compressed references: " + (VM.current().addressSize() == 4));
    result.put("gc", ManagementFactory.getGarbageCollectorMXBeans().get(0).getName());
    result.put("keyBytes", GraphLayout.parseInstance(Integer.valueOf(1_000_000)).totalSize());
    result.put("integerValueBytes", GraphLayout.parseInstance(Integer.valueOf(2_000_000)).totalSize());
    result.put("byte64ValueBytes", GraphLayout.parseInstance(new byte[64]).totalSize());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String valueType : List.of("Integer", "byte[64]")) {
      for (Contender contender : Contender.values()) {
        double[] samples = new double[REPEATS];
        for (int r = 0; r < REPEATS; r++) {
          samples[r] = inChildJvm(contender, valueType);
        }
        Arrays.sort(samples);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("contender", contender.id());
        row.put("valueType", valueType);
        row.put("overheadBytesPerEntry", samples[samples.length / 2]);
        row.put("samples", samples);
        rows.add(row);
        System.out.printf(Locale.ROOT, "%-9s %-9s %8.1f B/entry overhead  samples=%s%n",
            contender.id(), valueType, samples[samples.length / 2], Arrays.toString(samples));
      }
    }
    result.put("rows", rows);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, result);
    System.out.println("wrote " + out);
  }

  private static final String RESULT_PREFIX = "bytes-per-entry=";

  /**
   * Runs one measurement in a new JVM with this JVM's options: a fresh heap per measurement, so that
   * nothing left from another provider or an earlier fill is counted.
   */
  private static double inChildJvm(Contender contender, String valueType)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(MemoryFootprint.class.getName());
    command.add("--measure");
    command.add(contender.id());
    command.add(valueType);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("measuring " + contender.id() + " failed:\n" + output);
    }
    return output.lines().filter(l -> l.startsWith(RESULT_PREFIX))
        .mapToDouble(l -> Double.parseDouble(l.substring(RESULT_PREFIX.length())))
        .findFirst().orElseThrow(() -> new IllegalStateException("no result:\n" + output));
  }

  /** One fill of one cache in this JVM: the heap the entries add, per entry. */
  static double measureOnce(Contender contender, String valueType) throws InterruptedException {
    Integer[] keys = new Integer[ENTRIES];
    Object[] values = new Object[ENTRIES];
    for (int i = 0; i < ENTRIES; i++) {
      keys[i] = Integer.valueOf(1_000_000 + i); // outside the Integer cache: real objects
      if (valueType.equals("Integer")) {
        values[i] = Integer.valueOf(2_000_000 + i);
      } else {
        byte[] bytes = new byte[64];
        bytes[0] = (byte) i;
        values[i] = bytes;
      }
    }
    @SuppressWarnings("unchecked")
    Class<Object> type = (Class<Object>) (Class<?>) (valueType.equals("Integer") ? Integer.class
        : byte[].class);
    CacheManager manager = contender.manager();
    Cache<Integer, Object> cache = manager.createCache("memory",
        Contender.plainConfiguration(Integer.class, type, false));
    long empty = usedHeap();
    for (int i = 0; i < ENTRIES; i++) {
      cache.put(keys[i], values[i]);
    }
    long full = usedHeap();
    // keeps the cache, keys and values reachable up to here
    for (int i = 0; i < ENTRIES; i++) {
      if (cache.get(keys[i]) != values[i]) {
        throw new IllegalStateException(contender.id() + " lost or copied entry " + i);
      }
    }
    contender.closeProvider();
    return (full - empty) / (double) ENTRIES;
  }

  /** Heap in use after full collections, once it stops shrinking. */
  private static long usedHeap() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    Thread.sleep(100); // let asynchronous maintenance (Caffeine's executor) finish
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 20; i++) {
      System.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      if (Math.abs(previous - used) < 256) {
        return used;
      }
      previous = used;
      Thread.sleep(20);
    }
    return previous;
  }
}
