#include "common.h"

namespace vireo {

void InitSnapshot(Napi::Env env, Napi::Object exports) {}

}  // namespace vireo
