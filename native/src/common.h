// Shared machinery of the Vireo libvirt binding: plain-data values built on worker
// threads, libvirt errors copied where they happen, promise-returning async calls,
// argument parsing that rejects bad input, and owned libvirt pointers.
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <napi.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace vireo {

// ---------------------------------------------------------------- plain data
// A JSON-like tree built off the JS thread and turned into JS values on it.
struct Value;
using Array = std::vector<Value>;
using Bytes = std::vector<uint8_t>;
struct Object {
  std::vector<std::pair<std::string, Value>> fields;
  Object& Set(std::string key, Value value);
};
struct Value {
  std::variant<std::monostate, bool, double, std::string, Array, Object, Bytes> v;
  Value() = default;
  Value(bool b) : v(b) {}
  Value(double d) : v(d) {}
  Value(int i) : v(static_cast<double>(i)) {}
  Value(unsigned int i) : v(static_cast<double>(i)) {}
  Value(long i) : v(static_cast<double>(i)) {}
  Value(unsigned long i) : v(static_cast<double>(i)) {}
  Value(long long i) : v(static_cast<double>(i)) {}
  Value(unsigned long long i) : v(static_cast<double>(i)) {}
  Value(const char* s) {  // null stays null
    if (s) v = std::string(s);
  }
  Value(std::string s) : v(std::move(s)) {}
  Value(Array a) : v(std::move(a)) {}
  Value(Object o) : v(std::move(o)) {}
  Value(Bytes b) : v(std::move(b)) {}
};
inline Object& Object::Set(std::string key, Value value) {
  fields.emplace_back(std::move(key), std::move(value));
  return *this;
}

Napi::Value ToJs(Napi::Env env, const Value& value);

// Takes ownership of a libvirt-allocated string (freed with free()).
Value TakeString(char* s);

// ---------------------------------------------------------------- errors
struct VirError {
  int code = VIR_ERR_INTERNAL_ERROR;
  int domain = VIR_FROM_NONE;
  int level = VIR_ERR_ERROR;
  std::string message;
};

// Thrown on a worker thread; carries libvirt's error as it was on that thread.
struct Failure {
  VirError error;
};

// Copies the calling thread's last libvirt error (libvirt keeps it thread-local).
VirError CaptureError(const char* fallback);
[[noreturn]] void ThrowLastError(const char* fallback);
[[noreturn]] void ThrowError(int code, std::string message);
Napi::Error MakeJsError(Napi::Env env, const VirError& error);
const char* ErrorCodeName(int code);
const char* ErrorDomainName(int domain);

// Bad arguments from JS: the call rejects with a TypeError (code ERR_INVALID_ARG).
struct ArgError {
  std::string message;
};

// ---------------------------------------------------------------- owned pointers
template <typename T, int (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p) Free(p);
  }
};
using DomainPtr = std::unique_ptr<virDomain, Deleter<virDomain, virDomainFree>>;
using NetworkPtr = std::unique_ptr<virNetwork, Deleter<virNetwork, virNetworkFree>>;
using PoolPtr = std::unique_ptr<virStoragePool, Deleter<virStoragePool, virStoragePoolFree>>;
using VolumePtr = std::unique_ptr<virStorageVol, Deleter<virStorageVol, virStorageVolFree>>;
using SnapshotPtr = std::unique_ptr<virDomainSnapshot, Deleter<virDomainSnapshot, virDomainSnapshotFree>>;
using NodeDevicePtr = std::unique_ptr<virNodeDevice, Deleter<virNodeDevice, virNodeDeviceFree>>;
using StreamPtr = std::unique_ptr<virStream, Deleter<virStream, virStreamFree>>;

// Takes ownership of the array a virConnectListAll*/virDomainListAll* call filled: each
// object is owned by a Ptr, the array itself is freed here.
template <typename Ptr>
std::vector<Ptr> TakeList(typename Ptr::pointer* raw, int n) {
  std::vector<Ptr> out;
  out.reserve(n);
  for (int i = 0; i < n; i++) out.emplace_back(raw[i]);
  free(raw);
  return out;
}

// ---------------------------------------------------------------- connections
// The JS handle holds one libvirt reference; every async call takes its own
// (virConnectRef) so closing while calls are in flight is safe.
struct Connection {
  std::mutex mutex;
  virConnectPtr ptr = nullptr;  // null once closed
  std::string uri;
  // events.cc's subscription (callback ids, listener); null when not subscribed. Set and
  // cleared under `mutex`; DetachEvents() takes it before the connection is closed.
  std::shared_ptr<void> eventSink;
};
using ConnectionRef = std::shared_ptr<Connection>;

// A connection reference held for the duration of one call.
class ConnHold {
 public:
  explicit ConnHold(virConnectPtr p) : ptr_(p) {}
  ConnHold(ConnHold&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)) {}
  ConnHold(const ConnHold&) = delete;
  ~ConnHold() {
    if (ptr_) virConnectClose(ptr_);
  }
  virConnectPtr get() const { return ptr_; }

 private:
  virConnectPtr ptr_;
};

Napi::Value WrapConnection(Napi::Env env, ConnectionRef conn);

// ---------------------------------------------------------------- arguments
class Args {
 public:
  explicit Args(const Napi::CallbackInfo& info) : info_(info) {}
  Napi::Env Env() const { return info_.Env(); }
  size_t Length() const { return info_.Length(); }
  ConnectionRef ConnectionAt(size_t i) const;
  // Takes a libvirt reference on the open connection at i (throws ArgError if closed).
  ConnHold Hold(size_t i) const;
  // Hold() for a worker closure. Take it after parsing every other argument, so an
  // ArgError never drops a connection reference on the JS thread.
  std::shared_ptr<ConnHold> SharedHold(size_t i) const { return std::make_shared<ConnHold>(Hold(i)); }
  std::string String(size_t i, const char* name) const;
  std::optional<std::string> OptString(size_t i, const char* name) const;  // undefined/null -> nullopt
  std::string NonEmptyString(size_t i, const char* name) const;  // a key, an XML document, a URI
  uint64_t Uint(size_t i, const char* name, uint64_t max = UINT64_MAX) const;
  int64_t Int(size_t i, const char* name) const;
  bool Bool(size_t i, const char* name) const;
  Napi::Function Function(size_t i, const char* name) const;
  Napi::Buffer<uint8_t> Buffer(size_t i, const char* name) const;
  std::vector<std::string> StringArray(size_t i, const char* name) const;
  std::vector<uint32_t> UintArray(size_t i, const char* name, uint32_t max = UINT32_MAX) const;
  // An optional options object at i: bad types in it are ArgErrors.
  class Options Opts(size_t i) const;

 private:
  const Napi::CallbackInfo& info_;
};

class Options {
 public:
  Options(Napi::Env env, Napi::Object obj, bool present) : env_(env), obj_(obj), present_(present) {}
  bool Bool(const char* key, bool fallback = false) const;
  std::optional<std::string> String(const char* key) const;
  std::optional<uint64_t> Uint(const char* key, uint64_t max = UINT64_MAX) const;
  std::vector<std::string> StringArray(const char* key) const;
  // Sets `bit` in flags when option `key` is true.
  unsigned int Flag(const char* key, unsigned int bit) const { return Bool(key) ? bit : 0; }
  void Exclusive(const char* a, const char* b) const;

 private:
  Napi::Env env_;
  Napi::Object obj_;
  bool present_;
};

// ---------------------------------------------------------------- async calls
// Runs `work` on a libuv worker thread; resolves with its Value (converted on the JS
// thread), or rejects with the libvirt error it threw as Failure.
Napi::Value RunAsync(Napi::Env env, const char* name, std::function<Value()> work);

// Like RunAsync, but the JS-thread conversion is custom (for results that are JS objects,
// such as stream handles or large batches).
Napi::Value RunAsyncCustom(Napi::Env env, const char* name, std::function<std::shared_ptr<void>()> work,
                           std::function<Napi::Value(Napi::Env, std::shared_ptr<void>)> toJs);

// For large lists (thousands of domains): resolves with {next(count)}, which converts at
// most `count` items per call, so the caller can spread the conversion over event-loop turns.
Napi::Value RunAsyncBatch(Napi::Env env, const char* name, std::function<Array()> work);

// Resolves with undefined (Promise<void>).
Napi::Value RunAsyncVoid(Napi::Env env, const char* name, std::function<void()> work);

// Looks the domain up and runs fn on the worker thread; the connection reference is
// released there too (a remote close is a round trip).
Napi::Value OnDomain(Napi::Env env, const char* name, std::shared_ptr<ConnHold> hold, std::string key,
                     std::function<Value(virDomainPtr)> fn);
Napi::Value OnDomainVoid(Napi::Env env, const char* name, std::shared_ptr<ConnHold> hold, std::string key,
                         std::function<void(virDomainPtr)> fn);

inline void Check(int rc, const char* what) {
  if (rc < 0) ThrowLastError(what);
}

// Exported functions are wrapped so ArgError becomes a rejected promise, never a crash.
using Handler = Napi::Value (*)(const Napi::CallbackInfo&);
Napi::Value Guard(const Napi::CallbackInfo& info, Handler handler);
template <Handler H>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  return Guard(info, H);
}
#define VIREO_EXPORT(exports, name, fn) (exports).Set(name, Napi::Function::New<::vireo::Guarded<fn>>((exports).Env(), name))

// ---------------------------------------------------------------- lookups (worker thread)
// key: a UUID string or a name.
DomainPtr LookupDomain(virConnectPtr conn, const std::string& key);
NetworkPtr LookupNetwork(virConnectPtr conn, const std::string& key);
PoolPtr LookupPool(virConnectPtr conn, const std::string& key);
// key: a volume key, a path, or "pool/name".
VolumePtr LookupVolume(virConnectPtr conn, const std::string& key);

// {name, uuid, id} of a domain: plain data, never a pointer.
Object DomainRef(virDomainPtr dom);

// Typed parameters (stats, job info) flattened to an Object.
Object TypedParamsToObject(virTypedParameterPtr params, int n);

// ---------------------------------------------------------------- module parts
void InitConnect(Napi::Env env, Napi::Object exports);
void InitDomain(Napi::Env env, Napi::Object exports);
void InitDomainStats(Napi::Env env, Napi::Object exports);
void InitSnapshot(Napi::Env env, Napi::Object exports);
void InitStorage(Napi::Env env, Napi::Object exports);
void InitNetwork(Napi::Env env, Napi::Object exports);
void InitNodeDevice(Napi::Env env, Napi::Object exports);
void InitEvents(Napi::Env env, Napi::Object exports);
void InitStream(Napi::Env env, Napi::Object exports);
void InitXmlValidate(Napi::Env env, Napi::Object exports);

// Called by connect.cc before a connection is closed (events.cc deregisters callbacks).
void DetachEvents(Connection& conn, virConnectPtr ptr);

}  // namespace vireo
