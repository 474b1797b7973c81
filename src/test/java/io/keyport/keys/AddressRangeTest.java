package io.keyport.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressRangeTest {

  @Test
  void ipv4AndIpv6RangesContainTheirAddressesOnly() {
    AddressRange v4 = AddressRange.parse(" 203.0.113.77/24 ");
    assertEquals("203.0.113.0/24", v4.text());
    assertTrue(v4.contains(AddressRange.literal("203.0.113.1")));
    assertTrue(v4.contains(AddressRange.literal("203.0.113.255")));
    assertFalse(v4.contains(AddressRange.literal("203.0.114.1")));
    assertFalse(v4.contains(AddressRange.literal("2001:db8::1")), "another family");

    AddressRange v6 = AddressRange.parse("2001:DB8::/32");
    assertEquals("2001:db8::/32", v6.text());
    assertTrue(v6.contains(AddressRange.literal("2001:db8:ffff::1")));
    assertFalse(v6.contains(AddressRange.literal("2001:db9::1")));

    AddressRange one = AddressRange.parse("10.1.2.3");
    assertEquals("10.1.2.3/32", one.text());
    assertTrue(one.contains(AddressRange.literal("10.1.2.3")));
    assertFalse(one.contains(AddressRange.literal("10.1.2.4")));
    assertTrue(AddressRange.parse("0.0.0.0/0").contains(AddressRange.literal("198.51.100.9")));
    assertTrue(AddressRange.parse("10.0.0.0/12").contains(AddressRange.literal("10.15.255.255")));
    assertFalse(AddressRange.parse("10.0.0.0/12").contains(AddressRange.literal("10.16.0.0")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "localhost",
        "10.0.0.256",
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/-1",
        "10.0.0.0/x",
        "1.2.3"
      })
  void whatIsNotAnAddressOrRangeIsRefusedSayingSo(String text) {
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> AddressRange.parse(text));
    assertTrue(refused.getMessage().contains(text.strip()), refused.getMessage());
  }

  @Test
  void onlyLiteralsAreAddressesNeverNamesToLookUp() {
    assertNull(AddressRange.literal("example.com"));
    assertNull(AddressRange.literal(null));
    assertNull(AddressRange.literal("203.0.113.1, 10.0.0.1"));
    assertEquals(4, AddressRange.literal("203.0.113.1").length);
    assertEquals(16, AddressRange.literal("::1").length);
  }

  @Test
  void aKeyWithAnAllowlistAdmitsOnlyAddressesInsideItAndNoneWhenTheAddressIsUnknown() {
    LiveKey open = new LiveKey(UUID.randomUUID(), "u", "p", "gold", null, Map.of());
    assertTrue(open.admitsAddress(null));
    LiveKey listed =
        new LiveKey(
            UUID.randomUUID(),
            "u",
            "p",
            "gold",
            null,
            Map.of(),
            List.of(AddressRange.parse("203.0.113.0/24"), AddressRange.parse("2001:db8::/32")));
    assertTrue(listed.admitsAddress("203.0.113.9"));
    assertTrue(listed.admitsAddress("2001:db8::9"));
    assertFalse(listed.admitsAddress("198.51.100.1"));
    assertFalse(listed.admitsAddress(null), "unknown address: refused, never admitted");
    assertFalse(listed.admitsAddress("not-an-address"));
  }

  @Test
  void theOwnersAllowlistIsNormalisedAndAWrongEntryNamed() {
    assertEquals(
        List.of("10.1.0.0/16", "2001:db8::/32"),
        KeyRules.allowedCidrs(List.of("10.1.2.3/16", "2001:db8::/32", "10.1.0.0/16")));
    assertEquals(List.of(), KeyRules.allowedCidrs(List.of()));
    io.keyport.platform.RequestRefused refused =
        assertThrows(
            io.keyport.platform.RequestRefused.class,
            () -> KeyRules.allowedCidrs(List.of("10.0.0.0/8", "office")));
    assertEquals("allowedCidrs", refused.field());
    assertTrue(refused.getMessage().contains("'office'"), refused.getMessage());
  }
}
