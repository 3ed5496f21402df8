/**
 * `{ [key]: value }` when value is defined, else `{}`: spread into an object literal so that absent
 * optional fields are left out rather than stored as `undefined`.
 */
export function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value !== undefined ? { [key]: value } : {}) as { [P in K]?: string };
}
