// Event subscriptions: domain lifecycle/reboot/device/job events, network and storage pool
// lifecycle events and connection close, delivered to one JS listener per connection.
//
// libvirt calls our callbacks on its event-loop thread (addon.cc). There we copy everything
// into plain data and queue it to the JS thread through a thread-safe function (non-blocking,
// unbounded queue: the event-loop thread never waits for JS).
//
// Contract (see subscribeEvents in native/index.ts):
//  - One subscriber per connection: a second subscribeEvents() rejects with ERR_INVALID_ARG
//    until unsubscribeEvents() (or close) ends the first.
//  - Domain events are required (subscribe rejects if libvirt refuses them); network, pool and
//    close-callback registrations are best effort (a driver without them still gets domain events).
//  - After unsubscribeEvents()/close() is called, no more events reach the listener (events still
//    queued are dropped) and the subscription no longer keeps Node's event loop alive.
//  - While subscribed, the subscription keeps Node alive (like a listening socket).
#include <atomic>

#include "common.h"

namespace vireo {

namespace {

struct EventSink;
struct TsfnContext {
  std::shared_ptr<EventSink> sink;
};
void CallListener(Napi::Env env, Napi::Function listener, TsfnContext* ctx, Value* event);
using EventTsfn = Napi::TypedThreadSafeFunction<TsfnContext, Value, CallListener>;

struct EventSink {
  // False once unsubscribe/close began: queued and new events are dropped.
  std::atomic<bool> active{true};

  // The thread-safe function; `released` (under sendMutex) once it was released or finalized.
  std::mutex sendMutex;
  bool released = false;
  EventTsfn tsfn;

  // Registration state, under regMutex (registration and deregistration are RPCs, done on
  // worker threads; this serializes a subscribe racing an unsubscribe/close).
  std::mutex regMutex;
  bool cancelled = false;
  std::vector<int> domainIds, networkIds, poolIds;
  bool closeRegistered = false;

  // Any thread (libvirt's event loop in practice).
  void Emit(Object event) {
    if (!active.load()) return;
    std::lock_guard<std::mutex> lock(sendMutex);
    if (released) return;
    auto* value = new Value(std::move(event));
    if (tsfn.NonBlockingCall(value) != napi_ok) delete value;
  }

  // Any thread; idempotent.
  void Release() {
    std::lock_guard<std::mutex> lock(sendMutex);
    if (released) return;
    released = true;
    tsfn.Release();
  }
};
using SinkRef = std::shared_ptr<EventSink>;

// JS thread.
void CallListener(Napi::Env env, Napi::Function listener, TsfnContext* ctx, Value* event) {
  std::unique_ptr<Value> owned(event);
  if (env == nullptr || listener.IsEmpty() || !ctx || !ctx->sink->active.load()) return;
  try {
    listener.Call({ToJs(env, *owned)});
  } catch (const Napi::Error& e) {
    // A throwing listener is an uncaught exception ('uncaughtException'), as for an EventEmitter.
    // (Left pending, Node would only print a warning and drop it.)
    napi_fatal_exception(env, e.Value());
  }
}

// ---------------------------------------------------------------- names
const char* LifecycleEventName(int event) {
  switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED: return "defined";
    case VIR_DOMAIN_EVENT_UNDEFINED: return "undefined";
    case VIR_DOMAIN_EVENT_STARTED: return "started";
    case VIR_DOMAIN_EVENT_SUSPENDED: return "suspended";
    case VIR_DOMAIN_EVENT_RESUMED: return "resumed";
    case VIR_DOMAIN_EVENT_STOPPED: return "stopped";
    case VIR_DOMAIN_EVENT_SHUTDOWN: return "shutdown";
    case VIR_DOMAIN_EVENT_PMSUSPENDED: return "pmsuspended";
    case VIR_DOMAIN_EVENT_CRASHED: return "crashed";
    default: return "unknown";
  }
}

const char* LifecycleDetailName(int event, int detail) {
  auto pick = [detail](std::initializer_list<const char*> names) -> const char* {
    if (detail < 0 || static_cast<size_t>(detail) >= names.size()) return "unknown";
    return names.begin()[detail];
  };
  switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED: return pick({"added", "updated", "renamed", "from_snapshot"});
    case VIR_DOMAIN_EVENT_UNDEFINED: return pick({"removed", "renamed"});
    case VIR_DOMAIN_EVENT_STARTED: return pick({"booted", "migrated", "restored", "from_snapshot", "wakeup"});
    case VIR_DOMAIN_EVENT_SUSPENDED:
      return pick({"paused", "migrated", "ioerror", "watchdog", "restored", "from_snapshot", "api_error", "postcopy",
                   "postcopy_failed"});
    case VIR_DOMAIN_EVENT_RESUMED: return pick({"unpaused", "migrated", "from_snapshot", "postcopy", "postcopy_failed"});
    case VIR_DOMAIN_EVENT_STOPPED:
      return pick({"shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from_snapshot"});
    case VIR_DOMAIN_EVENT_SHUTDOWN: return pick({"finished", "guest", "host"});
    case VIR_DOMAIN_EVENT_PMSUSPENDED: return pick({"memory", "disk"});
    case VIR_DOMAIN_EVENT_CRASHED: return pick({"panicked", "crashloaded"});
    default: return "unknown";
  }
}

const char* NetworkEventName(int event) {
  switch (event) {
    case VIR_NETWORK_EVENT_DEFINED: return "defined";
    case VIR_NETWORK_EVENT_UNDEFINED: return "undefined";
    case VIR_NETWORK_EVENT_STARTED: return "started";
    case VIR_NETWORK_EVENT_STOPPED: return "stopped";
    default: return "unknown";
  }
}

const char* PoolEventName(int event) {
  switch (event) {
    case VIR_STORAGE_POOL_EVENT_DEFINED: return "defined";
    case VIR_STORAGE_POOL_EVENT_UNDEFINED: return "undefined";
    case VIR_STORAGE_POOL_EVENT_STARTED: return "started";
    case VIR_STORAGE_POOL_EVENT_STOPPED: return "stopped";
    case VIR_STORAGE_POOL_EVENT_CREATED: return "created";
    case VIR_STORAGE_POOL_EVENT_DELETED: return "deleted";
    default: return "unknown";
  }
}

const char* CloseReasonName(int reason) {
  switch (reason) {
    case VIR_CONNECT_CLOSE_REASON_ERROR: return "error";
    case VIR_CONNECT_CLOSE_REASON_EOF: return "eof";
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE: return "keepalive";
    case VIR_CONNECT_CLOSE_REASON_CLIENT: return "client";
    default: return "unknown";
  }
}

// ---------------------------------------------------------------- callbacks (event-loop thread)
// Domain/network/pool callbacks get a heap SinkRef as opaque, freed by libvirt through FreeOpaque
// once the callback can no longer run (libvirt defers it past a dispatch in progress).
EventSink& SinkOf(void* opaque) { return **static_cast<SinkRef*>(opaque); }
void FreeOpaque(void* opaque) { delete static_cast<SinkRef*>(opaque); }

Object DomainEvent(const char* type, virDomainPtr dom) {
  Object o;
  o.Set("type", type);
  o.Set("domain", DomainRef(dom));
  return o;
}

void OnDomainLifecycle(virConnectPtr, virDomainPtr dom, int event, int detail, void* opaque) {
  auto o = DomainEvent("domain-lifecycle", dom);
  o.Set("event", LifecycleEventName(event));
  o.Set("detail", LifecycleDetailName(event, detail));
  SinkOf(opaque).Emit(std::move(o));
}

void OnDomainReboot(virConnectPtr, virDomainPtr dom, void* opaque) { SinkOf(opaque).Emit(DomainEvent("domain-reboot", dom)); }

void OnDeviceAdded(virConnectPtr, virDomainPtr dom, const char* alias, void* opaque) {
  auto o = DomainEvent("domain-device-added", dom);
  o.Set("device", std::string(alias ? alias : ""));
  SinkOf(opaque).Emit(std::move(o));
}

void OnDeviceRemoved(virConnectPtr, virDomainPtr dom, const char* alias, void* opaque) {
  auto o = DomainEvent("domain-device-removed", dom);
  o.Set("device", std::string(alias ? alias : ""));
  SinkOf(opaque).Emit(std::move(o));
}

void OnJobCompleted(virConnectPtr, virDomainPtr dom, virTypedParameterPtr params, int nparams, void* opaque) {
  auto o = DomainEvent("domain-job-completed", dom);
  o.Set("stats", TypedParamsToObject(params, nparams));
  SinkOf(opaque).Emit(std::move(o));
}

void OnNetworkLifecycle(virConnectPtr, virNetworkPtr net, int event, int, void* opaque) {
  char uuid[VIR_UUID_STRING_BUFLEN] = {0};
  virNetworkGetUUIDString(net, uuid);
  Object ref;
  ref.Set("name", virNetworkGetName(net));
  ref.Set("uuid", std::string(uuid));
  Object o;
  o.Set("type", "network-lifecycle");
  o.Set("network", std::move(ref));
  o.Set("event", NetworkEventName(event));
  SinkOf(opaque).Emit(std::move(o));
}

void OnPoolLifecycle(virConnectPtr, virStoragePoolPtr pool, int event, int, void* opaque) {
  char uuid[VIR_UUID_STRING_BUFLEN] = {0};
  virStoragePoolGetUUIDString(pool, uuid);
  Object ref;
  ref.Set("name", virStoragePoolGetName(pool));
  ref.Set("uuid", std::string(uuid));
  Object o;
  o.Set("type", "pool-lifecycle");
  o.Set("pool", std::move(ref));
  o.Set("event", PoolEventName(event));
  SinkOf(opaque).Emit(std::move(o));
}

// The close callback gets the raw EventSink*: libvirt runs it and unregisters it under one lock,
// so once virConnectUnregisterCloseCallback returns it cannot run, and DeregisterAll holds a
// SinkRef until then. (Drivers without close callbacks, like test://, accept the registration and
// never call it nor a free function, so an owning opaque would leak.)
void OnClose(virConnectPtr, int reason, void* opaque) {
  Object o;
  o.Set("type", "disconnected");
  o.Set("reason", CloseReasonName(reason));
  static_cast<EventSink*>(opaque)->Emit(std::move(o));
}

// ---------------------------------------------------------------- registration (worker threads)
void DeregisterAllLocked(virConnectPtr conn, EventSink& sink) {
  for (int id : sink.domainIds) virConnectDomainEventDeregisterAny(conn, id);
  for (int id : sink.networkIds) virConnectNetworkEventDeregisterAny(conn, id);
  for (int id : sink.poolIds) virConnectStoragePoolEventDeregisterAny(conn, id);
  if (sink.closeRegistered) virConnectUnregisterCloseCallback(conn, OnClose);
  sink.domainIds.clear();
  sink.networkIds.clear();
  sink.poolIds.clear();
  sink.closeRegistered = false;
  virResetLastError();  // a dead connection refuses the RPCs; the callbacks are gone locally anyway
}

// Ends a subscription: no more deliveries, callbacks deregistered, the TSFN released.
void EndSubscription(virConnectPtr conn, const SinkRef& sink) {
  sink->active = false;
  {
    std::lock_guard<std::mutex> lock(sink->regMutex);
    sink->cancelled = true;
    if (conn) DeregisterAllLocked(conn, *sink);
  }
  sink->Release();
}

void RegisterAll(virConnectPtr conn, const SinkRef& sink) {
  std::lock_guard<std::mutex> lock(sink->regMutex);
  if (sink->cancelled) ThrowError(VIR_ERR_OPERATION_ABORTED, "the event subscription was cancelled (unsubscribeEvents or close) before it was registered");

  struct DomainEvent {
    int id;
    virConnectDomainEventGenericCallback cb;
  };
  const DomainEvent domainEvents[] = {
      {VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(OnDomainLifecycle)},
      {VIR_DOMAIN_EVENT_ID_REBOOT, VIR_DOMAIN_EVENT_CALLBACK(OnDomainReboot)},
      {VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, VIR_DOMAIN_EVENT_CALLBACK(OnDeviceAdded)},
      {VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, VIR_DOMAIN_EVENT_CALLBACK(OnDeviceRemoved)},
      {VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, VIR_DOMAIN_EVENT_CALLBACK(OnJobCompleted)},
  };
  for (const auto& ev : domainEvents) {
    auto opaque = std::make_unique<SinkRef>(sink);
    int id = virConnectDomainEventRegisterAny(conn, nullptr, ev.id, ev.cb, opaque.get(), FreeOpaque);
    if (id < 0) {  // libvirt did not take the opaque
      VirError err = CaptureError("cannot register domain events");
      DeregisterAllLocked(conn, *sink);
      throw Failure{err};
    }
    opaque.release();
    sink->domainIds.push_back(id);
  }

  // Best effort from here on.
  {
    auto opaque = std::make_unique<SinkRef>(sink);
    int id = virConnectNetworkEventRegisterAny(conn, nullptr, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                               VIR_NETWORK_EVENT_CALLBACK(OnNetworkLifecycle), opaque.get(), FreeOpaque);
    if (id >= 0) {
      opaque.release();
      sink->networkIds.push_back(id);
    }
  }
  {
    auto opaque = std::make_unique<SinkRef>(sink);
    int id = virConnectStoragePoolEventRegisterAny(conn, nullptr, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                                   VIR_STORAGE_POOL_EVENT_CALLBACK(OnPoolLifecycle), opaque.get(), FreeOpaque);
    if (id >= 0) {
      opaque.release();
      sink->poolIds.push_back(id);
    }
  }
  if (virConnectRegisterCloseCallback(conn, OnClose, sink.get(), nullptr) == 0) sink->closeRegistered = true;
  virResetLastError();
}

// ---------------------------------------------------------------- exported (JS thread)
Napi::Value Subscribe(const Napi::CallbackInfo& info) {
  Args args(info);
  Napi::Env env = info.Env();
  ConnectionRef conn = args.ConnectionAt(0);
  Napi::Function listener = args.Function(1, "listener");
  auto hold = args.SharedHold(0);  // ArgError when closed
  {
    std::lock_guard<std::mutex> lock(conn->mutex);
    if (conn->eventSink)
      throw ArgError{"events are already subscribed on this connection: call unsubscribeEvents() first"};
  }

  auto sink = std::make_shared<EventSink>();
  sink->tsfn = EventTsfn::New(
      env, listener, "vireo.events", 0, 1, new TsfnContext{sink},
      [](Napi::Env, void*, TsfnContext* ctx) {
        {
          std::lock_guard<std::mutex> lock(ctx->sink->sendMutex);
          ctx->sink->released = true;  // also at environment teardown, without a Release()
        }
        delete ctx;
      },
      static_cast<void*>(nullptr));
  {
    std::lock_guard<std::mutex> lock(conn->mutex);
    conn->eventSink = sink;  // only the JS thread sets it, so the check above still holds
  }

  return RunAsync(env, "vireo.subscribeEvents", [conn, hold, sink]() -> Value {
    try {
      RegisterAll(hold->get(), sink);
    } catch (...) {
      {
        std::lock_guard<std::mutex> lock(conn->mutex);
        if (conn->eventSink == sink) conn->eventSink.reset();
      }
      EndSubscription(nullptr, sink);  // RegisterAll already deregistered what it had
      throw;
    }
    return Value();
  });
}

Napi::Value Unsubscribe(const Napi::CallbackInfo& info) {
  Args args(info);
  ConnectionRef conn = args.ConnectionAt(0);
  SinkRef sink;
  std::shared_ptr<ConnHold> hold;
  {
    std::lock_guard<std::mutex> lock(conn->mutex);
    sink = std::static_pointer_cast<EventSink>(conn->eventSink);
    // While a close() is under way (ptr already null), its DetachEvents() deregisters: the
    // sink stays for it. Otherwise deregister here.
    if (sink && conn->ptr) {
      conn->eventSink.reset();
      virConnectRef(conn->ptr);
      hold = std::make_shared<ConnHold>(conn->ptr);
    }
  }
  if (sink) {
    // Stop deliveries and let Node exit now; deregistration (an RPC) follows on a worker.
    sink->active = false;
    sink->Release();
  }
  return RunAsync(info.Env(), "vireo.unsubscribeEvents", [sink, hold]() -> Value {
    if (sink) EndSubscription(hold ? hold->get() : nullptr, sink);
    return Value();
  });
}

}  // namespace

void DetachEvents(Connection& conn, virConnectPtr ptr) {
  SinkRef sink;
  {
    std::lock_guard<std::mutex> lock(conn.mutex);
    sink = std::static_pointer_cast<EventSink>(std::exchange(conn.eventSink, nullptr));
  }
  if (sink) EndSubscription(ptr, sink);
}

void InitEvents(Napi::Env env, Napi::Object exports) {
  VIREO_EXPORT(exports, "subscribeEvents", Subscribe);
  VIREO_EXPORT(exports, "unsubscribeEvents", Unsubscribe);
}

}  // namespace vireo
