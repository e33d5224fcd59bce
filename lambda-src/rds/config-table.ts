/**
 * The mechanics of a configuration-retention table, shared by DB instances,
 * Aurora clusters and cluster members: each row says how a setting is read
 * from the Describe output and which request fields put it back, in the
 * create/restore call (`restore`) or in the Modify call after it (`modify`).
 */

/** Captured configuration: row key → value read from the original. JSON only. */
export type Config = Record<string, unknown>;

/**
 * `R`: the described resource. `P`: the request fields a row sets (an SDK
 * input type, so a wrong field name or type does not compile).
 */
export interface KeptAttribute<R, P extends object = Record<string, unknown>> {
  /** Key in the captured configuration. */
  readonly key: string;
  /** Name in the README table. */
  readonly name: string;
  readonly how: 'restore' | 'modify';
  /** Its value on a described resource; undefined when not set or not applicable. */
  readonly read: (resource: R) => unknown;
  /** The request fields that set it; empty when it cannot be set for this configuration. */
  readonly set: (value: any, config: Config) => P;
  /** A note for the README (conditions, caveats). */
  readonly note?: string;
  /** The call that sets it, for the README, when it is not the table's restore or modify call. */
  readonly via?: string;
}

export interface UnkeptAttribute {
  readonly name: string;
  readonly how: 'snapshot' | 'not kept';
  readonly note: string;
  /** Whether the restore/create or modify API could set it. */
  readonly settable: boolean;
}

/** Read the kept settings from a described resource. */
export function capture<R>(table: KeptAttribute<R, object>[], resource: R, base: Config = {}): Config {
  const config: Config = { ...base };
  for (const attribute of table) {
    const value = attribute.read(resource);
    if (value !== undefined && value !== null) config[attribute.key] = value;
  }
  return config;
}

/** The request fields for the rows of kind `how` (only the keys in `only`, when given). */
export function params<R, P extends object>(table: KeptAttribute<R, P>[], config: Config, how: 'restore' | 'modify', only?: Set<string>): P {
  const out = {} as P;
  for (const attribute of table) {
    if (attribute.how !== how || (only && !only.has(attribute.key))) continue;
    const value = config[attribute.key];
    if (value === undefined) continue;
    Object.assign(out, attribute.set(value, config));
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Keys of the kept settings whose value on `resource` differs from `config` (settable ones only). */
export function drift<R>(table: KeptAttribute<R, object>[], config: Config, resource: R, how?: 'restore' | 'modify'): string[] {
  return table
    .filter((a) => (how === undefined || a.how === how) && config[a.key] !== undefined)
    .filter((a) => Object.keys(a.set(config[a.key], config)).length > 0)
    .filter((a) => !same(a.read(resource), config[a.key]))
    .map((a) => a.key);
}

/** The Modify fields still needed: only the `modify` rows that differ on `resource`. */
export function modifyParamsFor<R, P extends object>(table: KeptAttribute<R, P>[], config: Config, resource: R): P {
  return params(table, config, 'modify', new Set(drift(table, config, resource, 'modify')));
}

/** "Name: actual instead of expected" for each drifted key. */
export function describeDrift<R>(table: KeptAttribute<R, object>[], keys: string[], config: Config, resource: R): string[] {
  return keys.map((key) => {
    const a = table.find((x) => x.key === key)!;
    return `${a.name}: ${JSON.stringify(a.read(resource))} instead of ${JSON.stringify(config[key])}`;
  });
}

/** Tags as the APIs take them, without the `aws:` ones nobody may set; undefined when none. */
export function settableTags(tags: { Key?: string; Value?: string }[] | undefined): { Key: string; Value: string }[] | undefined {
  const kept = (tags ?? []).filter((t) => t.Key && !t.Key.startsWith('aws:'));
  return kept.length > 0 ? kept.map((t) => ({ Key: t.Key!, Value: t.Value ?? '' })).sort((a, b) => a.Key.localeCompare(b.Key)) : undefined;
}

export const sorted = (values: (string | undefined)[] | undefined): string[] | undefined =>
  values && values.length > 0 ? values.filter((v): v is string => !!v).sort() : undefined;
