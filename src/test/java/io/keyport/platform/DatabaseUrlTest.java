package io.keyport.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

  private static final String KEY = "keyport.db.url";

  @Test
  void oneHostIsTakenAsItIs() {
    DatabaseUrl url = DatabaseUrl.check(KEY, "jdbc:postgresql://db.internal:6432/keyport");
    assertEquals(List.of("db.internal:6432"), url.hosts());
    assertFalse(url.multiHost());
    assertEquals(
        List.of("localhost:5432"), DatabaseUrl.check(KEY, "jdbc:postgresql:keyport").hosts());
  }

  @Test
  void severalHostsWithTargetServerTypePrimary() {
    DatabaseUrl url =
        DatabaseUrl.check(
            KEY, "jdbc:postgresql://db1:5432,db2:5433/keyport?targetServerType=primary");
    assertEquals(List.of("db1:5432", "db2:5433"), url.hosts());
    assertTrue(url.multiHost());
    assertEquals("primary", url.targetServerType());
    // the driver's older name for it
    assertTrue(
        DatabaseUrl.check(KEY, "jdbc:postgresql://db1,db2/keyport?targetServerType=master")
            .multiHost());
  }

  @Test
  void severalHostsWithoutPrimaryAreRefusedSayingWhatToAdd() {
    for (String target :
        new String[] {"", "&targetServerType=any", "&targetServerType=preferPrimary"}) {
      IllegalArgumentException refused =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  DatabaseUrl.check(
                      KEY, "jdbc:postgresql://db1:5432,db2:5432/keyport?ssl=true" + target));
      assertTrue(refused.getMessage().startsWith(KEY + " lists 2 hosts (db1:5432,db2:5432)"));
      assertTrue(
          refused.getMessage().contains("add targetServerType=primary"), refused.getMessage());
    }
  }

  @Test
  void aStandbyAsTheOnlyTargetIsRefused() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DatabaseUrl.check(
                    KEY, "jdbc:postgresql://replica:5432/keyport?targetServerType=secondary"));
    assertTrue(refused.getMessage().contains("targetServerType=secondary"), refused.getMessage());
  }

  @Test
  void notAPostgresUrlIsRefusedWithoutItsParameters() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> DatabaseUrl.check(KEY, "jdbc:mysql://db:3306/keyport?password=secret"));
    assertTrue(refused.getMessage().startsWith(KEY + " is not a PostgreSQL JDBC URL"));
    assertFalse(refused.getMessage().contains("secret"), refused.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.check(KEY, " "));
  }
}
