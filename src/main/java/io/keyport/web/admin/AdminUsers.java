package io.keyport.web.admin;

import io.keyport.identity.Account;
import io.keyport.identity.AccountChange;
import io.keyport.identity.NewAccount;
import io.keyport.identity.OidcSettings;
import io.keyport.identity.Roles;
import io.keyport.identity.UserAdministration;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.primefaces.PrimeFaces;

/**
 * The admin's users page: search, create a local user (the temporary password shown once), change a
 * user's name and roles, disable and enable. Each change is made on the version the page showed, so
 * a change made meanwhile by another admin is reported, not overwritten.
 */
@Named
@ViewScoped
public class AdminUsers implements Serializable {

  private static final long serialVersionUID = 1L;
  static final int LIMIT = 500;

  private static final Map<String, String> CREATE_FIELDS =
      Map.of(
          "username", "createForm:newUsername",
          "displayName", "createForm:newDisplayName",
          "roles", "createForm:newRoles");
  private static final Map<String, String> EDIT_FIELDS =
      Map.of(
          "displayName", "editForm:editDisplayName",
          "roles", "editForm:editRoles",
          "enabled", "editForm:editEnabled");

  @Inject private UserAdministration accounts;
  // Request-scoped: this view-scoped page never holds the password itself.
  @Inject private TemporaryPassword temporaryPassword;
  @Inject private OidcSettings oidcSettings;

  private String query;
  private String role;
  private String status;
  private List<Account> list;

  private String newUsername;
  private String newDisplayName;
  private List<String> newRoles = new ArrayList<>(List.of(Roles.DEVELOPER));
  private String createdUsername;
  private String linkSubject;

  private Account editing;
  private String editDisplayName;
  private List<String> editRoles = new ArrayList<>();
  private boolean editEnabled;

  public void load() {
    Boolean enabled = status == null || status.isBlank() ? null : "enabled".equals(status);
    list = accounts.search(query, role == null || role.isBlank() ? null : role, enabled, LIMIT);
  }

  public void search() {
    load();
  }

  public void startCreate() {
    newUsername = null;
    newDisplayName = null;
    newRoles = new ArrayList<>(List.of(Roles.DEVELOPER));
    createdUsername = null;
  }

  public void create() {
    try {
      NewAccount created =
          accounts.create(caller(), newUsername, newDisplayName, new HashSet<>(newRoles));
      createdUsername = created.account().username();
      temporaryPassword.show(created.temporaryPassword());
      load();
      PrimeFaces.current().ajax().update("usersForm");
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, CREATE_FIELDS);
    }
  }

  /** Closes the dialog; the password was gone from the server once its response was sent. */
  public void finishCreate() {
    if (createdUsername != null) {
      Messages.info(Wording.text("admin.people.createdNow", createdUsername));
    }
    createdUsername = null;
  }

  public void startEdit(String username) {
    try {
      editing = accounts.account(username);
      editDisplayName = editing.displayName();
      editRoles = new ArrayList<>(editing.roles());
      editEnabled = editing.enabled();
      linkSubject = null;
    } catch (RequestRefused refusal) {
      editing = null;
      Messages.refused(refusal, Map.of());
      load();
    }
  }

  public void save() {
    if (editing == null) {
      return;
    }
    try {
      Account saved =
          accounts.update(
              caller(),
              editing.username(),
              new AccountChange(
                  editing.lockVersion(), editDisplayName, new HashSet<>(editRoles), editEnabled));
      Messages.info(Wording.text("admin.people.saved", saved.username()));
      editing = null;
      PrimeFaces.current().executeScript("PF('editDialog').hide()");
      load();
      PrimeFaces.current().ajax().update("usersForm");
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, EDIT_FIELDS);
    }
  }

  /** Links the user being edited to the provider identity the admin entered. */
  public void link() {
    if (editing == null) {
      return;
    }
    try {
      editing =
          accounts.linkProvider(caller(), editing.username(), editing.lockVersion(), linkSubject);
      Messages.info(
          Wording.text("admin.people.linkedNow", editing.username(), editing.oidcSubject()));
      linkSubject = null;
      load();
      PrimeFaces.current().ajax().update("usersForm");
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of("subject", "editForm:linkSubject"));
    }
  }

  public void unlink() {
    if (editing == null) {
      return;
    }
    try {
      editing = accounts.unlinkProvider(caller(), editing.username(), editing.lockVersion());
      Messages.info(Wording.text("admin.people.unlinkedNow", editing.username()));
      load();
      PrimeFaces.current().ajax().update("usersForm");
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of("subject", "editForm:linkSubject"));
    }
  }

  /** Disables or enables a user from the list, on the version the list shows. */
  public void changeEnabled(Account account, boolean enabled) {
    try {
      accounts.update(
          caller(),
          account.username(),
          new AccountChange(account.lockVersion(), null, null, enabled));
      Messages.info(
          Wording.text(
              enabled ? "admin.people.enabledNow" : "admin.people.disabledNow",
              account.username()));
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of());
    }
    load();
  }

  public boolean isSelf(Account account) {
    return account.username().equals(caller());
  }

  private String caller() {
    return Caller.name();
  }

  public List<Account> getList() {
    if (list == null) {
      load();
    }
    return list;
  }

  public boolean isTruncated() {
    return getList().size() >= LIMIT;
  }

  public List<String> getAllRoles() {
    return List.of(Roles.DEVELOPER, Roles.ADMIN);
  }

  public String getQuery() {
    return query;
  }

  public void setQuery(String query) {
    this.query = query;
  }

  public String getRole() {
    return role;
  }

  public void setRole(String role) {
    this.role = role;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getNewUsername() {
    return newUsername;
  }

  public void setNewUsername(String newUsername) {
    this.newUsername = newUsername;
  }

  public String getNewDisplayName() {
    return newDisplayName;
  }

  public void setNewDisplayName(String newDisplayName) {
    this.newDisplayName = newDisplayName;
  }

  public List<String> getNewRoles() {
    return newRoles;
  }

  public void setNewRoles(List<String> newRoles) {
    this.newRoles = newRoles == null ? new ArrayList<>() : newRoles;
  }

  public String getCreatedUsername() {
    return createdUsername;
  }

  public boolean isOidcOn() {
    return oidcSettings.mode().allowsOidc();
  }

  public String getLinkSubject() {
    return linkSubject;
  }

  public void setLinkSubject(String linkSubject) {
    this.linkSubject = linkSubject;
  }

  public Account getEditing() {
    return editing;
  }

  public String getEditDisplayName() {
    return editDisplayName;
  }

  public void setEditDisplayName(String editDisplayName) {
    this.editDisplayName = editDisplayName;
  }

  public List<String> getEditRoles() {
    return editRoles;
  }

  public void setEditRoles(List<String> editRoles) {
    this.editRoles = editRoles == null ? new ArrayList<>() : editRoles;
  }

  public boolean isEditEnabled() {
    return editEnabled;
  }

  public void setEditEnabled(boolean editEnabled) {
    this.editEnabled = editEnabled;
  }
}
