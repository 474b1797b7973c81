package io.keyport.web.admin;

import io.keyport.notifications.Deliveries;
import io.keyport.notifications.DeliveryView;
import io.keyport.platform.RequestRefused;
import io.keyport.web.Caller;
import io.keyport.web.Messages;
import io.keyport.web.Wording;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The admin page of the delivery log: every webhook and e-mail delivery, newest first, filtered by
 * status, channel and endpoint, with "send again".
 */
@Named
@ViewScoped
public class DeliveryLog implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final int SHOWN = 200;

  @Inject private Deliveries deliveries;

  private String status;
  private String channel;
  private Long endpoint;
  private List<DeliveryView> list;

  public void load() {
    try {
      list = deliveries.recent(status, channel, endpoint, SHOWN);
    } catch (RequestRefused refusal) {
      status = null;
      channel = null;
      Messages.refused(refusal, Map.of());
      list = deliveries.recent(null, null, endpoint, SHOWN);
    }
  }

  public void sendAgain(long id) {
    try {
      deliveries.sendAgain(Caller.name(), id);
      Messages.info(Wording.text("admin.deliveries.queued"));
    } catch (RequestRefused refusal) {
      Messages.refused(refusal, Map.of());
    }
    load();
  }

  public List<DeliveryView> getList() {
    if (list == null) {
      load();
    }
    return list;
  }

  public boolean isTruncated() {
    return getList().size() >= SHOWN;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getChannel() {
    return channel;
  }

  public void setChannel(String channel) {
    this.channel = channel;
  }

  public Long getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(Long endpoint) {
    this.endpoint = endpoint;
  }
}
