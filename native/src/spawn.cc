// Process spawning without fork(): posix_spawn (glibc: clone(CLONE_VM | CLONE_VFORK)) costs the same whatever the
// engine's memory size, where fork() copies the page tables of the whole process and blocks the JS thread for
// milliseconds per spawn in a large process. JS watches the child with a pidfd (pidwatch.cc) and collects its status
// with reap(); libuv reaps only the children it spawned itself, so it never takes these.
//
// spawn(file, argv, env, cwd, fds, setsid) → pid. Child fd i is fds[i] (a parent fd; -1 = /dev/null); every other
// fd of the parent is close-on-exec in Node. Signal dispositions and mask are reset to the defaults (Node ignores
// SIGPIPE). `file` without a slash is searched in the parent's PATH. Failures (exec, chdir, dup2) throw ENOENT etc.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "addon.h"
#include "errors.h"

namespace pier {
namespace {

bool StringArray(const Napi::Value& v, std::vector<std::string>& out) {
  if (!v.IsArray()) return false;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (!e.IsString()) return false;
    out.push_back(e.As<Napi::String>().Utf8Value());
  }
  return true;
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Every signal but KILL and STOP, set bit by bit: sigaddset refuses glibc's internal signals (32, 33), which its
// posix_spawn would otherwise leave ignored in the child (and so in the container, through runc).
void DefaultSignals(sigset_t* set) {
  sigemptyset(set);
  auto* words = reinterpret_cast<unsigned long*>(set);
  constexpr int kBits = 8 * sizeof(unsigned long);
  for (int sig = 1; sig < _NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    words[(sig - 1) / kBits] |= 1UL << ((sig - 1) % kBits);
  }
}

Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> argv, envv;
  if (!info[0].IsString() || !StringArray(info[1], argv) || argv.empty() || !StringArray(info[2], envv) ||
      !(info[3].IsString() || info[3].IsNull()) || !info[4].IsArray() || !info[5].IsBoolean()) {
    return ThrowType(env, "spawn(file, argv[], env[], cwd|null, fds[], setsid)");
  }
  std::string file = info[0].As<Napi::String>().Utf8Value();
  Napi::Array fdArr = info[4].As<Napi::Array>();
  std::vector<int> fds;
  int highest = static_cast<int>(fdArr.Length());
  for (uint32_t i = 0; i < fdArr.Length(); i++) {
    Napi::Value v = fdArr.Get(i);
    if (!v.IsNumber()) return ThrowType(env, "spawn: fds must be numbers");
    int fd = v.As<Napi::Number>().Int32Value();
    fds.push_back(fd);
    if (fd > highest) highest = fd;
  }

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  // two steps, so that a source fd that is also a target number is not overwritten before it is used:
  // every source to base+i first, then base+i to i, then base+i closed
  int base = highest + 1;
  for (size_t i = 0; i < fds.size(); i++) {
    if (fds[i] >= 0) posix_spawn_file_actions_adddup2(&fa, fds[i], base + static_cast<int>(i));
  }
  for (size_t i = 0; i < fds.size(); i++) {
    int target = static_cast<int>(i);
    if (fds[i] >= 0) {
      posix_spawn_file_actions_adddup2(&fa, base + target, target);
      posix_spawn_file_actions_addclose(&fa, base + target);
    } else {
      posix_spawn_file_actions_addopen(&fa, target, "/dev/null", O_RDWR, 0);
    }
  }
  std::string cwd = info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : "";
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  DefaultSignals(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (info[5].As<Napi::Boolean>().Value()) flags |= POSIX_SPAWN_SETSID;
  posix_spawnattr_setflags(&attr, flags);

  std::vector<char*> cargv = CStrings(argv), cenv = CStrings(envv);
  pid_t pid = -1;
  int err = file.find('/') == std::string::npos
                ? posix_spawnp(&pid, file.c_str(), &fa, &attr, cargv.data(), cenv.data())
                : posix_spawn(&pid, file.c_str(), &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return ThrowErrno(env, err, "spawn", file);
  return Napi::Number::New(env, pid);
}

// reap(pid) → [code, signal] once the child has ended (signal 0 = exited with code), null while it runs.
Napi::Value Reap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return ThrowType(env, "reap(pid): pid must be a number");
  int pid = info[0].As<Napi::Number>().Int32Value();
  int status = 0;
  pid_t r;
  do r = waitpid(pid, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r < 0) return ThrowErrno(env, errno, "waitpid");
  if (r == 0) return env.Null();
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  out.Set(1u, Napi::Number::New(env, WIFSIGNALED(status) ? WTERMSIG(status) : 0));
  return out;
}

// pipe() → [readFd, writeFd], both close-on-exec.
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return ThrowErrno(env, errno, "pipe2");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, p[0]));
  out.Set(1u, Napi::Number::New(env, p[1]));
  return out;
}

}  // namespace

void InitSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("spawn", Napi::Function::New(env, Spawn, "spawn"));
  exports.Set("reap", Napi::Function::New(env, Reap, "reap"));
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
}

}  // namespace pier
