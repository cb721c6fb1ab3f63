// Each concern registers its exports on the module object.
#pragma once

#include <napi.h>

namespace pier {

void InitUnix(Napi::Env env, Napi::Object exports);  // unix.cc: socketpair, closeFd, connect, listen, accept, unreadBytes
void InitChannel(Napi::Env env, Napi::Object exports);  // channel.cc: Channel (fd + I/O thread)
void InitResolve(Napi::Env env, Napi::Object exports);  // resolve.cc: resolveInRoot, openat2Supported
void InitLock(Napi::Env env, Napi::Object exports);     // lock.cc: flock, funlock, flockAsync
void InitPidWatch(Napi::Env env, Napi::Object exports);  // pidwatch.cc: PidWatcher (pidfd + epoll thread)
void InitSpawn(Napi::Env env, Napi::Object exports);     // spawn.cc: spawn (posix_spawn), reap, pipe
void InitMount(Napi::Env env, Napi::Object exports);     // mount.cc: mountOverlay, unmount
void InitForward(Napi::Env env, Napi::Object exports);   // forward.cc: forwardTcp (splice, for the rootless forwarder)

}  // namespace pier
