// Virtual networks: list, XML, define/start/destroy/undefine, autostart, DHCP leases.
#include <cstdlib>

#include "common.h"

namespace vireo {

namespace {

Object NetworkInfoOf(virNetworkPtr net) {
  char uuid[VIR_UUID_STRING_BUFLEN] = {0};
  if (virNetworkGetUUIDString(net, uuid) < 0) ThrowLastError("cannot read network UUID");
  int active = virNetworkIsActive(net);
  if (active < 0) ThrowLastError("cannot read whether the network is active");
  int persistent = virNetworkIsPersistent(net);
  if (persistent < 0) ThrowLastError("cannot read whether the network is persistent");
  int autostart = 0;
  if (virNetworkGetAutostart(net, &autostart) < 0) ThrowLastError("cannot read network autostart");
  // Networks without a bridge (macvtap, hostdev forward modes) fail here: bridge is null.
  char* bridge = virNetworkGetBridgeName(net);
  if (!bridge) virResetLastError();
  Object o;
  o.Set("name", virNetworkGetName(net));
  o.Set("uuid", std::string(uuid));
  o.Set("active", active == 1);
  o.Set("persistent", persistent == 1);
  o.Set("autostart", autostart != 0);
  o.Set("bridge", TakeString(bridge));
  return o;
}

Napi::Value NetList(const Napi::CallbackInfo& info) {
  Args args(info);
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.netList", [hold]() -> Value {
    virNetworkPtr* raw = nullptr;
    int n = virConnectListAllNetworks(hold->get(), &raw, 0);
    if (n < 0) ThrowLastError("cannot list networks");
    auto nets = TakeList<NetworkPtr>(raw, n);
    Array out;
    out.reserve(n);
    for (auto& net : nets) {
      try {
        out.emplace_back(NetworkInfoOf(net.get()));
      } catch (const Failure& f) {
        // A transient network that went away between the list and the info.
        if (f.error.code != VIR_ERR_NO_NETWORK) throw;
      }
    }
    return out;
  });
}

Napi::Value NetGetXML(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string key = args.String(1, "net");
  unsigned int flags = args.Opts(2).Flag("inactive", VIR_NETWORK_XML_INACTIVE);
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.netGetXML", [hold, key, flags]() -> Value {
    NetworkPtr net = LookupNetwork(hold->get(), key);
    char* xml = virNetworkGetXMLDesc(net.get(), flags);
    if (!xml) ThrowLastError("cannot read network XML");
    return TakeString(xml);
  });
}

Napi::Value NetDefine(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string xml = args.String(1, "xml");
  unsigned int flags = args.Opts(2).Flag("validate", VIR_NETWORK_DEFINE_VALIDATE);
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.netDefine", [hold, xml, flags]() -> Value {
    NetworkPtr net(virNetworkDefineXMLFlags(hold->get(), xml.c_str(), flags));
    if (!net) ThrowLastError("cannot define network");
    char uuid[VIR_UUID_STRING_BUFLEN] = {0};
    if (virNetworkGetUUIDString(net.get(), uuid) < 0) ThrowLastError("cannot read network UUID");
    Object o;
    o.Set("name", virNetworkGetName(net.get()));
    o.Set("uuid", std::string(uuid));
    return o;
  });
}

// net(conn, key) -> void.
Napi::Value NetAction(const Napi::CallbackInfo& info, const char* name, const char* failure, int arg,
                      int (*action)(virNetworkPtr, int)) {
  Args args(info);
  std::string key = args.String(1, "net");
  auto hold = args.SharedHold(0);
  std::string what = failure;
  return RunAsyncVoid(info.Env(), name, [hold, key, arg, action, what]() {
    NetworkPtr net = LookupNetwork(hold->get(), key);
    if (action(net.get(), arg) < 0) ThrowLastError((what + ": " + key).c_str());
  });
}

Napi::Value NetStart(const Napi::CallbackInfo& info) {
  return NetAction(info, "vireo.netStart", "cannot start network", 0, [](virNetworkPtr n, int) { return virNetworkCreate(n); });
}

Napi::Value NetDestroy(const Napi::CallbackInfo& info) {
  return NetAction(info, "vireo.netDestroy", "cannot destroy network", 0, [](virNetworkPtr n, int) { return virNetworkDestroy(n); });
}

Napi::Value NetUndefine(const Napi::CallbackInfo& info) {
  return NetAction(info, "vireo.netUndefine", "cannot undefine network", 0,
                   [](virNetworkPtr n, int) { return virNetworkUndefine(n); });
}

Napi::Value NetSetAutostart(const Napi::CallbackInfo& info) {
  bool autostart = Args(info).Bool(2, "autostart");
  return NetAction(info, "vireo.netSetAutostart", "cannot set network autostart", autostart ? 1 : 0, virNetworkSetAutostart);
}

// Owns the lease array virNetworkGetDHCPLeases returns.
struct Leases {
  virNetworkDHCPLeasePtr* items = nullptr;
  int count = 0;
  ~Leases() {
    if (!items) return;
    for (int i = 0; i < count; i++) virNetworkDHCPLeaseFree(items[i]);
    free(items);
  }
};

Napi::Value NetDhcpLeases(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string key = args.String(1, "net");
  std::optional<std::string> mac = args.OptString(2, "mac");
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.netDhcpLeases", [hold, key, mac]() -> Value {
    NetworkPtr net = LookupNetwork(hold->get(), key);
    Leases leases;
    leases.count = virNetworkGetDHCPLeases(net.get(), mac ? mac->c_str() : nullptr, &leases.items, 0);
    if (leases.count < 0) {
      leases.count = 0;
      ThrowLastError(("cannot read the DHCP leases of network " + key).c_str());
    }
    Array out;
    out.reserve(leases.count);
    for (int i = 0; i < leases.count; i++) {
      const virNetworkDHCPLease* l = leases.items[i];
      Object o;
      o.Set("iface", l->iface);
      o.Set("expiryTime", l->expirytime);
      o.Set("type", l->type);
      o.Set("mac", l->mac);
      o.Set("iaid", l->iaid);
      o.Set("ipaddr", l->ipaddr);
      o.Set("prefix", l->prefix);
      o.Set("hostname", l->hostname);
      o.Set("clientid", l->clientid);
      out.emplace_back(std::move(o));
    }
    return out;
  });
}

}  // namespace

void InitNetwork(Napi::Env env, Napi::Object exports) {
  VIREO_EXPORT(exports, "netList", NetList);
  VIREO_EXPORT(exports, "netGetXML", NetGetXML);
  VIREO_EXPORT(exports, "netDefine", NetDefine);
  VIREO_EXPORT(exports, "netStart", NetStart);
  VIREO_EXPORT(exports, "netDestroy", NetDestroy);
  VIREO_EXPORT(exports, "netUndefine", NetUndefine);
  VIREO_EXPORT(exports, "netSetAutostart", NetSetAutostart);
  VIREO_EXPORT(exports, "netDhcpLeases", NetDhcpLeases);
}

}  // namespace vireo
