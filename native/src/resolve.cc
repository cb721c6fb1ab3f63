// resolveInRoot(root, rel): the host path `rel` names when resolved as if `root` were "/": openat2 with
// RESOLVE_IN_ROOT (symlinks and ".." are clamped to root) and RESOLVE_NO_MAGICLINKS (no /proc/<pid>/fd jumps),
// then the kernel's name for the resulting O_PATH fd. Used by the layer extractor to find an entry's parent.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>

#include "addon.h"
#include "errors.h"

namespace pier {
namespace {

int Openat2(int dirFd, const char* path, uint64_t flags, uint64_t resolve) {
  open_how how{};
  how.flags = flags;
  how.resolve = resolve;
  return static_cast<int>(syscall(SYS_openat2, dirFd, path, &how, sizeof how));
}

// The kernel's current absolute path for fd; returns errno or 0.
int FdPath(int fd, std::string* out) {
  char link[64];
  char target[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof target);
  if (n < 0) return errno;
  if (static_cast<size_t>(n) == sizeof target) return ENAMETOOLONG;
  out->assign(target, n);
  return 0;
}

bool Inside(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

// e.g. "ENOENT: no such file or directory, openat2 'a/b' in '/root'", with `path` = rel and `root`.
Napi::Value ThrowInRoot(Napi::Env env, int err, const char* syscall, const std::string& root, const std::string& rel) {
  Napi::Error error = ErrnoError(env, err, syscall, rel, "", " in '" + root + "'");
  error.Set("root", Napi::String::New(env, root));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ResolveInRoot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString()) return ThrowType(env, "resolveInRoot(root, rel): expected two strings");
  std::string root = info[0].As<Napi::String>();
  std::string rel = info[1].As<Napi::String>();
  int rootFd = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootFd < 0) return ThrowErrno(env, errno, "open", root);
  int fd, tries = 0;
  do fd = Openat2(rootFd, rel.empty() ? "." : rel.c_str(), O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < 32);  // EAGAIN: a concurrent rename; retry
  if (fd < 0) {
    int err = errno;
    close(rootFd);
    return ThrowInRoot(env, err, "openat2", root, rel);
  }
  std::string rootPath, path;
  int err = FdPath(rootFd, &rootPath);
  if (!err) err = FdPath(fd, &path);
  if (!err && !Inside(path, rootPath)) err = EXDEV;  // moved out of root after resolution
  close(fd);
  close(rootFd);
  if (err) return ThrowInRoot(env, err, "readlink", root, rel);
  return Napi::String::New(env, path);
}

Napi::Value Openat2Supported(const Napi::CallbackInfo& info) {
  static const bool supported = [] {
    int fd = Openat2(AT_FDCWD, "/", O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (fd < 0) return false;  // ENOSYS before Linux 5.6, EPERM under some seccomp profiles
    close(fd);
    return true;
  }();
  return Napi::Boolean::New(info.Env(), supported);
}

}  // namespace

void InitResolve(Napi::Env env, Napi::Object exports) {
  exports.Set("resolveInRoot", Napi::Function::New(env, ResolveInRoot, "resolveInRoot"));
  exports.Set("openat2Supported", Napi::Function::New(env, Openat2Supported, "openat2Supported"));
}

}  // namespace pier
