#include "common.h"

namespace vireo {

void InitNodeDevice(Napi::Env env, Napi::Object exports) {}

}  // namespace vireo
