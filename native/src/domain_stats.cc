// Bulk domain statistics (virConnectGetAllDomainStats / virDomainListGetStats): the hot
// path of the dashboard with thousands of domains. Records become plain data on the worker
// thread; the JS side converts them in slices (RunAsyncBatch).
#include <string>
#include <vector>

#include "common.h"

namespace vireo {

namespace {

struct StatsGroup {
  const char* name;
  unsigned int bit;
};
constexpr StatsGroup kGroups[] = {
    {"state", VIR_DOMAIN_STATS_STATE},         {"cpu-total", VIR_DOMAIN_STATS_CPU_TOTAL},
    {"balloon", VIR_DOMAIN_STATS_BALLOON},     {"vcpu", VIR_DOMAIN_STATS_VCPU},
    {"interface", VIR_DOMAIN_STATS_INTERFACE}, {"block", VIR_DOMAIN_STATS_BLOCK},
    {"perf", VIR_DOMAIN_STATS_PERF},           {"iothread", VIR_DOMAIN_STATS_IOTHREAD},
    {"memory", VIR_DOMAIN_STATS_MEMORY},       {"dirtyrate", VIR_DOMAIN_STATS_DIRTYRATE},
};

unsigned int StatsBits(const std::vector<std::string>& names) {
  unsigned int bits = 0;
  for (const auto& name : names) {
    unsigned int bit = 0;
    for (const auto& g : kGroups)
      if (name == g.name) bit = g.bit;
    if (!bit) {
      std::string known;
      for (const auto& g : kGroups) known += std::string(known.empty() ? "" : ", ") + g.name;
      throw ArgError{"unknown stats group '" + name + "' (expected one of " + known + ")"};
    }
    bits |= bit;
  }
  return bits;
}

// Owns the NULL-terminated record list libvirt returns.
struct Records {
  virDomainStatsRecordPtr* list = nullptr;
  ~Records() {
    if (list) virDomainStatsRecordListFree(list);
  }
};

Napi::Value GetAllDomainStats(const Napi::CallbackInfo& info) {
  Args args(info);
  // [] asks libvirt for every group the driver supports (stats = 0).
  unsigned int stats = StatsBits(args.StringArray(1, "stats"));
  auto opts = args.Opts(2);
  unsigned int flags = opts.Flag("active", VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE) |
                       opts.Flag("inactive", VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE);
  std::vector<std::string> domains = opts.StringArray("domains");
  // domains: [] restricts to no domain at all (an empty result), unlike an absent option.
  bool onlyListed = false;
  if (info.Length() > 2 && info[2].IsObject()) {
    Napi::Value d = info[2].As<Napi::Object>().Get("domains");
    onlyListed = !d.IsUndefined() && !d.IsNull();
  }
  auto hold = std::make_shared<ConnHold>(args.Hold(0));
  return RunAsyncBatch(info.Env(), "vireo.getAllDomainStats", [hold, stats, flags, domains, onlyListed]() -> Array {
    Records records;
    int n;
    if (onlyListed) {
      if (domains.empty()) return Array();
      std::vector<DomainPtr> owned;
      owned.reserve(domains.size());
      for (const auto& key : domains) owned.push_back(LookupDomain(hold->get(), key));
      std::vector<virDomainPtr> doms;
      doms.reserve(owned.size() + 1);
      for (const auto& d : owned) doms.push_back(d.get());
      doms.push_back(nullptr);
      n = virDomainListGetStats(doms.data(), stats, &records.list, flags);
    } else {
      n = virConnectGetAllDomainStats(hold->get(), stats, &records.list, flags);
    }
    if (n < 0) ThrowLastError("cannot read domain statistics");
    Array out;
    out.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; i++) {
      const virDomainStatsRecord* r = records.list[i];
      Object item;
      item.fields.reserve(2);
      item.Set("domain", DomainRef(r->dom));
      item.Set("stats", TypedParamsToObject(r->params, r->nparams));
      out.emplace_back(std::move(item));
    }
    return out;
  });
}

}  // namespace

void InitDomainStats(Napi::Env env, Napi::Object exports) { VIREO_EXPORT(exports, "getAllDomainStats", GetAllDomainStats); }

}  // namespace vireo
