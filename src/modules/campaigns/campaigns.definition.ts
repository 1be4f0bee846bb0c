import * as segments from '../segments/index.ts';
import { AppError, fieldPath } from '../../platform/errors.ts';
import { CampaignDefinition, type Variant } from './campaigns.contract.ts';
import { checkTemplate } from './domain/template.ts';

// What a campaign is before anything is stored: its definition, checked whole, and the variants it makes.

type Field = { field: string; message: string };

export const SEGMENT_NAMES = {
  cell: new Map<string, string>(segments.CELLS.map((c) => [c.key, c.name])),
  rfm: new Map<string, string>(segments.RFM_RULES.map((r) => [r.key, r.name])),
};
export const CELL_PAYBACK = new Map<string, string>(segments.CELLS.map((c) => [c.key, c.payback]));

/**
 * Validates a campaign definition completely, before anything is stored: the shape (VALIDATION_FAILED naming every
 * bad field), the audience's segment names (CAMPAIGNS_UNKNOWN_SEGMENT) and the template's placeholders
 * (CAMPAIGNS_TEMPLATE_INVALID naming the unknown one and the allowed ones).
 */
export function parseDefinition(raw: unknown): CampaignDefinition {
  const parsed = CampaignDefinition.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ field: fieldPath(i.path) || '(the definition)', message: i.message }));
    throw new AppError('VALIDATION_FAILED', `Campaign definition: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { fields });
  }
  const def = parsed.data;
  const known = SEGMENT_NAMES[def.audience.by];
  const bad: Field[] = def.audience.segments.flatMap((s, i) =>
    known.has(s)
      ? []
      : [
          {
            field: `audience.segments[${i}]`,
            message: `'${s}' is not ${def.audience.by === 'cell' ? 'an R×F cell' : 'an RFM segment'}; known: ${[...known.keys()].join(', ')}`,
          },
        ],
  );
  if (bad.length > 0)
    throw new AppError('CAMPAIGNS_UNKNOWN_SEGMENT', `Campaign definition: ${bad.map((f) => `${f.field}: ${f.message}`).join('; ')}`, {
      fields: bad,
    });
  for (const part of ['subject', 'body'] as const) {
    const text = def.template[part];
    if (text === undefined) continue;
    const problem = checkTemplate(text);
    if (problem) {
      throw new AppError('CAMPAIGNS_TEMPLATE_INVALID', `Campaign definition: template.${part}: ${problem.message}.`, {
        fields: [{ field: `template.${part}`, message: problem.message }],
        ...(problem.unknown ? { placeholder: problem.unknown } : {}),
      });
    }
  }
  const { startAt, endAt } = def.schedule;
  if (startAt && endAt && new Date(endAt) <= new Date(startAt)) {
    throw new AppError('VALIDATION_FAILED', 'Campaign definition: schedule.endAt: must be after schedule.startAt.', {
      fields: [{ field: 'schedule.endAt', message: 'must be after schedule.startAt' }],
    });
  }
  return def;
}

/** One variant per segment × offer × channel, in the definition's order. */
export function generateVariants(def: CampaignDefinition): Variant[] {
  return def.audience.segments.flatMap((segment) =>
    def.offers.flatMap((o) => def.channels.map((channel) => ({ key: `${segment}.${o.key}.${channel}`, segment, offer: o.key, channel }))),
  );
}

/** A stored definition, validated when it was created. */
export function storedDefinition(def: unknown): CampaignDefinition {
  return CampaignDefinition.parse(def);
}
