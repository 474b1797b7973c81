package io.keyport.web.admin;

import io.keyport.audit.AuditEntry;
import io.keyport.audit.AuditFilter;
import io.keyport.audit.AuditLog;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.Serializable;
import java.io.StringReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit log page: filter by actor, action, target and days (UTC), read each change's before and
 * after, and export what the filter shows as CSV (through the admin API, with this session).
 */
@Named
@ViewScoped
public class AuditTrail implements Serializable {

  private static final long serialVersionUID = 1L;
  static final int LIMIT = 500;

  @Inject private AuditLog audit;

  private String actor;
  private String action;
  private String targetType;
  private String targetId;
  private LocalDate from;
  private LocalDate to;
  private List<AuditEntry> list;

  public void load() {
    if (from != null && to != null && to.isBefore(from)) {
      Messages.error("auditForm:to", Wording.text("admin.audit.toBeforeFrom"));
      list = List.of();
      return;
    }
    list = audit.search(filter(), LIMIT);
  }

  public void search() {
    load();
  }

  private AuditFilter filter() {
    return new AuditFilter(
        actor,
        action,
        targetType,
        targetId,
        start(from),
        start(to == null ? null : to.plusDays(1)));
  }

  private static Instant start(LocalDate day) {
    return day == null ? null : day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** A change's fields as "field: before → after" lines; other details as "name: value". */
  public List<String> changes(AuditEntry entry) {
    List<String> lines = new ArrayList<>();
    if (entry.details() == null || entry.details().isBlank()) {
      return lines;
    }
    JsonObject details;
    try (JsonReader reader = Json.createReader(new StringReader(entry.details()))) {
      details = reader.readObject();
    } catch (JsonException | IllegalStateException notJson) {
      lines.add(entry.details());
      return lines;
    }
    for (Map.Entry<String, JsonValue> field : details.entrySet()) {
      JsonValue value = field.getValue();
      if (value instanceof JsonObject change && change.containsKey("after")) {
        String before = text(change.get("before"));
        String after = text(change.get("after"));
        lines.add(
            before.isEmpty()
                ? Wording.text("admin.audit.set", field.getKey(), after)
                : Wording.text("admin.audit.changed", field.getKey(), before, after));
      } else {
        lines.add(Wording.text("admin.audit.value", field.getKey(), text(value)));
      }
    }
    return lines;
  }

  private static String text(JsonValue value) {
    if (value == null || value == JsonValue.NULL) {
      return "";
    }
    return value instanceof JsonString string ? string.getString() : value.toString();
  }

  /** The admin API's CSV export with this page's filter. */
  public String getExportUrl() {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("actor", actor);
    query.put("action", action);
    query.put("targetType", targetType);
    query.put("targetId", targetId);
    Instant start = start(from);
    Instant end = start(to == null ? null : to.plusDays(1));
    query.put("from", start == null ? null : start.toString());
    query.put("to", end == null ? null : end.toString());
    StringBuilder url =
        new StringBuilder(
                FacesContext.getCurrentInstance().getExternalContext().getRequestContextPath())
            .append("/api/v1/admin/audit-events/export");
    char separator = '?';
    for (Map.Entry<String, String> parameter : query.entrySet()) {
      if (parameter.getValue() != null && !parameter.getValue().isBlank()) {
        url.append(separator)
            .append(parameter.getKey())
            .append('=')
            .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
        separator = '&';
      }
    }
    return url.toString();
  }

  public List<String> getActions() {
    return audit.actions();
  }

  public List<String> getTargetTypes() {
    return audit.targetTypes();
  }

  public List<AuditEntry> getList() {
    if (list == null) {
      load();
    }
    return list;
  }

  public boolean isTruncated() {
    return getList().size() >= LIMIT;
  }

  public String getActor() {
    return actor;
  }

  public void setActor(String actor) {
    this.actor = actor;
  }

  public String getAction() {
    return action;
  }

  public void setAction(String action) {
    this.action = action;
  }

  public String getTargetType() {
    return targetType;
  }

  public void setTargetType(String targetType) {
    this.targetType = targetType;
  }

  public String getTargetId() {
    return targetId;
  }

  public void setTargetId(String targetId) {
    this.targetId = targetId;
  }

  public LocalDate getFrom() {
    return from;
  }

  public void setFrom(LocalDate from) {
    this.from = from;
  }

  public LocalDate getTo() {
    return to;
  }

  public void setTo(LocalDate to) {
    this.to = to;
  }
}
