// CaptureHandle: pcap_create/activate with the caller's options, a BPF filter,
// and a reader thread that hands packets to JavaScript in batches.
//
// Why a thread and a ThreadSafeFunction rather than pcap_get_selectable_fd and
// a libuv poll handle on the main loop: the engine's JavaScript thread decodes
// every packet, and while it is busy a poll handle would not be serviced, so
// the kernel ring would fill and drop. The reader thread keeps emptying the
// ring into batches (up to maxPendingBatches waiting for JavaScript), and
// selectable descriptors do not exist for Npcap on Windows.
#include "capture-handle.h"

#include <cstring>

#include "addon.h"

namespace tideline {
namespace {

constexpr auto kStatsSampleInterval = std::chrono::milliseconds(200);
// Non-blocking reads made after stop to empty what the kernel already handed over.
constexpr int kMaxDrainReads = 1000;

uint32_t ReadUint32Option(const Napi::Object& options, const char* name, uint32_t fallback) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber()) ThrowCodedError(options.Env(), "invalid-argument", std::string("option ") + name + " must be a number");
  double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0 && number <= 4294967295.0)) {
    ThrowCodedError(options.Env(), "invalid-argument", std::string("option ") + name + " must be 0 to 4294967295, found " + std::to_string(number));
  }
  return static_cast<uint32_t>(number);
}

bool ReadBooleanOption(const Napi::Object& options, const char* name, bool fallback) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined()) return fallback;
  return value.ToBoolean().Value();
}

// Map a pcap_activate status to the code the TypeScript face turns into a message.
const char* ActivateErrorCode(int status) {
  switch (status) {
    case PCAP_ERROR_PERM_DENIED:
      return "permission-denied";
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return "promiscuous-permission-denied";
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return "no-such-device";
    case PCAP_ERROR_IFACE_NOT_UP:
      return "interface-down";
    default:
      return "open-failed";
  }
}

// Map a read failure to a code. libpcap 1.10 on Linux reports "The interface went down" or "The interface disappeared".
const char* ReadErrorCode(const std::string& message) {
  if (message.find("went down") != std::string::npos) return "interface-down";
  if (message.find("disappeared") != std::string::npos || message.find("No such device") != std::string::npos) return "interface-removed";
  return "read-failed";
}

}  // namespace

Napi::Function CaptureHandle::DefineClass(Napi::Env env) {
  return Napi::ObjectWrap<CaptureHandle>::DefineClass(env, "CaptureHandle",
                                                     {
                                                         InstanceMethod("setFilter", &CaptureHandle::SetFilter),
                                                         InstanceMethod("start", &CaptureHandle::Start),
                                                         InstanceMethod("stop", &CaptureHandle::Stop),
                                                         InstanceMethod("stats", &CaptureHandle::Stats),
                                                         InstanceMethod("close", &CaptureHandle::Close),
                                                     });
}

// new CaptureHandle(device, { snaplen, promiscuous, bufferSizeBytes, immediate, timeoutMs, nanosecond })
// Sets linkType, snaplen, isNanosecond and warnings on the new object; throws an Error with `code` on failure.
CaptureHandle::CaptureHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CaptureHandle>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject()) {
    ThrowCodedError(env, "invalid-argument", "new CaptureHandle(device, options) expects a device name and an options object");
  }
  std::string device = info[0].As<Napi::String>().Utf8Value();
  Napi::Object options = info[1].As<Napi::Object>();
  uint32_t snaplen = ReadUint32Option(options, "snaplen", 262144);
  bool isPromiscuous = ReadBooleanOption(options, "promiscuous", true);
  uint32_t bufferSizeBytes = ReadUint32Option(options, "bufferSizeBytes", 0);
  bool isImmediate = ReadBooleanOption(options, "immediate", false);
  uint32_t timeoutMs = ReadUint32Option(options, "timeoutMs", 100);
  bool wantsNanosecond = ReadBooleanOption(options, "nanosecond", true);

  char error[PCAP_ERRBUF_SIZE] = {0};
  pcap_ = pcap_create(device.c_str(), error);
  if (pcap_ == nullptr) ThrowCodedError(env, "open-failed", error);

  pcap_set_snaplen(pcap_, static_cast<int>(snaplen));
  pcap_set_promisc(pcap_, isPromiscuous ? 1 : 0);
  pcap_set_timeout(pcap_, static_cast<int>(timeoutMs));
  pcap_set_immediate_mode(pcap_, isImmediate ? 1 : 0);
  if (bufferSizeBytes > 0) pcap_set_buffer_size(pcap_, static_cast<int>(bufferSizeBytes));
  if (bufferSizeBytes > drainLimitBytes_) drainLimitBytes_ = bufferSizeBytes;
  Napi::Array warnings = Napi::Array::New(env);
  if (wantsNanosecond && pcap_set_tstamp_precision(pcap_, PCAP_TSTAMP_PRECISION_NANO) != 0) {
    warnings.Set(warnings.Length(), "nanosecond timestamps are not supported on this platform; using microseconds");
  }

  int status = pcap_activate(pcap_);
  if (status < 0) {
    std::string message = (status == PCAP_ERROR || status == PCAP_ERROR_PERM_DENIED || status == PCAP_ERROR_NO_SUCH_DEVICE ||
                           status == PCAP_ERROR_PROMISC_PERM_DENIED)
                              ? std::string(pcap_geterr(pcap_))
                              : std::string(pcap_statustostr(status));
    if (message.empty()) message = pcap_statustostr(status);
    pcap_close(pcap_);
    pcap_ = nullptr;
    ThrowCodedError(env, ActivateErrorCode(status), message);
  }
  if (status > 0) {
    std::string detail = status == PCAP_WARNING ? pcap_geterr(pcap_) : pcap_statustostr(status);
    warnings.Set(warnings.Length(), detail);
  }

  Napi::Object self = info.This().As<Napi::Object>();
  self.Set("linkType", Napi::Number::New(env, pcap_datalink(pcap_)));
  self.Set("snaplen", Napi::Number::New(env, pcap_snapshot(pcap_)));
  self.Set("isNanosecond", Napi::Boolean::New(env, pcap_get_tstamp_precision(pcap_) == PCAP_TSTAMP_PRECISION_NANO));
  self.Set("warnings", warnings);
}

CaptureHandle::~CaptureHandle() {
  // The handle is referenced while its reader runs, so no thread can be left here.
  if (reader_.joinable()) reader_.join();
  if (pcap_ != nullptr) pcap_close(pcap_);
  delete currentBatch_;
}

// setFilter(expression): compile against this handle's link type and attach. Throws `invalid-filter` with libpcap's message.
Napi::Value CaptureHandle::SetFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (pcap_ == nullptr) ThrowCodedError(env, "closed", "setFilter called on a closed capture handle");
  if (isRunning_) ThrowCodedError(env, "busy", "setFilter called while the capture is running");
  if (info.Length() < 1 || !info[0].IsString()) ThrowCodedError(env, "invalid-argument", "setFilter(expression) expects a string");
  std::string expression = info[0].As<Napi::String>().Utf8Value();

  struct bpf_program program;
  if (pcap_compile(pcap_, &program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    ThrowCodedError(env, "invalid-filter", pcap_geterr(pcap_));
  }
  int status = pcap_setfilter(pcap_, &program);
  pcap_freecode(&program);
  if (status != 0) ThrowCodedError(env, "filter-failed", pcap_geterr(pcap_));
  return env.Undefined();
}

// start(onBatch(buffer, packetCount), onEnd({ stats, errorCode, errorMessage }), { maxBatchBytes, maxPendingBatches })
Napi::Value CaptureHandle::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (pcap_ == nullptr) ThrowCodedError(env, "closed", "start called on a closed capture handle");
  if (isRunning_ || reader_.joinable()) ThrowCodedError(env, "busy", "start called twice on one capture handle");
  if (info.Length() < 2 || !info[0].IsFunction() || !info[1].IsFunction()) {
    ThrowCodedError(env, "invalid-argument", "start(onBatch, onEnd, options) expects two functions");
  }
  if (info.Length() >= 3 && info[2].IsObject()) {
    Napi::Object options = info[2].As<Napi::Object>();
    maxBatchBytes_ = ReadUint32Option(options, "maxBatchBytes", static_cast<uint32_t>(maxBatchBytes_));
    maxPendingBatches_ = ReadUint32Option(options, "maxPendingBatches", static_cast<uint32_t>(maxPendingBatches_));
    if (maxBatchBytes_ < 4096) maxBatchBytes_ = 4096;
    if (maxPendingBatches_ < 1) maxPendingBatches_ = 1;
  }

  onEnd_ = Napi::Persistent(info[1].As<Napi::Function>());
  threadSafeFunction_ = ReaderFunction::New(env, info[0].As<Napi::Function>(), "tideline-capture-reader", 0, 1, this,
                                            [](Napi::Env, void*, CaptureHandle* handle) { handle->FinishReader(); });
  isStopRequested_ = false;
  isRunning_ = true;
  Ref();  // Keeps this object alive until FinishReader.
  reader_ = std::thread([this] { RunReader(); });
  return env.Undefined();
}

// stop(): ask the reader to end; onEnd follows once the last batch and the final statistics were delivered.
Napi::Value CaptureHandle::Stop(const Napi::CallbackInfo& info) {
  if (!isRunning_ || pcap_ == nullptr) return Napi::Boolean::New(info.Env(), false);
  isStopRequested_ = true;
  pcap_breakloop(pcap_);
  batchReturned_.notify_all();
  return Napi::Boolean::New(info.Env(), true);
}

// stats(): { received, droppedByKernel, droppedByInterface } from pcap_stats, sampled by the reader while it runs.
Napi::Value CaptureHandle::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CaptureStats stats;
  if (isRunning_) {
    std::lock_guard<std::mutex> lock(mutex_);
    stats = latestStats_;
  } else {
    if (pcap_ == nullptr) ThrowCodedError(env, "closed", "stats called on a closed capture handle");
    struct pcap_stat raw;
    if (pcap_stats(pcap_, &raw) != 0) ThrowCodedError(env, "stats-failed", pcap_geterr(pcap_));
    stats = {raw.ps_recv, raw.ps_drop, raw.ps_ifdrop, true};
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("received", Napi::Number::New(env, stats.received));
  result.Set("droppedByKernel", Napi::Number::New(env, stats.droppedByKernel));
  result.Set("droppedByInterface", Napi::Number::New(env, stats.droppedByInterface));
  result.Set("isValid", Napi::Boolean::New(env, stats.isValid));
  return result;
}

Napi::Value CaptureHandle::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (isRunning_) ThrowCodedError(env, "busy", "close called while the capture is running; call stop and wait for onEnd");
  if (reader_.joinable()) reader_.join();
  if (pcap_ != nullptr) pcap_close(pcap_);
  pcap_ = nullptr;
  return env.Undefined();
}

void CaptureHandle::RunReader() {
  std::string errorCode;
  std::string errorMessage;
  lastStatsSample_ = std::chrono::steady_clock::now() - kStatsSampleInterval;

  while (!isStopRequested_) {
    // Back-pressure: while JavaScript has too many batches waiting, leave packets in the kernel ring.
    {
      std::unique_lock<std::mutex> lock(mutex_);
      batchReturned_.wait(lock, [this] { return pendingBatches_ < maxPendingBatches_ || isStopRequested_; });
    }
    if (isStopRequested_) break;

    int status = pcap_dispatch(pcap_, -1, &CaptureHandle::OnPacket, reinterpret_cast<u_char*>(this));
    if (status == PCAP_ERROR_BREAK) break;
    if (status == PCAP_ERROR) {
      errorMessage = pcap_geterr(pcap_);
      errorCode = ReadErrorCode(errorMessage);
      break;
    }
    FlushBatch();
    if (std::chrono::steady_clock::now() - lastStatsSample_ >= kStatsSampleInterval) SampleStats();
  }

  if (errorCode.empty()) DrainAfterStop();
  FlushBatch();
  SampleStats();

  auto* end = new ThreadMessage();
  end->isEnd = true;
  end->errorCode = errorCode;
  end->errorMessage = errorMessage;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    end->stats = latestStats_;
  }
  if (threadSafeFunction_.BlockingCall(end) != napi_ok) delete end;
  threadSafeFunction_.Release();
}

// Read, without blocking, what the kernel had already handed to the ring when stop came,
// up to about one kernel buffer of packet bytes.
// NOTE: on Linux with TPACKET_V3, packets in the ring block the kernel has not yet retired
// (at most the last timeoutMs of traffic) are counted in `received` but never delivered.
void CaptureHandle::DrainAfterStop() {
  char error[PCAP_ERRBUF_SIZE] = {0};
  if (pcap_setnonblock(pcap_, 1, error) != 0) return;
  const size_t start = bytesAppended_;
  for (int read = 0; read < kMaxDrainReads && bytesAppended_ - start < drainLimitBytes_; read++) {
    int status = pcap_dispatch(pcap_, -1, &CaptureHandle::OnPacket, reinterpret_cast<u_char*>(this));
    if (status == PCAP_ERROR_BREAK) continue;  // A breakloop not yet consumed by the main loop.
    if (status <= 0) break;
    FlushBatch();
  }
}

void CaptureHandle::OnPacket(u_char* user, const struct pcap_pkthdr* header, const u_char* bytes) {
  reinterpret_cast<CaptureHandle*>(user)->AppendPacket(header, bytes);
}

void CaptureHandle::AppendPacket(const struct pcap_pkthdr* header, const u_char* bytes) {
  size_t paddedLength = (static_cast<size_t>(header->caplen) + 3) & ~static_cast<size_t>(3);
  if (currentBatch_ != nullptr && currentBatch_->bytes.size() + kRecordHeaderBytes + paddedLength > maxBatchBytes_) FlushBatch();
  if (currentBatch_ == nullptr) {
    currentBatch_ = new ThreadMessage();
    std::lock_guard<std::mutex> lock(mutex_);
    if (!spareBuffers_.empty()) {
      currentBatch_->bytes = std::move(spareBuffers_.back());
      spareBuffers_.pop_back();
    }
    currentBatch_->bytes.clear();
    currentBatch_->bytes.reserve(maxBatchBytes_);
  }

  std::vector<uint8_t>& out = currentBatch_->bytes;
  size_t offset = out.size();
  out.resize(offset + kRecordHeaderBytes + paddedLength, 0);
  uint32_t fields[4] = {static_cast<uint32_t>(header->ts.tv_sec), static_cast<uint32_t>(header->ts.tv_usec), header->caplen, header->len};
  std::memcpy(out.data() + offset, fields, sizeof fields);
  std::memcpy(out.data() + offset + kRecordHeaderBytes, bytes, header->caplen);
  currentBatch_->packetCount++;
  bytesAppended_ += kRecordHeaderBytes + paddedLength;
}

void CaptureHandle::FlushBatch() {
  if (currentBatch_ == nullptr || currentBatch_->packetCount == 0) return;
  ThreadMessage* batch = currentBatch_;
  currentBatch_ = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pendingBatches_++;
  }
  if (threadSafeFunction_.NonBlockingCall(batch) != napi_ok) {
    std::lock_guard<std::mutex> lock(mutex_);
    pendingBatches_--;
    delete batch;
  }
}

void CaptureHandle::SampleStats() {
  struct pcap_stat raw;
  if (pcap_stats(pcap_, &raw) != 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  latestStats_ = {raw.ps_recv, raw.ps_drop, raw.ps_ifdrop, true};
  lastStatsSample_ = std::chrono::steady_clock::now();
}

void CaptureHandle::CallJs(Napi::Env env, Napi::Function onBatch, CaptureHandle* handle, ThreadMessage* message) {
  if (env == nullptr) {
    delete message;
    return;
  }
  handle->DeliverMessage(env, onBatch, message);
}

void CaptureHandle::DeliverMessage(Napi::Env env, Napi::Function onBatch, ThreadMessage* message) {
  Napi::HandleScope scope(env);
  if (message->isEnd) {
    isRunning_ = false;
    Napi::Object report = Napi::Object::New(env);
    Napi::Object stats = Napi::Object::New(env);
    stats.Set("received", Napi::Number::New(env, message->stats.received));
    stats.Set("droppedByKernel", Napi::Number::New(env, message->stats.droppedByKernel));
    stats.Set("droppedByInterface", Napi::Number::New(env, message->stats.droppedByInterface));
    stats.Set("isValid", Napi::Boolean::New(env, message->stats.isValid));
    report.Set("stats", stats);
    report.Set("errorCode", message->errorCode.empty() ? env.Null() : Napi::String::New(env, message->errorCode));
    report.Set("errorMessage", message->errorMessage.empty() ? env.Null() : Napi::String::New(env, message->errorMessage));
    delete message;
    Napi::Function onEnd = onEnd_.Value();
    try {
      onEnd.Call({report});
    } catch (const Napi::Error& error) {
      error.ThrowAsJavaScriptException();
    }
    return;
  }

  // Copy once per batch into a V8-owned Buffer, then give the native buffer back for reuse.
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::Copy(env, message->bytes.data(), message->bytes.size());
  uint32_t packetCount = message->packetCount;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pendingBatches_--;
    if (spareBuffers_.size() < 4) spareBuffers_.push_back(std::move(message->bytes));
  }
  batchReturned_.notify_all();
  delete message;
  try {
    onBatch.Call({buffer, Napi::Number::New(env, packetCount)});
  } catch (const Napi::Error& error) {
    error.ThrowAsJavaScriptException();
  }
}

void CaptureHandle::FinishReader() {
  if (reader_.joinable()) reader_.join();
  isRunning_ = false;
  onEnd_.Reset();
  Unref();
}

}  // namespace tideline
