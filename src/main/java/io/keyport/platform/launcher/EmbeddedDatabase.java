package io.keyport.platform.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real PostgreSQL (binaries from Maven Central) whose data outlives the process. */
public final class EmbeddedDatabase {

  private EmbeddedDatabase() {}

  /** Starts PostgreSQL on a free port, keeping whatever {@code dataDir} already holds. */
  public static EmbeddedPostgres start(Path dataDir) throws IOException {
    return start(dataDir, 0);
  }

  /** Starts PostgreSQL on {@code port} (0: any free one), keeping what {@code dataDir} holds. */
  public static EmbeddedPostgres start(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir);
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false);
    if (port > 0) {
      builder.setPort(port);
    }
    return builder.start();
  }
}
