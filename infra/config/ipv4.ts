/** Small IPv4 helpers for synth-time checks (CIDR syntax, containment). */

function parseIpv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255 || ((m[i] as string).length > 1 && (m[i] as string).startsWith('0'))) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

/** Parse `a.b.c.d/n`; the address must be the network address (no host bits set). */
function parseCidr(s: string): Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const base = parseIpv4(m[1] as string);
  const prefix = Number(m[2]);
  if (base === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) return undefined;
  return { base, prefix };
}

function cidrContains(c: Cidr, ip: number): boolean {
  const size = 2 ** (32 - c.prefix);
  return ip >= c.base && ip < c.base + size;
}

export type { Cidr };
export { cidrContains, parseCidr, parseIpv4 };
