package io.keyport.api;

import io.keyport.audit.AuditCsv;
import io.keyport.audit.AuditEntry;
import io.keyport.audit.AuditFilter;
import io.keyport.audit.AuditLog;
import io.keyport.identity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The audit log, for administrators (web.xml admits only the admin role): search and CSV. */
@RolesAllowed(Roles.ADMIN)
@Path("admin/audit-events")
@Tag(name = "Admin: audit log", description = "Needs the admin role; 403 otherwise.")
public class AdminAuditResource {

  static final int MAX_LIMIT = 1000;
  static final int MAX_EXPORT = 50_000;

  @Inject private AuditLog audit;

  /** An audit event; {@code details} is an object, for changes {@code {"field":{before,after}}}. */
  public record Event(
      long id,
      Instant occurredAt,
      String actor,
      String action,
      String targetType,
      String targetId,
      JsonObject details,
      String clientAddress) {
    static Event of(AuditEntry e) {
      return new Event(
          e.id(),
          e.occurredAt(),
          e.actor(),
          e.action(),
          e.targetType(),
          e.targetId(),
          details(e.details()),
          e.clientAddress());
    }

    private static JsonObject details(String json) {
      if (json == null || json.isBlank()) {
        return JsonObject.EMPTY_JSON_OBJECT;
      }
      try (JsonReader reader = Json.createReader(new StringReader(json))) {
        return reader.readObject();
      } catch (JsonException | IllegalStateException notAnObject) {
        return Json.createObjectBuilder().add("text", json).build();
      }
    }
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Search the audit log, newest first",
      description =
          "actor, targetId: a part, any case; action, targetType: exact; from (inclusive), to"
              + " (exclusive): ISO-8601 instants; limit: at most 1000, 200 by default.")
  public List<Event> search(
      @QueryParam("actor") String actor,
      @QueryParam("action") String action,
      @QueryParam("targetType") String targetType,
      @QueryParam("targetId") String targetId,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("limit") String limit) {
    return audit
        .search(
            filter(actor, action, targetType, targetId, from, to),
            QueryParameters.count(limit, "limit", 200, MAX_LIMIT))
        .stream()
        .map(Event::of)
        .toList();
  }

  @GET
  @Path("export")
  @Produces("text/csv")
  @Operation(
      summary = "The matching events as CSV (at most 50,000, newest first)",
      description =
          "Same filters as the search. Cells that a spreadsheet would run as a formula (starting"
              + " with = + - @) are prefixed with '.")
  public Response export(
      @QueryParam("actor") String actor,
      @QueryParam("action") String action,
      @QueryParam("targetType") String targetType,
      @QueryParam("targetId") String targetId,
      @QueryParam("from") String from,
      @QueryParam("to") String to) {
    List<AuditEntry> entries =
        audit.search(filter(actor, action, targetType, targetId, from, to), MAX_EXPORT);
    StreamingOutput csv =
        out -> {
          Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
          AuditCsv.write(entries, writer);
          writer.flush();
        };
    return Response.ok(csv, "text/csv; charset=UTF-8")
        .header("Content-Disposition", "attachment; filename=\"keyport-audit.csv\"")
        .build();
  }

  private static AuditFilter filter(
      String actor, String action, String targetType, String targetId, String from, String to) {
    return new AuditFilter(
        actor,
        action,
        targetType,
        targetId,
        QueryParameters.instant(from, "from"),
        QueryParameters.instant(to, "to"));
  }
}
