/**
 * The CEF extension dictionary as data (keys relevant to a PAM vault), from the ArcSight CEF
 * "Implementing ArcSight CEF" v25 extension dictionary as mapped by Elastic's decode_cef keys.go
 * (formats.md §1.4). `type` drives strict-mode checks: a value that does not fit its key's type is
 * moved to a labeled custom string instead of being dropped by the SIEM.
 */

type CefType = 'String' | 'IP' | 'IPv6' | 'Integer' | 'Long' | 'Float' | 'TimeStamp' | 'MAC';

const CEF_KEYS: Readonly<Record<string, { readonly type: CefType; readonly fullName: string }>> = {
  act: { type: 'String', fullName: 'deviceAction' },
  app: { type: 'String', fullName: 'applicationProtocol' },
  cat: { type: 'String', fullName: 'deviceEventCategory' },
  catdt: { type: 'String', fullName: 'categoryDeviceType' },
  cnt: { type: 'Integer', fullName: 'baseEventCount' },
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
  dpt: { type: 'Integer', fullName: 'destinationPort' },
  duid: { type: 'String', fullName: 'destinationUserId' },
  duser: { type: 'String', fullName: 'destinationUserName' },
  dpriv: { type: 'String', fullName: 'destinationUserPrivileges' },
  dproc: { type: 'String', fullName: 'destinationProcessName' },
  dpid: { type: 'Integer', fullName: 'destinationProcessId' },
  dntdom: { type: 'String', fullName: 'destinationNtDomain' },
  dvc: { type: 'IP', fullName: 'deviceAddress' },
  dvchost: { type: 'String', fullName: 'deviceHostName' },
  dvcpid: { type: 'Integer', fullName: 'deviceProcessId' },
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
  fsize: { type: 'Integer', fullName: 'fileSize' },
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
  spt: { type: 'Integer', fullName: 'sourcePort' },
  spid: { type: 'Integer', fullName: 'sourceProcessId' },
  sproc: { type: 'String', fullName: 'sourceProcessName' },
  spriv: { type: 'String', fullName: 'sourceUserPrivileges' },
  suid: { type: 'String', fullName: 'sourceUserId' },
  suser: { type: 'String', fullName: 'sourceUserName' },
  sntdom: { type: 'String', fullName: 'sourceNtDomain' },
  sourceServiceName: { type: 'String', fullName: 'sourceServiceName' },
  slat: { type: 'Float', fullName: 'sourceGeoLatitude' },
  slong: { type: 'Float', fullName: 'sourceGeoLongitude' },
  dlat: { type: 'Float', fullName: 'destinationGeoLatitude' },
  dlong: { type: 'Float', fullName: 'destinationGeoLongitude' },
  type: { type: 'Integer', fullName: 'type' },
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

/** IPv4, or IPv6 (shape check: hex groups, at most one `::`, optional trailing IPv4). */
function isIp(v: string): boolean {
  if (IPV4.test(v)) return true;
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

/** Does `v` fit the CEF type? (Elastic drops keys whose value does not, formats.md §1.3) */
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
      return /^\d{10,13}$/.test(v);
    case 'MAC':
      return /^([0-9A-Fa-f]{2}[:.-]){5}[0-9A-Fa-f]{2}$/.test(v);
  }
}

export type { CefType };
export { CEF_KEYS, fitsType, isIp, STRICT_RENAMES };
