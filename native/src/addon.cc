// Entry point of the Vireo libvirt binding: sets up libvirt's event loop on its own
// thread (before any connection is opened) and registers each object kind's functions.
#include <thread>

#include "common.h"

namespace vireo {

static void SilentErrorHandler(void*, virErrorPtr) {}  // errors are reported through promises

static void StartEventLoop() {
  static std::once_flag once;
  std::call_once(once, [] {
    virInitialize();
    virSetErrorFunc(nullptr, SilentErrorHandler);
    virEventRegisterDefaultImpl();
    std::thread([] {
      for (;;) virEventRunDefaultImpl();
    }).detach();
  });
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  StartEventLoop();
  InitConnect(env, exports);
  InitDomain(env, exports);
  InitDomainStats(env, exports);
  InitSnapshot(env, exports);
  InitStorage(env, exports);
  InitNetwork(env, exports);
  InitNodeDevice(env, exports);
  InitEvents(env, exports);
  InitStream(env, exports);
  InitXmlValidate(env, exports);
  unsigned long version = 0;
  virGetVersion(&version, nullptr, nullptr);
  exports.Set("libvirtVersion", Napi::Number::New(env, static_cast<double>(version)));
  return exports;
}

}  // namespace vireo

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return vireo::Init(env, exports); }

NODE_API_MODULE(vireo_libvirt, InitModule)
