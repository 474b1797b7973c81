package io.keyport.web.admin;

import io.keyport.mirror.MirrorResync;
import io.keyport.mirror.RedisMirror;
import io.keyport.web.Messages;
import io.keyport.web.Texts;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.sql.SQLException;

/** The admin page of the Redis mirror: its lag, and a resync with a summary of what it fixed. */
@Named
@RequestScoped
public class MirrorConsole {

  @Inject private RedisMirror mirror;
  @Inject private MirrorResync resync;

  private MirrorResync.Summary summary;
  private Long lagSeconds;

  public void load() {
    if (mirror.isEnabled()) {
      try {
        lagSeconds = mirror.lagSeconds();
      } catch (SQLException e) {
        Messages.error(null, Texts.text("mirror.noDatabase"));
      }
    }
  }

  public void resync() {
    try {
      summary = resync.resync();
      Messages.info(Texts.text("mirror.resynced"));
    } catch (SQLException | RuntimeException e) {
      Messages.error(null, Texts.text("mirror.unreachable", e.getMessage()));
    }
    load();
  }

  public boolean isEnabled() {
    return mirror.isEnabled();
  }

  public Long getLagSeconds() {
    return lagSeconds;
  }

  public MirrorResync.Summary getSummary() {
    return summary;
  }
}
