// PidWatcher: tells JS when processes it does not parent end (conmon after an engine restart). One thread waits
// on an epoll set of pidfds (pidfd_open, Linux ≥ 5.3; readable once the process has exited) and an eventfd; each
// exit is reported once (EPOLLONESHOT) as the PID through a thread-safe function. JS closes the pidfd.
//
// Lifetime: as Channel. close() stops and joins the thread and closes the epoll fd and eventfd; the thread-safe
// function's finalizer does the same when close() never ran, and deletes the Core.
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

#include "addon.h"
#include "errors.h"

namespace pier {
namespace {

constexpr uint64_t kWake = 0;  // epoll data of the eventfd (PIDs are > 0)

struct Core {
  int epfd = -1;
  int wakeFd = -1;
  Napi::ThreadSafeFunction tsfn;
  pthread_t thread{};
  bool started = false;
  bool closed = false;  // JS thread only
  std::atomic<bool> stop{false};

  void Shutdown() {
    if (closed) return;
    closed = true;
    stop = true;
    uint64_t one = 1;
    ssize_t r = write(wakeFd, &one, sizeof one);
    (void)r;
    if (started) pthread_join(thread, nullptr);
    close(epfd);
    close(wakeFd);
  }
};

void* Run(void* arg) {
  Core* core = static_cast<Core*>(arg);
  epoll_event events[32];
  while (!core->stop) {
    int n = epoll_wait(core->epfd, events, 32, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n && !core->stop; i++) {
      uint64_t pid = events[i].data.u64;
      if (pid == kWake) continue;
      auto* boxed = new int(static_cast<int>(pid));
      napi_status st = core->tsfn.BlockingCall(boxed, [](Napi::Env env, Napi::Function fn, int* p) {
        int value = *p;
        delete p;
        if (env != nullptr && fn != nullptr) fn.Call({Napi::Number::New(env, value)});
      });
      if (st != napi_ok) {
        delete boxed;
        return nullptr;
      }
    }
  }
  return nullptr;
}

class PidWatcher : public Napi::ObjectWrap<PidWatcher> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PidWatcher",
                       {InstanceMethod<&PidWatcher::Watch>("watch"), InstanceMethod<&PidWatcher::Close>("close"),
                        InstanceMethod<&PidWatcher::Ref>("ref"), InstanceMethod<&PidWatcher::Unref>("unref")});
  }

  // new PidWatcher(onExit: (pid) => void); starts unref'ed.
  explicit PidWatcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PidWatcher>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsFunction()) {
      ThrowType(env, "new PidWatcher(onExit): onExit must be a function");
      return;
    }
    auto* core = new Core();
    core->epfd = epoll_create1(EPOLL_CLOEXEC);
    core->wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (core->epfd < 0 || core->wakeFd < 0) {
      int err = errno;
      if (core->epfd >= 0) close(core->epfd);
      if (core->wakeFd >= 0) close(core->wakeFd);
      delete core;
      ThrowErrno(env, err, "epoll_create1");
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWake;
    epoll_ctl(core->epfd, EPOLL_CTL_ADD, core->wakeFd, &ev);
    core->tsfn = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "pier.pidwatch", 16, 1, core,
                                               [](Napi::Env, Core* c) {
                                                 c->Shutdown();
                                                 delete c;
                                               });
    core->tsfn.Unref(env);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 128 * 1024);
    core->started = pthread_create(&core->thread, &attr, Run, core) == 0;
    pthread_attr_destroy(&attr);
    core_ = core;
    if (!core->started) {
      ThrowErrno(env, EAGAIN, "pthread_create");
      Release();
    }
  }

 private:
  // watch(pid) → the pidfd (owned by the caller; close it to stop watching), or -1 when no such process.
  Napi::Value Watch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!core_) return ThrowErrno(env, EBADF, "pidfd_open");
    if (!info[0].IsNumber()) return ThrowType(env, "watch(pid): pid must be a number");
    int pid = info[0].As<Napi::Number>().Int32Value();
    if (pid <= 0) return ThrowType(env, "watch(pid): pid must be positive");
    int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) {
      if (errno == ESRCH) return Napi::Number::New(env, -1);
      return ThrowErrno(env, errno, "pidfd_open");
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = static_cast<uint64_t>(pid);
    if (epoll_ctl(core_->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
      int err = errno;
      close(fd);
      return ThrowErrno(env, err, "epoll_ctl");
    }
    return Napi::Number::New(env, fd);
  }

  void Release() {
    if (!core_) return;
    Core* core = core_;
    core_ = nullptr;
    core->Shutdown();
    core->tsfn.Release();  // the finalizer deletes core
  }

  void Close(const Napi::CallbackInfo&) { Release(); }
  void Ref(const Napi::CallbackInfo& info) {
    if (core_) core_->tsfn.Ref(info.Env());
  }
  void Unref(const Napi::CallbackInfo& info) {
    if (core_) core_->tsfn.Unref(info.Env());
  }

  Core* core_ = nullptr;
};

}  // namespace

void InitPidWatch(Napi::Env env, Napi::Object exports) { exports.Set("PidWatcher", PidWatcher::Define(env)); }

}  // namespace pier
