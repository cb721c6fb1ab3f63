// Channel: owns one SOCK_SEQPACKET fd and one I/O thread. The thread poll()s the fd and an eventfd, recv()s whole
// packets and hands each, copied into a Buffer, to JS through a thread-safe function whose queue is bounded: when
// JS lags, BlockingCall blocks the thread, reads stop and the kernel socket buffer fills, so the peer's writes block.
// JS may pause() reading (Readable buffer full) and resume() it. Sends are non-blocking from the JS thread; on EAGAIN
// JS calls waitWritable() and the same thread reports POLLOUT.
//
// Sinks (sink.h): the thread also writes each batch it reads straight to client stream sockets JS registered with
// addSink() (Docker API attach), and reads no further while a sink holds unsent bytes. EOF is reported to JS only
// after every sink has sent everything, so JS ends the client's connection after the last byte. While a sink
// pumps, JS gets its copy of the packets held and merged, at most every kJsHoldMs (or once kJsHoldBytes are held):
// one JS wake per interval instead of one per packet. Every packet still reaches JS, in order, before any other
// event (Emit flushes what is held first).
//
// Lifetime: the Core (fd, eventfd, thread) is deleted by the thread-safe function's finalizer, which Node runs on
// the JS thread after close() aborted it or when the environment is torn down. close() joins the thread and closes
// both fds synchronously; the finalizer does the same if close() never ran. Only the JS thread releases the TSFN.
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdint>
#include <fcntl.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "addon.h"
#include "errors.h"
#include "sink.h"

namespace pier {
namespace {

constexpr size_t kRecvBufferSize = 65536 + 1;  // conmon sends ≤ 8193 B; larger packets are an error (MSG_TRUNC)
constexpr size_t kMaxSendPacket = 32768;       // conmon's CONN_SOCK_BUF_SIZE
constexpr size_t kMaxQueue = 4;                // TSFN queue bound (batches): the backpressure window
constexpr size_t kThreadStack = 256 * 1024;   // the receive buffer lives on the heap
constexpr size_t kBatchPackets = 64;           // packets already queued in the socket are handed over together,
constexpr size_t kBatchBytes = 512 * 1024;     // one thread-safe call per batch (throughput), boundaries kept
constexpr int kJsHoldMs = 16;                  // while a sink pumps: JS's copy at most this often (a frame)...
constexpr size_t kJsHoldBytes = 4 << 20;       // ...or once this much is held
using Clock = std::chrono::steady_clock;

// Event kinds as seen by the JS callback onEvent(kind, payload).
enum Kind : int { kPacket = 0, kEnd = 1, kError = 2, kWritable = 3, kSinkDone = 4 };

struct Event {
  explicit Event(Kind kind) : kind(kind) {}
  Kind kind;
  std::vector<uint8_t> data;    // kPacket: the packets, back to back; kError: empty
  std::vector<uint32_t> sizes;  // kPacket: each packet's length (≥ 1 entry)
  int err = 0;                // kError
  const char* syscall = "";   // kError
  size_t size = 0;            // kError with EMSGSIZE: the packet's real size
  uint32_t sink = 0;          // kSinkDone: the sink's id (err: its send error, 0 once all was sent after EOF)
};

struct Core;
void CallJs(Napi::Env env, Napi::Function onEvent, Core* core, Event* event);
using Tsfn = Napi::TypedThreadSafeFunction<Core, Event, CallJs>;

struct Core {
  int fd;
  int wakeFd;  // eventfd: written by the JS thread after changing a flag
  Tsfn tsfn;
  pthread_t thread{};
  bool started = false;
  std::atomic<bool> stop{false};
  std::atomic<bool> paused{true};  // reading starts when JS first calls resume()
  std::atomic<bool> wantWritable{false};
  bool closed = false;  // JS thread only
  std::mutex sinksMu;   // guards sinks; never held across a blocking call
  std::vector<std::unique_ptr<Sink>> sinks;
  uint32_t nextSink = 1;  // JS thread only
  std::unique_ptr<Event> held;  // I/O thread: packets for JS held while a sink pumps (see the top of the file)
  Clock::time_point heldDue;    // I/O thread: when `held` goes to JS at the latest

  Core(int fd, int wakeFd) : fd(fd), wakeFd(wakeFd) {}

  void Wake() {
    uint64_t one = 1;
    ssize_t r = write(wakeFd, &one, sizeof one);  // cannot fail short of counter overflow
    (void)r;
  }

  // I/O thread: false when the TSFN is closing (close() or env teardown); the thread must then exit. Packets held
  // for JS go first, so JS sees every event in the order the thread met them.
  bool Emit(Event* event) {
    if (held && !Call(held.release())) {
      delete event;
      return false;
    }
    return Call(event);
  }

  bool Call(Event* event) {
    if (tsfn.BlockingCall(event) == napi_ok) return true;
    delete event;
    return false;
  }

  // I/O thread: adds a batch (already sent to the sinks) to what JS gets at the next flush.
  bool Hold(Event* batch) {
    if (!held) {
      held.reset(batch);
      heldDue = Clock::now() + std::chrono::milliseconds(kJsHoldMs);
    } else {
      held->data.insert(held->data.end(), batch->data.begin(), batch->data.end());
      held->sizes.insert(held->sizes.end(), batch->sizes.begin(), batch->sizes.end());
      delete batch;
    }
    return held->data.size() < kJsHoldBytes || Call(held.release());
  }

  // I/O thread: poll's timeout, in ms: until the held packets are due (-1: nothing held).
  int HeldTimeout() const {
    if (!held) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(heldDue - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) + 1 : 0;
  }

  bool HasSinks() {
    std::lock_guard<std::mutex> lock(sinksMu);
    return !sinks.empty();
  }

  bool EmitError(const char* syscall, int err, size_t size = 0) {
    Event* event = new Event(kError);
    event->syscall = syscall;
    event->err = err;
    event->size = size;
    return Emit(event);
  }

  // I/O thread. Sends what the sinks hold, drops the failed ones and, once EOF was read, the ones that have sent
  // everything (their kSinkDone events are returned). Adds a POLLOUT entry to `fds` for each sink that still holds
  // bytes; returns whether any does (then conmon is not read: flow control).
  bool ServeSinks(bool readDone, std::vector<Event*>& events, std::vector<pollfd>& fds) {
    std::lock_guard<std::mutex> lock(sinksMu);
    bool backlog = false;
    for (auto it = sinks.begin(); it != sinks.end();) {
      Sink& sink = **it;
      int err = sink.Flush();
      if (err || (readDone && !sink.Backlog())) {
        Event* event = new Event(kSinkDone);
        event->sink = sink.id;
        event->err = err;
        event->syscall = "send";
        events.push_back(event);
        it = sinks.erase(it);  // closes its fd
        continue;
      }
      if (sink.Backlog()) {
        backlog = true;
        fds.push_back({sink.fd, POLLOUT, 0});
      }
      ++it;
    }
    return backlog;
  }

  // I/O thread: emits `events` in order; false when the TSFN is closing (the rest are dropped).
  bool EmitAll(std::vector<Event*>& events) {
    for (size_t i = 0; i < events.size(); i++) {
      if (Emit(events[i])) continue;
      for (size_t j = i + 1; j < events.size(); j++) delete events[j];
      return false;
    }
    return true;
  }

  void Run() {
    std::vector<uint8_t> buffer(kRecvBufferSize);
    std::vector<pollfd> fds;
    std::vector<Event*> events;
    bool readDone = false;    // EOF or read error seen; the thread keeps serving waitWritable() and the sinks
    bool endPending = false;  // EOF read: reported once every sink has sent what it holds
    while (!stop) {
      if (held && (Clock::now() >= heldDue || !HasSinks()) && !Call(held.release())) return;
      fds.assign(2, pollfd{-1, 0, 0});
      events.clear();
      bool backlog = ServeSinks(readDone, events, fds);
      if (!EmitAll(events)) return;
      if (endPending && !backlog) {
        endPending = false;
        if (!Emit(new Event(kEnd))) return;
      }
      bool reading = !readDone && !paused && !backlog;
      bool writing = wantWritable;
      fds[0] = {wakeFd, POLLIN, 0};
      if (reading || writing) fds[1] = {fd, static_cast<short>((reading ? POLLIN : 0) | (writing ? POLLOUT : 0)), 0};
      if (poll(fds.data(), fds.size(), HeldTimeout()) < 0) {
        if (errno == EINTR) continue;
        EmitError("poll", errno);
        return;
      }
      if (fds[0].revents) {  // a flag changed: drain the counter and look again
        uint64_t count;
        ssize_t r = read(wakeFd, &count, sizeof count);
        (void)r;
        continue;
      }
      short ready = fds[1].revents;
      if (writing && (ready & (POLLOUT | POLLERR | POLLHUP))) {
        wantWritable = false;  // JS retries send(), which reports any error
        if (!Emit(new Event(kWritable))) return;
      }
      if (!reading || !(ready & (POLLIN | POLLERR | POLLHUP))) continue;
      ssize_t n = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0) {
        // ECONNRESET: the peer closed with data unread (conmon resets a failed exec attach). The error is reported
        // once; packets still queued follow, then EOF (the peer's close shut both directions).
        if (errno == EAGAIN || errno == EINTR || errno == ECONNRESET) continue;
        readDone = true;
        if (!EmitError("recv", errno)) return;
      } else if (n == 0) {
        readDone = true;
        endPending = true;
      } else if (static_cast<size_t>(n) > buffer.size()) {
        readDone = true;
        if (!EmitError("recv", EMSGSIZE, n)) return;
      } else {
        Event* event = new Event(kPacket);
        event->data.assign(buffer.begin(), buffer.begin() + n);
        event->sizes.push_back(static_cast<uint32_t>(n));
        // take what else is already queued, without waiting; anything unusual is left for the next round
        size_t oversize = 0;
        while (!paused && !stop && event->sizes.size() < kBatchPackets && event->data.size() < kBatchBytes) {
          ssize_t m = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_TRUNC);
          if (m <= 0) break;
          if (static_cast<size_t>(m) > buffer.size()) { oversize = m; break; }  // consumed: report after the batch
          event->data.insert(event->data.end(), buffer.begin(), buffer.begin() + m);
          event->sizes.push_back(static_cast<uint32_t>(m));
        }
        if (ToSinks(*event) ? !Hold(event) : !Emit(event)) return;
        if (oversize) {
          readDone = true;
          if (!EmitError("recv", EMSGSIZE, oversize)) return;
        }
      }
    }
  }

  // I/O thread: queues a batch of packets on every sink (sent at the top of the next round); false with no sink.
  bool ToSinks(const Event& batch) {
    std::lock_guard<std::mutex> lock(sinksMu);
    if (sinks.empty()) return false;
    const uint8_t* at = batch.data.data();
    for (uint32_t size : batch.sizes) {
      for (auto& sink : sinks) sink->Append(at, size);
      at += size;
    }
    return true;
  }

  // JS thread. Starts Run() on a small-stack thread; returns errno or 0.
  int Start() {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, kThreadStack);
    int err = pthread_create(&thread, &attr, [](void* self) -> void* {
      static_cast<Core*>(self)->Run();
      return nullptr;
    }, this);
    pthread_attr_destroy(&attr);
    started = err == 0;
    return err;
  }

  // JS thread. Stops and joins the thread, closes both fds. abortTsfn wakes a BlockingCall waiting on a full queue
  // (queued events are dropped); the finalizer passes false because the TSFN is already closing.
  void Close(bool abortTsfn) {
    if (closed) return;
    closed = true;
    stop = true;
    Wake();
    if (abortTsfn) tsfn.Abort();
    if (started) pthread_join(thread, nullptr);
    if (fd >= 0) close(fd);
    close(wakeFd);
    std::lock_guard<std::mutex> lock(sinksMu);
    sinks.clear();
  }

  // JS thread. Adds a sink on a dup of `clientFd` (a connected stream socket); returns its id, or -errno.
  int64_t AddSink(int clientFd, bool framed, bool wantOut, bool wantErr) {
    int type = 0;
    socklen_t len = sizeof type;
    if (getsockopt(clientFd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) return -errno;
    if (type != SOCK_STREAM) return -EPROTOTYPE;
    int own = fcntl(clientFd, F_DUPFD_CLOEXEC, 3);
    if (own < 0) return -errno;
    uint32_t id = nextSink++;
    {
      std::lock_guard<std::mutex> lock(sinksMu);
      sinks.push_back(std::make_unique<Sink>(id, own, framed, wantOut, wantErr));
    }
    Wake();
    return id;
  }

  // JS thread. Drops a sink (closing its fd) with whatever it still holds; no event follows.
  void RemoveSink(uint32_t id) {
    {
      std::lock_guard<std::mutex> lock(sinksMu);
      for (auto it = sinks.begin(); it != sinks.end(); ++it) {
        if ((*it)->id != id) continue;
        sinks.erase(it);
        break;
      }
    }
    Wake();
  }
};

// JS thread. env is null when Node drops queued events while deleting the TSFN.
void CallJs(Napi::Env env, Napi::Function onEvent, Core*, Event* raw) {
  std::unique_ptr<Event> event(raw);
  if (static_cast<napi_env>(env) == nullptr || onEvent.IsEmpty()) return;
  // During env teardown JS cannot run: the calls below fail and the event is dropped (binding.gyp defines
  // NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS so node-addon-api does not make that a fatal error).
  Napi::Value kind = Napi::Number::New(env, event->kind);
  switch (event->kind) {
    case kPacket: {
      Napi::Value data = Napi::Buffer<uint8_t>::Copy(env, event->data.data(), event->data.size());
      if (event->sizes.size() == 1) {
        onEvent.Call({kind, data});
      } else {
        Napi::Array sizes = Napi::Array::New(env, event->sizes.size());
        for (uint32_t i = 0; i < event->sizes.size(); i++) sizes.Set(i, Napi::Number::New(env, event->sizes[i]));
        onEvent.Call({kind, data, sizes});
      }
      break;
    }
    case kError: {
      std::string detail;
      if (event->err == EMSGSIZE)
        detail = "packet of " + std::to_string(event->size) + " bytes exceeds the " + std::to_string(kRecvBufferSize) +
                 "-byte receive buffer";
      onEvent.Call({kind, ErrnoError(env, event->err, event->syscall, "", detail).Value()});
      break;
    }
    case kSinkDone: {
      Napi::Value err = event->err ? ErrnoError(env, event->err, event->syscall).Value() : env.Undefined();
      onEvent.Call({kind, err, Napi::Number::New(env, event->sink)});
      break;
    }
    default:
      onEvent.Call({kind});
  }
}

// new Channel(fd, onEvent): takes ownership of a connected SOCK_SEQPACKET fd (on success only).
class Channel : public Napi::ObjectWrap<Channel> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Channel",
                       {InstanceMethod<&Channel::Pause>("pause"), InstanceMethod<&Channel::Resume>("resume"),
                        InstanceMethod<&Channel::Send>("send"), InstanceMethod<&Channel::WaitWritable>("waitWritable"),
                        InstanceMethod<&Channel::ShutdownWrite>("shutdownWrite"),
                        InstanceMethod<&Channel::AddSink>("addSink"),
                        InstanceMethod<&Channel::RemoveSink>("removeSink"),
                        InstanceMethod<&Channel::Close>("close"), InstanceMethod<&Channel::Ref>("ref"),
                        InstanceMethod<&Channel::Unref>("unref")});
  }

  explicit Channel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Channel>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsNumber() || !info[1].IsFunction()) {
      ThrowType(env, "new Channel(fd, onEvent): expected a number and a function");
      return;
    }
    int fd = info[0].As<Napi::Number>().Int32Value();
    int type = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
      ThrowErrno(env, errno, "getsockopt");
      return;
    }
    if (type != SOCK_SEQPACKET) {
      ThrowErrno(env, EPROTOTYPE, "getsockopt");
      return;
    }
    int wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd < 0) {
      ThrowErrno(env, errno, "eventfd");
      return;
    }
    core_ = new Core(fd, wakeFd);
    core_->tsfn = Tsfn::New(env, info[1].As<Napi::Function>(), "pier:SeqpacketSocket", kMaxQueue, 1, core_,
                            [](Napi::Env, Core* core, Core*) {
                              core->Close(false);
                              delete core;
                            },
                            core_);
    if (static_cast<napi_threadsafe_function>(core_->tsfn) == nullptr) {  // New() has thrown; fd stays the caller's
      close(wakeFd);
      delete core_;
      core_ = nullptr;
      return;
    }
    if (int err = core_->Start()) {  // the TSFN finalizer deletes the Core; the fd stays the caller's
      core_->fd = -1;
      core_->Close(true);
      core_ = nullptr;
      ThrowErrno(env, err, "pthread_create");
    }
  }

  // The Core outlives this wrapper only until the TSFN finalizer runs; the wrapper never frees it.
  ~Channel() override = default;

 private:
  Core* core_ = nullptr;  // null once closed

  Napi::Value Closed(Napi::Env env, const char* syscall) { return ThrowErrno(env, EBADF, syscall); }

  void Pause(const Napi::CallbackInfo&) {
    if (core_) core_->paused = true;  // takes effect at the thread's next poll
  }

  void Resume(const Napi::CallbackInfo&) {
    if (core_ && core_->paused.exchange(false)) core_->Wake();
  }

  void WaitWritable(const Napi::CallbackInfo&) {
    if (core_ && !core_->wantWritable.exchange(true)) core_->Wake();
  }

  // send(data, offset) → new offset. Sends data[offset..] as packets of ≤ 32768 bytes without blocking; returns
  // early (offset < length) on EAGAIN. Throws on other errors (EPIPE once the peer is gone).
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!core_) return Closed(env, "send");
    if (!info[0].IsTypedArray() || !info[1].IsNumber()) return ThrowType(env, "send(data, offset): expected a Uint8Array and a number");
    Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
    size_t length = data.ByteLength();
    size_t offset = std::min<size_t>(info[1].As<Napi::Number>().Int64Value(), length);
    while (offset < length) {
      size_t size = std::min(kMaxSendPacket, length - offset);
      if (send(core_->fd, data.Data() + offset, size, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) break;
        return ThrowErrno(env, errno, "send");
      }
      offset += size;  // a SOCK_SEQPACKET send is all or nothing
    }
    return Napi::Number::New(env, static_cast<double>(offset));
  }

  Napi::Value ShutdownWrite(const Napi::CallbackInfo& info) {
    if (!core_) return Closed(info.Env(), "shutdown");
    if (shutdown(core_->fd, SHUT_WR) < 0 && errno != ENOTCONN) return ThrowErrno(info.Env(), errno, "shutdown");
    return info.Env().Undefined();
  }

  // addSink(fd, framed, stdout, stderr) → id: the I/O thread writes conmon's output to a dup of the stream socket
  // `fd` (sink.h) until EOF has been read and sent (then a SINK_DONE event), a send fails (SINK_DONE with the
  // error) or removeSink(id). Throws ENOTSOCK / EPROTOTYPE for an fd that is not a stream socket.
  Napi::Value AddSink(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!core_) return Closed(env, "addSink");
    if (!info[0].IsNumber()) return ThrowType(env, "addSink(fd, framed, stdout, stderr): expected a number");
    int64_t id = core_->AddSink(info[0].As<Napi::Number>().Int32Value(), info[1].ToBoolean(), info[2].ToBoolean(),
                                info[3].ToBoolean());
    if (id < 0) return ThrowErrno(env, static_cast<int>(-id), "addSink");
    return Napi::Number::New(env, static_cast<double>(id));
  }

  void RemoveSink(const Napi::CallbackInfo& info) {
    if (core_ && info[0].IsNumber()) core_->RemoveSink(info[0].As<Napi::Number>().Uint32Value());
  }

  void Close(const Napi::CallbackInfo&) {
    if (!core_) return;
    core_->Close(true);
    core_ = nullptr;
  }

  void Ref(const Napi::CallbackInfo& info) {
    if (core_) core_->tsfn.Ref(info.Env());
  }

  void Unref(const Napi::CallbackInfo& info) {
    if (core_) core_->tsfn.Unref(info.Env());
  }
};

}  // namespace

void InitChannel(Napi::Env env, Napi::Object exports) { exports.Set("Channel", Channel::Define(env)); }

}  // namespace pier
