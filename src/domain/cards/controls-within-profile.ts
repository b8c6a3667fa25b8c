/**
 * What a card's controls may be when set by an operator whose right to set them covers only
 * some networks, client companies or service points (a fleet manager): at most what the card's
 * profile allows. The profile's rules are the issuer's; the fleet manager may tighten them for
 * a card, never loosen them. Kind by kind, where the profile sets a rule and the card replaces
 * it: every limit the profile sets is kept and not raised (money limits unit by unit), a hard
 * rule stays hard, the services and fuels stay among the profile's, the minimum interval
 * between fills is not shortened, and the profile's places and hours are not replaced. A kind
 * the profile leaves open the card may restrict at will.
 */
import type { components } from '../../../generated/schema';
import { isDeepStrictEqual } from 'node:util';
import { AppError } from '../app-error';

type SpendingControls = components['schemas']['SpendingControls'];
type FieldError = { path: string; message: string };

/** A rule made soft where the profile's is hard. */
const softened = (path: string, card: { mode: string }, profile: { mode: string }): FieldError[] =>
  profile.mode === 'hard' && card.mode === 'soft' ? [{ path: `${path}/mode`, message: "soft where the profile's rule is hard" }] : [];

/** Every limit of `profile` kept by `card` and not raised; values as strings of integers or numbers. */
function limitsKept(path: string, card: Record<string, unknown>, profile: Record<string, unknown>, value: (limit: unknown) => bigint): FieldError[] {
  return Object.entries(profile)
    .filter(([key]) => key !== 'mode')
    .flatMap(([period, limit]) => {
      if (card[period] === undefined) return [{ path: `${path}/${period}`, message: `absent where the profile sets ${value(limit)}` }];
      return value(card[period]) > value(limit) ? [{ path: `${path}/${period}`, message: `more than the profile's ${value(limit)}` }] : [];
    });
}

const count = (limit: unknown) => BigInt(limit as number);
const amountValue = (limit: unknown) => BigInt((limit as { value: number }).value);
const unitOf = (limit: Record<string, unknown>) => (Object.values(limit)[0] as { unit: string } | undefined)?.unit;

/** Items of `card` (absent: everything) not among `profile`'s (absent: anything goes). */
function outside(path: string, card: readonly string[] | undefined, profile: readonly string[] | undefined): FieldError[] {
  if (profile === undefined) return [];
  if (card === undefined) return [{ path, message: `absent where the profile allows only ${profile.join(', ')}` }];
  return card.filter((item) => !profile.includes(item)).map((item) => ({ path, message: `${item} is not among the profile's (${profile.join(', ')})` }));
}

/** Where `card`'s rules allow more than `profile`'s, field by field. */
function beyondProfile(card: SpendingControls, profile: SpendingControls): FieldError[] {
  const errors: FieldError[] = [];
  if (card.amount && profile.amount) {
    const cardLimits = card.amount.limits as Record<string, unknown>[];
    for (const limit of profile.amount.limits as Record<string, unknown>[]) {
      const index = cardLimits.findIndex((entry) => unitOf(entry) === unitOf(limit));
      if (index < 0) errors.push({ path: '/body/amount/limits', message: `no limit in ${unitOf(limit)} where the profile sets one` });
      else errors.push(...limitsKept(`/body/amount/limits/${index}`, cardLimits[index], limit, amountValue));
    }
    errors.push(...softened('/body/amount', card.amount, profile.amount));
  }
  for (const kind of ['volume', 'transactions'] as const) {
    const [mine, theirs] = [card[kind], profile[kind]];
    if (mine && theirs) errors.push(...limitsKept(`/body/${kind}`, mine, theirs, count), ...softened(`/body/${kind}`, mine, theirs));
  }
  if (card.fillInterval && profile.fillInterval) {
    if (card.fillInterval.minMinutes < profile.fillInterval.minMinutes)
      errors.push({ path: '/body/fillInterval/minMinutes', message: `shorter than the profile's ${profile.fillInterval.minMinutes}` });
    errors.push(...softened('/body/fillInterval', card.fillInterval, profile.fillInterval));
  }
  if (card.products && profile.products) {
    errors.push(
      ...outside('/body/products/services', card.products.services, profile.products.services),
      ...outside('/body/products/energyTypes', card.products.energyTypes, profile.products.energyTypes),
      ...softened('/body/products', card.products, profile.products),
    );
  }
  for (const kind of ['locations', 'schedule'] as const) {
    if (card[kind] && profile[kind] && !isDeepStrictEqual(card[kind], profile[kind]))
      errors.push({ path: `/body/${kind}`, message: "replaces the profile's rule" });
  }
  return errors;
}

/** Throws CONTROLS_BEYOND_PROFILE, naming each field, when `card`'s rules allow more than `profile`'s. */
export function checkWithinProfile(card: SpendingControls, profile: SpendingControls): void {
  const errors = beyondProfile(card, profile);
  if (errors.length === 0) return;
  throw new AppError(
    'CONTROLS_BEYOND_PROFILE',
    `Your scope of authority lets you set controls only within the card's profile: ${errors.map((error) => `${error.path} ${error.message}`).join('; ')}`,
    {
      errors,
    },
  );
}
