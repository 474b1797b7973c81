package io.keyport.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetadataHeadersTest {

  @Test
  void readsTheSpecsExample() {
    assertEquals(
        List.of(
            new MetadataHeaders.Mapping("x-team", "team", false),
            new MetadataHeaders.Mapping("x-tier", "tier", true)),
        MetadataHeaders.parse("x-team=team,x-tier=tier:required"));
  }

  @Test
  void blankMeansNone() {
    assertTrue(MetadataHeaders.parse(null).isEmpty());
    assertTrue(MetadataHeaders.parse(" ").isEmpty());
  }

  @Test
  void headerNamesAreLowerCasedAndBlanksTrimmed() {
    assertEquals(
        List.of(new MetadataHeaders.Mapping("x-team", "team", false)),
        MetadataHeaders.parse(" X-Team = team , "));
  }

  @ParameterizedTest
  @ValueSource(strings = {"x-team", "=team", "x-team=", "x team=team", "x-team=:required"})
  void malformedEntriesStopStartupWithTheirText(String config) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> MetadataHeaders.parse(config));
    assertTrue(error.getMessage().contains("keyport.check.headers-from-metadata"));
  }

  @Test
  void trustedEntriesNameEachEntryWithTheHeadersItBecomes() {
    assertEquals(
        Map.of("team", "x-team, x-group", "tier", "x-tier"),
        MetadataHeaders.trustedEntries("x-team=team,x-tier=tier:required,x-group=team"));
    assertTrue(MetadataHeaders.trustedEntries(null).isEmpty());
  }
}
