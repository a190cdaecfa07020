#include "common.h"

#include <cmath>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <thread>

namespace vireo {

#include "virterror_names.inc"

// ---------------------------------------------------------------- values
Napi::Value ToJs(Napi::Env env, const Value& value) {
  struct Visitor {
    Napi::Env env;
    Napi::Value operator()(std::monostate) const { return env.Null(); }
    Napi::Value operator()(bool b) const { return Napi::Boolean::New(env, b); }
    Napi::Value operator()(double d) const { return Napi::Number::New(env, d); }
    Napi::Value operator()(const std::string& s) const { return Napi::String::New(env, s); }
    Napi::Value operator()(const Array& a) const {
      auto arr = Napi::Array::New(env, a.size());
      for (size_t i = 0; i < a.size(); i++) arr.Set(static_cast<uint32_t>(i), ToJs(env, a[i]));
      return arr;
    }
    Napi::Value operator()(const Object& o) const {
      auto obj = Napi::Object::New(env);
      for (const auto& [k, v] : o.fields) obj.Set(k, ToJs(env, v));
      return obj;
    }
    Napi::Value operator()(const Bytes& b) const { return Napi::Buffer<uint8_t>::Copy(env, b.data(), b.size()); }
  };
  return std::visit(Visitor{env}, value.v);
}

Value TakeString(char* s) {
  if (!s) return Value();
  Value v{std::string(s)};
  free(s);
  return v;
}

// ---------------------------------------------------------------- errors
const char* ErrorCodeName(int code) {
  for (const auto& e : kErrorCodeNames)
    if (e.value == code) return e.name;
  return "VIR_ERR_UNKNOWN";
}

const char* ErrorDomainName(int domain) {
  for (const auto& e : kErrorDomainNames)
    if (e.value == domain) return e.name;
  return "VIR_FROM_UNKNOWN";
}

VirError CaptureError(const char* fallback) {
  VirError out;
  virErrorPtr err = virGetLastError();
  if (err && err->code != VIR_ERR_OK) {
    out.code = err->code;
    out.domain = err->domain;
    out.level = err->level;
    out.message = err->message ? err->message : fallback;
  } else {
    out.message = fallback;
  }
  virResetLastError();
  return out;
}

void ThrowLastError(const char* fallback) { throw Failure{CaptureError(fallback)}; }

void ThrowError(int code, std::string message) {
  VirError e;
  e.code = code;
  e.message = std::move(message);
  throw Failure{e};
}

Napi::Error MakeJsError(Napi::Env env, const VirError& error) {
  auto err = Napi::Error::New(env, error.message);
  err.Set("code", ErrorCodeName(error.code));
  err.Set("virCode", Napi::Number::New(env, error.code));
  err.Set("virDomain", Napi::Number::New(env, error.domain));
  err.Set("virDomainName", ErrorDomainName(error.domain));
  err.Set("virLevel", Napi::Number::New(env, error.level));
  err.Set("name", "LibvirtError");
  return err;
}

// ---------------------------------------------------------------- connections
static void FinalizeConnection(Napi::Env, ConnectionRef* ref) {
  // The handle was garbage-collected without close(): close off the JS thread, since a
  // remote close is a round trip.
  virConnectPtr ptr = nullptr;
  {
    std::lock_guard<std::mutex> lock((*ref)->mutex);
    ptr = std::exchange((*ref)->ptr, nullptr);
  }
  ConnectionRef conn = *ref;
  delete ref;
  if (ptr) {
    std::thread([conn, ptr] {
      DetachEvents(*conn, ptr);
      virConnectClose(ptr);
    }).detach();
  }
}

Napi::Value WrapConnection(Napi::Env env, ConnectionRef conn) {
  auto handle = Napi::Object::New(env);
  auto ext = Napi::External<ConnectionRef>::New(env, new ConnectionRef(conn), FinalizeConnection);
  handle.Set("__vireoConnection", ext);
  handle.Set("uri", conn->uri);
  handle.Freeze();
  return handle;
}

// ---------------------------------------------------------------- arguments
static Napi::Value At(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() ? info[i] : info.Env().Undefined(); }

ConnectionRef Args::ConnectionAt(size_t i) const {
  auto v = At(info_, i);
  if (v.IsObject()) {
    auto ext = v.As<Napi::Object>().Get("__vireoConnection");
    if (ext.IsExternal()) return *ext.As<Napi::External<ConnectionRef>>().Data();
  }
  throw ArgError{"argument " + std::to_string(i) + " must be a connection returned by open()"};
}

ConnHold Args::Hold(size_t i) const {
  auto conn = ConnectionAt(i);
  std::lock_guard<std::mutex> lock(conn->mutex);
  if (!conn->ptr) throw ArgError{"the connection to " + conn->uri + " is closed"};
  virConnectRef(conn->ptr);
  return ConnHold(conn->ptr);
}

std::string Args::String(size_t i, const char* name) const {
  auto v = At(info_, i);
  if (!v.IsString()) throw ArgError{std::string(name) + " must be a string"};
  auto s = v.As<Napi::String>().Utf8Value();
  if (s.find('\0') != std::string::npos) throw ArgError{std::string(name) + " must not contain NUL characters"};
  return s;
}

std::string Args::NonEmptyString(size_t i, const char* name) const {
  std::string s = String(i, name);
  if (s.empty()) throw ArgError{std::string(name) + " must not be empty"};
  return s;
}

std::optional<std::string> Args::OptString(size_t i, const char* name) const {
  auto v = At(info_, i);
  if (v.IsUndefined() || v.IsNull()) return std::nullopt;
  return String(i, name);
}

static uint64_t ToUint(Napi::Value v, const std::string& name, uint64_t max) {
  if (v.IsBigInt()) {
    bool lossless = false;
    uint64_t n = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless || n > max) throw ArgError{name + " is out of range"};
    return n;
  }
  if (!v.IsNumber()) throw ArgError{name + " must be a non-negative integer"};
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d < 0 || std::floor(d) != d || d > 9007199254740991.0)
    throw ArgError{name + " must be a non-negative integer"};
  if (static_cast<uint64_t>(d) > max) throw ArgError{name + " is out of range (max " + std::to_string(max) + ")"};
  return static_cast<uint64_t>(d);
}

uint64_t Args::Uint(size_t i, const char* name, uint64_t max) const { return ToUint(At(info_, i), name, max); }

int64_t Args::Int(size_t i, const char* name) const {
  auto v = At(info_, i);
  if (!v.IsNumber()) throw ArgError{std::string(name) + " must be an integer"};
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0)
    throw ArgError{std::string(name) + " must be an integer"};
  return static_cast<int64_t>(d);
}

bool Args::Bool(size_t i, const char* name) const {
  auto v = At(info_, i);
  if (!v.IsBoolean()) throw ArgError{std::string(name) + " must be a boolean"};
  return v.As<Napi::Boolean>().Value();
}

Napi::Function Args::Function(size_t i, const char* name) const {
  auto v = At(info_, i);
  if (!v.IsFunction()) throw ArgError{std::string(name) + " must be a function"};
  return v.As<Napi::Function>();
}

Napi::Buffer<uint8_t> Args::Buffer(size_t i, const char* name) const {
  auto v = At(info_, i);
  if (!v.IsBuffer()) throw ArgError{std::string(name) + " must be a Buffer or Uint8Array"};
  return v.As<Napi::Buffer<uint8_t>>();
}

std::vector<std::string> Args::StringArray(size_t i, const char* name) const {
  auto v = At(info_, i);
  if (!v.IsArray()) throw ArgError{std::string(name) + " must be an array of strings"};
  auto arr = v.As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value e = arr.Get(k);
    if (!e.IsString()) throw ArgError{std::string(name) + " must be an array of strings"};
    out.push_back(e.As<Napi::String>().Utf8Value());
    if (out.back().find('\0') != std::string::npos) throw ArgError{std::string(name) + " must not contain NUL characters"};
  }
  return out;
}

std::vector<uint32_t> Args::UintArray(size_t i, const char* name, uint32_t max) const {
  auto v = At(info_, i);
  if (!v.IsArray()) throw ArgError{std::string(name) + " must be an array of integers"};
  auto arr = v.As<Napi::Array>();
  std::vector<uint32_t> out;
  for (uint32_t k = 0; k < arr.Length(); k++)
    out.push_back(static_cast<uint32_t>(ToUint(arr.Get(k), std::string(name) + "[" + std::to_string(k) + "]", max)));
  return out;
}

Options Args::Opts(size_t i) const {
  auto v = At(info_, i);
  if (v.IsUndefined() || v.IsNull()) return Options(Env(), Napi::Object::New(Env()), false);
  if (!v.IsObject() || v.IsArray()) throw ArgError{"argument " + std::to_string(i) + " must be an options object"};
  return Options(Env(), v.As<Napi::Object>(), true);
}

bool Options::Bool(const char* key, bool fallback) const {
  if (!present_) return fallback;
  Napi::Value v = obj_.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsBoolean()) throw ArgError{std::string("option ") + key + " must be a boolean"};
  return v.As<Napi::Boolean>().Value();
}

std::optional<std::string> Options::String(const char* key) const {
  if (!present_) return std::nullopt;
  Napi::Value v = obj_.Get(key);
  if (v.IsUndefined() || v.IsNull()) return std::nullopt;
  if (!v.IsString()) throw ArgError{std::string("option ") + key + " must be a string"};
  auto s = v.As<Napi::String>().Utf8Value();
  // libvirt takes C strings: a NUL would silently truncate the value.
  if (s.find('\0') != std::string::npos) throw ArgError{std::string("option ") + key + " must not contain NUL characters"};
  return s;
}

void Options::Exclusive(const char* a, const char* b) const {
  if (Bool(a) && Bool(b)) throw ArgError{std::string("options ") + a + " and " + b + " are mutually exclusive"};
}

std::optional<uint64_t> Options::Uint(const char* key, uint64_t max) const {
  if (!present_) return std::nullopt;
  Napi::Value v = obj_.Get(key);
  if (v.IsUndefined() || v.IsNull()) return std::nullopt;
  return ToUint(v, std::string("option ") + key, max);
}

std::vector<std::string> Options::StringArray(const char* key) const {
  std::vector<std::string> out;
  if (!present_) return out;
  Napi::Value v = obj_.Get(key);
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) throw ArgError{std::string("option ") + key + " must be an array of strings"};
  auto arr = v.As<Napi::Array>();
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value e = arr.Get(k);
    if (!e.IsString()) throw ArgError{std::string("option ") + key + " must be an array of strings"};
    out.push_back(e.As<Napi::String>().Utf8Value());
    if (out.back().find('\0') != std::string::npos) throw ArgError{std::string("option ") + key + " must not contain NUL characters"};
  }
  return out;
}

// ---------------------------------------------------------------- async calls
namespace {
class Worker : public Napi::AsyncWorker {
 public:
  Worker(Napi::Env env, const char* name, std::function<std::shared_ptr<void>()> work,
         std::function<Napi::Value(Napi::Env, std::shared_ptr<void>)> toJs)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)), work_(std::move(work)), toJs_(std::move(toJs)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      result_ = work_();
    } catch (const Failure& f) {
      error_ = f.error;
    } catch (const std::exception& e) {
      error_ = VirError{VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE, VIR_ERR_ERROR, e.what()};
    }
    // Drop the closure here: it may hold the last connection reference, whose close is a
    // round trip on remote connections and must not happen on the JS thread.
    work_ = nullptr;
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (error_) {
      deferred_.Reject(MakeJsError(env, *error_).Value());
      return;
    }
    try {
      deferred_.Resolve(toJs_(env, result_));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<std::shared_ptr<void>()> work_;
  std::function<Napi::Value(Napi::Env, std::shared_ptr<void>)> toJs_;
  std::shared_ptr<void> result_;
  std::optional<VirError> error_;
};
}  // namespace

Napi::Value RunAsyncCustom(Napi::Env env, const char* name, std::function<std::shared_ptr<void>()> work,
                           std::function<Napi::Value(Napi::Env, std::shared_ptr<void>)> toJs) {
  auto* worker = new Worker(env, name, std::move(work), std::move(toJs));
  auto promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value RunAsync(Napi::Env env, const char* name, std::function<Value()> work) {
  return RunAsyncCustom(
      env, name, [work = std::move(work)]() -> std::shared_ptr<void> { return std::make_shared<Value>(work()); },
      [](Napi::Env env, std::shared_ptr<void> result) { return ToJs(env, *std::static_pointer_cast<Value>(result)); });
}

Napi::Value RunAsyncBatch(Napi::Env env, const char* name, std::function<Array()> work) {
  return RunAsyncCustom(
      env, name, [work = std::move(work)]() -> std::shared_ptr<void> { return std::make_shared<Array>(work()); },
      [](Napi::Env env, std::shared_ptr<void> result) -> Napi::Value {
        auto items = std::static_pointer_cast<Array>(result);
        auto cursor = std::make_shared<size_t>(0);
        auto batch = Napi::Object::New(env);
        batch.Set("length", Napi::Number::New(env, static_cast<double>(items->size())));
        batch.Set("next", Napi::Function::New(env, [items, cursor](const Napi::CallbackInfo& info) -> Napi::Value {
          size_t count = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 1000;
          size_t end = std::min(items->size(), *cursor + std::max<size_t>(count, 1));
          auto arr = Napi::Array::New(info.Env(), end - *cursor);
          for (size_t i = *cursor; i < end; i++) arr.Set(static_cast<uint32_t>(i - *cursor), ToJs(info.Env(), (*items)[i]));
          *cursor = end;
          if (end == items->size()) Array().swap(*items);  // drained: free the plain data now
          return arr;
        }));
        return batch;
      });
}

Napi::Value Guard(const Napi::CallbackInfo& info, Handler handler) {
  try {
    return handler(info);
  } catch (const ArgError& e) {
    auto deferred = Napi::Promise::Deferred::New(info.Env());
    auto err = Napi::TypeError::New(info.Env(), e.message);
    err.Set("code", "ERR_INVALID_ARG");
    deferred.Reject(err.Value());
    return deferred.Promise();
  } catch (const Napi::Error& e) {
    // A JS exception while reading arguments (e.g. a throwing getter on an options object).
    auto deferred = Napi::Promise::Deferred::New(info.Env());
    deferred.Reject(e.Value());
    return deferred.Promise();
  }
}

Napi::Value RunAsyncVoid(Napi::Env env, const char* name, std::function<void()> work) {
  return RunAsyncCustom(
      env, name,
      [work = std::move(work)]() -> std::shared_ptr<void> {
        work();
        return nullptr;
      },
      [](Napi::Env env, std::shared_ptr<void>) -> Napi::Value { return env.Undefined(); });
}

Napi::Value OnDomain(Napi::Env env, const char* name, std::shared_ptr<ConnHold> hold, std::string key,
                     std::function<Value(virDomainPtr)> fn) {
  return RunAsync(env, name, [hold = std::move(hold), key = std::move(key), fn = std::move(fn)]() mutable -> Value {
    auto held = std::move(hold);
    DomainPtr dom = LookupDomain(held->get(), key);
    return fn(dom.get());
  });
}

Napi::Value OnDomainVoid(Napi::Env env, const char* name, std::shared_ptr<ConnHold> hold, std::string key,
                         std::function<void(virDomainPtr)> fn) {
  return RunAsyncVoid(env, name, [hold = std::move(hold), key = std::move(key), fn = std::move(fn)]() mutable {
    auto held = std::move(hold);
    DomainPtr dom = LookupDomain(held->get(), key);
    fn(dom.get());
  });
}

// ---------------------------------------------------------------- lookups
static bool LooksLikeUuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

DomainPtr LookupDomain(virConnectPtr conn, const std::string& key) {
  DomainPtr dom(LooksLikeUuid(key) ? virDomainLookupByUUIDString(conn, key.c_str()) : nullptr);
  if (!dom) {
    virResetLastError();
    dom.reset(virDomainLookupByName(conn, key.c_str()));
  }
  if (!dom) ThrowLastError(("domain not found: " + key).c_str());
  return dom;
}

NetworkPtr LookupNetwork(virConnectPtr conn, const std::string& key) {
  NetworkPtr net(LooksLikeUuid(key) ? virNetworkLookupByUUIDString(conn, key.c_str()) : nullptr);
  if (!net) {
    virResetLastError();
    net.reset(virNetworkLookupByName(conn, key.c_str()));
  }
  if (!net) ThrowLastError(("network not found: " + key).c_str());
  return net;
}

PoolPtr LookupPool(virConnectPtr conn, const std::string& key) {
  PoolPtr pool(LooksLikeUuid(key) ? virStoragePoolLookupByUUIDString(conn, key.c_str()) : nullptr);
  if (!pool) {
    virResetLastError();
    pool.reset(virStoragePoolLookupByName(conn, key.c_str()));
  }
  if (!pool) ThrowLastError(("storage pool not found: " + key).c_str());
  return pool;
}

VolumePtr LookupVolume(virConnectPtr conn, const std::string& key) {
  VolumePtr vol(virStorageVolLookupByKey(conn, key.c_str()));
  if (!vol) {
    virResetLastError();
    vol.reset(virStorageVolLookupByPath(conn, key.c_str()));
  }
  auto slash = key.find('/');
  if (!vol && slash != std::string::npos && slash > 0) {
    virResetLastError();
    PoolPtr pool(virStoragePoolLookupByName(conn, key.substr(0, slash).c_str()));
    if (!pool) ThrowLastError(("storage pool not found: " + key.substr(0, slash)).c_str());
    vol.reset(virStorageVolLookupByName(pool.get(), key.substr(slash + 1).c_str()));
    // Capture before `pool` is freed: virStoragePoolFree resets the thread's last error.
    if (!vol) ThrowLastError(("storage volume not found: " + key).c_str());
  }
  if (!vol) ThrowLastError(("storage volume not found: " + key).c_str());
  return vol;
}

Object DomainRef(virDomainPtr dom) {
  char uuid[VIR_UUID_STRING_BUFLEN] = {0};
  virDomainGetUUIDString(dom, uuid);
  unsigned int id = virDomainGetID(dom);
  Object o;
  o.Set("name", virDomainGetName(dom));
  o.Set("uuid", std::string(uuid));
  o.Set("id", id == static_cast<unsigned int>(-1) ? -1.0 : static_cast<double>(id));
  return o;
}

Object TypedParamsToObject(virTypedParameterPtr params, int n) {
  Object o;
  for (int i = 0; i < n; i++) {
    const auto& p = params[i];
    switch (p.type) {
      case VIR_TYPED_PARAM_INT: o.Set(p.field, p.value.i); break;
      case VIR_TYPED_PARAM_UINT: o.Set(p.field, p.value.ui); break;
      case VIR_TYPED_PARAM_LLONG: o.Set(p.field, p.value.l); break;
      case VIR_TYPED_PARAM_ULLONG: o.Set(p.field, p.value.ul); break;
      case VIR_TYPED_PARAM_DOUBLE: o.Set(p.field, p.value.d); break;
      case VIR_TYPED_PARAM_BOOLEAN: o.Set(p.field, p.value.b != 0); break;
      case VIR_TYPED_PARAM_STRING: o.Set(p.field, p.value.s); break;
      default: break;
    }
  }
  return o;
}

}  // namespace vireo
