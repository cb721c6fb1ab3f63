// Overlay mounts without mount(8)/umount(8) (a process each, on the `docker run` path): mountOverlay(cwd, options,
// target) and unmount(target, detach) settle a Promise from a libuv pool thread. The overlay's relative lower dirs
// resolve against `cwd`, so the mount itself runs on a short-lived thread that unshare(CLONE_FS)s first: changing
// that thread's working directory leaves the engine's (and the pool thread's) alone. makeNetns(target) is
// `unshare --net=target ip link set lo up` without the two processes: a short-lived thread takes a new network
// namespace, brings its loopback up and bind-mounts the namespace on target; the thread ends, the mount holds it.
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "addon.h"
#include "errors.h"

namespace pier {
namespace {

struct MountJob {
  std::string cwd, options, target;
  int err = 0;
};

void* MountThread(void* arg) {
  auto* job = static_cast<MountJob*>(arg);
  if (unshare(CLONE_FS) < 0 || chdir(job->cwd.c_str()) < 0 ||
      mount("overlay", job->target.c_str(), "overlay", 0, job->options.c_str()) < 0) {
    job->err = errno;
  }
  return nullptr;
}

class MountWorker : public Napi::AsyncWorker {
 public:
  MountWorker(Napi::Env env, MountJob job)
      : Napi::AsyncWorker(env, "pier.mount"), job_(std::move(job)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    pthread_t t;
    int err = pthread_create(&t, nullptr, MountThread, &job_);
    if (err) job_.err = err;
    else pthread_join(t, nullptr);
  }
  void OnOK() override {
    if (job_.err) deferred_.Reject(ErrnoError(Env(), job_.err, "mount", job_.target).Value());
    else deferred_.Resolve(Env().Undefined());
  }

 private:
  MountJob job_;
  Napi::Promise::Deferred deferred_;
};

class UnmountWorker : public Napi::AsyncWorker {
 public:
  UnmountWorker(Napi::Env env, std::string target, bool detach)
      : Napi::AsyncWorker(env, "pier.umount"), target_(std::move(target)), detach_(detach),
        deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    if (umount2(target_.c_str(), detach_ ? MNT_DETACH : 0) < 0) err_ = errno;
  }
  void OnOK() override {
    if (err_) deferred_.Reject(ErrnoError(Env(), err_, "umount", target_).Value());
    else deferred_.Resolve(Env().Undefined());
  }

 private:
  std::string target_;
  bool detach_;
  int err_ = 0;
  Napi::Promise::Deferred deferred_;
};

struct NetnsJob {
  std::string target;
  int err = 0;
  const char* syscall = "";
};

// Runs on its own thread: only this thread's network namespace changes, and the thread ends afterwards.
void* NetnsThread(void* arg) {
  auto* job = static_cast<NetnsJob*>(arg);
  auto fail = [job](const char* syscall) { job->err = errno; job->syscall = syscall; return nullptr; };
  if (unshare(CLONE_NEWNET) < 0) return fail("unshare");
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return fail("socket");
  ifreq ifr{};
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  bool up = ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
  int upErr = errno;
  close(s);
  if (!up) { errno = upErr; return fail("ioctl"); }
  if (mount("/proc/thread-self/ns/net", job->target.c_str(), nullptr, MS_BIND, nullptr) < 0) return fail("mount");
  return nullptr;
}

class NetnsWorker : public Napi::AsyncWorker {
 public:
  NetnsWorker(Napi::Env env, std::string target)
      : Napi::AsyncWorker(env, "pier.netns"), deferred_(Napi::Promise::Deferred::New(env)) { job_.target = std::move(target); }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    pthread_t t;
    int err = pthread_create(&t, nullptr, NetnsThread, &job_);
    if (err) { job_.err = err; job_.syscall = "pthread_create"; }
    else pthread_join(t, nullptr);
  }
  void OnOK() override {
    if (job_.err) deferred_.Reject(ErrnoError(Env(), job_.err, job_.syscall, job_.target).Value());
    else deferred_.Resolve(Env().Undefined());
  }

 private:
  NetnsJob job_;
  Napi::Promise::Deferred deferred_;
};

Napi::Value MakeNetns(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) return ThrowType(env, "makeNetns(target): a string");
  auto* w = new NetnsWorker(env, info[0].As<Napi::String>().Utf8Value());
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value MountOverlay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString() || !info[2].IsString()) {
    return ThrowType(env, "mountOverlay(cwd, options, target): strings");
  }
  MountJob job{info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value(),
               info[2].As<Napi::String>().Utf8Value()};
  auto* w = new MountWorker(env, std::move(job));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value Unmount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsBoolean()) return ThrowType(env, "unmount(target, detach)");
  auto* w = new UnmountWorker(env, info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::Boolean>().Value());
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace

void InitMount(Napi::Env env, Napi::Object exports) {
  exports.Set("mountOverlay", Napi::Function::New(env, MountOverlay, "mountOverlay"));
  exports.Set("unmount", Napi::Function::New(env, Unmount, "unmount"));
  exports.Set("makeNetns", Napi::Function::New(env, MakeNetns, "makeNetns"));
}

}  // namespace pier
