#include "common.h"

namespace vireo {

void InitStream(Napi::Env env, Napi::Object exports) {}

}  // namespace vireo
