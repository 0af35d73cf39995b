// Shared declarations of the tideline_capture addon.
#pragma once

#include <napi.h>

namespace tideline {

// Return the device list: name, description, flags and addresses of each device.
Napi::Value ListDevices(const Napi::CallbackInfo& info);

// Throw a JavaScript Error with a `code` property (thrown as a C++ exception).
[[noreturn]] void ThrowCodedError(Napi::Env env, const char* code, const std::string& message);

}  // namespace tideline
