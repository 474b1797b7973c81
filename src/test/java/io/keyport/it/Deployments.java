package io.keyport.it;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The WAR that Maven built, deployed as-is at the root context, as the launcher runs it. */
public final class Deployments {

  private Deployments() {}

  public static WebArchive keyport() {
    File war = new File("target/keyport.war");
    if (!war.isFile()) {
      throw new IllegalStateException(
          "target/keyport.war is missing: run the integration tests through 'mvn verify'");
    }
    return ShrinkWrap.create(ZipImporter.class, "ROOT.war").importFrom(war).as(WebArchive.class);
  }
}
