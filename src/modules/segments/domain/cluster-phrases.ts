/**
 * The words a cluster is described with. Keys are stable (stored, sent to the console, translated); the English text
 * is the default rendering. A translation supplies another object with the same keys. `{category}` is replaced by a
 * category name from the data, which is never translated.
 */
export const CLUSTER_PHRASES = {
  'frequency.high': 'frequent',
  'frequency.low': 'infrequent',
  'frequency.once': 'single-purchase',
  'monetary.high': 'high-spend',
  'monetary.low': 'low-spend',
  'basket.large': 'large baskets',
  'basket.small': 'small baskets',
  'recency.recent': 'recent',
  'recency.lapsed': 'lapsed',
  'tenure.long': 'long-standing',
  'tenure.new': 'new',
  'cycle.short': 'short purchase cycle',
  'cycle.long': 'long purchase cycle',
  'profile.average': 'average behaviour',
  'category.heavy': '{category} heavy',
} as const;

/** A key of {@link CLUSTER_PHRASES}. */
export type ClusterPhraseKey = keyof typeof CLUSTER_PHRASES;

/** A catalogue of cluster phrases in one language: every key of {@link CLUSTER_PHRASES}. */
export type ClusterPhraseCatalogue = Record<ClusterPhraseKey, string>;

/**
 * One word-worthy property of a cluster. `z` is the cluster's mean standardised value of the feature behind the
 * phrase (absent for the category phrase); `category` fills `{category}`.
 */
export type ClusterTrait = { key: ClusterPhraseKey; z?: number; category?: string };

/** The text of one trait in a catalogue. */
export function renderTrait(trait: ClusterTrait, phrases: ClusterPhraseCatalogue = CLUSTER_PHRASES): string {
  const text = phrases[trait.key];
  return trait.category === undefined ? text : text.replace('{category}', trait.category);
}

/**
 * A sentence from traits: behaviour traits joined by commas, then the category after a semicolon —
 * "frequent, high-spend, recent; home-decor heavy". Without behaviour traits it says "average behaviour".
 */
export function renderDescription(traits: readonly ClusterTrait[], phrases: ClusterPhraseCatalogue = CLUSTER_PHRASES): string {
  const behaviour = traits.filter((t) => t.key !== 'category.heavy');
  const category = traits.filter((t) => t.key === 'category.heavy');
  const head = behaviour.length > 0 ? behaviour.map((t) => renderTrait(t, phrases)).join(', ') : phrases['profile.average'];
  return category.length > 0 ? `${head}; ${category.map((t) => renderTrait(t, phrases)).join(', ')}` : head;
}

/**
 * A short name: the `count` strongest behaviour traits (largest |z|) in description order, capitalised —
 * "Frequent, high-spend". Falls back to the category phrase, then to "Average behaviour".
 */
export function renderLabel(traits: readonly ClusterTrait[], count = 2, phrases: ClusterPhraseCatalogue = CLUSTER_PHRASES): string {
  const behaviour = traits.filter((t) => t.key !== 'category.heavy');
  let picked: ClusterTrait[];
  if (behaviour.length > 0) {
    const strongest = new Set([...behaviour].sort((a, b) => Math.abs(b.z ?? 0) - Math.abs(a.z ?? 0)).slice(0, count));
    picked = behaviour.filter((t) => strongest.has(t));
  } else {
    picked = traits.filter((t) => t.key === 'category.heavy').slice(0, 1);
  }
  const text = picked.length > 0 ? picked.map((t) => renderTrait(t, phrases)).join(', ') : phrases['profile.average'];
  return text.charAt(0).toUpperCase() + text.slice(1);
}
