// Storage pools and volumes: list, info, XML, define/build/start/destroy/undefine/delete,
// refresh, autostart; volume create, clone, delete, wipe, resize. (Volume upload and
// download are streams: stream.cc.)
#include <cstdlib>

#include "common.h"

namespace vireo {

namespace {

// Identity + state of a pool, read on the worker thread.
Object PoolInfoOf(virStoragePoolPtr pool) {
  virStoragePoolInfo info;
  if (virStoragePoolGetInfo(pool, &info) < 0) ThrowLastError("cannot read storage pool info");
  char uuid[VIR_UUID_STRING_BUFLEN] = {0};
  if (virStoragePoolGetUUIDString(pool, uuid) < 0) ThrowLastError("cannot read storage pool UUID");
  int active = virStoragePoolIsActive(pool);
  if (active < 0) ThrowLastError("cannot read whether the storage pool is active");
  int persistent = virStoragePoolIsPersistent(pool);
  if (persistent < 0) ThrowLastError("cannot read whether the storage pool is persistent");
  int autostart = 0;
  if (virStoragePoolGetAutostart(pool, &autostart) < 0) ThrowLastError("cannot read storage pool autostart");
  Object o;
  o.Set("name", virStoragePoolGetName(pool));
  o.Set("uuid", std::string(uuid));
  o.Set("active", active == 1);
  o.Set("persistent", persistent == 1);
  o.Set("autostart", autostart != 0);
  o.Set("state", info.state);
  o.Set("capacity", info.capacity);
  o.Set("allocation", info.allocation);
  o.Set("available", info.available);
  return o;
}

Object VolumeInfoOf(virStorageVolPtr vol) {
  virStorageVolInfo info;
  if (virStorageVolGetInfo(vol, &info) < 0) ThrowLastError("cannot read storage volume info");
  char* path = virStorageVolGetPath(vol);
  if (!path) ThrowLastError("cannot read storage volume path");
  Object o;
  o.Set("name", virStorageVolGetName(vol));
  o.Set("key", virStorageVolGetKey(vol));
  o.Set("path", TakeString(path));
  o.Set("type", info.type);
  o.Set("capacity", info.capacity);
  o.Set("allocation", info.allocation);
  return o;
}

Napi::Value PoolList(const Napi::CallbackInfo& info) {
  Args args(info);
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.poolList", [hold]() -> Value {
    virStoragePoolPtr* raw = nullptr;
    int n = virConnectListAllStoragePools(hold->get(), &raw, 0);
    if (n < 0) ThrowLastError("cannot list storage pools");
    auto pools = TakeList<PoolPtr>(raw, n);
    Array out;
    out.reserve(n);
    for (auto& pool : pools) {
      try {
        out.emplace_back(PoolInfoOf(pool.get()));
      } catch (const Failure& f) {
        // A transient pool that went away between the list and the info: not an error.
        if (f.error.code != VIR_ERR_NO_STORAGE_POOL) throw;
      }
    }
    return out;
  });
}

Napi::Value PoolGetInfo(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string key = args.String(1, "pool");
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.poolGetInfo", [hold, key]() -> Value {
    PoolPtr pool = LookupPool(hold->get(), key);
    return PoolInfoOf(pool.get());
  });
}

Napi::Value PoolGetXML(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string key = args.String(1, "pool");
  unsigned int flags = args.Opts(2).Flag("inactive", VIR_STORAGE_XML_INACTIVE);
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.poolGetXML", [hold, key, flags]() -> Value {
    PoolPtr pool = LookupPool(hold->get(), key);
    char* xml = virStoragePoolGetXMLDesc(pool.get(), flags);
    if (!xml) ThrowLastError("cannot read storage pool XML");
    return TakeString(xml);
  });
}

Napi::Value PoolDefine(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string xml = args.String(1, "xml");
  unsigned int flags = args.Opts(2).Flag("validate", VIR_STORAGE_POOL_DEFINE_VALIDATE);
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.poolDefine", [hold, xml, flags]() -> Value {
    PoolPtr pool(virStoragePoolDefineXML(hold->get(), xml.c_str(), flags));
    if (!pool) ThrowLastError("cannot define storage pool");
    char uuid[VIR_UUID_STRING_BUFLEN] = {0};
    if (virStoragePoolGetUUIDString(pool.get(), uuid) < 0) ThrowLastError("cannot read storage pool UUID");
    Object o;
    o.Set("name", virStoragePoolGetName(pool.get()));
    o.Set("uuid", std::string(uuid));
    return o;
  });
}

// pool(conn, key[, ...]) -> void, where the libvirt call is a plain function of the pool.
Napi::Value PoolAction(const Napi::CallbackInfo& info, const char* name, const char* failure, unsigned int flags,
                       int (*action)(virStoragePoolPtr, unsigned int)) {
  Args args(info);
  std::string key = args.String(1, "pool");
  auto hold = args.SharedHold(0);
  std::string what = failure;
  return RunAsyncVoid(info.Env(), name, [hold, key, flags, action, what]() {
    PoolPtr pool = LookupPool(hold->get(), key);
    if (action(pool.get(), flags) < 0) ThrowLastError((what + ": " + key).c_str());
  });
}

Napi::Value PoolBuild(const Napi::CallbackInfo& info) {
  auto opts = Args(info).Opts(2);
  unsigned int flags = opts.Flag("noOverwrite", VIR_STORAGE_POOL_BUILD_NO_OVERWRITE) |
                       opts.Flag("overwrite", VIR_STORAGE_POOL_BUILD_OVERWRITE);
  return PoolAction(info, "vireo.poolBuild", "cannot build storage pool", flags, virStoragePoolBuild);
}

Napi::Value PoolStart(const Napi::CallbackInfo& info) {
  return PoolAction(info, "vireo.poolStart", "cannot start storage pool", 0, virStoragePoolCreate);
}

Napi::Value PoolDestroy(const Napi::CallbackInfo& info) {
  return PoolAction(info, "vireo.poolDestroy", "cannot destroy storage pool", 0,
                    [](virStoragePoolPtr p, unsigned int) { return virStoragePoolDestroy(p); });
}

Napi::Value PoolUndefine(const Napi::CallbackInfo& info) {
  return PoolAction(info, "vireo.poolUndefine", "cannot undefine storage pool", 0,
                    [](virStoragePoolPtr p, unsigned int) { return virStoragePoolUndefine(p); });
}

Napi::Value PoolDelete(const Napi::CallbackInfo& info) {
  return PoolAction(info, "vireo.poolDelete", "cannot delete storage pool", VIR_STORAGE_POOL_DELETE_NORMAL,
                    virStoragePoolDelete);
}

Napi::Value PoolRefresh(const Napi::CallbackInfo& info) {
  return PoolAction(info, "vireo.poolRefresh", "cannot refresh storage pool", 0, virStoragePoolRefresh);
}

Napi::Value PoolSetAutostart(const Napi::CallbackInfo& info) {
  bool autostart = Args(info).Bool(2, "autostart");
  return PoolAction(info, "vireo.poolSetAutostart", "cannot set storage pool autostart", autostart ? 1 : 0,
                    [](virStoragePoolPtr p, unsigned int on) { return virStoragePoolSetAutostart(p, static_cast<int>(on)); });
}

Napi::Value VolList(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string key = args.String(1, "pool");
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.volList", [hold, key]() -> Value {
    PoolPtr pool = LookupPool(hold->get(), key);
    virStorageVolPtr* raw = nullptr;
    int n = virStoragePoolListAllVolumes(pool.get(), &raw, 0);
    if (n < 0) ThrowLastError(("cannot list the volumes of storage pool " + key).c_str());
    auto vols = TakeList<VolumePtr>(raw, n);
    Array out;
    out.reserve(n);
    for (auto& vol : vols) {
      try {
        out.emplace_back(VolumeInfoOf(vol.get()));
      } catch (const Failure& f) {
        // Deleted between the list and the info: not an error.
        if (f.error.code != VIR_ERR_NO_STORAGE_VOL) throw;
      }
    }
    return out;
  });
}

Napi::Value VolGetInfo(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string key = args.String(1, "vol");
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.volGetInfo", [hold, key]() -> Value {
    VolumePtr vol = LookupVolume(hold->get(), key);
    return VolumeInfoOf(vol.get());
  });
}

Napi::Value VolGetXML(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string key = args.String(1, "vol");
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.volGetXML", [hold, key]() -> Value {
    VolumePtr vol = LookupVolume(hold->get(), key);
    char* xml = virStorageVolGetXMLDesc(vol.get(), 0);
    if (!xml) ThrowLastError("cannot read storage volume XML");
    return TakeString(xml);
  });
}

Napi::Value VolCreate(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string poolKey = args.String(1, "pool");
  std::string xml = args.String(2, "xml");
  auto opts = args.Opts(3);
  unsigned int flags = opts.Flag("preallocMetadata", VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) |
                       opts.Flag("validate", VIR_STORAGE_VOL_CREATE_VALIDATE);
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.volCreate", [hold, poolKey, xml, flags]() -> Value {
    PoolPtr pool = LookupPool(hold->get(), poolKey);
    VolumePtr vol(virStorageVolCreateXML(pool.get(), xml.c_str(), flags));
    if (!vol) ThrowLastError(("cannot create a volume in storage pool " + poolKey).c_str());
    return VolumeInfoOf(vol.get());
  });
}

Napi::Value VolCreateFrom(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string poolKey = args.String(1, "pool");
  std::string xml = args.String(2, "xml");
  std::string sourceKey = args.String(3, "source");
  unsigned int flags = args.Opts(4).Flag("preallocMetadata", VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA);
  auto hold = args.SharedHold(0);
  return RunAsync(info.Env(), "vireo.volCreateFrom", [hold, poolKey, xml, sourceKey, flags]() -> Value {
    PoolPtr pool = LookupPool(hold->get(), poolKey);
    VolumePtr source = LookupVolume(hold->get(), sourceKey);
    VolumePtr vol(virStorageVolCreateXMLFrom(pool.get(), xml.c_str(), source.get(), flags));
    if (!vol) ThrowLastError(("cannot clone storage volume " + sourceKey).c_str());
    return VolumeInfoOf(vol.get());
  });
}

// vol(conn, key[, ...]) -> void.
Napi::Value VolAction(const Napi::CallbackInfo& info, const char* name, const char* failure,
                      unsigned long long arg, unsigned int flags,
                      int (*action)(virStorageVolPtr, unsigned long long, unsigned int)) {
  Args args(info);
  std::string key = args.String(1, "vol");
  auto hold = args.SharedHold(0);
  std::string what = failure;
  return RunAsyncVoid(info.Env(), name, [hold, key, arg, flags, action, what]() {
    VolumePtr vol = LookupVolume(hold->get(), key);
    if (action(vol.get(), arg, flags) < 0) ThrowLastError((what + ": " + key).c_str());
  });
}

Napi::Value VolDelete(const Napi::CallbackInfo& info) {
  return VolAction(info, "vireo.volDelete", "cannot delete storage volume", 0, VIR_STORAGE_VOL_DELETE_NORMAL,
                   [](virStorageVolPtr v, unsigned long long, unsigned int f) { return virStorageVolDelete(v, f); });
}

Napi::Value VolWipe(const Napi::CallbackInfo& info) {
  return VolAction(info, "vireo.volWipe", "cannot wipe storage volume", 0, 0,
                   [](virStorageVolPtr v, unsigned long long, unsigned int f) { return virStorageVolWipe(v, f); });
}

Napi::Value VolResize(const Napi::CallbackInfo& info) {
  Args args(info);
  uint64_t capacity = args.Uint(2, "capacityBytes");
  auto opts = args.Opts(3);
  unsigned int flags = opts.Flag("allocate", VIR_STORAGE_VOL_RESIZE_ALLOCATE) | opts.Flag("delta", VIR_STORAGE_VOL_RESIZE_DELTA) |
                       opts.Flag("shrink", VIR_STORAGE_VOL_RESIZE_SHRINK);
  return VolAction(info, "vireo.volResize", "cannot resize storage volume", capacity, flags, virStorageVolResize);
}

}  // namespace

void InitStorage(Napi::Env env, Napi::Object exports) {
  VIREO_EXPORT(exports, "poolList", PoolList);
  VIREO_EXPORT(exports, "poolGetInfo", PoolGetInfo);
  VIREO_EXPORT(exports, "poolGetXML", PoolGetXML);
  VIREO_EXPORT(exports, "poolDefine", PoolDefine);
  VIREO_EXPORT(exports, "poolBuild", PoolBuild);
  VIREO_EXPORT(exports, "poolStart", PoolStart);
  VIREO_EXPORT(exports, "poolDestroy", PoolDestroy);
  VIREO_EXPORT(exports, "poolUndefine", PoolUndefine);
  VIREO_EXPORT(exports, "poolDelete", PoolDelete);
  VIREO_EXPORT(exports, "poolRefresh", PoolRefresh);
  VIREO_EXPORT(exports, "poolSetAutostart", PoolSetAutostart);
  VIREO_EXPORT(exports, "volList", VolList);
  VIREO_EXPORT(exports, "volGetInfo", VolGetInfo);
  VIREO_EXPORT(exports, "volGetXML", VolGetXML);
  VIREO_EXPORT(exports, "volCreate", VolCreate);
  VIREO_EXPORT(exports, "volCreateFrom", VolCreateFrom);
  VIREO_EXPORT(exports, "volDelete", VolDelete);
  VIREO_EXPORT(exports, "volWipe", VolWipe);
  VIREO_EXPORT(exports, "volResize", VolResize);
}

}  // namespace vireo
