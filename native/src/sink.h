// A sink: a stream socket (the hijacked connection of a Docker API attach) that a Channel's I/O thread writes
// conmon's output to directly, so the bytes never visit JavaScript on their way to the client.
//
// Conmon's packets are [stream byte][payload] (2 stdout, 3 stderr; a TTY sends only 2). A framed sink writes
// Docker's multiplexed stream: [stream, 0, 0, 0, uint32 BE length] + payload (1 stdout, 2 stderr); consecutive
// packets of the same stream are coalesced into one frame (frame boundaries carry no meaning in Docker's
// protocol). A raw sink (TTY) writes the payloads only. Streams not asked for are dropped.
//
// The sink owns a dup of the caller's fd, so the caller (Node's socket) may close its own fd at any time; the
// connection stays open until the sink is closed too. Sends never block (MSG_DONTWAIT); what the socket does not
// take stays in `pending` and the Channel stops reading conmon until it is gone (flow control: memory per sink
// is bounded by one read batch).
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <vector>

namespace pier {

struct Sink {
  static constexpr size_t kNoFrame = SIZE_MAX;

  uint32_t id;
  int fd;  // owned dup; closed by Close()
  bool framed, wantOut, wantErr;
  std::vector<uint8_t> pending;
  size_t sent = 0;            // bytes of `pending` already sent
  size_t frameAt = kNoFrame;  // offset of the last frame header in `pending`, while it is unsent

  Sink(uint32_t id, int fd, bool framed, bool wantOut, bool wantErr)
      : id(id), fd(fd), framed(framed), wantOut(wantOut), wantErr(wantErr) {}
  ~Sink() { Close(); }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  bool Backlog() const { return sent < pending.size(); }

  void Close() {
    if (fd >= 0) close(fd);
    fd = -1;
  }

  // Queues one conmon packet.
  void Append(const uint8_t* packet, size_t size) {
    if (size < 2 || (packet[0] != 2 && packet[0] != 3)) return;
    if (!(packet[0] == 2 ? wantOut : wantErr)) return;
    const uint8_t* payload = packet + 1;
    uint32_t length = static_cast<uint32_t>(size - 1);
    if (framed) {
      uint8_t stream = packet[0] - 1;
      if (frameAt != kNoFrame && frameAt >= sent && pending[frameAt] == stream) {
        uint32_t total = ReadLength(frameAt) + length;  // a batch is ≤ 512 KiB: no overflow
        WriteLength(frameAt, total);
      } else {
        frameAt = pending.size();
        uint8_t header[8] = {stream, 0, 0, 0, 0, 0, 0, 0};
        pending.insert(pending.end(), header, header + 8);
        WriteLength(frameAt, length);
      }
    }
    pending.insert(pending.end(), payload, payload + size - 1);
  }

  // Sends what is pending without blocking. Returns 0 (all sent, or the socket is full) or an errno.
  int Flush() {
    while (sent < pending.size()) {
      ssize_t n = send(fd, pending.data() + sent, pending.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return 0;
        return errno;
      }
      sent += static_cast<size_t>(n);
    }
    pending.clear();
    sent = 0;
    frameAt = kNoFrame;
    return 0;
  }

 private:
  uint32_t ReadLength(size_t at) const {
    return (uint32_t{pending[at + 4]} << 24) | (uint32_t{pending[at + 5]} << 16) | (uint32_t{pending[at + 6]} << 8) |
           uint32_t{pending[at + 7]};
  }
  void WriteLength(size_t at, uint32_t length) {
    for (int i = 0; i < 4; i++) pending[at + 4 + i] = static_cast<uint8_t>(length >> (24 - 8 * i));
  }
};

}  // namespace pier
