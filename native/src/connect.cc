// Connections and the host: open (with credentials), close, keepalive, capabilities,
// domain capabilities, node info.
#include <cstring>

#include "common.h"

namespace vireo {

namespace {

struct Credentials {
  std::optional<std::string> username, password;
  bool asked = false;  // libvirt asked for something we did not have
};

int AuthCallback(virConnectCredentialPtr cred, unsigned int ncred, void* cbdata) {
  auto* creds = static_cast<Credentials*>(cbdata);
  for (unsigned int i = 0; i < ncred; i++) {
    const std::optional<std::string>* answer = nullptr;
    switch (cred[i].type) {
      case VIR_CRED_AUTHNAME:
      case VIR_CRED_USERNAME: answer = &creds->username; break;
      case VIR_CRED_PASSPHRASE:
      case VIR_CRED_NOECHOPROMPT: answer = &creds->password; break;
      default: break;
    }
    if (!answer || !*answer) {
      creds->asked = true;
      return -1;
    }
    cred[i].result = strdup((*answer)->c_str());
    cred[i].resultlen = static_cast<unsigned int>((*answer)->size());
  }
  return 0;
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string uri = args.String(0, "uri");
  auto opts = args.Opts(1);
  bool readOnly = opts.Bool("readOnly");
  Credentials creds{opts.String("username"), opts.String("password")};
  int keepAliveInterval = static_cast<int>(opts.Uint("keepAliveInterval", 3600).value_or(5));
  unsigned int keepAliveCount = static_cast<unsigned int>(opts.Uint("keepAliveCount", 100).value_or(3));
  return RunAsyncCustom(
      info.Env(), "vireo.open",
      [=]() mutable -> std::shared_ptr<void> {
        int credTypes[] = {VIR_CRED_AUTHNAME, VIR_CRED_USERNAME, VIR_CRED_PASSPHRASE, VIR_CRED_NOECHOPROMPT};
        virConnectAuth auth{credTypes, sizeof(credTypes) / sizeof(credTypes[0]), AuthCallback, &creds};
        virConnectPtr ptr = virConnectOpenAuth(uri.c_str(), &auth, readOnly ? VIR_CONNECT_RO : 0);
        if (!ptr) {
          VirError err = CaptureError(("cannot connect to " + uri).c_str());
          if (creds.asked) err.message += " (credentials were requested but not supplied)";
          throw Failure{err};
        }
        // Keepalive only applies to remote drivers; local ones answer -1 or 1, which is fine.
        if (keepAliveInterval > 0) virConnectSetKeepAlive(ptr, keepAliveInterval, keepAliveCount);
        virResetLastError();
        auto conn = std::make_shared<Connection>();
        conn->ptr = ptr;
        char* actual = virConnectGetURI(ptr);
        conn->uri = actual ? actual : uri;
        free(actual);
        virResetLastError();
        return conn;
      },
      [](Napi::Env env, std::shared_ptr<void> result) {
        return WrapConnection(env, std::static_pointer_cast<Connection>(result));
      });
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  Args args(info);
  auto conn = args.ConnectionAt(0);
  virConnectPtr ptr;
  {
    std::lock_guard<std::mutex> lock(conn->mutex);
    ptr = std::exchange(conn->ptr, nullptr);
  }
  return RunAsyncVoid(info.Env(), "vireo.close", [conn, ptr]() {
    if (ptr) {
      DetachEvents(*conn, ptr);
      virConnectClose(ptr);
    }
  });
}

Napi::Value ConnectInfo(const Napi::CallbackInfo& info) {
  Args args(info);
  auto hold = std::make_shared<ConnHold>(args.Hold(0));
  return RunAsync(info.Env(), "vireo.connectInfo", [hold]() -> Value {
    virConnectPtr c = hold->get();
    unsigned long hvVersion = 0, libVersion = 0;
    const char* type = virConnectGetType(c);
    if (!type) ThrowLastError("cannot read the hypervisor type");
    std::string hypervisor = type;
    if (virConnectGetVersion(c, &hvVersion) < 0) virResetLastError();
    if (virConnectGetLibVersion(c, &libVersion) < 0) ThrowLastError("cannot read the libvirt version");
    Object o;
    o.Set("uri", TakeString(virConnectGetURI(c)));
    o.Set("hostname", TakeString(virConnectGetHostname(c)));
    o.Set("hypervisor", hypervisor);
    o.Set("hypervisorVersion", hvVersion);
    o.Set("libVersion", libVersion);
    o.Set("encrypted", virConnectIsEncrypted(c) == 1);
    o.Set("secure", virConnectIsSecure(c) == 1);
    o.Set("alive", virConnectIsAlive(c) == 1);
    virResetLastError();
    return o;
  });
}

Napi::Value GetCapabilities(const Napi::CallbackInfo& info) {
  Args args(info);
  auto hold = std::make_shared<ConnHold>(args.Hold(0));
  return RunAsync(info.Env(), "vireo.getCapabilities", [hold]() -> Value {
    char* xml = virConnectGetCapabilities(hold->get());
    if (!xml) ThrowLastError("cannot read host capabilities");
    return TakeString(xml);
  });
}

Napi::Value GetDomainCapabilities(const Napi::CallbackInfo& info) {
  Args args(info);
  auto opts = args.Opts(1);
  auto emulator = opts.String("emulator"), arch = opts.String("arch"), machine = opts.String("machine"),
       virttype = opts.String("virtType");
  auto hold = std::make_shared<ConnHold>(args.Hold(0));
  return RunAsync(info.Env(), "vireo.getDomainCapabilities", [=]() -> Value {
    auto cstr = [](const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; };
    char* xml = virConnectGetDomainCapabilities(hold->get(), cstr(emulator), cstr(arch), cstr(machine), cstr(virttype), 0);
    if (!xml) ThrowLastError("cannot read domain capabilities");
    return TakeString(xml);
  });
}

Napi::Value NodeInfo(const Napi::CallbackInfo& info) {
  Args args(info);
  auto hold = std::make_shared<ConnHold>(args.Hold(0));
  return RunAsync(info.Env(), "vireo.nodeInfo", [hold]() -> Value {
    virNodeInfo ni;
    if (virNodeGetInfo(hold->get(), &ni) < 0) ThrowLastError("cannot read node info");
    unsigned long long freeBytes = virNodeGetFreeMemory(hold->get());
    virResetLastError();
    Object o;
    o.Set("model", std::string(ni.model));
    o.Set("memoryKiB", ni.memory);
    o.Set("freeMemoryBytes", freeBytes);
    o.Set("cpus", ni.cpus);
    o.Set("mhz", ni.mhz);
    o.Set("nodes", ni.nodes);
    o.Set("sockets", ni.sockets);
    o.Set("cores", ni.cores);
    o.Set("threads", ni.threads);
    return o;
  });
}

}  // namespace

void InitConnect(Napi::Env env, Napi::Object exports) {
  VIREO_EXPORT(exports, "open", Open);
  VIREO_EXPORT(exports, "close", Close);
  VIREO_EXPORT(exports, "connectInfo", ConnectInfo);
  VIREO_EXPORT(exports, "getCapabilities", GetCapabilities);
  VIREO_EXPORT(exports, "getDomainCapabilities", GetDomainCapabilities);
  VIREO_EXPORT(exports, "nodeInfo", NodeInfo);
}

}  // namespace vireo
