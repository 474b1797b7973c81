package io.keyport.web;

import io.keyport.platform.RequestRefused;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import java.util.Map;
import java.util.function.Function;

/** Faces messages: for the page, or next to the field at fault. */
public final class Messages {

  private Messages() {}

  public static void info(String text) {
    FacesContext.getCurrentInstance()
        .addMessage(null, new FacesMessage(FacesMessage.SEVERITY_INFO, text, null));
  }

  public static void error(String clientId, String text) {
    FacesContext faces = FacesContext.getCurrentInstance();
    faces.addMessage(clientId, new FacesMessage(FacesMessage.SEVERITY_ERROR, text, null));
    faces.validationFailed();
  }

  /**
   * Shows a refusal next to the input it names, where the page has one ({@code fieldIds} maps the
   * service's field names to client ids), else for the whole page.
   */
  public static void refused(RequestRefused refusal, Map<String, String> fieldIds) {
    if (refusal.fieldErrors().size() > 1) {
      refusal.fieldErrors().forEach((field, text) -> error(fieldIds.get(field), text));
      return;
    }
    String clientId = refusal.field() == null ? null : fieldIds.get(refusal.field());
    error(clientId, refusal.getMessage());
  }

  /**
   * Shows a refusal next to each input it names ({@code clientIdOf} turns a service field name,
   * such as {@code routes[1].pathPrefix}, into a client id, or null where the page has no such
   * input), else for the whole page.
   */
  public static void refusedAt(RequestRefused refusal, Function<String, String> clientIdOf) {
    if (refusal.fieldErrors().size() > 1) {
      refusal.fieldErrors().forEach((field, text) -> error(clientIdOf.apply(field), text));
      return;
    }
    error(refusal.field() == null ? null : clientIdOf.apply(refusal.field()), refusal.getMessage());
  }
}
