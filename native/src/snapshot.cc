// Domain snapshots: list (with parent and current flag), create, XML, current, revert,
// delete. Snapshots cross the boundary by name, never as pointers.
#include <cstdlib>

#include "common.h"

namespace vireo {

namespace {

SnapshotPtr LookupSnapshot(virDomainPtr dom, const std::string& name) {
  SnapshotPtr snap(virDomainSnapshotLookupByName(dom, name.c_str(), 0));
  if (!snap) ThrowLastError(("snapshot not found: " + name).c_str());
  return snap;
}

// {name, parent, current} of one snapshot.
Object SnapshotInfoOf(virDomainSnapshotPtr snap) {
  Object o;
  o.Set("name", virDomainSnapshotGetName(snap));
  SnapshotPtr parent(virDomainSnapshotGetParent(snap, 0));
  if (parent) {
    o.Set("parent", virDomainSnapshotGetName(parent.get()));
  } else {
    VirError err = CaptureError("cannot read the parent snapshot");
    if (err.code != VIR_ERR_NO_DOMAIN_SNAPSHOT) throw Failure{err};  // a root snapshot has no parent
    o.Set("parent", Value());
  }
  int current = virDomainSnapshotIsCurrent(snap, 0);
  Check(current, "cannot read whether the snapshot is current");
  o.Set("current", current == 1);
  return o;
}

Napi::Value SnapshotList(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.snapshotList", hold, key, [](virDomainPtr dom) -> Value {
    virDomainSnapshotPtr* raw = nullptr;
    // Topological: every parent comes before its children.
    int n = virDomainListAllSnapshots(dom, &raw, VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL);
    if (n < 0) ThrowLastError("cannot list snapshots");
    auto snaps = TakeList<SnapshotPtr>(raw, n);
    Array out;
    out.reserve(n);
    for (auto& snap : snaps) out.emplace_back(SnapshotInfoOf(snap.get()));
    return out;
  });
}

Napi::Value SnapshotCreate(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto xml = args.NonEmptyString(2, "xml");
  auto opts = args.Opts(3);
  unsigned int flags = opts.Flag("diskOnly", VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY) | opts.Flag("atomic", VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC) |
                       opts.Flag("quiesce", VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE) | opts.Flag("live", VIR_DOMAIN_SNAPSHOT_CREATE_LIVE) |
                       opts.Flag("validate", VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE) |
                       opts.Flag("redefine", VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE) |
                       opts.Flag("noMetadata", VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA) |
                       opts.Flag("halt", VIR_DOMAIN_SNAPSHOT_CREATE_HALT);
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.snapshotCreate", hold, key, [xml, flags](virDomainPtr dom) -> Value {
    SnapshotPtr snap(virDomainSnapshotCreateXML(dom, xml.c_str(), flags));
    if (!snap) ThrowLastError("cannot create snapshot");
    return virDomainSnapshotGetName(snap.get());
  });
}

Napi::Value SnapshotGetXML(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto name = args.NonEmptyString(2, "name");
  auto opts = args.Opts(3);
  unsigned int flags = opts.Flag("secure", VIR_DOMAIN_SNAPSHOT_XML_SECURE);
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.snapshotGetXML", hold, key, [name, flags](virDomainPtr dom) -> Value {
    SnapshotPtr snap = LookupSnapshot(dom, name);
    char* xml = virDomainSnapshotGetXMLDesc(snap.get(), flags);
    if (!xml) ThrowLastError("cannot read snapshot XML");
    return TakeString(xml);
  });
}

Napi::Value SnapshotCurrent(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto hold = args.SharedHold(0);
  return OnDomain(info.Env(), "vireo.snapshotCurrent", hold, key, [](virDomainPtr dom) -> Value {
    SnapshotPtr snap(virDomainSnapshotCurrent(dom, 0));
    if (!snap) {
      VirError err = CaptureError("cannot read the current snapshot");
      if (err.code == VIR_ERR_NO_DOMAIN_SNAPSHOT) return Value();
      throw Failure{err};
    }
    return virDomainSnapshotGetName(snap.get());
  });
}

Napi::Value SnapshotRevert(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto name = args.NonEmptyString(2, "name");
  auto opts = args.Opts(3);
  opts.Exclusive("running", "paused");
  unsigned int flags = opts.Flag("running", VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING) | opts.Flag("paused", VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED) |
                       opts.Flag("force", VIR_DOMAIN_SNAPSHOT_REVERT_FORCE);
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.snapshotRevert", hold, key, [name, flags](virDomainPtr dom) {
    SnapshotPtr snap = LookupSnapshot(dom, name);
    Check(virDomainRevertToSnapshot(snap.get(), flags), "cannot revert to snapshot");
  });
}

Napi::Value SnapshotDelete(const Napi::CallbackInfo& info) {
  Args args(info);
  auto key = args.NonEmptyString(1, "key");
  auto name = args.NonEmptyString(2, "name");
  auto opts = args.Opts(3);
  opts.Exclusive("children", "childrenOnly");
  unsigned int flags = opts.Flag("children", VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN) |
                       opts.Flag("childrenOnly", VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY) |
                       opts.Flag("metadataOnly", VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY);
  auto hold = args.SharedHold(0);
  return OnDomainVoid(info.Env(), "vireo.snapshotDelete", hold, key, [name, flags](virDomainPtr dom) {
    SnapshotPtr snap = LookupSnapshot(dom, name);
    Check(virDomainSnapshotDelete(snap.get(), flags), "cannot delete snapshot");
  });
}

}  // namespace

void InitSnapshot(Napi::Env env, Napi::Object exports) {
  VIREO_EXPORT(exports, "snapshotList", SnapshotList);
  VIREO_EXPORT(exports, "snapshotCreate", SnapshotCreate);
  VIREO_EXPORT(exports, "snapshotGetXML", SnapshotGetXML);
  VIREO_EXPORT(exports, "snapshotCurrent", SnapshotCurrent);
  VIREO_EXPORT(exports, "snapshotRevert", SnapshotRevert);
  VIREO_EXPORT(exports, "snapshotDelete", SnapshotDelete);
}

}  // namespace vireo
