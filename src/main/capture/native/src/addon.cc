// Module entry of tideline_capture: device list, filter check, library version and CaptureHandle.
#include <pcap/pcap.h>

#include <cstdint>
#include <cstring>

#include "addon.h"
#include "capture-handle.h"

namespace tideline {

void ThrowCodedError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  throw error;
}

namespace {

// compileFilter(linkType, snaplen, expression) compiles without opening a device.
// Returns { ok: true, instructionCount } or { ok: false, message } with libpcap's message.
Napi::Value CompileFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsString()) {
    ThrowCodedError(env, "invalid-argument", "compileFilter(linkType, snaplen, expression) expects two numbers and a string");
  }
  int linkType = info[0].As<Napi::Number>().Int32Value();
  int snaplen = info[1].As<Napi::Number>().Int32Value();
  std::string expression = info[2].As<Napi::String>().Utf8Value();

  pcap_t* dead = pcap_open_dead(linkType, snaplen);
  if (dead == nullptr) ThrowCodedError(env, "filter-check-failed", "pcap_open_dead failed for link type " + std::to_string(linkType));
  struct bpf_program program;
  Napi::Object result = Napi::Object::New(env);
  if (pcap_compile(dead, &program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    result.Set("ok", false);
    result.Set("message", pcap_geterr(dead));
  } else {
    result.Set("ok", true);
    result.Set("instructionCount", Napi::Number::New(env, program.bf_len));
    pcap_freecode(&program);
  }
  pcap_close(dead);
  return result;
}

Napi::Value LibraryVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), pcap_lib_version());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("listDevices", Napi::Function::New(env, ListDevices, "listDevices"));
  exports.Set("compileFilter", Napi::Function::New(env, CompileFilter, "compileFilter"));
  exports.Set("libraryVersion", Napi::Function::New(env, LibraryVersion, "libraryVersion"));
  exports.Set("recordHeaderBytes", Napi::Number::New(env, kRecordHeaderBytes));
  const uint16_t probe = 1;
  uint8_t firstByte = 0;
  std::memcpy(&firstByte, &probe, 1);
  exports.Set("recordByteOrder", Napi::String::New(env, firstByte == 1 ? "little" : "big"));
  exports.Set("CaptureHandle", CaptureHandle::DefineClass(env));
  return exports;
}

}  // namespace
}  // namespace tideline

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tideline::Init(env, exports); }

NODE_API_MODULE(tideline_capture, InitAddon)
