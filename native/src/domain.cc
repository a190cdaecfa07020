#include "common.h"

namespace vireo {

void InitDomain(Napi::Env env, Napi::Object exports) {}

}  // namespace vireo
