package io.keyport.platform.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LauncherTest {

  private static final String DB = "jdbc:postgresql://db.internal:5432/keyport";

  @Test
  void aNodeIsOnItsOwnUnlessAskedToCluster() {
    assertEquals(List.of("--nocluster"), Launcher.clusterOptions(Map.of()));
    assertEquals(List.of("--nocluster"), Launcher.clusterOptions(Map.of("KEYPORT_CLUSTER", " ")));
    assertEquals(
        List.of("--nocluster"), Launcher.clusterOptions(Map.of("KEYPORT_CLUSTER", "none")));
  }

  @Test
  void aClusterPassesItsDiscoveryAndNameToPayaraMicro() {
    assertEquals(
        List.of("--clustermode", "tcpip:10.0.0.11:6900,10.0.0.12:6900", "--clustername", "keyport"),
        Launcher.clusterOptions(
            Map.of(
                "KEYPORT_CLUSTER", "tcpip:10.0.0.11:6900,10.0.0.12:6900", "KEYPORT_DB_URL", DB)));
    assertEquals(
        List.of(
            "--clustermode",
            "dns:keyport.internal:6900",
            "--clustername",
            "portal-eu",
            "--startport",
            "7000",
            "--interfaces",
            "10.0.0.*",
            "--nohostaware"),
        Launcher.clusterOptions(
            Map.of(
                "KEYPORT_CLUSTER", "dns:keyport.internal:6900",
                "KEYPORT_CLUSTER_NAME", "portal-eu",
                "KEYPORT_CLUSTER_PORT", " 7000",
                "KEYPORT_CLUSTER_INTERFACES", "10.0.0.*",
                "KEYPORT_CLUSTER_HOST_AWARE", "false",
                "KEYPORT_DB_URL", DB)));
    assertEquals(
        List.of("--clustermode", "kubernetes", "--clustername", "keyport"),
        Launcher.clusterOptions(Map.of("KEYPORT_CLUSTER", "kubernetes", "KEYPORT_DB_URL", DB)));
  }

  @Test
  void aClusterNeedsASharedDatabase() {
    IllegalArgumentException refusal =
        assertThrows(
            IllegalArgumentException.class,
            () -> Launcher.clusterOptions(Map.of("KEYPORT_CLUSTER", "tcpip:10.0.0.11:6900")));
    assertTrue(refusal.getMessage().contains("KEYPORT_DB_URL"), refusal.getMessage());
  }

  @Test
  void anUnknownDiscoveryOrPortIsRefusedWithWhatToGive() {
    IllegalArgumentException mode =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Launcher.clusterOptions(
                    Map.of("KEYPORT_CLUSTER", "10.0.0.11:6900", "KEYPORT_DB_URL", DB)));
    assertTrue(
        mode.getMessage().contains("tcpip:10.0.0.11:6900,10.0.0.12:6900"), mode.getMessage());
    IllegalArgumentException port =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Launcher.clusterOptions(
                    Map.of(
                        "KEYPORT_CLUSTER", "multicast",
                        "KEYPORT_CLUSTER_PORT", "69000",
                        "KEYPORT_DB_URL", DB)));
    assertEquals("KEYPORT_CLUSTER_PORT=69000 is not a port: give 1 to 65535", port.getMessage());
  }
}
