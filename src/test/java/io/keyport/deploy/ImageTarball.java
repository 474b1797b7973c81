package io.keyport.deploy;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * target/keyport-image.tar read as an image loader reads it: every entry's SHA-256 and size, the
 * small JSON documents kept, and each layer's own entries (path, mode, owner, link) listed.
 */
final class ImageTarball {

  /** One file of a layer. */
  record LayerEntry(String path, int mode, long uid, long gid, boolean directory, String link) {}

  /** An entry of the tarball: its size and SHA-256, and its bytes if it is at most 64 KiB. */
  record Blob(long size, String sha256, byte[] small) {
    JsonValue json() {
      try (JsonReader reader =
          Json.createReader(new StringReader(new String(small, StandardCharsets.UTF_8)))) {
        return reader.readValue();
      }
    }

    String text() {
      return new String(small, StandardCharsets.UTF_8);
    }
  }

  final Map<String, Blob> entries = new LinkedHashMap<>();

  /** Per layer blob name: its entries by path (without "./"). */
  final Map<String, Map<String, LayerEntry>> layers = new LinkedHashMap<>();

  /** Per layer blob name: the SHA-256 of each regular file, by path. */
  final Map<String, Map<String, String>> fileDigests = new LinkedHashMap<>();

  static ImageTarball read(Path tarball) throws IOException {
    if (!Files.isRegularFile(tarball)) {
      throw new AssertionError(
          tarball
              + " is missing: build it with `mvn -Pimage package` (as root, with Debian's"
              + " debootstrap; deploy/image/build-image.sh), then run `mvn -Pimage verify`");
    }
    ImageTarball image = new ImageTarball();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(tarball))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        if (entry.isDirectory()) {
          continue;
        }
        String name = entry.getName();
        if (name.startsWith("blobs/sha256/") && entry.getSize() > 65536) {
          image.entries.put(name, image.readLayer(name, tar, entry.getSize()));
        } else {
          byte[] bytes = tar.readAllBytes();
          image.entries.put(name, new Blob(bytes.length, sha256(bytes), bytes));
        }
      }
    }
    return image;
  }

  private Blob readLayer(String name, InputStream in, long size) throws IOException {
    MessageDigest digest = sha256();
    Map<String, LayerEntry> files = new LinkedHashMap<>();
    Map<String, String> digests = new LinkedHashMap<>();
    DigestInputStream counted = new DigestInputStream(in, digest);
    // The layer is itself a tar: read it as one while the digest of its bytes is taken.
    TarArchiveInputStream layer = new TarArchiveInputStream(counted);
    TarArchiveEntry entry;
    while ((entry = layer.getNextEntry()) != null) {
      String path = entry.getName().replaceFirst("^\\./", "").replaceFirst("/$", "");
      files.put(
          path,
          new LayerEntry(
              path,
              entry.getMode() & 07777,
              entry.getLongUserId(),
              entry.getLongGroupId(),
              entry.isDirectory(),
              entry.isSymbolicLink() || entry.isLink() ? entry.getLinkName() : null));
      if (entry.isFile()
          && (path.startsWith("opt/keyport/") || path.equals("etc/passwd"))
          && entry.getSize() < 256L * 1024 * 1024) {
        byte[] bytes = layer.readAllBytes();
        digests.put(path, sha256(bytes));
        if (path.equals("etc/passwd")) {
          entries.put(name + "!etc/passwd", new Blob(bytes.length, sha256(bytes), bytes));
        }
      }
    }
    // tar pads the end with zero blocks the entry reader stops before: count them too.
    counted.transferTo(OutputStream.nullOutputStream());
    layers.put(name, files);
    fileDigests.put(name, digests);
    return new Blob(size, HexFormat.of().formatHex(digest.digest()), null);
  }

  JsonObject json(String entry) {
    Blob blob = entries.get(entry);
    if (blob == null) {
      throw new AssertionError("the tarball has no " + entry + "; it has " + entries.keySet());
    }
    return blob.json().asJsonObject();
  }

  /** docker save's manifest.json: its one image. */
  JsonObject dockerManifest() {
    Blob blob = entries.get("manifest.json");
    if (blob == null) {
      throw new AssertionError("the tarball has no manifest.json (docker save's)");
    }
    return blob.json().asJsonArray().getJsonObject(0);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
