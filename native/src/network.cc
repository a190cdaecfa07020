#include "common.h"

namespace vireo {

void InitNetwork(Napi::Env env, Napi::Object exports) {}

}  // namespace vireo
