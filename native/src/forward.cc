// TCP port forwarding for the rootless forwarder process (electron/engine/network/forwarder.ts): accepts on a
// bound host socket and connects each client to target:port, moving the bytes with splice(2) through a pipe per
// direction, so they never enter user space (what rootlessport gets from Go's io.Copy). Half-close is kept: EOF
// one way shuts that way's write side only; an error either way closes both sockets. One accept thread per
// listener and one thread per connection, all detached: they live as long as the process, which the engine kills.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "addon.h"
#include "errors.h"

namespace pier {
namespace {

// Each direction's pipe asks for this much (the per-user pipe budget may refuse it: the default size stays then).
constexpr int kPipeBytes = 256 * 1024;
constexpr size_t kThreadStack = 64 * 1024;

using Target = sockaddr_in;  // the container's address: IPAM hands out IPv4 only

struct Listener {
  int fd;
  Target target;
  Napi::ThreadSafeFunction fatal;  // called once with the error text if accepting fails for good
};

// One direction of a connection: src → pipe → dst.
struct Way {
  int src, dst;
  int pipe[2] = {-1, -1};
  size_t capacity = 0, queued = 0;
  bool eof = false, shut = false;
};

bool OpenPipe(Way& w) {
  if (pipe2(w.pipe, O_NONBLOCK | O_CLOEXEC) < 0) return false;
  fcntl(w.pipe[1], F_SETPIPE_SZ, kPipeBytes);
  int size = fcntl(w.pipe[1], F_GETPIPE_SZ);
  w.capacity = size > 0 ? static_cast<size_t>(size) : 65536;
  return true;
}

// Moves what it can without blocking. False on an error (the connection ends). `wantIn`/`wantOut` say which
// readiness this way waits for next (set by the last pass, the one that moved nothing).
bool Move(Way& w, short& wantIn, short& wantOut) {
  for (;;) {
    bool moved = false;
    wantIn = wantOut = 0;
    if (!w.eof && w.queued < w.capacity) {
      ssize_t n = splice(w.src, nullptr, w.pipe[1], nullptr, w.capacity - w.queued, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) { w.queued += n; moved = true; }
      else if (n == 0) w.eof = true;
      else if (errno == EAGAIN) wantIn = POLLIN;
      else if (errno == EINTR) moved = true;
      else return false;
    }
    if (w.queued > 0) {
      ssize_t n = splice(w.pipe[0], nullptr, w.dst, nullptr, w.queued, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) { w.queued -= n; moved = true; }
      else if (n < 0 && errno == EAGAIN) wantOut = POLLOUT;
      else if (n < 0 && errno == EINTR) moved = true;
      else return false;
    }
    if (w.eof && w.queued == 0 && !w.shut) {
      shutdown(w.dst, SHUT_WR);
      w.shut = true;
    }
    if (!moved) return true;
  }
}

void Pump(int client, int upstream) {
  Way ways[2] = {{client, upstream}, {upstream, client}};
  if (OpenPipe(ways[0]) && OpenPipe(ways[1])) {
    for (;;) {
      short in[2], out[2];
      if (!Move(ways[0], in[0], out[0]) || !Move(ways[1], in[1], out[1])) break;
      if (ways[0].shut && ways[1].shut) break;
      pollfd fds[2] = {{client, static_cast<short>(in[0] | out[1]), 0}, {upstream, static_cast<short>(in[1] | out[0]), 0}};
      if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
      // a reset (or a closed fd) ends the connection even when neither way waits on that socket
      if ((fds[0].revents | fds[1].revents) & (POLLERR | POLLNVAL)) break;
    }
  }
  for (Way& w : ways)
    for (int fd : w.pipe)
      if (fd >= 0) close(fd);
}

struct Connection {
  int client;
  const Target* target;
};

void* Serve(void* arg) {
  Connection c = *static_cast<Connection*>(arg);
  delete static_cast<Connection*>(arg);
  int up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int r = up < 0 ? -1 : 0;
  if (r == 0) {
    do r = connect(up, reinterpret_cast<const sockaddr*>(c.target), sizeof *c.target);
    while (r < 0 && errno == EINTR);
  }
  if (r == 0) {
    int one = 1;
    setsockopt(c.client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(up, F_SETFL, fcntl(up, F_GETFL) | O_NONBLOCK);
    Pump(c.client, up);
  }
  if (up >= 0) close(up);
  close(c.client);
  return nullptr;
}

bool StartDetached(void* (*fn)(void*), void* arg) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, kThreadStack);
  pthread_t t;
  int err = pthread_create(&t, &attr, fn, arg);
  pthread_attr_destroy(&attr);
  return err == 0;
}

// Ends an accept loop: reports err once to JavaScript; the result is the thread's return value.
// Ends an accept loop: reports err to JavaScript once; the result is the thread's return value.
void* ReportFatal(Listener* l, int err) {
  auto* text = new std::string(std::string("accept: ") + strerror(err));
  l->fatal.BlockingCall(text, [](Napi::Env env, Napi::Function fn, std::string* t) {
    fn.Call({Napi::String::New(env, *t)});
    delete t;
  });
  l->fatal.Release();
  return nullptr;
}

void* AcceptLoop(void* arg) {
  auto* l = static_cast<Listener*>(arg);
  for (;;) {
    pollfd p{l->fd, POLLIN, 0};
    if (poll(&p, 1, -1) < 0 && errno != EINTR) return ReportFatal(l, errno);
    int c = accept4(l->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0) {
      // transient: the client gave up, a signal, or out of fds for now (the next poll retries)
      if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) { usleep(10000); continue; }
      return ReportFatal(l, errno);
    }
    auto* conn = new Connection{c, &l->target};
    if (!StartDetached(Serve, conn)) {
      close(c);
      delete conn;
    }
  }
}

bool ParseTarget(const std::string& host, int port, Target& t) {
  t = Target{};
  t.sin_family = AF_INET;
  t.sin_port = htons(static_cast<uint16_t>(port));
  return inet_pton(AF_INET, host.c_str(), &t.sin_addr) == 1;
}

// forwardTcp(fd, host, port, onFatal): listens on the bound socket fd and forwards every connection to
// host:port (a numeric IPv4 address) until the process ends. onFatal(message) is called if accepting
// stops working; until then the listener keeps the event loop alive.
Napi::Value ForwardTcp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsString() || !info[2].IsNumber() || !info[3].IsFunction())
    return ThrowType(env, "forwardTcp(fd, host, port, onFatal): expected a number, a string, a number and a function");
  int fd = info[0].As<Napi::Number>().Int32Value();
  int port = info[2].As<Napi::Number>().Int32Value();
  Target target;
  if (port < 1 || port > 65535 || !ParseTarget(info[1].As<Napi::String>().Utf8Value(), port, target))
    return ThrowType(env, "forwardTcp: host must be a numeric IPv4 address and port 1..65535");
  if (listen(fd, SOMAXCONN) < 0) return ThrowErrno(env, errno, "listen");
  auto* l = new Listener{fd, target, Napi::ThreadSafeFunction::New(env, info[3].As<Napi::Function>(), "pier.forward", 0, 1)};
  if (!StartDetached(AcceptLoop, l)) {
    l->fatal.Release();
    delete l;
    return ThrowErrno(env, EAGAIN, "pthread_create");
  }
  return env.Undefined();
}

}  // namespace

void InitForward(Napi::Env env, Napi::Object exports) {
  exports.Set("forwardTcp", Napi::Function::New(env, ForwardTcp, "forwardTcp"));
}

}  // namespace pier
