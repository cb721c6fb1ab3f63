// Pier's Node-API addon: SOCK_SEQPACKET sockets (unix.cc, channel.cc), in-root path resolution (resolve.cc),
// flock (lock.cc), process-exit watching through pidfds (pidwatch.cc), fork-free spawning (spawn.cc) and
// overlay mount/unmount (mount.cc) and TCP forwarding with splice (forward.cc).
// Node-API only, no external buffers: the same binary loads in Node 20+ and Electron 33+.
#include <napi.h>

#include "addon.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  pier::InitUnix(env, exports);
  pier::InitChannel(env, exports);
  pier::InitResolve(env, exports);
  pier::InitLock(env, exports);
  pier::InitPidWatch(env, exports);
  pier::InitSpawn(env, exports);
  pier::InitMount(env, exports);
  pier::InitForward(env, exports);
  return exports;
}

NODE_API_MODULE(pier_native, Init)
