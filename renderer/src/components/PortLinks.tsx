// Published ports as links to the address they answer on. A plain link in web mode; in
// Electron the window-open handler sends only http(s) URLs to the user's browser.
import type { PortMapping } from '../../../electron/common/types';

export function portUrl(p: PortMapping): string | undefined {
  if (p.protocol !== 'tcp') return undefined;
  const host = p.hostIp === '' || p.hostIp === '0.0.0.0' ? (globalThis.location?.hostname && !/^(localhost|127\.|\[?::1)/.test(location.hostname) && location.protocol.startsWith('http') ? location.hostname : '127.0.0.1')
    : p.hostIp === '::' ? '[::1]' : p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp;
  return `http://${host}:${p.hostPort}/`;
}

export function PortLinks({ ports }: { ports?: PortMapping[] }) {
  if (!ports?.length) return <span className="muted">–</span>;
  return (
    <span className="ports">
      {ports.map((p) => {
        const label = `${p.hostIp && p.hostIp !== '0.0.0.0' ? p.hostIp.includes(':') ? `[${p.hostIp}]:` : `${p.hostIp}:` : ''}${p.hostPort}→${p.containerPort}${p.protocol === 'udp' ? '/udp' : ''}`;
        const url = portUrl(p);
        return url
          ? <a key={label} href={url} target="_blank" rel="noreferrer noopener" data-port={p.hostPort} title={`Open ${url}`} onClick={(e) => e.stopPropagation()}>{label}</a>
          : <span key={label} data-port={p.hostPort}>{label}</span>;
      })}
    </span>
  );
}
