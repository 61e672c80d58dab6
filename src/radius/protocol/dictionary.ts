/**
 * The attribute table: the RFC 2865/2866/2869/3579/5176 attributes Portico reads or writes, plus
 * the MikroTik (vendor 14988) and WISPr (vendor 14122) vendor-specific attributes. Numbers and
 * types are those of FreeRADIUS's dictionary files (checked by a test against the installed
 * dictionaries), so logs and tests can use the familiar names.
 */

export type AttributeType = 'string' | 'octets' | 'integer' | 'ipaddr' | 'date';

export interface AttributeDefinition {
  name: string;
  /** Attribute type (RFC 2865 §5), or the vendor's type inside Vendor-Specific (RFC 2865 §5.26). */
  code: number;
  vendorId?: number;
  type: AttributeType;
}

export const VENDOR_MIKROTIK = 14988;
export const VENDOR_WISPR = 14122;

/** RFC 2865 §3 / RFC 2866 §3 / RFC 5176 §3 / RFC 5997 packet codes. */
export const Code = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  DisconnectRequest: 40,
  DisconnectAck: 41,
  DisconnectNak: 42,
  CoaRequest: 43,
  CoaAck: 44,
  CoaNak: 45,
} as const;

/** Standard attribute numbers used in code (names as in FreeRADIUS dictionaries). */
export const Attr = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  NasIpAddress: 4,
  NasPort: 5,
  ServiceType: 6,
  FramedIpAddress: 8,
  ReplyMessage: 18,
  State: 24,
  Class: 25,
  VendorSpecific: 26,
  SessionTimeout: 27,
  IdleTimeout: 28,
  CalledStationId: 30,
  CallingStationId: 31,
  NasIdentifier: 32,
  ProxyState: 33,
  AcctStatusType: 40,
  AcctDelayTime: 41,
  AcctInputOctets: 42,
  AcctOutputOctets: 43,
  AcctSessionId: 44,
  AcctAuthentic: 45,
  AcctSessionTime: 46,
  AcctInputPackets: 47,
  AcctOutputPackets: 48,
  AcctTerminateCause: 49,
  AcctInputGigawords: 52,
  AcctOutputGigawords: 53,
  EventTimestamp: 55,
  ChapChallenge: 60,
  NasPortType: 61,
  MessageAuthenticator: 80,
  AcctInterimInterval: 85,
  NasPortId: 87,
  ErrorCause: 101,
} as const;

export const MikrotikAttr = {
  RecvLimit: 1,
  XmitLimit: 2,
  RateLimit: 8,
  RecvLimitGigawords: 14,
  XmitLimitGigawords: 15,
  TotalLimit: 17,
  TotalLimitGigawords: 18,
} as const;

export const WisprAttr = {
  BandwidthMaxUp: 7,
  BandwidthMaxDown: 8,
} as const;

/** Acct-Terminate-Cause values (RFC 2866 §5.10) by number, named as in FreeRADIUS. */
export const TERMINATE_CAUSES: Readonly<Record<number, string>> = {
  1: 'User-Request',
  2: 'Lost-Carrier',
  3: 'Lost-Service',
  4: 'Idle-Timeout',
  5: 'Session-Timeout',
  6: 'Admin-Reset',
  7: 'Admin-Reboot',
  8: 'Port-Error',
  9: 'NAS-Error',
  10: 'NAS-Request',
  11: 'NAS-Reboot',
  12: 'Port-Unneeded',
  13: 'Port-Preempted',
  14: 'Port-Suspended',
  15: 'Service-Unavailable',
  16: 'Callback',
  17: 'User-Error',
  18: 'Host-Request',
};

/** Error-Cause values (RFC 5176 §3.5) we name in logs and records. */
export const ERROR_CAUSES: Readonly<Record<number, string>> = {
  201: 'Residual-Session-Context-Removed',
  202: 'Invalid-EAP-Packet',
  401: 'Unsupported-Attribute',
  402: 'Missing-Attribute',
  403: 'NAS-Identification-Mismatch',
  404: 'Invalid-Request',
  405: 'Unsupported-Service',
  406: 'Unsupported-Extension',
  407: 'Invalid-Attribute-Value',
  501: 'Administratively-Prohibited',
  502: 'Request-Not-Routable',
  503: 'Session-Context-Not-Found',
  504: 'Session-Context-Not-Removable',
  505: 'Other-Proxy-Processing-Error',
  506: 'Resources-Unavailable',
  507: 'Request-Initiated',
  508: 'Multiple-Session-Selection-Unsupported',
};

const standard: Array<[string, number, AttributeType]> = [
  ['User-Name', 1, 'string'],
  ['User-Password', 2, 'string'],
  ['CHAP-Password', 3, 'octets'],
  ['NAS-IP-Address', 4, 'ipaddr'],
  ['NAS-Port', 5, 'integer'],
  ['Service-Type', 6, 'integer'],
  ['Framed-Protocol', 7, 'integer'],
  ['Framed-IP-Address', 8, 'ipaddr'],
  ['Reply-Message', 18, 'string'],
  ['State', 24, 'octets'],
  ['Class', 25, 'octets'],
  ['Vendor-Specific', 26, 'octets'],
  ['Session-Timeout', 27, 'integer'],
  ['Idle-Timeout', 28, 'integer'],
  ['Called-Station-Id', 30, 'string'],
  ['Calling-Station-Id', 31, 'string'],
  ['NAS-Identifier', 32, 'string'],
  ['Proxy-State', 33, 'octets'],
  ['Acct-Status-Type', 40, 'integer'],
  ['Acct-Delay-Time', 41, 'integer'],
  ['Acct-Input-Octets', 42, 'integer'],
  ['Acct-Output-Octets', 43, 'integer'],
  ['Acct-Session-Id', 44, 'string'],
  ['Acct-Authentic', 45, 'integer'],
  ['Acct-Session-Time', 46, 'integer'],
  ['Acct-Input-Packets', 47, 'integer'],
  ['Acct-Output-Packets', 48, 'integer'],
  ['Acct-Terminate-Cause', 49, 'integer'],
  ['Acct-Multi-Session-Id', 50, 'string'],
  ['Acct-Link-Count', 51, 'integer'],
  ['Acct-Input-Gigawords', 52, 'integer'],
  ['Acct-Output-Gigawords', 53, 'integer'],
  ['Event-Timestamp', 55, 'date'],
  ['CHAP-Challenge', 60, 'octets'],
  ['NAS-Port-Type', 61, 'integer'],
  ['Message-Authenticator', 80, 'octets'],
  ['Acct-Interim-Interval', 85, 'integer'],
  ['NAS-Port-Id', 87, 'string'],
  ['Error-Cause', 101, 'integer'],
];

const mikrotik: Array<[string, number, AttributeType]> = [
  ['Mikrotik-Recv-Limit', 1, 'integer'],
  ['Mikrotik-Xmit-Limit', 2, 'integer'],
  ['Mikrotik-Group', 3, 'string'],
  ['Mikrotik-Rate-Limit', 8, 'string'],
  ['Mikrotik-Recv-Limit-Gigawords', 14, 'integer'],
  ['Mikrotik-Xmit-Limit-Gigawords', 15, 'integer'],
  ['Mikrotik-Total-Limit', 17, 'integer'],
  ['Mikrotik-Total-Limit-Gigawords', 18, 'integer'],
];

const wispr: Array<[string, number, AttributeType]> = [
  ['WISPr-Location-ID', 1, 'string'],
  ['WISPr-Location-Name', 2, 'string'],
  ['WISPr-Bandwidth-Max-Up', 7, 'integer'],
  ['WISPr-Bandwidth-Max-Down', 8, 'integer'],
  ['WISPr-Session-Terminate-Time', 9, 'string'],
];

export const ATTRIBUTES: readonly AttributeDefinition[] = [
  ...standard.map(([name, code, type]) => ({ name, code, type })),
  ...mikrotik.map(([name, code, type]) => ({ name, code, type, vendorId: VENDOR_MIKROTIK })),
  ...wispr.map(([name, code, type]) => ({ name, code, type, vendorId: VENDOR_WISPR })),
];

const byName = new Map(ATTRIBUTES.map((a) => [a.name, a]));
const byKey = new Map(ATTRIBUTES.map((a) => [`${a.vendorId ?? 0}:${a.code}`, a]));

export function attributeByName(name: string): AttributeDefinition | undefined {
  return byName.get(name);
}

export function attributeByCode(code: number, vendorId?: number): AttributeDefinition | undefined {
  return byKey.get(`${vendorId ?? 0}:${code}`);
}
