package dev.jotter.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every file-system call of the journal, in one seam: what a crash can lose depends on exactly
 * these calls and their order, so tests replace them to record a run and rebuild the disk states
 * a power cut could leave, or to make a force fail.
 *
 * <p>The journal holds users' keys and values, so on POSIX file systems {@link #REAL} creates
 * directories {@code rwx------} and files {@code rw-------}, set explicitly after creation
 * because the umask would otherwise widen or narrow what {@code open} asked for.
 */
interface JournalFiles {
  /** The file system, through NIO. */
  JournalFiles REAL = new Real();

  /**
   * The logger of every part of the journal: the name users configure logging by, the journal's
   * class name, spelled out so that the parts need not import the class that uses them.
   */
  String LOGGER = "dev.jotter.journal.FileJournal";

  /** Writes all of {@code bytes} to {@code channel}, however many calls that takes. */
  static void writeFully(FileChannel channel, java.nio.ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /** Creates the directory and its missing parents, private to the owner; no-op if it exists. */
  void createDirectories(Path directory) throws IOException;

  /** The names in {@code directory}, as paths. */
  List<Path> list(Path directory) throws IOException;

  /** Creates a new file (fails if it exists), private to the owner, open for writing. */
  FileChannel createNew(Path file) throws IOException;

  /** Opens {@code file} for reading and writing, created private to the owner if missing. */
  FileChannel openOrCreate(Path file) throws IOException;

  /** Opens an existing file for writing (to truncate it). */
  FileChannel openWrite(Path file) throws IOException;

  /** Opens an existing file for reading. */
  FileChannel openRead(Path file) throws IOException;

  /** Forces a file's content (and its size) to the disk: {@code fsync}/{@code fdatasync}. */
  void force(FileChannel channel, boolean metadata) throws IOException;

  /**
   * Forces the directory's entries, so that files created, deleted or renamed in it stay so
   * after a power cut. A no-op where a directory cannot be opened (Windows: there, NTFS journals
   * its metadata itself and the JDK offers no way to flush a directory).
   */
  void forceDirectory(Path directory) throws IOException;

  /** Deletes {@code file} if it exists. */
  void deleteIfExists(Path file) throws IOException;

  /** Renames {@code source} over {@code target} atomically. */
  void replace(Path source, Path target) throws IOException;

  /**
   * Whether users other than the owner may write to {@code directory}: a journal there could be
   * replaced or read by them. Empty if the file system has no POSIX permissions; else the
   * permissions found, in {@code rwxr-x---} form.
   */
  Optional<String> writableByOthers(Path directory) throws IOException;

  /** NIO, with owner-only permissions on POSIX file systems. */
  final class Real implements JournalFiles {
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private Real() {}

    @Override
    public void createDirectories(Path directory) throws IOException {
      Path absolute = directory.toAbsolutePath();
      List<Path> missing = new ArrayList<>();
      for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
        missing.add(0, p);
      }
      for (Path p : missing) {
        try {
          Files.createDirectory(p, owned(p, DIRECTORY));
        } catch (java.nio.file.FileAlreadyExistsException e) {
          if (!Files.isDirectory(p)) {
            throw e;
          }
          continue; // made by someone else meanwhile: theirs, leave its permissions alone
        }
        restrict(p, DIRECTORY);
      }
    }

    @Override
    public List<Path> list(Path directory) throws IOException {
      List<Path> files = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
        stream.forEach(files::add);
      }
      return files;
    }

    @Override
    public FileChannel createNew(Path file) throws IOException {
      FileChannel channel = FileChannel.open(file,
          EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), owned(file, FILE));
      return restricted(file, channel);
    }

    @Override
    public FileChannel openOrCreate(Path file) throws IOException {
      boolean existed = Files.exists(file);
      FileChannel channel = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE,
          StandardOpenOption.READ, StandardOpenOption.WRITE), owned(file, FILE));
      return existed ? channel : restricted(file, channel);
    }

    @Override
    public FileChannel openWrite(Path file) throws IOException {
      return FileChannel.open(file, StandardOpenOption.WRITE);
    }

    @Override
    public FileChannel openRead(Path file) throws IOException {
      return FileChannel.open(file, StandardOpenOption.READ);
    }

    @Override
    public void force(FileChannel channel, boolean metadata) throws IOException {
      channel.force(metadata);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
      FileChannel dir;
      try {
        dir = FileChannel.open(directory, StandardOpenOption.READ);
      } catch (IOException | UnsupportedOperationException e) {
        return; // Windows cannot open a directory (see the interface): nothing to force there
      }
      try (dir) {
        dir.force(true);
      }
    }

    @Override
    public void deleteIfExists(Path file) throws IOException {
      Files.deleteIfExists(file);
    }

    @Override
    public void replace(Path source, Path target) throws IOException {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public Optional<String> writableByOthers(Path directory) throws IOException {
      PosixFileAttributeView view = Files.getFileAttributeView(directory,
          PosixFileAttributeView.class);
      if (view == null) {
        return Optional.empty();
      }
      Set<PosixFilePermission> found = view.readAttributes().permissions();
      boolean others = found.contains(PosixFilePermission.GROUP_WRITE)
          || found.contains(PosixFilePermission.OTHERS_WRITE);
      return others ? Optional.of(PosixFilePermissions.toString(found))
          : Optional.empty();
    }

    /**
     * The permissions to create with: the umask can only narrow them, so the file is never
     * readable by others, not even between its creation and {@link #restrict}.
     */
    private static FileAttribute<?>[] owned(Path path, Set<PosixFilePermission> permissions) {
      return path.getFileSystem().supportedFileAttributeViews().contains("posix")
          ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
          : new FileAttribute<?>[0];
    }

    private static FileChannel restricted(Path file, FileChannel channel) throws IOException {
      try {
        restrict(file, FILE);
        return channel;
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }

    /** Sets owner-only permissions where the file system has POSIX permissions. */
    private static void restrict(Path path, Set<PosixFilePermission> permissions)
        throws IOException {
      PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
      if (view != null) {
        try {
          view.setPermissions(EnumSet.copyOf(permissions));
        } catch (FileSystemException e) {
          throw new FileSystemException(path.toString(), null,
              "cannot make it private to its owner (" + e.getReason() + ")");
        }
      }
    }
  }
}
