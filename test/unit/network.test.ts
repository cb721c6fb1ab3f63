// Pure pieces of the network area: port specs and Docker's port shapes, IPv4 allocation and
// subnet choice, hosts/resolv.conf, netavark's input JSON, the firewall skeleton check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerPorts, fromPortBindings, listPorts, parsePublish } from '../../electron/engine/network/ports';
import { allocate, checkStatic, checkSubnet, hostRoutes, parseCidr, pickSubnet } from '../../electron/engine/network/ipam';
import { hostsFile, resolvConf, splitExtraHost } from '../../electron/engine/network/hostfiles';
import { networkOptions } from '../../electron/engine/network/netavark';
import { chainRemoval, onlySkeleton, revocation, splitRule } from '../../electron/engine/network/firewall';
import { generateSpec } from '../../electron/engine/spec/spec';
import type { NetworkRecord } from '../../electron/engine/network/types';

test('-p syntax: ip, host port, ranges, protocol; bad specs name the reason', () => {
  assert.deepEqual(parsePublish('8080:80'), [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('127.0.0.1::80/udp'), [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'udp' }]);
  assert.deepEqual(parsePublish('[::1]:9000:90'), [{ hostIp: '::1', hostPort: 9000, containerPort: 90, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('80'), [{ hostIp: '', hostPort: 0, containerPort: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('8000-8001:80-81').map((m) => [m.hostPort, m.containerPort]), [[8000, 80], [8001, 81]]);
  assert.deepEqual(parsePublish('9000-9010:80'), [{ hostIp: '', hostPort: 9000, hostPortEnd: 9010, containerPort: 80, protocol: 'tcp' }]);
  assert.throws(() => parsePublish('70000:80'), /outside 1-65535/);
  assert.throws(() => parsePublish('1.2.3:80:80'), /invalid host address/);
  assert.throws(() => parsePublish('80/sctp'), /sctp is not supported/);
  assert.throws(() => parsePublish('90-80'), /below/);
  assert.throws(() => parsePublish('a:b:c:d'), /expected \[ip:\]/);
  assert.throws(() => parsePublish('[::1]:5353:53/udp'), /cannot publish 53\/udp on \[::1\]: UDP is published on IPv4 host addresses only/);
  assert.deepEqual(parsePublish('[::1]:5353:53').map((m) => m.hostIp), ['::1']);
});

test('PortBindings as the CLI sends them, -P over exposed ports, 0.0.0.0 = all', () => {
  const m = fromPortBindings({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '53/udp': [{ HostIp: '', HostPort: '' }] }, ['80/tcp', '443/tcp'], true);
  assert.deepEqual(m, [
    { hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    { hostIp: '', hostPort: 0, containerPort: 53, protocol: 'udp' },
    { hostIp: '', hostPort: 0, containerPort: 443, protocol: 'tcp' },
  ]);
  assert.throws(() => fromPortBindings({ '80/tcp': [{ HostPort: 8080 as unknown as string }] }), /must be strings/);
});

test('NetworkSettings.Ports lists 0.0.0.0 and :: apart; the list has one row per address', () => {
  const b = [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' as const }, { hostIp: '127.0.0.1', hostPort: 9000, containerPort: 90, protocol: 'udp' as const }];
  assert.deepEqual(dockerPorts(b), {
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }],
    '90/udp': [{ HostIp: '127.0.0.1', HostPort: '9000' }],
  });
  assert.deepEqual(listPorts(b).map((p) => `${p.IP}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`), ['0.0.0.0:8080->80/tcp', ':::8080->80/tcp', '127.0.0.1:9000->90/udp']);
});

test('IPAM: first free address, never the gateway, network or broadcast; static checks; ranges', () => {
  assert.equal(allocate('10.1.2.0/24', '10.1.2.1', new Set()), '10.1.2.2');
  assert.equal(allocate('10.1.2.0/24', '10.1.2.1', new Set(['10.1.2.2', '10.1.2.3'])), '10.1.2.4');
  assert.equal(allocate('10.1.2.0/24', '10.1.2.1', new Set(), '10.1.2.128/25'), '10.1.2.128');
  // goes round: a freed address is not reused at once
  assert.equal(allocate('10.1.2.0/24', '10.1.2.1', new Set(), undefined, '10.1.2.3'), '10.1.2.4');
  assert.equal(allocate('10.1.2.0/30', '10.1.2.1', new Set(), undefined, '10.1.2.2'), '10.1.2.2');
  const full = new Set(Array.from({ length: 253 }, (_, i) => `10.1.2.${i + 2}`));
  assert.throws(() => allocate('10.1.2.0/24', '10.1.2.1', full), /no free IP address/);
  assert.throws(() => checkStatic('10.1.2.0/24', '10.1.2.1', '10.1.3.5', new Map(), 'n'), /not a usable address/);
  assert.throws(() => checkStatic('10.1.2.0/24', '10.1.2.1', '10.1.2.1', new Map(), 'n'), /gateway/);
  assert.throws(() => checkStatic('10.1.2.0/24', '10.1.2.1', '10.1.2.9', new Map([['10.1.2.9', 'web']]), 'n'), /in use on network n \(by web\)/);
  assert.deepEqual(checkSubnet('10.5.0.0/16'), { subnet: '10.5.0.0/16', gateway: '10.5.0.1' });
  assert.throws(() => checkSubnet('10.5.0.1/16'), /host bits set/);
  assert.throws(() => checkSubnet('10.5.0.0/16', '10.6.0.1'), /not a usable address/);
  assert.throws(() => parseCidr('fd00::/64'), /IPv4 CIDR/);
});

test('subnet choice avoids host routes and used subnets; starts at the offset', () => {
  const routes = hostRoutes('Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n eth0\t00005A0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\n');
  assert.deepEqual(routes, [{ base: parseCidr('10.90.0.0/24').base, prefix: 24, iface: 'eth0' }]);
  assert.equal(pickSubnet([], 0, routes), '10.90.1.0/24');
  assert.equal(pickSubnet(['10.90.1.0/24'], 0, routes), '10.90.2.0/24');
  assert.equal(pickSubnet([], 300, []), '10.91.44.0/24');
});

test('hosts and resolv.conf: own names, --add-host, aardvark or --dns or the host\'s non-loopback servers', () => {
  const h = hostsFile({ hostname: 'abc', name: 'web', endpoints: [{ ip: '10.1.2.3' } as never], extraHosts: ['db:10.9.9.9', 'v6:::1'] });
  assert.match(h, /^127\.0\.0\.1\tlocalhost\n/);
  assert.match(h, /\n10\.9\.9\.9\tdb\n::1\tv6\n10\.1\.2\.3\tabc web\n$/);
  assert.throws(() => splitExtraHost('nocolon'), /expected HOST:IP/);
  const host = 'nameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch corp\noptions edns0\n';
  assert.equal(resolvConf({ dnsServers: ['10.1.2.1'], host }), 'nameserver 10.1.2.1\nsearch dns.podman corp\noptions edns0\n');
  assert.equal(resolvConf({ host }), 'nameserver 192.0.2.53\nsearch corp\noptions edns0\n');
  assert.equal(resolvConf({ dns: ['1.1.1.1'], search: ['x'], options: ['ndots:2'], host }), 'nameserver 1.1.1.1\nsearch x\noptions ndots:2\n');
});

test('netavark input: podman\'s NetworkOptions; IPv6 host addresses left to the proxy', () => {
  const net: NetworkRecord = { id: 'f'.repeat(64), name: 'n1', driver: 'bridge', bridge: 'pr0', subnet: '10.1.2.0/24', gateway: '10.1.2.1', internal: false, dnsEnabled: true, labels: {}, options: {}, created: '' };
  const o = networkOptions({ containerId: 'c'.repeat(64), containerName: 'web', joins: [{ net, iface: 'eth0', ip: '10.1.2.2', aliases: ['a'] }],
    ports: [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostIp: '::1', hostPort: 8081, containerPort: 80, protocol: 'tcp' }] }) as Record<string, never>;
  assert.deepEqual(o.networks, { pr0: { interface_name: 'eth0', static_ips: ['10.1.2.2'], aliases: ['a'] } });
  assert.equal((o.network_info as Record<string, { network_interface: string }>).pr0.network_interface, 'pr0');
  assert.deepEqual(o.port_mappings, [{ host_ip: '', container_port: 80, host_port: 8080, range: 1, protocol: 'tcp' }]);
});

test('firewall: the skeleton goes only when no network or port rule is left', () => {
  const filter = [':NETAVARK_FORWARD - [0:0]', '-A FORWARD -m comment --comment "netavark firewall plugin rules" -j NETAVARK_FORWARD'];
  const nat = [':NETAVARK-HOSTPORT-DNAT - [0:0]', '-A PREROUTING -m addrtype --dst-type LOCAL -j NETAVARK-HOSTPORT-DNAT'];
  assert.equal(onlySkeleton(filter, nat), true);
  assert.equal(onlySkeleton(filter, [...nat, ':NETAVARK-B3066DA540AD6 - [0:0]']), false);
  assert.equal(onlySkeleton([...filter, '-A NETAVARK_FORWARD -s 10.1.0.0/24 -j ACCEPT'], nat), false);
  assert.equal(onlySkeleton([], []), false);
  assert.deepEqual(splitRule('FORWARD -m comment --comment "netavark firewall plugin rules" -j NETAVARK_FORWARD'),
    ['FORWARD', '-m', 'comment', '--comment', 'netavark firewall plugin rules', '-j', 'NETAVARK_FORWARD']);
});

test('firewall: deletions in one batch — the skeleton, and a network\'s PIER_FORWARD rule', () => {
  const nat = [':NETAVARK-HOSTPORT-DNAT - [0:0]', ':NETAVARK-HOSTPORT-MASQ - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j NETAVARK-HOSTPORT-DNAT', '-A POSTROUTING -j NETAVARK-HOSTPORT-MASQ',
    '-A NETAVARK-HOSTPORT-MASQ -m comment --comment "netavark portfw masq mark" -m mark --mark 0x2000/0x2000 -j MASQUERADE',
    '-A POSTROUTING -j NETAVARK-HOSTPORT-MASQUERADE-OTHER'];
  assert.deepEqual(chainRemoval(nat, ['NETAVARK-HOSTPORT-DNAT', 'NETAVARK-HOSTPORT-MASQ']), [
    '-D PREROUTING -m addrtype --dst-type LOCAL -j NETAVARK-HOSTPORT-DNAT', '-D POSTROUTING -j NETAVARK-HOSTPORT-MASQ',
    '-D NETAVARK-HOSTPORT-MASQ -m comment --comment "netavark portfw masq mark" -m mark --mark 0x2000/0x2000 -j MASQUERADE',
    '-X NETAVARK-HOSTPORT-DNAT', '-X NETAVARK-HOSTPORT-MASQ']);
  const rule = (subnet: string, br: string) => `-A PIER_FORWARD -d ${subnet} -o ${br} -m conntrack --ctstate DNAT -m comment --comment "pier ${br}" -j ACCEPT`;
  const filter = [':PIER_FORWARD - [0:0]', '-A FORWARD -j PIER_FORWARD', rule('10.1.0.0/24', 'pr0'), rule('10.1.0.0/24', 'pr0'), rule('10.2.0.0/24', 'pr1')];
  assert.deepEqual(revocation(filter, '10.1.0.0/24', 'pr0'), [rule('10.1.0.0/24', 'pr0'), rule('10.1.0.0/24', 'pr0')].map((l) => l.replace('-A', '-D')),
    'another network keeps the chain; duplicates from a crash go too');
  assert.deepEqual(revocation(filter.filter((l) => !l.includes('pr0')), '10.2.0.0/24', 'pr1'),
    [rule('10.2.0.0/24', 'pr1').replace('-A', '-D'), '-D FORWARD -j PIER_FORWARD', '-X PIER_FORWARD'], 'the last rule takes the jump and the chain');
  assert.deepEqual(revocation(filter, '10.9.0.0/24', 'pr9'), [], 'nothing of its own: nothing to do');
});

test('spec: bridge mode joins the given namespace', () => {
  const s = generateSpec({ rootfs: '/r', process: { args: ['sh'] }, network: 'bridge', netnsPath: '/run/pier/netns/x' });
  assert.deepEqual((s.linux.namespaces as Array<{ type: string; path?: string }>).find((n) => n.type === 'network'), { type: 'network', path: '/run/pier/netns/x' });
});
