// Which license governs reprinting an item: the channel's rules, in order, else its default.

import type { Channel, LicenseRule, SourceOutlet } from '../model.js';

export interface LicenseSubject {
  sourceId: string;
  source: SourceOutlet;
}

/**
 * The license id of the first rule of `channel.licenseRules` whose every given condition holds for
 * the item (`original` equals source.original, source.name is one of `sourceNames`, the item's source
 * is one of `sourceIds`); `channel.license` when none does. A rule with no conditions always matches.
 */
export function chooseLicense(channel: Pick<Channel, 'license' | 'licenseRules'>, subject: LicenseSubject): string {
  return channel.licenseRules.find((rule) => matches(rule, subject))?.license ?? channel.license;
}

function matches({ when }: LicenseRule, { sourceId, source }: LicenseSubject): boolean {
  return (
    (when.original === undefined || when.original === source.original) &&
    (when.sourceNames === undefined || when.sourceNames.includes(source.name)) &&
    (when.sourceIds === undefined || when.sourceIds.includes(sourceId))
  );
}
