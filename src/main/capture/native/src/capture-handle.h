// One open libpcap handle and the thread that reads it.
#pragma once

#include <napi.h>
#include <pcap/pcap.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tideline {

// Bytes before each packet in a batch: seconds, fraction (ns or us), captured and original length, all u32.
constexpr size_t kRecordHeaderBytes = 16;

struct CaptureStats {
  uint32_t received = 0;
  uint32_t droppedByKernel = 0;
  uint32_t droppedByInterface = 0;
  bool isValid = false;
};

// Message from the reader thread to JavaScript: a batch of records, or the end of the capture.
struct ThreadMessage {
  bool isEnd = false;
  std::vector<uint8_t> bytes;
  uint32_t packetCount = 0;
  CaptureStats stats;
  std::string errorCode;
  std::string errorMessage;
};

class CaptureHandle : public Napi::ObjectWrap<CaptureHandle> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit CaptureHandle(const Napi::CallbackInfo& info);
  ~CaptureHandle() override;

 private:
  Napi::Value SetFilter(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  void RunReader();
  void DrainAfterStop();
  void AppendPacket(const struct pcap_pkthdr* header, const u_char* bytes);
  void FlushBatch();
  void SampleStats();
  void DeliverMessage(Napi::Env env, Napi::Function onBatch, ThreadMessage* message);
  void FinishReader();
  static void OnPacket(u_char* user, const struct pcap_pkthdr* header, const u_char* bytes);
  static void CallJs(Napi::Env env, Napi::Function onBatch, CaptureHandle* handle, ThreadMessage* message);
  using ReaderFunction = Napi::TypedThreadSafeFunction<CaptureHandle, ThreadMessage, &CaptureHandle::CallJs>;

  pcap_t* pcap_ = nullptr;
  std::thread reader_;
  ReaderFunction threadSafeFunction_;
  Napi::FunctionReference onEnd_;
  std::atomic<bool> isStopRequested_{false};
  bool isRunning_ = false;

  // Batch being filled by the reader thread (only that thread touches it).
  ThreadMessage* currentBatch_ = nullptr;
  size_t maxBatchBytes_ = 1 << 20;
  size_t maxPendingBatches_ = 16;
  // Packet bytes the drain after stop may read: about one kernel buffer, so traffic that keeps coming cannot prolong it.
  size_t drainLimitBytes_ = 2 << 20;
  size_t bytesAppended_ = 0;
  std::chrono::steady_clock::time_point lastStatsSample_;

  // Shared between the reader thread and the main thread.
  std::mutex mutex_;
  std::condition_variable batchReturned_;
  size_t pendingBatches_ = 0;
  std::vector<std::vector<uint8_t>> spareBuffers_;
  CaptureStats latestStats_;
};

}  // namespace tideline
