// flock(2) for Pier's lock files (engine.lock, per-container locks shared with `pier container cleanup`).
// The kernel drops an flock when the last fd on its open file description closes, so a killed holder never
// leaves a stale lock. flock() blocks; flockAsync() waits on a libuv pool thread and settles a Promise.
#include <sys/file.h>

#include <cerrno>

#include "addon.h"
#include "errors.h"

namespace pier {
namespace {

int Lock(int fd, bool exclusive, bool wait) {
  int op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
  int r;
  do r = flock(fd, op);
  while (r < 0 && errno == EINTR);
  return r < 0 ? errno : 0;
}

// flock(fd, exclusive, wait) → true when locked; false when !wait and another holder has it (EWOULDBLOCK).
Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return ThrowType(env, "flock(fd, exclusive, wait): fd must be a number");
  int err = Lock(info[0].As<Napi::Number>().Int32Value(), info[1].ToBoolean(), info[2].ToBoolean());
  if (err == EWOULDBLOCK) return Napi::Boolean::New(env, false);
  if (err) return ThrowErrno(env, err, "flock");
  return Napi::Boolean::New(env, true);
}

Napi::Value Funlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return ThrowType(env, "funlock(fd): fd must be a number");
  if (flock(info[0].As<Napi::Number>().Int32Value(), LOCK_UN) < 0) return ThrowErrno(env, errno, "flock");
  return env.Undefined();
}

class FlockWorker : public Napi::AsyncWorker {
 public:
  FlockWorker(Napi::Env env, int fd, bool exclusive)
      : Napi::AsyncWorker(env, "pier.flock"), fd_(fd), exclusive_(exclusive), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { err_ = Lock(fd_, exclusive_, true); }
  void OnOK() override {
    if (err_) deferred_.Reject(ErrnoError(Env(), err_, "flock").Value());
    else deferred_.Resolve(Env().Undefined());
  }

 private:
  int fd_;
  bool exclusive_;
  int err_ = 0;
  Napi::Promise::Deferred deferred_;
};

Napi::Value FlockAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return ThrowType(env, "flockAsync(fd, exclusive): fd must be a number");
  auto* w = new FlockWorker(env, info[0].As<Napi::Number>().Int32Value(), info[1].ToBoolean());
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace

void InitLock(Napi::Env env, Napi::Object exports) {
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
  exports.Set("funlock", Napi::Function::New(env, Funlock, "funlock"));
  exports.Set("flockAsync", Napi::Function::New(env, FlockAsync, "flockAsync"));
}

}  // namespace pier
