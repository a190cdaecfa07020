#include "common.h"

namespace vireo {

void InitDomainStats(Napi::Env env, Napi::Object exports) {}

}  // namespace vireo
