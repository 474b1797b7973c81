package io.keyport.web.admin;

import io.keyport.catalog.ManagedPlan;
import io.keyport.catalog.UsagePlans;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;

/** The admin list of usage plans: their limits, who offers them, and how many keys use them. */
@Named
@RequestScoped
public class AdminPlans {

  @Inject private UsagePlans plans;

  private List<ManagedPlan> list;

  public void load() {
    list = plans.all();
  }

  public List<ManagedPlan> getList() {
    if (list == null) {
      load();
    }
    return list;
  }
}
