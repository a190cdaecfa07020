// Domains: list, lookup, define/undefine, lifecycle (create, shutdown, reboot, reset,
// destroy, suspend, resume, managed save), XML, info and state, autostart, memory and
// vCPUs, devices, metadata, send-key, jobs and migration. (Screenshots, consoles and
// graphics FDs are streams: stream.cc.)
//
// Every argument is parsed on the JS thread before the connection reference is taken;
// the worker closures capture plain values only and drop the connection reference on the
// worker thread.
#include <climits>
#include <cstdlib>

#include "common.h"

namespace vireo {

namespace {

// An optional string option that must not be empty when given.
std::optional<std::string> OptionString(const Options& opts, const char* key) {
  auto s = opts.String(key);
  if (s && s->empty()) throw ArgError{std::string("option ") + key + " must not be empty"};
  return s;
}

// live/config -> VIR_DOMAIN_AFFECT_LIVE/CONFIG; neither -> VIR_DOMAIN_AFFECT_CURRENT (0).
unsigned int ModifyFlagsOf(const Options& opts) {
  return opts.Flag("live", VIR_DOMAIN_AFFECT_LIVE) | opts.Flag("config", VIR_DOMAIN_AFFECT_CONFIG);
}

// Owned typed-parameter list (migration parameters).
struct TypedParams {
  virTypedParameterPtr params = nullptr;
  int n = 0;
  int max = 0;
  TypedParams() = default;
  TypedParams(const TypedParams&) = delete;
  TypedParams& operator=(const TypedParams&) = delete;
  ~TypedParams() { virTypedParamsFree(params, n); }
  void AddString(const char* field, const std::string& value) {
    if (virTypedParamsAddString(&params, &n, &max, field, value.c_str()) < 0) ThrowLastError("cannot build typed parameters");
  }
  void AddULLong(const char* field, unsigned long long value) {
    if (virTypedParamsAddULLong(&params, &n, &max, field, value) < 0) ThrowLastError("cannot build typed parameters");
  }
};

// ---------------------------------------------------------------- state names
const char* StateName(int state) {
  static const char* const names[] = {"nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended"};
  if (state < 0 || state >= static_cast<int>(sizeof(names) / sizeof(names[0]))) return "nostate";
  return names[state];
}

// Lower-case suffix of libvirt's reason enum for the state (virDomain*Reason).
const char* ReasonName(int state, int reason) {
  static const char* const running[] = {"unknown",  "booted",  "migrated", "restored", "from_snapshot", "unpaused",
                                        "migration_canceled", "save_canceled", "wakeup", "crashed", "postcopy",
                                        "postcopy_failed"};
  static const char* const paused[] = {"unknown",  "user",          "migration",     "save",     "dump",
                                       "ioerror",  "watchdog",      "from_snapshot", "shutting_down", "snapshot",
                                       "crashed",  "starting_up",   "postcopy",      "postcopy_failed"};
  static const char* const shutdown[] = {"unknown", "user"};
  static const char* const shutoff[] = {"unknown", "shutdown", "destroyed", "crashed", "migrated",
                                        "saved",   "failed",   "from_snapshot", "daemon"};
  static const char* const crashed[] = {"unknown", "panicked"};
  auto pick = [reason](const char* const* table, size_t n) {
    return reason >= 0 && static_cast<size_t>(reason) < n ? table[reason] : "unknown";
  };
#define VIREO_PICK(t) pick(t, sizeof(t) / sizeof(t[0]))
  switch (state) {
    case VIR_DOMAIN_RUNNING: return VIREO_PICK(running);
    case VIR_DOMAIN_PAUSED: return VIREO_PICK(paused);
    case VIR_DOMAIN_SHUTDOWN: return VIREO_PICK(shutdown);
    case VIR_DOMAIN_SHUTOFF: return VIREO_PICK(shutoff);
    case VIR_DOMAIN_CRASHED: return VIREO_PICK(crashed);
    default: return "unknown";  // nostate, blocked, pmsuspended: only UNKNOWN exists
  }
#undef VIREO_PICK
}

// ---------------------------------------------------------------- list, lookup, define
Napi::Value ListAllDomains(const Napi::CallbackInfo& info) {
  Args args(info);
  auto opts = args.Opts(1);
  unsigned int flags = opts.Flag("active", VIR_CONNECT_LIST_DOMAINS_ACTIVE) | opts.Flag("inactive", VIR_CONNECT_LIST_DOMAINS_INACTIVE) |
                       opts.Flag("persistent", VIR_CONNECT_LIST_DOMAINS_PERSISTENT) |
                       opts.Flag("transient", VIR_CONNECT_LIST_DOMAINS_TRANSIENT);
  auto hold = args.SharedHold(0);
  return RunAsyncBatch(info.Env(), "vireo.listAllDomains", [hold, flags]() mutable -> Array {
    auto held = std::move(hold);
    virDomainPtr* raw = nullptr;
    int n = virConnectListAllDomains(held->get(), &raw, flags);
    if (n < 0) ThrowLastError("cannot list domains");
    auto doms = TakeList<DomainPtr>(raw, n);
    Array out;
    out.reserve(n);
    for (auto& dom : doms) out.emplace_back(DomainRef(dom.get()));
    return out;
  });
}

Napi::Value DomainLookup(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.domainLookup", hold, key, [](virDomainPtr dom) -> Value { return DomainRef(dom); });
}

Napi::Value DomainDefine(const Napi::CallbackInfo& info) {
  Args args(info);
  auto xml = args.NonEmptyString(1, "xml");
  auto opts = args.Opts(2);
  unsigned int flags = opts.Flag("validate", VIR_DOMAIN_DEFINE_VALIDATE);
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.domainDefine", [hold, xml, flags]() mutable -> Value {
    auto held = std::move(hold);
    DomainPtr dom(virDomainDefineXMLFlags(held->get(), xml.c_str(), flags));
    if (!dom) ThrowLastError("cannot define domain");
    return DomainRef(dom.get());
  });
}

Napi::Value DomainUndefine(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto opts = args.Opts(2);
  opts.Exclusive("nvram", "keepNvram");
  opts.Exclusive("tpm", "keepTpm");
  unsigned int flags = opts.Flag("managedSave", VIR_DOMAIN_UNDEFINE_MANAGED_SAVE) |
                       opts.Flag("snapshotsMetadata", VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA) |
                       opts.Flag("checkpointsMetadata", VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA) |
                       opts.Flag("nvram", VIR_DOMAIN_UNDEFINE_NVRAM) | opts.Flag("keepNvram", VIR_DOMAIN_UNDEFINE_KEEP_NVRAM) |
                       opts.Flag("tpm", VIR_DOMAIN_UNDEFINE_TPM) | opts.Flag("keepTpm", VIR_DOMAIN_UNDEFINE_KEEP_TPM);
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainUndefine", hold, key,
                      [flags](virDomainPtr dom) { Check(virDomainUndefineFlags(dom, flags), "cannot undefine domain"); });
}

// ---------------------------------------------------------------- lifecycle
Napi::Value DomainCreate(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto opts = args.Opts(2);
  unsigned int flags = opts.Flag("paused", VIR_DOMAIN_START_PAUSED) | opts.Flag("autodestroy", VIR_DOMAIN_START_AUTODESTROY) |
                       opts.Flag("bypassCache", VIR_DOMAIN_START_BYPASS_CACHE) |
                       opts.Flag("forceBoot", VIR_DOMAIN_START_FORCE_BOOT) |
                       opts.Flag("resetNvram", VIR_DOMAIN_START_RESET_NVRAM);
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainCreate", hold, key,
                      [flags](virDomainPtr dom) { Check(virDomainCreateWithFlags(dom, flags), "cannot start domain"); });
}

Napi::Value DomainShutdown(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto opts = args.Opts(2);
  unsigned int flags = opts.Flag("acpi", VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN) | opts.Flag("agent", VIR_DOMAIN_SHUTDOWN_GUEST_AGENT);
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainShutdown", hold, key,
                      [flags](virDomainPtr dom) { Check(virDomainShutdownFlags(dom, flags), "cannot shut down domain"); });
}

Napi::Value DomainReboot(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto opts = args.Opts(2);
  unsigned int flags = opts.Flag("acpi", VIR_DOMAIN_REBOOT_ACPI_POWER_BTN) | opts.Flag("agent", VIR_DOMAIN_REBOOT_GUEST_AGENT);
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainReboot", hold, key,
                      [flags](virDomainPtr dom) { Check(virDomainReboot(dom, flags), "cannot reboot domain"); });
}

Napi::Value DomainReset(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainReset", hold, key,
                      [](virDomainPtr dom) { Check(virDomainReset(dom, 0), "cannot reset domain"); });
}

Napi::Value DomainDestroy(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto opts = args.Opts(2);
  unsigned int flags = opts.Flag("graceful", VIR_DOMAIN_DESTROY_GRACEFUL);
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainDestroy", hold, key,
                      [flags](virDomainPtr dom) { Check(virDomainDestroyFlags(dom, flags), "cannot destroy domain"); });
}

Napi::Value DomainSuspend(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainSuspend", hold, key,
                      [](virDomainPtr dom) { Check(virDomainSuspend(dom), "cannot suspend domain"); });
}

Napi::Value DomainResume(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainResume", hold, key,
                      [](virDomainPtr dom) { Check(virDomainResume(dom), "cannot resume domain"); });
}

Napi::Value DomainManagedSave(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto opts = args.Opts(2);
  opts.Exclusive("running", "paused");
  unsigned int flags = opts.Flag("running", VIR_DOMAIN_SAVE_RUNNING) | opts.Flag("paused", VIR_DOMAIN_SAVE_PAUSED) |
                       opts.Flag("bypassCache", VIR_DOMAIN_SAVE_BYPASS_CACHE);
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainManagedSave", hold, key,
                      [flags](virDomainPtr dom) { Check(virDomainManagedSave(dom, flags), "cannot save domain"); });
}

Napi::Value DomainHasManagedSave(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.domainHasManagedSave", hold, key, [](virDomainPtr dom) -> Value {
    int rc = virDomainHasManagedSaveImage(dom, 0);
    Check(rc, "cannot check for a managed save image");
    return rc == 1;
  });
}

Napi::Value DomainManagedSaveRemove(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainManagedSaveRemove", hold, key, [](virDomainPtr dom) {
    Check(virDomainManagedSaveRemove(dom, 0), "cannot remove the managed save image");
  });
}

// ---------------------------------------------------------------- XML, info, state
Napi::Value DomainGetXML(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto opts = args.Opts(2);
  unsigned int flags = opts.Flag("inactive", VIR_DOMAIN_XML_INACTIVE) | opts.Flag("secure", VIR_DOMAIN_XML_SECURE) |
                       opts.Flag("updateCpu", VIR_DOMAIN_XML_UPDATE_CPU) | opts.Flag("migratable", VIR_DOMAIN_XML_MIGRATABLE);
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.domainGetXML", hold, key, [flags](virDomainPtr dom) -> Value {
    char* xml = virDomainGetXMLDesc(dom, flags);
    if (!xml) ThrowLastError("cannot read domain XML");
    return TakeString(xml);
  });
}

Napi::Value DomainGetInfo(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.domainGetInfo", hold, key, [](virDomainPtr dom) -> Value {
    virDomainInfo di;
    Check(virDomainGetInfo(dom, &di), "cannot read domain info");
    Object o;
    o.Set("state", static_cast<int>(di.state));
    o.Set("stateName", StateName(di.state));
    o.Set("maxMemKiB", di.maxMem);
    o.Set("memoryKiB", di.memory);
    o.Set("nrVirtCpu", di.nrVirtCpu);
    o.Set("cpuTimeNs", di.cpuTime);
    return o;
  });
}

Napi::Value DomainGetState(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.domainGetState", hold, key, [](virDomainPtr dom) -> Value {
    int state = 0, reason = 0;
    Check(virDomainGetState(dom, &state, &reason, 0), "cannot read domain state");
    Object o;
    o.Set("state", state);
    o.Set("stateName", StateName(state));
    o.Set("reason", reason);
    o.Set("reasonName", ReasonName(state, reason));
    return o;
  });
}

Napi::Value DomainGetAutostart(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.domainGetAutostart", hold, key, [](virDomainPtr dom) -> Value {
    int autostart = 0;
    Check(virDomainGetAutostart(dom, &autostart), "cannot read domain autostart");
    return autostart != 0;
  });
}

Napi::Value DomainSetAutostart(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  bool autostart = args.Bool(2, "autostart");
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainSetAutostart", hold, key, [autostart](virDomainPtr dom) {
    Check(virDomainSetAutostart(dom, autostart ? 1 : 0), "cannot set domain autostart");
  });
}

// virDomainRename: QEMU renames inactive domains only; resolves the renamed domain's ref.
Napi::Value DomainRename(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto newName = args.NonEmptyString(2, "newName");
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.domainRename", hold, key, [newName](virDomainPtr dom) -> Value {
    Check(virDomainRename(dom, newName.c_str(), 0), "cannot rename domain");
    // The client-side handle keeps the old name: look the domain up again.
    unsigned char uuid[VIR_UUID_BUFLEN];
    Check(virDomainGetUUID(dom, uuid), "cannot read the domain UUID");
    DomainPtr renamed(virDomainLookupByUUID(virDomainGetConnect(dom), uuid));
    if (!renamed) ThrowLastError("cannot look up the renamed domain");
    return DomainRef(renamed.get());
  });
}

Napi::Value DomainIsPersistent(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.domainIsPersistent", hold, key, [](virDomainPtr dom) -> Value {
    int rc = virDomainIsPersistent(dom);
    Check(rc, "cannot read whether the domain is persistent");
    return rc == 1;
  });
}

// ---------------------------------------------------------------- resources, devices
Napi::Value DomainSetMemory(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  unsigned long kib = static_cast<unsigned long>(args.Uint(2, "kib", ULONG_MAX));
  auto opts = args.Opts(3);
  unsigned int flags = ModifyFlagsOf(opts) | opts.Flag("maximum", VIR_DOMAIN_MEM_MAXIMUM);
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainSetMemory", hold, key, [kib, flags](virDomainPtr dom) {
    Check(virDomainSetMemoryFlags(dom, kib, flags), "cannot set domain memory");
  });
}

// domainBlockResize(conn, key, disk, bytes): grows (or shrinks) a running domain's disk, named by
// its target (vda) or source path; the guest sees the new size at once.
Napi::Value DomainBlockResize(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto disk = args.NonEmptyString(2, "disk");
  unsigned long long bytes = static_cast<unsigned long long>(args.Uint(3, "bytes", 1ULL << 53));
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainBlockResize", hold, key, [disk, bytes](virDomainPtr dom) {
    Check(virDomainBlockResize(dom, disk.c_str(), bytes, VIR_DOMAIN_BLOCK_RESIZE_BYTES), "cannot resize the disk");
  });
}

Napi::Value DomainSetVcpus(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  unsigned int count = static_cast<unsigned int>(args.Uint(2, "count", UINT_MAX));
  if (count == 0) throw ArgError{"count must be at least 1"};
  auto opts = args.Opts(3);
  unsigned int flags = ModifyFlagsOf(opts) | opts.Flag("maximum", VIR_DOMAIN_VCPU_MAXIMUM) | opts.Flag("guest", VIR_DOMAIN_VCPU_GUEST);
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainSetVcpus", hold, key, [count, flags](virDomainPtr dom) {
    Check(virDomainSetVcpusFlags(dom, count, flags), "cannot set domain vCPUs");
  });
}

enum class DeviceOp { Attach, Detach, Update };

Napi::Value DeviceCall(const Napi::CallbackInfo& info, DeviceOp op) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto xml = args.NonEmptyString(2, "xml");
  auto opts = args.Opts(3);
  unsigned int flags = ModifyFlagsOf(opts);
  if (op == DeviceOp::Update) flags |= opts.Flag("force", VIR_DOMAIN_DEVICE_MODIFY_FORCE);
  auto hold = args.SharedHold(0);
  const char* name = op == DeviceOp::Attach   ? "vireo.domainAttachDevice"
                     : op == DeviceOp::Detach ? "vireo.domainDetachDevice"
                                              : "vireo.domainUpdateDevice";
  return OnDomainVoid(info.Env(), name, hold, key, [op, xml, flags](virDomainPtr dom) {
    switch (op) {
      case DeviceOp::Attach: Check(virDomainAttachDeviceFlags(dom, xml.c_str(), flags), "cannot attach device"); break;
      case DeviceOp::Detach: Check(virDomainDetachDeviceFlags(dom, xml.c_str(), flags), "cannot detach device"); break;
      case DeviceOp::Update: Check(virDomainUpdateDeviceFlags(dom, xml.c_str(), flags), "cannot update device"); break;
    }
  });
}

Napi::Value DomainAttachDevice(const Napi::CallbackInfo& info) { return DeviceCall(info, DeviceOp::Attach); }
Napi::Value DomainDetachDevice(const Napi::CallbackInfo& info) { return DeviceCall(info, DeviceOp::Detach); }
Napi::Value DomainUpdateDevice(const Napi::CallbackInfo& info) { return DeviceCall(info, DeviceOp::Update); }

// ---------------------------------------------------------------- metadata
int MetadataType(const Args& args, size_t i) {
  std::string type = args.String(i, "type");
  if (type == "title") return VIR_DOMAIN_METADATA_TITLE;
  if (type == "description") return VIR_DOMAIN_METADATA_DESCRIPTION;
  if (type == "element") return VIR_DOMAIN_METADATA_ELEMENT;
  throw ArgError{"type must be 'title', 'description' or 'element'"};
}

Napi::Value DomainGetMetadata(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  int type = MetadataType(args, 2);
  auto uri = args.OptString(3, "uri");
  if (type == VIR_DOMAIN_METADATA_ELEMENT && (!uri || uri->empty())) throw ArgError{"uri is required for 'element' metadata"};
  if (type != VIR_DOMAIN_METADATA_ELEMENT && uri) throw ArgError{"uri must be null for 'title' and 'description' metadata"};
  auto opts = args.Opts(4);
  opts.Exclusive("live", "config");
  unsigned int flags = ModifyFlagsOf(opts);
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.domainGetMetadata", hold, key, [type, uri, flags](virDomainPtr dom) -> Value {
    char* value = virDomainGetMetadata(dom, type, uri ? uri->c_str() : nullptr, flags);
    if (!value) {
      VirError err = CaptureError("cannot read domain metadata");
      if (err.code == VIR_ERR_NO_DOMAIN_METADATA) return Value();
      throw Failure{err};
    }
    return TakeString(value);
  });
}

Napi::Value DomainSetMetadata(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  int type = MetadataType(args, 2);
  auto value = args.OptString(3, "value");
  auto prefix = args.OptString(4, "prefix");
  auto uri = args.OptString(5, "uri");
  if (type == VIR_DOMAIN_METADATA_ELEMENT) {
    if (!uri || uri->empty()) throw ArgError{"uri is required for 'element' metadata"};
    if (value && (!prefix || prefix->empty())) throw ArgError{"prefix is required for 'element' metadata"};
  } else {
    if (uri || prefix) throw ArgError{"prefix and uri must be null for 'title' and 'description' metadata"};
    if (type == VIR_DOMAIN_METADATA_TITLE && value && value->find('\n') != std::string::npos)
      throw ArgError{"a title must not contain newlines"};
  }
  auto opts = args.Opts(6);
  unsigned int flags = ModifyFlagsOf(opts);
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainSetMetadata", hold, key, [type, value, prefix, uri, flags](virDomainPtr dom) {
    auto cstr = [](const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; };
    Check(virDomainSetMetadata(dom, type, cstr(value), cstr(prefix), cstr(uri), flags), "cannot set domain metadata");
  });
}

// ---------------------------------------------------------------- keys, jobs, migration
Napi::Value DomainSendKey(const Napi::CallbackInfo& info) {
  static const std::pair<const char*, unsigned int> codesets[] = {
      {"linux", VIR_KEYCODE_SET_LINUX},   {"xt", VIR_KEYCODE_SET_XT},         {"atset1", VIR_KEYCODE_SET_ATSET1},
      {"atset2", VIR_KEYCODE_SET_ATSET2}, {"atset3", VIR_KEYCODE_SET_ATSET3}, {"osx", VIR_KEYCODE_SET_OSX},
      {"xt_kbd", VIR_KEYCODE_SET_XT_KBD}, {"usb", VIR_KEYCODE_SET_USB},       {"win32", VIR_KEYCODE_SET_WIN32},
      {"qnum", VIR_KEYCODE_SET_QNUM},
  };
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  std::string name = args.String(2, "codeset");
  std::optional<unsigned int> codeset;
  for (const auto& [n, v] : codesets)
    if (name == n) codeset = v;
  if (!codeset) throw ArgError{"codeset must be one of linux, xt, atset1, atset2, atset3, osx, xt_kbd, usb, win32, qnum"};
  // Holding a key longer than a minute is never what a user meant.
  unsigned int holdtime = static_cast<unsigned int>(args.Uint(3, "holdtimeMs", 60000));
  if (info.Length() > 4 && info[4].IsArray() && info[4].As<Napi::Array>().Length() > VIR_DOMAIN_SEND_KEY_MAX_KEYS)
    throw ArgError{"keycodes must have at most " + std::to_string(VIR_DOMAIN_SEND_KEY_MAX_KEYS) + " entries"};
  // Every keycode set libvirt knows fits in 16 bits; libvirt checks the exact range per set.
  std::vector<unsigned int> keycodes;
  for (uint32_t k : args.UintArray(4, "keycodes", 0xFFFF)) keycodes.push_back(k);
  if (keycodes.empty()) throw ArgError{"keycodes must not be empty"};
  auto hold = args.SharedHold(0);
  unsigned int cs = *codeset;
  return OnDomainVoid(info.Env(), "vireo.domainSendKey", hold, key, [cs, holdtime, keycodes](virDomainPtr dom) mutable {
    Check(virDomainSendKey(dom, cs, holdtime, keycodes.data(), static_cast<int>(keycodes.size()), 0), "cannot send keys");
  });
}

// domainInterfaceAddresses(conn, key, source) -> [{name, hwaddr, addrs: [{type, addr, prefix}]}]:
// what a running domain's interfaces are known to have, by the network's DHCP leases ('lease'),
// the guest agent ('agent') or the host's ARP table ('arp').
Napi::Value DomainInterfaceAddresses(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  std::string source = args.String(2, "source");
  unsigned int src;
  if (source == "lease") src = VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE;
  else if (source == "agent") src = VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT;
  else if (source == "arp") src = VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP;
  else throw ArgError{"source must be 'lease', 'agent' or 'arp'"};
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.domainInterfaceAddresses", hold, key, [src](virDomainPtr dom) -> Value {
    virDomainInterfacePtr* ifaces = nullptr;
    int n = virDomainInterfaceAddresses(dom, &ifaces, src, 0);
    if (n < 0) ThrowLastError("cannot read the domain's interface addresses");
    Array out;
    for (int i = 0; i < n; i++) {
      virDomainInterfacePtr iface = ifaces[i];
      Array addrs;
      for (unsigned int j = 0; j < iface->naddrs; j++) {
        Object a;
        a.Set("type", iface->addrs[j].type == VIR_IP_ADDR_TYPE_IPV6 ? "ipv6" : "ipv4");
        a.Set("addr", iface->addrs[j].addr);
        a.Set("prefix", iface->addrs[j].prefix);
        addrs.emplace_back(std::move(a));
      }
      Object o;
      o.Set("name", iface->name);
      o.Set("hwaddr", iface->hwaddr);
      o.Set("addrs", std::move(addrs));
      out.emplace_back(std::move(o));
      virDomainInterfaceFree(iface);
    }
    free(ifaces);
    return out;
  });
}

Napi::Value DomainGetJobStats(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto opts = args.Opts(2);
  unsigned int flags = opts.Flag("completed", VIR_DOMAIN_JOB_STATS_COMPLETED);
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.domainGetJobStats", hold, key, [flags](virDomainPtr dom) -> Value {
    int type = 0, n = 0;
    virTypedParameterPtr params = nullptr;
    Check(virDomainGetJobStats(dom, &type, &params, &n, flags), "cannot read domain job stats");
    Object stats = TypedParamsToObject(params, n);
    virTypedParamsFree(params, n);
    Object o;
    o.Set("type", type);
    o.Set("stats", std::move(stats));
    return o;
  });
}

Napi::Value DomainAbortJob(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainAbortJob", hold, key,
                      [](virDomainPtr dom) { Check(virDomainAbortJob(dom), "cannot abort domain job"); });
}

Napi::Value DomainMigrate(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto destUri = args.NonEmptyString(2, "destUri");
  auto opts = args.Opts(3);
  unsigned int flags = opts.Flag("live", VIR_MIGRATE_LIVE) | opts.Flag("persistDest", VIR_MIGRATE_PERSIST_DEST) |
                       opts.Flag("undefineSource", VIR_MIGRATE_UNDEFINE_SOURCE) | opts.Flag("peer2peer", VIR_MIGRATE_PEER2PEER) |
                       opts.Flag("tunnelled", VIR_MIGRATE_TUNNELLED) | opts.Flag("copyStorageAll", VIR_MIGRATE_NON_SHARED_DISK) |
                       opts.Flag("offline", VIR_MIGRATE_OFFLINE);
  if ((flags & VIR_MIGRATE_TUNNELLED) && !(flags & VIR_MIGRATE_PEER2PEER)) throw ArgError{"option tunnelled requires peer2peer"};
  auto bandwidth = opts.Uint("bandwidthMiBs");
  auto destName = OptionString(opts, "destName");
  auto migrateUri = OptionString(opts, "migrateUri");
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.domainMigrate", hold, key,
                      [destUri, flags, bandwidth, destName, migrateUri](virDomainPtr dom) {
                        TypedParams params;
                        if (migrateUri) params.AddString(VIR_MIGRATE_PARAM_URI, *migrateUri);
                        if (destName) params.AddString(VIR_MIGRATE_PARAM_DEST_NAME, *destName);
                        if (bandwidth) params.AddULLong(VIR_MIGRATE_PARAM_BANDWIDTH, *bandwidth);
                        Check(virDomainMigrateToURI3(dom, destUri.c_str(), params.params, static_cast<unsigned int>(params.n), flags),
                              "cannot migrate domain");
                      });
}

}  // namespace

void InitDomain(Napi::Env env, Napi::Object exports) {
  VIREO_EXPORT(exports, "listAllDomains", ListAllDomains);
  VIREO_EXPORT(exports, "domainLookup", DomainLookup);
  VIREO_EXPORT(exports, "domainDefine", DomainDefine);
  VIREO_EXPORT(exports, "domainUndefine", DomainUndefine);
  VIREO_EXPORT(exports, "domainCreate", DomainCreate);
  VIREO_EXPORT(exports, "domainShutdown", DomainShutdown);
  VIREO_EXPORT(exports, "domainReboot", DomainReboot);
  VIREO_EXPORT(exports, "domainReset", DomainReset);
  VIREO_EXPORT(exports, "domainDestroy", DomainDestroy);
  VIREO_EXPORT(exports, "domainSuspend", DomainSuspend);
  VIREO_EXPORT(exports, "domainResume", DomainResume);
  VIREO_EXPORT(exports, "domainManagedSave", DomainManagedSave);
  VIREO_EXPORT(exports, "domainHasManagedSave", DomainHasManagedSave);
  VIREO_EXPORT(exports, "domainManagedSaveRemove", DomainManagedSaveRemove);
  VIREO_EXPORT(exports, "domainGetXML", DomainGetXML);
  VIREO_EXPORT(exports, "domainGetInfo", DomainGetInfo);
  VIREO_EXPORT(exports, "domainGetState", DomainGetState);
  VIREO_EXPORT(exports, "domainGetAutostart", DomainGetAutostart);
  VIREO_EXPORT(exports, "domainSetAutostart", DomainSetAutostart);
  VIREO_EXPORT(exports, "domainIsPersistent", DomainIsPersistent);
  VIREO_EXPORT(exports, "domainRename", DomainRename);
  VIREO_EXPORT(exports, "domainSetMemory", DomainSetMemory);
  VIREO_EXPORT(exports, "domainSetVcpus", DomainSetVcpus);
  VIREO_EXPORT(exports, "domainBlockResize", DomainBlockResize);
  VIREO_EXPORT(exports, "domainAttachDevice", DomainAttachDevice);
  VIREO_EXPORT(exports, "domainDetachDevice", DomainDetachDevice);
  VIREO_EXPORT(exports, "domainUpdateDevice", DomainUpdateDevice);
  VIREO_EXPORT(exports, "domainGetMetadata", DomainGetMetadata);
  VIREO_EXPORT(exports, "domainSetMetadata", DomainSetMetadata);
  VIREO_EXPORT(exports, "domainSendKey", DomainSendKey);
  VIREO_EXPORT(exports, "domainInterfaceAddresses", DomainInterfaceAddresses);
  VIREO_EXPORT(exports, "domainGetJobStats", DomainGetJobStats);
  VIREO_EXPORT(exports, "domainAbortJob", DomainAbortJob);
  VIREO_EXPORT(exports, "domainMigrate", DomainMigrate);
}

}  // namespace vireo
