import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The checks of .ci/check-reproducible, run as a single-file program ({@code java PublishCheck.java}).
 *
 * <ul>
 *   <li>{@code modules <root>}: prints the artifactIds of the published artifacts (jotter-bom and
 *       every artifact it lists), after checking that the BOM lists exactly the reactor modules that
 *       are deployed (all but those whose pom or parent pom sets {@code maven.deploy.skip}), and that
 *       each listed module attaches sources and javadoc jars.
 *   <li>{@code compare <dirA> <dirB> <artifactId>...}: compares the archives two builds of those
 *       artifacts produced; exits 1 naming every archive and entry that differs.
 * </ul>
 */
public final class PublishCheck {

  /** The most differences listed per archive. */
  private static final int MAX_SHOWN = 8;

  private PublishCheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals("modules") && args.length == 2) {
      System.out.println(String.join(" ", publishedModules(Path.of(args[1]))));
    } else if (args.length >= 4 && args[0].equals("compare")) {
      List<String> problems = compare(Path.of(args[1]), Path.of(args[2]),
          Arrays.asList(args).subList(3, args.length));
      if (!problems.isEmpty()) {
        System.out.println("NOT REPRODUCIBLE: two builds of the same sources differ:");
        problems.forEach(p -> System.out.println("  " + p));
        System.exit(1);
      }
    } else {
      System.err.println("usage: PublishCheck modules <root> | compare <dirA> <dirB> <artifactId>...");
      System.exit(2);
    }
  }

  // ---- which modules are published ----------------------------------------------------------

  /** A reactor module: its directory, artifactId, and whether it is deployed. */
  private record Module(Path dir, String artifactId, boolean deployed, boolean attachesDocs) {}

  private static List<String> publishedModules(Path root) throws Exception {
    Map<String, Module> modules = new LinkedHashMap<>();
    collect(root.toAbsolutePath().normalize(), modules);
    Module bom = modules.get("jotter-bom");
    if (bom == null) {
      throw new IllegalStateException("no jotter-bom module in the reactor of " + root);
    }
    Set<String> listed = new LinkedHashSet<>();
    Element bomPom = read(bom.dir().resolve("pom.xml"));
    Element management = child(bomPom, "dependencyManagement");
    for (Element dependency : children(child(management, "dependencies"), "dependency")) {
      if (!"dev.jotter".equals(text(dependency, "groupId"))) {
        throw new IllegalStateException("jotter-bom lists " + text(dependency, "groupId") + ":"
            + text(dependency, "artifactId") + ": it must list only Jotter's own artifacts");
      }
      listed.add(text(dependency, "artifactId"));
    }
    Set<String> deployed = new TreeSet<>();
    for (Module module : modules.values()) {
      if (module.deployed() && !module.artifactId().equals("jotter-parent")
          && !module.artifactId().equals("jotter-bom")) {
        deployed.add(module.artifactId());
      }
    }
    List<String> problems = new ArrayList<>();
    for (String artifactId : listed) {
      Module module = modules.get(artifactId);
      if (module == null) {
        problems.add("jotter-bom lists " + artifactId + ", which is no module of the build");
      } else if (!module.deployed()) {
        problems.add("jotter-bom lists " + artifactId + ", which sets maven.deploy.skip");
      } else if (!module.attachesDocs()) {
        problems.add(artifactId + " is published but does not list maven-source-plugin and "
            + "maven-javadoc-plugin in its build plugins");
      }
    }
    for (String artifactId : deployed) {
      if (!listed.contains(artifactId)) {
        problems.add(artifactId + " is deployed (no maven.deploy.skip) but jotter-bom does not "
            + "list it: add it to bom/pom.xml, or set maven.deploy.skip and maven.install.skip");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("published modules: " + String.join("; ", problems));
    }
    List<String> published = new ArrayList<>();
    published.add("jotter-bom");
    published.addAll(listed);
    return published;
  }

  private static void collect(Path dir, Map<String, Module> modules) throws Exception {
    Path pomFile = dir.resolve("pom.xml");
    Element pom = read(pomFile);
    String artifactId = text(pom, "artifactId");
    Element build = child(pom, "build");
    Set<String> plugins = new TreeSet<>();
    if (build != null && child(build, "plugins") != null) {
      for (Element plugin : children(child(build, "plugins"), "plugin")) {
        plugins.add(text(plugin, "artifactId"));
      }
    }
    boolean attachesDocs = plugins.contains("maven-source-plugin")
        && plugins.contains("maven-javadoc-plugin");
    modules.put(artifactId, new Module(dir, artifactId, !deploySkipped(pomFile), attachesDocs));
    Element list = child(pom, "modules");
    if (list != null) {
      for (Element module : children(list, "module")) {
        collect(dir.resolve(module.getTextContent().trim()).normalize(), modules);
      }
    }
  }

  /** Whether the pom, or a parent pom of the same repository, sets maven.deploy.skip to true. */
  private static boolean deploySkipped(Path pomFile) throws Exception {
    Path current = pomFile;
    while (current != null && Files.isRegularFile(current)) {
      Element pom = read(current);
      Element properties = child(pom, "properties");
      if (properties != null && "true".equals(text(properties, "maven.deploy.skip"))) {
        return true;
      }
      Element parent = child(pom, "parent");
      if (parent == null) {
        return false;
      }
      String relative = text(parent, "relativePath");
      Path parentPath = current.getParent().resolve(relative == null ? "../pom.xml" : relative);
      if (Files.isDirectory(parentPath)) {
        parentPath = parentPath.resolve("pom.xml");
      }
      current = parentPath.normalize();
    }
    return false;
  }

  private static Element read(Path pom) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(false);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document document = factory.newDocumentBuilder().parse(pom.toFile());
    return document.getDocumentElement();
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element && node.getNodeName().equals(name)) {
        return (Element) node;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    if (parent == null) {
      return found;
    }
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element && nodes.item(i).getNodeName().equals(name)) {
        found.add((Element) nodes.item(i));
      }
    }
    return found;
  }

  private static String text(Element parent, String name) {
    Element element = child(parent, name);
    return element == null ? null : element.getTextContent().trim();
  }

  // ---- comparing two builds -----------------------------------------------------------------

  private static List<String> compare(Path a, Path b, List<String> artifactIds) throws IOException {
    List<String> problems = new ArrayList<>();
    int archives = 0;
    for (String artifactId : artifactIds) {
      List<Path> files = new ArrayList<>();
      try (var listing = Files.list(a)) {
        // <artifactId>-<version>[-<classifier>].jar, and the BOM's pom
        String archive = java.util.regex.Pattern.quote(artifactId) + "-\\d.*\\.jar";
        listing.filter(p -> p.getFileName().toString().matches(archive)
                || p.getFileName().toString().equals(artifactId + ".pom"))
            .sorted().forEach(files::add);
      }
      if (files.isEmpty()) {
        problems.add(artifactId + ": the first build produced no archive");
      }
      for (Path fileA : files) {
        String name = fileA.getFileName().toString();
        Path fileB = b.resolve(name);
        archives++;
        if (!Files.exists(fileB)) {
          problems.add(name + ": missing from the second build");
        } else if (Arrays.equals(Files.readAllBytes(fileA), Files.readAllBytes(fileB))) {
          System.out.println("identical: " + name + " (" + Files.size(fileA) + " bytes, sha256 "
              + sha256(Files.readAllBytes(fileA)).substring(0, 16) + "...)");
        } else if (name.endsWith(".jar")) {
          List<String> differences = compareJars(name, fileA, fileB);
          int shown = Math.min(differences.size(), MAX_SHOWN);
          problems.addAll(differences.subList(0, shown));
          if (differences.size() > shown) {
            problems.add(name + ": ... and " + (differences.size() - shown) + " more differences");
          }
        } else {
          problems.add(name + ": differs (" + firstDifference(fileA, fileB) + ")");
        }
      }
    }
    if (problems.isEmpty()) {
      System.out.println("reproducible: " + archives + " archives of " + artifactIds.size()
          + " published artifacts are byte-identical in two builds");
    }
    return problems;
  }

  private static List<String> compareJars(String name, Path a, Path b) throws IOException {
    List<String> problems = new ArrayList<>();
    try (ZipFile zipA = new ZipFile(a.toFile()); ZipFile zipB = new ZipFile(b.toFile())) {
      List<String> namesA = names(zipA);
      List<String> namesB = names(zipB);
      Set<String> onlyA = new TreeSet<>(namesA);
      onlyA.removeAll(namesB);
      Set<String> onlyB = new TreeSet<>(namesB);
      onlyB.removeAll(namesA);
      if (!onlyA.isEmpty()) {
        problems.add(name + ": entries only in the first build: " + onlyA);
      }
      if (!onlyB.isEmpty()) {
        problems.add(name + ": entries only in the second build: " + onlyB);
      }
      if (onlyA.isEmpty() && onlyB.isEmpty() && !namesA.equals(namesB)) {
        problems.add(name + ": the same entries in a different order");
      }
      for (String entryName : namesA) {
        ZipEntry entryA = zipA.getEntry(entryName);
        ZipEntry entryB = zipB.getEntry(entryName);
        if (entryB == null) {
          continue;
        }
        if (entryA.getTime() != entryB.getTime()) {
          problems.add(name + "!" + entryName + ": time " + Instant.ofEpochMilli(entryA.getTime())
              + " vs " + Instant.ofEpochMilli(entryB.getTime())
              + " (is project.build.outputTimestamp set?)");
        }
        byte[] bytesA = read(zipA, entryA);
        byte[] bytesB = read(zipB, entryB);
        if (!Arrays.equals(bytesA, bytesB)) {
          problems.add(name + "!" + entryName + ": content differs (" + bytesA.length + " vs "
              + bytesB.length + " bytes, sha256 " + sha256(bytesA).substring(0, 16) + " vs "
              + sha256(bytesB).substring(0, 16) + ")");
        } else if (entryA.getMethod() != entryB.getMethod()
            || !Arrays.equals(entryA.getExtra(), entryB.getExtra())) {
          problems.add(name + "!" + entryName + ": same content, different zip metadata "
              + "(compression method or extra fields)");
        }
      }
    }
    if (problems.isEmpty()) {
      problems.add(name + ": same entries, times and contents, but the archives differ ("
          + firstDifference(a, b) + "; file permissions or other zip metadata)");
    }
    return problems;
  }

  private static List<String> names(ZipFile zip) {
    List<String> names = new ArrayList<>();
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      names.add(e.nextElement().getName());
    }
    return names;
  }

  private static byte[] read(ZipFile zip, ZipEntry entry) throws IOException {
    try (InputStream in = zip.getInputStream(entry)) {
      return in.readAllBytes();
    }
  }

  private static String firstDifference(Path a, Path b) throws IOException {
    byte[] x = Files.readAllBytes(a);
    byte[] y = Files.readAllBytes(b);
    int mismatch = Arrays.mismatch(x, y);
    return "first difference at byte " + mismatch + " of " + x.length + " / " + y.length;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
