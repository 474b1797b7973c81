package io.keyport.web;

import jakarta.faces.context.FacesContext;

/**
 * Who is signed in, read from the current request. View-scoped beans live in the session, which may
 * move to another node, so they ask per request instead of holding the request's SecurityContext.
 */
public final class Caller {

  private Caller() {}

  /** The signed-in user's username. */
  public static String name() {
    return FacesContext.getCurrentInstance().getExternalContext().getRemoteUser();
  }
}
