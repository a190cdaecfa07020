// Host (node) devices: list with an optional capability filter, XML.
#include <cstdlib>
#include <cstring>

#include "common.h"

namespace vireo {

namespace {

// libvirt's capability names (as in the device XML and `virsh nodedev-list --cap`).
struct CapName {
  const char* name;
  unsigned int flag;
};
constexpr CapName kCaps[] = {
    {"system", VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM},
    {"pci", VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV},
    {"usb_device", VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_DEV},
    {"usb", VIR_CONNECT_LIST_NODE_DEVICES_CAP_USB_INTERFACE},
    {"net", VIR_CONNECT_LIST_NODE_DEVICES_CAP_NET},
    {"scsi_host", VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST},
    {"scsi_target", VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_TARGET},
    {"scsi", VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI},
    {"storage", VIR_CONNECT_LIST_NODE_DEVICES_CAP_STORAGE},
    {"fc_host", VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST},
    {"vports", VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS},
    {"scsi_generic", VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_GENERIC},
    {"drm", VIR_CONNECT_LIST_NODE_DEVICES_CAP_DRM},
    {"mdev_types", VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES},
    {"mdev", VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV},
    {"ccw", VIR_CONNECT_LIST_NODE_DEVICES_CAP_CCW_DEV},
    {"css", VIR_CONNECT_LIST_NODE_DEVICES_CAP_CSS_DEV},
    {"vdpa", VIR_CONNECT_LIST_NODE_DEVICES_CAP_VDPA},
    {"ap_card", VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_CARD},
    {"ap_queue", VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_QUEUE},
    {"ap_matrix", VIR_CONNECT_LIST_NODE_DEVICES_CAP_AP_MATRIX},
    {"vpd", VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPD},
};

unsigned int CapFlag(const std::string& cap) {
  for (const auto& c : kCaps)
    if (cap == c.name) return c.flag;
  std::string known;
  for (const auto& c : kCaps) known += std::string(known.empty() ? "" : ", ") + c.name;
  throw ArgError{"unknown node device capability '" + cap + "' (expected one of " + known + ")"};
}

Object NodeDeviceInfoOf(virNodeDevicePtr dev) {
  int n = virNodeDeviceNumOfCaps(dev);
  if (n < 0) ThrowLastError("cannot count node device capabilities");
  std::vector<char*> names(static_cast<size_t>(n), nullptr);
  int got = n > 0 ? virNodeDeviceListCaps(dev, names.data(), n) : 0;
  if (got < 0) ThrowLastError("cannot list node device capabilities");
  std::vector<std::unique_ptr<char, decltype(&free)>> owned;
  owned.reserve(got);
  for (int i = 0; i < got; i++) owned.emplace_back(names[i], &free);
  Array caps;
  caps.reserve(got);
  for (const auto& name : owned) caps.emplace_back(name.get());
  Object o;
  o.Set("name", virNodeDeviceGetName(dev));
  o.Set("parent", virNodeDeviceGetParent(dev));  // borrowed; null for the root device
  virResetLastError();
  o.Set("caps", std::move(caps));
  return o;
}

Napi::Value NodeDeviceList(const Napi::CallbackInfo& info) {
  Args args(info);
  auto cap = args.Opts(1).String("cap");
  unsigned int flags = cap ? CapFlag(*cap) : 0;
  auto hold = std::make_shared<ConnHold>(args.Hold(0));
  return RunAsync(info.Env(), "vireo.nodeDeviceList", [hold, flags]() -> Value {
    virNodeDevicePtr* raw = nullptr;
    int n = virConnectListAllNodeDevices(hold->get(), &raw, flags);
    if (n < 0) ThrowLastError("cannot list node devices");
    auto devs = TakeList<NodeDevicePtr>(raw, n);
    Array out;
    out.reserve(n);
    for (auto& dev : devs) {
      try {
        out.emplace_back(NodeDeviceInfoOf(dev.get()));
      } catch (const Failure& f) {
        // Unplugged between the list and the caps: not an error.
        if (f.error.code != VIR_ERR_NO_NODE_DEVICE) throw;
      }
    }
    return out;
  });
}

Napi::Value NodeDeviceGetXML(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string name = args.String(1, "name");
  auto hold = std::make_shared<ConnHold>(args.Hold(0));
  return RunAsync(info.Env(), "vireo.nodeDeviceGetXML", [hold, name]() -> Value {
    NodeDevicePtr dev(virNodeDeviceLookupByName(hold->get(), name.c_str()));
    if (!dev) ThrowLastError(("node device not found: " + name).c_str());
    char* xml = virNodeDeviceGetXMLDesc(dev.get(), 0);
    if (!xml) ThrowLastError("cannot read node device XML");
    return TakeString(xml);
  });
}

}  // namespace

void InitNodeDevice(Napi::Env env, Napi::Object exports) {
  VIREO_EXPORT(exports, "nodeDeviceList", NodeDeviceList);
  VIREO_EXPORT(exports, "nodeDeviceGetXML", NodeDeviceGetXML);
}

}  // namespace vireo
