#include "common.h"

namespace vireo {

void InitStorage(Napi::Env env, Napi::Object exports) {}

}  // namespace vireo
