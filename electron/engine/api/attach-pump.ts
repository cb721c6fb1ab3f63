// The fast output path of a hijacked stream: the session's native pump writes conmon's output (framed with
// Docker's 8-byte headers unless TTY) straight into the client's socket, so the bytes never visit JavaScript.
// Used when nothing else must come first on the socket (no log replay, no scrollback) and the socket is a plain
// unix or TCP connection whose fd is reachable; otherwise pipeSession's JavaScript path serves the stream.
// PIER_ATTACH_PUMP=0 turns it off (comparisons, diagnosis).
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { OutputPump, Session } from '../sessions/types';

export function startPump(
  socket: Duplex,
  session: Session,
  o: { tty: boolean; stdout: boolean; stderr: boolean },
): OutputPump | undefined {
  if (!session.pipeTo || process.env.PIER_ATTACH_PUMP === '0') return undefined;
  // a TLS socket's fd carries ciphertext; bytes Node still queues would be overtaken
  if (!(socket instanceof net.Socket) || 'encrypted' in socket || socket.destroyed || socket.writableLength)
    return undefined;
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) return undefined;
  try {
    return session.pipeTo(fd, { framed: !o.tty, stdout: o.stdout, stderr: o.stderr });
  } catch {
    return undefined;
  }
}
