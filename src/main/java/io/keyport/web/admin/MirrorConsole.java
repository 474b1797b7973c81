package io.keyport.web.admin;

import io.keyport.mirror.MirrorResync;
import io.keyport.mirror.RedisMirror;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.sql.SQLException;
import java.util.List;

/**
 * The admin page of the Redis mirror: its lag, the changes Redis refused (dead letters) with their
 * errors, and a resync, which also retries them, with a summary of what it fixed.
 */
@Named
@RequestScoped
public class MirrorConsole {

  @Inject private RedisMirror mirror;
  @Inject private MirrorResync resync;

  private static final int DEAD_LETTERS_SHOWN = 100;

  private MirrorResync.Summary summary;
  private RedisMirror.Backlog backlog;
  private List<RedisMirror.DeadLetter> deadLetters = List.of();

  public void load() {
    if (mirror.isEnabled()) {
      try {
        backlog = mirror.backlog();
        deadLetters = mirror.deadLetters(DEAD_LETTERS_SHOWN);
      } catch (SQLException e) {
        Messages.error(null, Wording.text("mirror.noDatabase"));
      }
    }
  }

  public void resync() {
    try {
      summary = resync.resync();
      Messages.info(Wording.text("mirror.resynced"));
    } catch (SQLException | RuntimeException e) {
      Messages.error(null, Wording.text("mirror.unreachable", e.getMessage()));
    }
    load();
  }

  public boolean isEnabled() {
    return mirror.isEnabled();
  }

  public RedisMirror.Backlog getBacklog() {
    return backlog;
  }

  public List<RedisMirror.DeadLetter> getDeadLetters() {
    return deadLetters;
  }

  public MirrorResync.Summary getSummary() {
    return summary;
  }
}
