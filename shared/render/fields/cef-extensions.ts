/**
 * The CEF extension dictionary as data (keys relevant to a PAM vault), from the ArcSight CEF
 * "Implementing ArcSight CEF" v25 extension dictionary as mapped by Elastic's decode_cef keys.go
 * (https://github.com/elastic/beats/blob/main/x-pack/filebeat/processors/decode_cef/cef/keys.go).
 * `type` and the optional `min`/`max` range drive strict-mode checks: a value that does not fit its
 * key (`dpt=99999`, `src=10.0.0.256`, a 10-digit `start`) is moved to a labeled custom slot instead
 * of being dropped or misread by the SIEM.
 */

type CefType = 'String' | 'IP' | 'IPv6' | 'Integer' | 'Long' | 'Float' | 'TimeStamp' | 'MAC';

interface CefKey {
  readonly type: CefType;
  readonly fullName: string;
  /** smallest allowed value of a numeric key (inclusive) */
  readonly min?: number;
  /** largest allowed value of a numeric key (inclusive) */
  readonly max?: number;
}

/** TCP/UDP port numbers. */
const PORT = { min: 0, max: 65_535 } as const;
/** Process ids and counts: non-negative 32-bit integers. */
const NON_NEGATIVE = { min: 0, max: 2_147_483_647 } as const;

const CEF_KEYS: Readonly<Record<string, CefKey>> = {
  act: { type: 'String', fullName: 'deviceAction' },
  app: { type: 'String', fullName: 'applicationProtocol' },
  cat: { type: 'String', fullName: 'deviceEventCategory' },
  catdt: { type: 'String', fullName: 'categoryDeviceType' },
  cnt: { type: 'Integer', fullName: 'baseEventCount', ...NON_NEGATIVE },
  cs1: { type: 'String', fullName: 'deviceCustomString1' },
  cs2: { type: 'String', fullName: 'deviceCustomString2' },
  cs3: { type: 'String', fullName: 'deviceCustomString3' },
  cs4: { type: 'String', fullName: 'deviceCustomString4' },
  cs5: { type: 'String', fullName: 'deviceCustomString5' },
  cs6: { type: 'String', fullName: 'deviceCustomString6' },
  cs1Label: { type: 'String', fullName: 'deviceCustomString1Label' },
  cs2Label: { type: 'String', fullName: 'deviceCustomString2Label' },
  cs3Label: { type: 'String', fullName: 'deviceCustomString3Label' },
  cs4Label: { type: 'String', fullName: 'deviceCustomString4Label' },
  cs5Label: { type: 'String', fullName: 'deviceCustomString5Label' },
  cs6Label: { type: 'String', fullName: 'deviceCustomString6Label' },
  cn1: { type: 'Long', fullName: 'deviceCustomNumber1' },
  cn2: { type: 'Long', fullName: 'deviceCustomNumber2' },
  cn3: { type: 'Long', fullName: 'deviceCustomNumber3' },
  cn1Label: { type: 'String', fullName: 'deviceCustomNumber1Label' },
  cn2Label: { type: 'String', fullName: 'deviceCustomNumber2Label' },
  cn3Label: { type: 'String', fullName: 'deviceCustomNumber3Label' },
  flexString1: { type: 'String', fullName: 'flexString1' },
  flexString2: { type: 'String', fullName: 'flexString2' },
  flexString1Label: { type: 'String', fullName: 'flexString1Label' },
  flexString2Label: { type: 'String', fullName: 'flexString2Label' },
  deviceCustomDate1: { type: 'TimeStamp', fullName: 'deviceCustomDate1' },
  deviceCustomDate1Label: { type: 'String', fullName: 'deviceCustomDate1Label' },
  dhost: { type: 'String', fullName: 'destinationHostName' },
  dst: { type: 'IP', fullName: 'destinationAddress' },
  dpt: { type: 'Integer', fullName: 'destinationPort', ...PORT },
  duid: { type: 'String', fullName: 'destinationUserId' },
  duser: { type: 'String', fullName: 'destinationUserName' },
  dpriv: { type: 'String', fullName: 'destinationUserPrivileges' },
  dproc: { type: 'String', fullName: 'destinationProcessName' },
  dpid: { type: 'Integer', fullName: 'destinationProcessId', ...NON_NEGATIVE },
  dntdom: { type: 'String', fullName: 'destinationNtDomain' },
  dvc: { type: 'IP', fullName: 'deviceAddress' },
  dvchost: { type: 'String', fullName: 'deviceHostName' },
  dvcpid: { type: 'Integer', fullName: 'deviceProcessId', ...NON_NEGATIVE },
  dtz: { type: 'String', fullName: 'deviceTimeZone' },
  deviceExternalId: { type: 'String', fullName: 'deviceExternalId' },
  deviceFacility: { type: 'String', fullName: 'deviceFacility' },
  deviceProcessName: { type: 'String', fullName: 'deviceProcessName' },
  end: { type: 'TimeStamp', fullName: 'endTime' },
  start: { type: 'TimeStamp', fullName: 'startTime' },
  externalId: { type: 'String', fullName: 'externalId' },
  fname: { type: 'String', fullName: 'fileName' },
  filePath: { type: 'String', fullName: 'filePath' },
  fileHash: { type: 'String', fullName: 'fileHash' },
  fsize: { type: 'Integer', fullName: 'fileSize', ...NON_NEGATIVE },
  msg: { type: 'String', fullName: 'message' },
  outcome: { type: 'String', fullName: 'eventOutcome' },
  proto: { type: 'String', fullName: 'transportProtocol' },
  reason: { type: 'String', fullName: 'reason' },
  request: { type: 'String', fullName: 'requestUrl' },
  requestMethod: { type: 'String', fullName: 'requestMethod' },
  requestClientApplication: { type: 'String', fullName: 'requestClientApplication' },
  rt: { type: 'TimeStamp', fullName: 'deviceReceiptTime' },
  shost: { type: 'String', fullName: 'sourceHostName' },
  src: { type: 'IP', fullName: 'sourceAddress' },
  spt: { type: 'Integer', fullName: 'sourcePort', ...PORT },
  spid: { type: 'Integer', fullName: 'sourceProcessId', ...NON_NEGATIVE },
  sproc: { type: 'String', fullName: 'sourceProcessName' },
  spriv: { type: 'String', fullName: 'sourceUserPrivileges' },
  suid: { type: 'String', fullName: 'sourceUserId' },
  suser: { type: 'String', fullName: 'sourceUserName' },
  sntdom: { type: 'String', fullName: 'sourceNtDomain' },
  sourceServiceName: { type: 'String', fullName: 'sourceServiceName' },
  slat: { type: 'Float', fullName: 'sourceGeoLatitude', min: -90, max: 90 },
  slong: { type: 'Float', fullName: 'sourceGeoLongitude', min: -180, max: 180 },
  dlat: { type: 'Float', fullName: 'destinationGeoLatitude', min: -90, max: 90 },
  dlong: { type: 'Float', fullName: 'destinationGeoLongitude', min: -180, max: 180 },
  // 0 base, 1 aggregated, 2 correlation, 3 action event
  type: { type: 'Integer', fullName: 'type', min: 0, max: 3 },
  smac: { type: 'MAC', fullName: 'sourceMacAddress' },
  dmac: { type: 'MAC', fullName: 'destinationMacAddress' },
  dvcmac: { type: 'MAC', fullName: 'deviceMacAddress' },
};

/** Vault keys with a standard equivalent (strict mode renames them). */
const STRICT_RENAMES: Readonly<Record<string, string>> = {
  Method: 'requestMethod',
  ServiceName: 'sourceServiceName',
  dport: 'dpt',
  dposrt: 'dpt',
  latitude: 'slat',
  longitude: 'slong',
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * Dotted-quad IPv4, exactly the strings `IPV4` matches (four decimal octets 0–255 without leading
 * zeros), by one scan instead of the regex's alternations: it runs for every `dst`/`src` of every
 * event in strict CEF.
 */
function isIpv4(v: string): boolean {
  const n = v.length;
  if (n < 7 || n > 15) return false;
  let parts = 0;
  let i = 0;
  for (;;) {
    const start = i;
    let octet = 0;
    while (i < n) {
      const d = v.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      octet = octet * 10 + d;
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || (len > 1 && v.charCodeAt(start) === 48) || octet > 255) return false;
    parts++;
    if (i === n) return parts === 4;
    if (parts === 4 || v.charCodeAt(i) !== 46) return false;
    i++;
  }
}

/** IPv4, or IPv6 (shape check: hex groups, at most one `::`, optional trailing IPv4). */
function isIp(v: string): boolean {
  if (isIpv4(v)) return true;
  if (!IPV6_CHARS.test(v) || v.indexOf(':') === -1) return false;
  const dbl = v.split('::');
  if (dbl.length > 2) return false;
  const groups = v.split(':').filter((g) => g !== '');
  const last = groups[groups.length - 1] ?? '';
  const v4tail = last.includes('.');
  if (v4tail && !IPV4.test(last)) return false;
  const hexGroups = v4tail ? groups.slice(0, -1) : groups;
  if (!hexGroups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const count = hexGroups.length + (v4tail ? 2 : 0);
  return dbl.length === 2 ? count < 8 : count === 8;
}

/** Does `v` fit the CEF type? (Elastic drops keys whose value does not, docs/formats.md §1.3) */
function fitsType(type: CefType, v: string): boolean {
  switch (type) {
    case 'String':
      return true;
    case 'IP':
      return isIp(v);
    case 'IPv6':
      return isIp(v) && v.includes(':');
    case 'Integer': {
      if (!/^-?\d{1,10}$/.test(v)) return false;
      const n = Number(v);
      return n >= -2147483648 && n <= 2147483647;
    }
    case 'Long':
      return /^-?\d{1,18}$/.test(v);
    case 'Float':
      return /^-?\d+(\.\d+)?$/.test(v);
    case 'TimeStamp':
      // epoch milliseconds within the model's range (2001-09-09 … 2286-11-20): a 10-digit value is
      // seconds to some readers and a day in January 1970 to others
      return /^[1-9]\d{12}$/.test(v);
    case 'MAC':
      return /^([0-9A-Fa-f]{2}[:.-]){5}[0-9A-Fa-f]{2}$/.test(v);
  }
}

/** The dictionary entry of `key` (own properties only: a field named `constructor` is not a CEF key). */
function cefKey(key: string): CefKey | undefined {
  return Object.hasOwn(CEF_KEYS, key) ? CEF_KEYS[key] : undefined;
}

/**
 * Does `v` fit the dictionary key `key`: its type, and its range when it has one? A key that is not
 * in the dictionary fits nothing.
 * @example fitsKey('dpt', '99999') // false
 */
function fitsKey(key: string, v: string): boolean {
  const spec = cefKey(key);
  return spec !== undefined && fitsSpec(spec, v);
}

function fitsSpec(spec: CefKey, v: string): boolean {
  if (!fitsType(spec.type, v)) return false;
  if (spec.min === undefined && spec.max === undefined) return true;
  const n = Number(v);
  return (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max);
}

/** `fitsKey` for one key, its dictionary entry looked up once (compiled CEF plans check every event). */
function keyFitter(key: string): (v: string) => boolean {
  const spec = cefKey(key);
  return spec === undefined ? () => false : (v) => fitsSpec(spec, v);
}

export type { CefKey, CefType };
export { CEF_KEYS, cefKey, fitsKey, fitsType, IPV4, isIp, isIpv4, keyFitter, STRICT_RENAMES };
