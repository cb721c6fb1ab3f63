// AF_UNIX SOCK_SEQPACKET plumbing: socketpair, connect (with the /proc/self/fd trick for long paths), and
// the test-support listener. Every fd is created CLOEXEC.
#include <fcntl.h>
#include <poll.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "addon.h"
#include "errors.h"

namespace pier {
namespace {

constexpr int kConnectTimeoutSec = 5;  // bounds a connect() to a listener whose backlog is full

// Calls use(addr) with a sockaddr_un naming `path` and returns its errno (0 on success). When `path` does not fit
// sun_path (108 bytes), the parent directory is opened O_PATH and the address is /proc/self/fd/<dirfd>/<basename>;
// if even that is too long and `socketExists`, the socket itself is opened O_PATH and named /proc/self/fd/<fd>.
template <typename Use>
int WithSunPath(const std::string& path, bool socketExists, Use use) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty()) return ENOENT;
  if (path.size() < sizeof addr.sun_path) {
    memcpy(addr.sun_path, path.data(), path.size());
    return use(addr);
  }
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  int pathFd;
  std::string target;
  if (base.size() + 32 < sizeof addr.sun_path) {
    pathFd = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    target = "/proc/self/fd/" + std::to_string(pathFd) + "/" + base;
  } else if (socketExists) {
    pathFd = open(path.c_str(), O_PATH | O_CLOEXEC);
    target = "/proc/self/fd/" + std::to_string(pathFd);
  } else {
    return ENAMETOOLONG;
  }
  if (pathFd < 0) return errno;
  memcpy(addr.sun_path, target.data(), target.size());
  int err = use(addr);
  close(pathFd);
  return err;
}

int NewSeqpacket() { return socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0); }

Napi::Value Socketpair(const Napi::CallbackInfo& info) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return ThrowErrno(info.Env(), errno, "socketpair");
  Napi::Array pair = Napi::Array::New(info.Env(), 2);
  pair.Set(0u, Napi::Number::New(info.Env(), sv[0]));
  pair.Set(1u, Napi::Number::New(info.Env(), sv[1]));
  return pair;
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) return ThrowType(info.Env(), "closeFd(fd): fd must be a number");
  // Linux releases the fd even when close() reports EINTR, so only EBADF and friends are errors.
  if (close(info[0].As<Napi::Number>().Int32Value()) < 0 && errno != EINTR) return ThrowErrno(info.Env(), errno, "close");
  return info.Env().Undefined();
}

Napi::Value ConnectSeqpacket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) return ThrowType(env, "connectSeqpacket(path): path must be a string");
  std::string path = info[0].As<Napi::String>();
  int fd = NewSeqpacket();
  if (fd < 0) return ThrowErrno(env, errno, "socket", path);
  timeval timeout{kConnectTimeoutSec, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  int err = WithSunPath(path, true, [fd](const sockaddr_un& addr) {
    int r;
    do r = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    while (r < 0 && errno == EINTR);
    return r < 0 ? errno : 0;
  });
  if (err) {
    close(fd);
    return ThrowErrno(env, err == EAGAIN ? ETIMEDOUT : err, "connect", path);
  }
  timeout = {0, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  return Napi::Number::New(env, fd);
}

Napi::Value ListenSeqpacket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) return ThrowType(env, "listenSeqpacket(path): path must be a string");
  std::string path = info[0].As<Napi::String>();
  int fd = NewSeqpacket();
  if (fd < 0) return ThrowErrno(env, errno, "socket", path);
  int err = WithSunPath(path, false, [fd](const sockaddr_un& addr) {
    return bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0 ? errno : 0;
  });
  const char* syscall = "bind";
  if (!err && listen(fd, 16) < 0) err = errno, syscall = "listen";
  if (err) {
    close(fd);
    return ThrowErrno(env, err, syscall, path);
  }
  return Napi::Number::New(env, fd);
}

Napi::Value AcceptFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return ThrowType(env, "acceptFd(fd, timeoutMs): fd must be a number");
  int listenFd = info[0].As<Napi::Number>().Int32Value();
  int timeoutMs = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 5000;
  pollfd p{listenFd, POLLIN, 0};
  int r;
  do r = poll(&p, 1, timeoutMs);
  while (r < 0 && errno == EINTR);
  if (r < 0) return ThrowErrno(env, errno, "poll");
  if (r == 0) return ThrowErrno(env, ETIMEDOUT, "accept");
  int fd = accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return ThrowErrno(env, errno, "accept");
  return Napi::Number::New(env, fd);
}

// Bytes written to a stream socket that its peer has not read yet (SIOCOUTQ; for AF_UNIX the data still queued at
// the receiver). Lets a server wait until a client has consumed a response head before more bytes follow.
Napi::Value UnreadBytes(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) return ThrowType(info.Env(), "unreadBytes(fd): fd must be a number");
  int n = 0;
  if (ioctl(info[0].As<Napi::Number>().Int32Value(), SIOCOUTQ, &n) < 0) return ThrowErrno(info.Env(), errno, "ioctl");
  return Napi::Number::New(info.Env(), n);
}

}  // namespace

void InitUnix(Napi::Env env, Napi::Object exports) {
  exports.Set("socketpair", Napi::Function::New(env, Socketpair, "socketpair"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
  exports.Set("connectSeqpacket", Napi::Function::New(env, ConnectSeqpacket, "connectSeqpacket"));
  exports.Set("listenSeqpacket", Napi::Function::New(env, ListenSeqpacket, "listenSeqpacket"));
  exports.Set("acceptFd", Napi::Function::New(env, AcceptFd, "acceptFd"));
  exports.Set("unreadBytes", Napi::Function::New(env, UnreadBytes, "unreadBytes"));
}

}  // namespace pier
