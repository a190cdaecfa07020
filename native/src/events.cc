#include "common.h"

namespace vireo {

void DetachEvents(Connection& conn, virConnectPtr ptr) {}

void InitEvents(Napi::Env env, Napi::Object exports) {}

}  // namespace vireo
