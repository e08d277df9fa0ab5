package dev.jotter.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The disk's own fsync rate, measured beside {@link JournalBenchmark}: append a small record and force
 * it, as a journal without group commit would for every acknowledged put.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FsyncBenchmark {

  private Path file;
  private FileChannel channel;
  private final ByteBuffer record = ByteBuffer.allocateDirect(64);

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    file = Files.createTempFile("jotter-fsync-bench", ".log");
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    channel.close();
    Files.delete(file);
  }

  @Benchmark
  @Threads(1)
  public void fsync() throws IOException {
    record.clear();
    channel.write(record);
    channel.force(false);
  }
}
