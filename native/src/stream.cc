// Streams: the NativeStream object (consoles, volume upload/download), domain screenshots and
// graphics sockets.
//
// NativeStream design. The libvirt stream is VIR_STREAM_NONBLOCK and all of its I/O happens on
// libvirt's event-loop thread (addon.cc):
//  - JS calls (start, pause, resume, write, finish, abort) never touch libvirt: they post an
//    operation to that thread through a mailbox (one disabled libvirt timeout, enabled to run
//    the queued operations in order).
//  - virStreamEventAddCallback: READABLE -> virStreamRecv loop -> chunks to JS through a
//    thread-safe function (TSFN); WRITABLE (only requested while writes are queued) ->
//    virStreamSend of the write queue; a write's promise resolves once libvirt took all its bytes.
//  - Backpressure: pause()/resume() change the event mask; independently, reading stops while
//    more than kHighWater bytes are queued towards JS and restarts below kLowWater.
//  - The end (EOF, error, finish, abort, JS object collected) happens exactly once, on the event
//    thread: remove the callback, then a short-lived thread runs virStreamFinish/virStreamAbort
//    (round trips to the daemon; kept off the event loop), virStreamFree, reports the result and
//    releases the TSFN. Messages reach JS in order: data..., EOF or error, results, "closed".
// JS-side state (callbacks, promises) lives only on the JS thread; the object holds its
// callbacks as properties and the native side holds it weakly, so an unreferenced stream is
// collected (and aborted) even while its callbacks refer back to it.
#include <atomic>
#include <deque>
#include <map>
#include <thread>

#include "common.h"

namespace vireo {

namespace {

constexpr size_t kReadBuffer = 256 * 1024;
constexpr size_t kSendChunk = 128 * 1024;
constexpr size_t kHighWater = 4 * 1024 * 1024;  // bytes delivered to the TSFN but not yet to JS
constexpr size_t kLowWater = 1 * 1024 * 1024;
constexpr size_t kBudgetPerDispatch = 2 * 1024 * 1024;  // then let other event sources run

VirError MakeError(int code, std::string message) {
  VirError e;
  e.code = code;
  e.domain = VIR_FROM_STREAMS;
  e.message = std::move(message);
  return e;
}
VirError ClosedError() { return MakeError(VIR_ERR_OPERATION_INVALID, "the stream is closed"); }
VirError AbortedError() { return MakeError(VIR_ERR_OPERATION_ABORTED, "the stream was aborted"); }

// ---------------------------------------------------------------- mailbox: run on the event loop
class Mailbox {
 public:
  // Any thread. Operations run on libvirt's event-loop thread, in the order posted.
  static void Post(std::function<void()> fn) {
    Mailbox& box = Get();
    {
      std::lock_guard<std::mutex> lock(box.mutex_);
      box.queue_.push_back(std::move(fn));
    }
    virEventUpdateTimeout(box.timer_, 0);
  }

 private:
  static Mailbox& Get() {
    static Mailbox* box = [] {
      auto* b = new Mailbox();  // never freed: the event loop outlives everything
      b->timer_ = virEventAddTimeout(-1, OnTimer, b, nullptr);
      return b;
    }();
    return *box;
  }
  static void OnTimer(int timer, void* opaque) {
    auto* box = static_cast<Mailbox*>(opaque);
    virEventUpdateTimeout(timer, -1);  // before draining: a later Post re-enables it
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard<std::mutex> lock(box->mutex_);
      batch.swap(box->queue_);
    }
    for (auto& fn : batch) {
      try {
        fn();
      } catch (...) {
      }
    }
  }
  std::mutex mutex_;
  std::vector<std::function<void()>> queue_;
  int timer_ = -1;
};

// ---------------------------------------------------------------- shared state
enum class CloseReason { None, Eof, Finished, Error, Aborted };

// What a write()/finish()/abort() settles with once the stream is closed (nullopt: resolve).
enum class Op { Write, Finish, Abort };
std::optional<VirError> OutcomeAfterClose(Op op, CloseReason reason, const std::optional<VirError>& error) {
  if (op == Op::Abort) return std::nullopt;
  if (op == Op::Finish && (reason == CloseReason::Eof || reason == CloseReason::Finished)) return std::nullopt;
  if (reason == CloseReason::Aborted) return AbortedError();
  if (reason == CloseReason::Error && error) return error;
  return ClosedError();
}

struct Msg {
  enum Kind { Data, Eof, Error, Resolve, Reject, Closed } kind;
  Bytes bytes;
  VirError error;
  uint64_t id = 0;
  CloseReason reason = CloseReason::None;
};

struct Core;
struct JsSide;
struct TsfnContext {
  std::shared_ptr<Core> core;
  std::shared_ptr<JsSide> js;
};
void Deliver(Napi::Env env, Napi::Function, TsfnContext* ctx, Msg* msg);
using StreamTsfn = Napi::TypedThreadSafeFunction<TsfnContext, Msg, Deliver>;

struct PendingWrite {
  Bytes data;
  size_t offset = 0;
  uint64_t id = 0;
};

// Event-thread state, plus the thread-safe parts used from the JS and closer threads.
struct Core {
  explicit Core(virStreamPtr s) : st(s) {}
  ~Core() {
    // Only when the stream never got a JS object (creation failed half-way).
    if (st) std::thread([s = st] {
        virStreamAbort(s);
        virStreamFree(s);
      }).detach();
  }

  // ---- event-loop thread only
  virStreamPtr st;
  bool callbackAdded = false;
  int mask = 0;
  bool started = false, paused = false, closed = false, finishRequested = false;
  CloseReason reason = CloseReason::None;  // why it closed
  std::optional<VirError> error;            // what it failed with
  uint64_t finishId = 0;
  std::deque<PendingWrite> writes;

  // ---- any thread
  std::atomic<size_t> inflight{0};  // bytes sent to JS, not yet delivered
  std::atomic<bool> readBlocked{false};

  std::mutex sendMutex;
  bool sendClosed = false;  // TSFN released or finalized
  StreamTsfn tsfn;

  bool Send(Msg* msg) {
    std::unique_ptr<Msg> owned(msg);
    std::lock_guard<std::mutex> lock(sendMutex);
    if (sendClosed || tsfn.NonBlockingCall(owned.get()) != napi_ok) return false;
    owned.release();
    return true;
  }
  void Send(Msg::Kind kind, uint64_t id = 0) { Send(new Msg{kind, {}, {}, id}); }
  void SendError(Msg::Kind kind, const VirError& error, uint64_t id = 0) { Send(new Msg{kind, {}, error, id}); }
  // Settles operation `id` on a closed stream.
  void SettleClosed(Op op, uint64_t id) {
    auto outcome = OutcomeAfterClose(op, reason, error);
    if (outcome)
      SendError(Msg::Reject, *outcome, id);
    else
      Send(Msg::Resolve, id);
  }
  void ReleaseTsfn() {
    std::lock_guard<std::mutex> lock(sendMutex);
    if (sendClosed) return;
    sendClosed = true;
    tsfn.Release();
  }
};
using CoreRef = std::shared_ptr<Core>;

// JS-thread state.
struct JsSide {
  Napi::ObjectReference self;  // weak
  StreamTsfn tsfn;
  bool tsfnAlive = true, refd = false;
  bool started = false, closed = false, eof = false;
  std::optional<VirError> error;  // the stream failed with this
  CloseReason reason = CloseReason::None;
  uint64_t nextId = 1;
  struct Pending {
    Napi::Promise::Deferred deferred;
    Op op;
  };
  std::map<uint64_t, Pending> pending;

  // The TSFN keeps Node alive while the stream is open and read from, or while a promise
  // of it is pending.
  void UpdateRef(Napi::Env env) {
    if (!tsfnAlive) return;
    bool want = !closed && (started || !pending.empty());
    if (want == refd) return;
    refd = want;
    if (want)
      tsfn.Ref(env);
    else
      tsfn.Unref(env);
  }
  void Settle(Napi::Env env, uint64_t id, const VirError* error) {
    auto it = pending.find(id);
    if (it == pending.end()) return;
    auto deferred = it->second.deferred;
    pending.erase(it);
    UpdateRef(env);
    if (error)
      deferred.Reject(MakeJsError(env, *error).Value());
    else
      deferred.Resolve(env.Undefined());
  }
  // A promise for `op` on a stream JS knows is closed, settled now.
  Napi::Promise SettledAfterClose(Napi::Env env, Op op) {
    auto deferred = Napi::Promise::Deferred::New(env);
    auto outcome = OutcomeAfterClose(op, eof && reason == CloseReason::None ? CloseReason::Eof : reason, error);
    if (outcome)
      deferred.Reject(MakeJsError(env, *outcome).Value());
    else
      deferred.Resolve(env.Undefined());
    return deferred.Promise();
  }
  Napi::Function Callback(const char* name) {
    Napi::Object obj = self.Value();
    if (obj.IsEmpty()) return Napi::Function();
    Napi::Value fn = obj.Get(name);
    return fn.IsFunction() ? fn.As<Napi::Function>() : Napi::Function();
  }
};
using JsRef = std::shared_ptr<JsSide>;

// ---------------------------------------------------------------- event-loop thread
void Close(const CoreRef& core, CloseReason reason, uint64_t resultId, const VirError* cause = nullptr);

void Fail(const CoreRef& core, const VirError& error) {
  if (core->closed) return;
  core->error = error;
  core->SendError(Msg::Error, error);
  Close(core, CloseReason::Error, 0, &error);
}

void OnStreamEvent(virStreamPtr, int events, void* opaque);
void FreeOpaque(void* opaque) { delete static_cast<CoreRef*>(opaque); }

void UpdateMask(const CoreRef& core) {
  if (core->closed) return;
  int mask = 0;
  if (core->started && !core->paused && !core->readBlocked.load()) mask |= VIR_STREAM_EVENT_READABLE;
  if (!core->writes.empty()) mask |= VIR_STREAM_EVENT_WRITABLE;
  if (!core->callbackAdded) {
    if (mask == 0) return;
    auto opaque = std::make_unique<CoreRef>(core);
    if (virStreamEventAddCallback(core->st, mask, OnStreamEvent, opaque.get(), FreeOpaque) < 0)
      return Fail(core, CaptureError("cannot watch the stream"));
    opaque.release();
    core->callbackAdded = true;
    core->mask = mask;
    return;
  }
  if (mask == core->mask) return;
  if (virStreamEventUpdateCallback(core->st, mask) < 0) return Fail(core, CaptureError("cannot watch the stream"));
  core->mask = mask;
}

void ReadSome(const CoreRef& core) {
  static std::vector<char> buffer(kReadBuffer);  // event-loop thread only
  size_t budget = kBudgetPerDispatch;
  while (!core->closed && core->started && !core->paused && budget > 0) {
    if (core->readBlocked.load()) {
      // Re-check after blocking: JS may have drained everything in between.
      if (core->inflight.load() < kLowWater && core->readBlocked.exchange(false)) continue;
      break;
    }
    int n = virStreamRecv(core->st, buffer.data(), buffer.size());
    if (n == -2) break;
    if (n < 0) return Fail(core, CaptureError("cannot read from the stream"));
    if (n == 0) {
      core->Send(Msg::Eof);
      return Close(core, CloseReason::Eof, 0);
    }
    size_t len = static_cast<size_t>(n);
    core->inflight += len;
    core->Send(new Msg{Msg::Data, Bytes(buffer.begin(), buffer.begin() + n), {}, 0});
    if (core->inflight.load() >= kHighWater) core->readBlocked = true;
    budget = len >= budget ? 0 : budget - len;
  }
  UpdateMask(core);
}

void FlushWrites(const CoreRef& core) {
  size_t budget = kBudgetPerDispatch;
  while (!core->closed && !core->writes.empty() && budget > 0) {
    PendingWrite& w = core->writes.front();
    size_t len = std::min(kSendChunk, w.data.size() - w.offset);
    int n = virStreamSend(core->st, reinterpret_cast<const char*>(w.data.data() + w.offset), len);
    if (n == -2) break;  // EAGAIN: wait for WRITABLE
    if (n < 0) {
      VirError error = CaptureError("cannot write to the stream");
      core->SendError(Msg::Reject, error, w.id);
      core->writes.pop_front();
      return Fail(core, error);
    }
    w.offset += static_cast<size_t>(n);
    budget = static_cast<size_t>(n) >= budget ? 0 : budget - static_cast<size_t>(n);
    if (w.offset >= w.data.size()) {
      core->Send(Msg::Resolve, w.id);
      core->writes.pop_front();
    }
  }
  if (core->closed) return;
  if (core->writes.empty() && core->finishRequested) return Close(core, CloseReason::Finished, core->finishId);
  UpdateMask(core);
}

void OnStreamEvent(virStreamPtr, int events, void* opaque) {
  CoreRef core = *static_cast<CoreRef*>(opaque);
  if (core->closed) return;
  if (events & VIR_STREAM_EVENT_WRITABLE) FlushWrites(core);
  if (core->closed) return;
  if (events & VIR_STREAM_EVENT_READABLE) {
    ReadSome(core);
  } else if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP)) {
    // fd-backed streams: a read reports the error or EOF; without a reader, fail the stream.
    if (core->started && !core->paused)
      ReadSome(core);
    else
      Fail(core, MakeError(VIR_ERR_INTERNAL_ERROR, events & VIR_STREAM_EVENT_ERROR ? "stream error" : "stream hung up"));
  }
}

// Ends the stream exactly once. resultId: the finish()/abort() promise to settle with the
// result; cause: the error that ends it (pending writes reject with it).
void Close(const CoreRef& core, CloseReason reason, uint64_t resultId, const VirError* cause) {
  if (core->closed) return;
  core->closed = true;
  core->reason = reason;
  VirError leftover = cause ? *cause
                      : reason == CloseReason::Aborted
                          ? AbortedError()
                          : MakeError(VIR_ERR_OPERATION_INVALID, "the stream ended before this write was sent");
  for (auto& w : core->writes) core->SendError(Msg::Reject, leftover, w.id);
  core->writes.clear();
  // finish() requested, then the peer ended the stream: finish settles with virStreamFinish.
  if (core->finishRequested && reason == CloseReason::Eof && resultId == 0) resultId = core->finishId;
  if (core->finishRequested && core->finishId != resultId) core->SendError(Msg::Reject, leftover, core->finishId);
  if (core->callbackAdded) {
    virStreamEventRemoveCallback(core->st);
    core->callbackAdded = false;
  }
  virResetLastError();
  virStreamPtr st = std::exchange(core->st, nullptr);
  auto finalize = [core, st, reason, resultId] {
    bool finish = reason == CloseReason::Eof || reason == CloseReason::Finished;
    CloseReason outcome = reason;
    if (finish) {
      if (virStreamFinish(st) < 0) {
        VirError error = CaptureError("cannot finish the stream");
        if (resultId)
          core->SendError(Msg::Reject, error, resultId);
        else
          core->SendError(Msg::Error, error);  // after EOF: the end was not clean after all
        outcome = CloseReason::Error;
      } else if (resultId) {
        core->Send(Msg::Resolve, resultId);
      }
    } else {
      virStreamAbort(st);  // after an error libvirt may refuse; the stream is gone either way
      virResetLastError();
      if (resultId) core->Send(Msg::Resolve, resultId);
    }
    virStreamFree(st);
    core->Send(new Msg{Msg::Closed, {}, {}, 0, outcome});
    core->ReleaseTsfn();
  };
  try {
    std::thread(finalize).detach();
  } catch (const std::system_error&) {
    finalize();  // no thread to spare: block the event loop for one round trip instead
  }
}

// ---------------------------------------------------------------- JS thread
void DeliverMsg(Napi::Env env, TsfnContext* ctx, Msg* msg);

void Deliver(Napi::Env env, Napi::Function, TsfnContext* ctx, Msg* raw) {
  std::unique_ptr<Msg> msg(raw);
  if (env == nullptr || !ctx) return;
  try {
    DeliverMsg(env, ctx, msg.get());
  } catch (const Napi::Error& e) {
    // A throwing onData/onError is an uncaught exception ('uncaughtException').
    napi_fatal_exception(env, e.Value());
  }
}

void DeliverMsg(Napi::Env env, TsfnContext* ctx, Msg* msg) {
  JsSide& js = *ctx->js;
  switch (msg->kind) {
    case Msg::Data: {
      CoreRef core = ctx->core;
      core->inflight -= msg->bytes.size();
      if (core->readBlocked.load() && core->inflight.load() < kLowWater && core->readBlocked.exchange(false))
        Mailbox::Post([core] { ReadSome(core); });
      Napi::Function onData = js.Callback("__vireoOnData");
      if (!onData.IsEmpty() && !js.closed)
        onData.Call({Napi::Buffer<uint8_t>::Copy(env, msg->bytes.data(), msg->bytes.size())});
      break;
    }
    case Msg::Eof: {
      js.eof = true;
      Napi::Function onData = js.Callback("__vireoOnData");
      if (!onData.IsEmpty()) onData.Call({env.Null()});
      break;
    }
    case Msg::Error: {
      js.error = msg->error;
      Napi::Function onError = js.Callback("__vireoOnError");
      if (!onError.IsEmpty()) onError.Call({MakeJsError(env, msg->error).Value()});
      break;
    }
    case Msg::Resolve: js.Settle(env, msg->id, nullptr); break;
    case Msg::Reject: js.Settle(env, msg->id, &msg->error); break;
    case Msg::Closed:
      js.closed = true;
      js.reason = msg->reason;
      js.UpdateRef(env);
      break;
  }
}

void FinalizeTsfn(Napi::Env env, void*, TsfnContext* ctx) {
  std::unique_ptr<TsfnContext> owned(ctx);
  {
    std::lock_guard<std::mutex> lock(ctx->core->sendMutex);
    ctx->core->sendClosed = true;  // also at environment teardown, without a Release()
  }
  JsSide& js = *ctx->js;
  js.tsfnAlive = false;
  js.closed = true;
  // Operations posted after the end, whose results could no longer be sent.
  auto pending = std::move(js.pending);
  js.pending.clear();
  for (auto& [id, p] : pending) {
    try {
      auto outcome = OutcomeAfterClose(p.op, js.reason, js.error);
      if (outcome)
        p.deferred.Reject(MakeJsError(env, *outcome).Value());
      else
        p.deferred.Resolve(env.Undefined());
    } catch (...) {
    }
  }
}

Napi::Promise Rejected(Napi::Env env, Napi::Value error) {
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(error);
  return deferred.Promise();
}

Napi::Value InvalidArg(Napi::Env env, const std::string& message) {
  auto err = Napi::TypeError::New(env, message);
  err.Set("code", "ERR_INVALID_ARG");
  return err.Value();
}

// A promise settled by the event loop (Msg::Resolve/Reject with its id).
std::pair<uint64_t, Napi::Promise> NewPending(Napi::Env env, JsSide& js, Op op) {
  uint64_t id = js.nextId++;
  auto deferred = Napi::Promise::Deferred::New(env);
  js.pending.emplace(id, JsSide::Pending{deferred, op});
  js.UpdateRef(env);
  return {id, deferred.Promise()};
}

// writable=false for downloads: data sent into a download makes libvirtd stop serving the
// connection (observed with 9.0: the stream fails, the daemon stops reading the socket, the
// client blocks in virStreamSend and the daemon drops the connection on keepalive timeout).
Napi::Value MakeStreamObject(Napi::Env env, virStreamPtr st, bool writable) {
  auto core = std::make_shared<Core>(st);
  auto js = std::make_shared<JsSide>();
  Napi::Object obj = Napi::Object::New(env);
  core->tsfn = StreamTsfn::New(env, "vireo.stream", 0, 1, new TsfnContext{core, js}, FinalizeTsfn, static_cast<void*>(nullptr));
  js->tsfn = core->tsfn;
  js->tsfn.Unref(env);
  js->self = Napi::Weak(obj);

  auto method = [&](const char* name, std::function<Napi::Value(const Napi::CallbackInfo&)> fn) {
    obj.DefineProperty(Napi::PropertyDescriptor::Value(name, Napi::Function::New(env, std::move(fn), name), napi_enumerable));
  };

  method("start", [js, core](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsFunction() || !info[1].IsFunction()) {
      auto err = Napi::TypeError::New(env, "start(onData, onError) needs two functions");
      err.Set("code", "ERR_INVALID_ARG");
      throw err;
    }
    if (js->started) throw Napi::Error::New(env, "the stream was already started");
    Napi::Object self = js->self.Value();
    if (self.IsEmpty()) return env.Undefined();
    js->started = true;
    self.DefineProperty(Napi::PropertyDescriptor::Value("__vireoOnData", info[0], napi_default));
    self.DefineProperty(Napi::PropertyDescriptor::Value("__vireoOnError", info[1], napi_default));
    // Ended before anyone read: report it now (an error, or EOF for a clean end).
    if (js->error) {
      info[1].As<Napi::Function>().Call({MakeJsError(env, *js->error).Value()});
      return env.Undefined();
    }
    if (js->eof || js->closed) {
      info[0].As<Napi::Function>().Call({env.Null()});
      return env.Undefined();
    }
    js->UpdateRef(env);
    Mailbox::Post([core] {
      if (core->closed) return;
      core->started = true;
      ReadSome(core);  // data may already be waiting; also registers the callback
    });
    return env.Undefined();
  });

  method("pause", [js, core](const Napi::CallbackInfo& info) -> Napi::Value {
    if (js->started && !js->closed) Mailbox::Post([core] {
        core->paused = true;
        UpdateMask(core);
      });
    return info.Env().Undefined();
  });

  method("resume", [js, core](const Napi::CallbackInfo& info) -> Napi::Value {
    if (js->started && !js->closed) Mailbox::Post([core] {
        if (core->closed || !core->paused) return;
        core->paused = false;
        ReadSome(core);
      });
    return info.Env().Undefined();
  });

  method("write", [js, core, writable](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      return Rejected(env, InvalidArg(env, "write(chunk) needs a Buffer or Uint8Array"));
    if (!writable)
      return Rejected(env, MakeJsError(env, MakeError(VIR_ERR_OPERATION_INVALID, "this stream is read-only (volDownload)")).Value());
    if (js->closed) return js->SettledAfterClose(env, Op::Write);
    auto chunk = info[0].As<Napi::Uint8Array>();
    Bytes data(chunk.Data(), chunk.Data() + chunk.ElementLength());
    auto [id, promise] = NewPending(env, *js, Op::Write);
    Mailbox::Post([core, id = id, data = std::move(data)]() mutable {
      if (core->closed) return core->SettleClosed(Op::Write, id);
      if (core->finishRequested)
        return core->SendError(Msg::Reject, MakeError(VIR_ERR_OPERATION_INVALID, "write after finish()"), id);
      if (data.empty()) return core->Send(Msg::Resolve, id);
      core->writes.push_back(PendingWrite{std::move(data), 0, id});
      if (core->writes.size() == 1) FlushWrites(core);  // try now; WRITABLE picks up the rest
    });
    return promise;
  });

  method("finish", [js, core, writable](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    if (js->closed || js->eof) return js->SettledAfterClose(env, Op::Finish);
    if (!writable)  // a download finishes by itself at EOF
      return Rejected(env, MakeJsError(env, MakeError(VIR_ERR_OPERATION_INVALID, "finish() ends uploads: a download ends at EOF, abort() stops it")).Value());
    auto [id, promise] = NewPending(env, *js, Op::Finish);
    Mailbox::Post([core, id = id] {
      if (core->closed) return core->SettleClosed(Op::Finish, id);
      if (core->finishRequested)
        return core->SendError(Msg::Reject, MakeError(VIR_ERR_OPERATION_INVALID, "finish() was already called"), id);
      core->finishRequested = true;
      core->finishId = id;
      if (core->writes.empty()) Close(core, CloseReason::Finished, id);
    });
    return promise;
  });

  method("abort", [js, core](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    if (js->closed) return js->SettledAfterClose(env, Op::Abort);
    auto [id, promise] = NewPending(env, *js, Op::Abort);
    Mailbox::Post([core, id = id] {
      if (core->closed) return core->SettleClosed(Op::Abort, id);
      Close(core, CloseReason::Aborted, id);
    });
    return promise;
  });

  // Collected without an end: abort (no-op when already closed).
  obj.AddFinalizer([](Napi::Env, CoreRef* ref) {
    CoreRef core = *ref;
    delete ref;
    Mailbox::Post([core] { Close(core, CloseReason::Aborted, 0); });
  }, new CoreRef(core));
  return obj;
}

// A freshly opened libvirt stream travelling from a worker to the JS thread.
struct OpenedStream {
  StreamPtr st;
};

Napi::Value ResolveStream(Napi::Env env, const char* name, bool writable, std::function<StreamPtr()> open) {
  return RunAsyncCustom(
      env, name, [open = std::move(open)]() -> std::shared_ptr<void> { return std::make_shared<OpenedStream>(OpenedStream{open()}); },
      [writable](Napi::Env env, std::shared_ptr<void> result) -> Napi::Value {
        auto opened = std::static_pointer_cast<OpenedStream>(result);
        return MakeStreamObject(env, opened->st.release(), writable);
      });
}

StreamPtr NewStream(virConnectPtr conn, unsigned int flags) {
  StreamPtr st(virStreamNew(conn, flags));
  if (!st) ThrowLastError("cannot create a stream");
  return st;
}

// Aborts a stream a failed call left half-open, then frees it (StreamPtr).
void AbortQuietly(virStreamPtr st) {
  virStreamAbort(st);
  virResetLastError();
}

// ---------------------------------------------------------------- exported
Napi::Value DomainOpenConsole(const Napi::CallbackInfo& info) {
  Args args(info);
  auto hold = args.SharedHold(0);
  std::string key = args.String(1, "key");
  auto devName = args.OptString(2, "devName");
  auto opts = args.Opts(3);
  unsigned int flags = opts.Flag("force", VIR_DOMAIN_CONSOLE_FORCE) | opts.Flag("safe", VIR_DOMAIN_CONSOLE_SAFE);
  return ResolveStream(info.Env(), "vireo.domainOpenConsole", true, [=]() {
    auto dom = LookupDomain(hold->get(), key);
    auto st = NewStream(hold->get(), VIR_STREAM_NONBLOCK);
    if (virDomainOpenConsole(dom.get(), devName ? devName->c_str() : nullptr, st.get(), flags) < 0)
      ThrowLastError("cannot open the console");
    return st;
  });
}

Napi::Value VolTransfer(const Napi::CallbackInfo& info, bool upload) {
  Args args(info);
  auto hold = args.SharedHold(0);
  std::string key = args.String(1, "vol");
  uint64_t offset = args.Uint(2, "offset");
  uint64_t length = args.Uint(3, "length");
  return ResolveStream(info.Env(), upload ? "vireo.volUpload" : "vireo.volDownload", upload, [=]() {
    auto vol = LookupVolume(hold->get(), key);
    auto st = NewStream(hold->get(), VIR_STREAM_NONBLOCK);
    int rc = upload ? virStorageVolUpload(vol.get(), st.get(), offset, length, 0)
                    : virStorageVolDownload(vol.get(), st.get(), offset, length, 0);
    if (rc < 0) ThrowLastError(upload ? "cannot upload to the volume" : "cannot download the volume");
    return st;
  });
}
Napi::Value VolUpload(const Napi::CallbackInfo& info) { return VolTransfer(info, true); }
Napi::Value VolDownload(const Napi::CallbackInfo& info) { return VolTransfer(info, false); }

Napi::Value DomainScreenshot(const Napi::CallbackInfo& info) {
  Args args(info);
  auto hold = args.SharedHold(0);
  std::string key = args.String(1, "key");
  auto screen = static_cast<unsigned int>(args.Uint(2, "screen", UINT32_MAX));
  return RunAsync(info.Env(), "vireo.domainScreenshot", [=]() -> Value {
    constexpr size_t kMaxImage = 256 * 1024 * 1024;
    auto dom = LookupDomain(hold->get(), key);
    auto st = NewStream(hold->get(), 0);  // blocking: read on this worker
    char* mime = virDomainScreenshot(dom.get(), st.get(), screen, 0);
    if (!mime) ThrowLastError("cannot take a screenshot");
    Value mimeType = TakeString(mime);
    Bytes data;
    std::vector<char> buffer(256 * 1024);
    for (;;) {
      int n = virStreamRecv(st.get(), buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0) {
        VirError err = CaptureError("cannot read the screenshot");
        AbortQuietly(st.get());
        throw Failure{err};
      }
      if (data.size() + static_cast<size_t>(n) > kMaxImage) {
        AbortQuietly(st.get());
        ThrowError(VIR_ERR_INTERNAL_ERROR, "the screenshot is larger than 256 MiB");
      }
      data.insert(data.end(), buffer.begin(), buffer.begin() + n);
    }
    if (virStreamFinish(st.get()) < 0) ThrowLastError("cannot finish reading the screenshot");
    Object o;
    o.Set("mimeType", std::move(mimeType));
    o.Set("data", std::move(data));
    return o;
  });
}

Napi::Value DomainOpenGraphicsFD(const Napi::CallbackInfo& info) {
  Args args(info);
  auto hold = args.SharedHold(0);
  std::string key = args.String(1, "key");
  auto idx = static_cast<unsigned int>(args.Uint(2, "idx", UINT32_MAX));
  unsigned int flags = args.Opts(3).Flag("skipAuth", VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
  return RunAsync(info.Env(), "vireo.domainOpenGraphicsFD", [=]() -> Value {
    auto dom = LookupDomain(hold->get(), key);
    int fd = virDomainOpenGraphicsFD(dom.get(), idx, flags);
    if (fd < 0) ThrowLastError("cannot open the graphics socket");
    return Value(fd);
  });
}

}  // namespace

void InitStream(Napi::Env env, Napi::Object exports) {
  VIREO_EXPORT(exports, "domainOpenConsole", DomainOpenConsole);
  VIREO_EXPORT(exports, "domainScreenshot", DomainScreenshot);
  VIREO_EXPORT(exports, "domainOpenGraphicsFD", DomainOpenGraphicsFD);
  VIREO_EXPORT(exports, "volUpload", VolUpload);
  VIREO_EXPORT(exports, "volDownload", VolDownload);
}

}  // namespace vireo
