/**
 * The ECS mapping as data (ECS field reference:
 * https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html).
 *
 * By default the vault's keys map as a SIEM maps CEF-named key=value logs: `suid` → `user.id`,
 * `suser` → `user.name`, `sname` → `user.full_name`, `spriv` → `user.roles`, `duid`/`duser` →
 * `user.target.*`, `src` → `source.*`, `originIP` → `client.*`, `dst`/`dhost`/`dpt` →
 * `destination.*`, `dvc` → `observer.ip`, `act` → `event.action`, `requestMethod`/`Method` →
 * `http.request.method`, `sourceServiceName`/`ServiceName` → `service.name`, `msg` → `message`.
 *
 * A key does not mean the same in every layout of the vault's SIEM integration guide: `suid` is
 * the SUID message type in the Backup layout and the logged user's id in Audited Commands; `sname`
 * is a backup script identifier in Backup. Such a key is left out of the ECS fields for events of
 * that layout (it stays, like every key, under `segura.fields`).
 */

/** User fields the default mapping fills: a layout that gives one of them another meaning lists it below. */
const ECS_USER_KEYS = ['suid', 'suser', 'sname', 'spriv', 'duid', 'duser'] as const;

/**
 * Per layout slug: keys that are not what the default mapping assumes, with the guide's description
 * of the key in that layout (a test checks these against the catalog's layout tables).
 */
const ECS_NOT_MAPPED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  backup: { suid: 'Message type', sname: 'Backup script identifier' },
  'connectivity-loss': { suid: 'Message type' },
  'connectivity-restored': { suid: 'Message type' },
  'password-changed': { suid: 'Unique notification identifier' },
  'password-viewed': { suid: 'Message type' },
  'session-ended': { suid: 'Identifies message type' },
  'session-started': { suid: 'Identifies message type' },
  'exchange-executed': { suid: 'Message type', sname: 'Password exchange script identifier' },
};

export { ECS_NOT_MAPPED, ECS_USER_KEYS };
