package io.keyport.web.admin;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One name/value row of a metadata table an administrator edits (a key's, a product's). */
public class MetadataRow implements Serializable {

  private static final long serialVersionUID = 1L;

  private String name;
  private String value;

  public MetadataRow() {}

  MetadataRow(String name, String value) {
    this.name = name;
    this.value = value;
  }

  /** The rows of stored metadata, in its order. */
  static List<MetadataRow> of(Map<String, String> metadata) {
    List<MetadataRow> rows = new ArrayList<>();
    metadata.forEach((name, value) -> rows.add(new MetadataRow(name, value)));
    return rows;
  }

  /**
   * The rows as metadata, leaving out rows left empty; the name of a row that repeats an earlier
   * one is thrown, for the page to say so.
   */
  static Map<String, String> entries(List<MetadataRow> rows) throws Duplicate {
    Map<String, String> entries = new LinkedHashMap<>();
    for (MetadataRow row : rows) {
      String name = row.name == null ? "" : row.name.strip();
      String value = row.value == null ? "" : row.value;
      if (name.isEmpty() && value.isEmpty()) {
        continue; // an empty row the admin added and left
      }
      if (entries.put(name, value) != null) {
        throw new Duplicate(name);
      }
    }
    return entries;
  }

  /** Two rows have the same name. */
  static final class Duplicate extends Exception {
    private static final long serialVersionUID = 1L;

    final String name;

    Duplicate(String name) {
      super(name);
      this.name = name;
    }
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getValue() {
    return value;
  }

  public void setValue(String value) {
    this.value = value;
  }
}
