import type { Item } from '../../src/model.js';
import type { Store } from '../../src/store/store.js';

/**
 * Fixed items behind the Store methods the output cache reads — items(), revision() and the (empty)
 * archive — for every channel; `bump()` moves the revision as an ingest would. Only for code that reads
 * nothing else.
 */
export function fixedStore(items: readonly Item[]): Store & { bump(): void } {
  let revision = 1;
  const reader: Pick<Store, 'items' | 'revision' | 'archiveMonths' | 'archivedItems'> = {
    items: () => items,
    revision: () => revision,
    archiveMonths: () => [],
    archivedItems: async () => [],
  };
  return Object.assign(reader as Store, { bump: () => void (revision += 1) });
}
