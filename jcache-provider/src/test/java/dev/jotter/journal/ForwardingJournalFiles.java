package dev.jotter.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A {@link JournalFiles} that passes every call on; tests override the calls they watch. */
class ForwardingJournalFiles implements JournalFiles {
  private final JournalFiles delegate;

  ForwardingJournalFiles(JournalFiles delegate) {
    this.delegate = delegate;
  }

  @Override
  public void createDirectories(Path directory) throws IOException {
    delegate.createDirectories(directory);
  }

  @Override
  public List<Path> list(Path directory) throws IOException {
    return delegate.list(directory);
  }

  @Override
  public FileChannel createNew(Path file) throws IOException {
    return delegate.createNew(file);
  }

  @Override
  public FileChannel openOrCreate(Path file) throws IOException {
    return delegate.openOrCreate(file);
  }

  @Override
  public FileChannel openWrite(Path file) throws IOException {
    return delegate.openWrite(file);
  }

  @Override
  public FileChannel openRead(Path file) throws IOException {
    return delegate.openRead(file);
  }

  @Override
  public void force(FileChannel channel, boolean metadata) throws IOException {
    delegate.force(channel, metadata);
  }

  @Override
  public void forceDirectory(Path directory) throws IOException {
    delegate.forceDirectory(directory);
  }

  @Override
  public void deleteIfExists(Path file) throws IOException {
    delegate.deleteIfExists(file);
  }

  @Override
  public void replace(Path source, Path target) throws IOException {
    delegate.replace(source, target);
  }

  @Override
  public Optional<String> writableByOthers(Path directory) throws IOException {
    return delegate.writableByOthers(directory);
  }
}
