/**
 * The spending controls applied to one attempt (a payment or a pump authorisation), as a pure
 * function of the card's effective rules, the attempt and the card's spends: the breaches, in
 * a fixed order (products, the vehicle's energy type, locations, schedule, fill interval,
 * money, litres, count), at most one per rule kind but products, each hard or soft as its rule
 * says (the vehicle's energy type is hard). The ledger decides what they do.
 */
import type { components } from '../../../generated/schema';
import type { ErrorCodeName } from '../app-error';
import type { Money } from '../money';
import { spent, type Spend } from './spends';
import { periodBounds } from '../time-zones';

type EffectiveControls = components['schemas']['EffectiveControls'];
type ControlBreach = components['schemas']['ControlBreach'];
type Weekday = components['schemas']['Weekday'];
type LimitPeriod = 'perTransaction' | 'perDay' | 'perWeek' | 'perMonth';

export interface Attempt {
  at: Date;
  amount: Money;
  service: string;
  /** The fuel bought, when the attempt names it. */
  energyTypeCode: string | null;
  /** The litres (in mL) bought or authorised, when known. */
  quantityMl: bigint | null;
  servicePointId: string;
  networkId: string | null;
  /** The service point's time zone: the schedule's days and hours are its local time. */
  timeZone: string;
  /** The card's time zone (spends.ts cardTimeZoneOf: its client's, else its network's): its limits' days, weeks and months. */
  cardTimeZone: string;
  /** The energy type of the card's vehicle, which restricts the fuels it buys. */
  vehicleEnergyType: string | null;
}

export interface Breach {
  code: ErrorCodeName;
  message: string;
  details: ControlBreach;
}

const LIMIT_PERIODS: readonly LimitPeriod[] = ['perTransaction', 'perDay', 'perWeek', 'perMonth'];
const PERIOD_OF = { perDay: 'day', perWeek: 'week', perMonth: 'month' } as const;
const PERIOD_WORDS = { perTransaction: 'per-transaction', perDay: 'per-day', perWeek: 'per-week', perMonth: 'per-month' } as const;

/** True when the rules look at the card's past spending (period limits, the fill interval). */
export function needsSpends(controls: EffectiveControls): boolean {
  const periodic = (rule: Partial<Record<LimitPeriod, unknown>> | undefined) =>
    rule !== undefined && (rule.perDay !== undefined || rule.perWeek !== undefined || rule.perMonth !== undefined);
  return (
    (controls.amount.rule?.limits.some(periodic) ?? false) ||
    periodic(controls.volume.rule) ||
    controls.transactions.rule !== undefined ||
    controls.fillInterval.rule !== undefined
  );
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The weekday and the minutes since midnight of `at` in `timeZone`. */
function localTime(at: Date, timeZone: string): { weekday: Weekday; minutes: number; text: string } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  const hours = Number(parts.hour);
  const minutes = Number(parts.minute);
  return { weekday: parts.weekday.toLowerCase().slice(0, 3) as Weekday, minutes: hours * 60 + minutes, text: `${parts.hour}:${parts.minute}` };
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

type Limits = Partial<Record<LimitPeriod, number>>;

interface PeriodFigures {
  period: LimitPeriod;
  limit: bigint;
  used: bigint;
  held: bigint;
  /** What the period still allows (the limit itself per transaction), never below zero. */
  remaining: bigint;
}

/** Each period of `limits`, shortest first, with what it has used, holds and still allows at the attempt's time. */
function periodFigures(
  limits: Limits,
  { at, cardTimeZone }: Pick<Attempt, 'at' | 'cardTimeZone'>,
  spends: readonly Spend[],
  figure: (spend: Spend) => bigint,
  matches?: (spend: Spend) => boolean,
): PeriodFigures[] {
  return LIMIT_PERIODS.flatMap((period) => {
    const value = limits[period];
    if (value === undefined) return [];
    const limit = BigInt(value);
    const { used, held } =
      period === 'perTransaction' ? { used: 0n, held: 0n } : spent(spends, periodBounds(PERIOD_OF[period], at, cardTimeZone).start, figure, matches);
    const left = limit - used - held;
    return [{ period, limit, used, held, remaining: left > 0n ? left : 0n }];
  });
}

/** The first period of `limits` the attempt would take over its limit, with the figures. */
function overLimit(
  limits: Limits,
  attempt: Attempt,
  spends: readonly Spend[],
  requested: bigint,
  figure: (spend: Spend) => bigint,
  matches?: (spend: Spend) => boolean,
): PeriodFigures | null {
  return periodFigures(limits, attempt, spends, figure, matches).find((figures) => figures.used + figures.held + requested > figures.limit) ?? null;
}

/** A period limit's figures name the zone its days, weeks and months are counted in. */
const zoneOf = (period: LimitPeriod, attempt: Attempt) => (period === 'perTransaction' ? {} : { timeZone: attempt.cardTimeZone });

/** The money limits of the attempt's unit, as plain numbers by period. */
const amountLimits = (controls: EffectiveControls, unit: string): Limits | null => {
  const entry = controls.amount.rule?.limits.find((limits) => Object.values(limits)[0]?.unit === unit);
  return entry ? (Object.fromEntries(Object.entries(entry).map(([period, value]) => [period, value.value])) as Limits) : null;
};

/**
 * The tightest period of the card's hard money limits (in the attempt's unit) or litre limits:
 * what it still allows, so that a pump authorisation can be sized to it; null when no hard
 * rule of the measure applies.
 */
export function hardHeadroom(
  controls: EffectiveControls,
  measure: 'amount' | 'volume',
  attempt: Attempt,
  spends: readonly Spend[],
): (PeriodFigures & { source: ControlBreach['source'] }) | null {
  const applied = measure === 'amount' ? controls.amount : controls.volume;
  if (applied.rule?.mode !== 'hard') return null;
  const figures =
    measure === 'amount'
      ? periodFigures(
          amountLimits(controls, attempt.amount.unit) ?? {},
          attempt,
          spends,
          (spend) => spend.amount,
          (spend) => spend.unit === attempt.amount.unit,
        )
      : periodFigures(controls.volume.rule as Limits, attempt, spends, (spend) => spend.quantityMl);
  const tightest = figures.reduce<PeriodFigures | null>((least, item) => (least === null || item.remaining < least.remaining ? item : least), null);
  return tightest ? { ...tightest, source: applied.source as ControlBreach['source'] } : null;
}

/** Every rule the attempt breaches, in the fixed order. */
export function breaches(controls: EffectiveControls, attempt: Attempt, spends: readonly Spend[]): Breach[] {
  const found: Breach[] = [];
  const add = (
    code: ErrorCodeName,
    rule: ControlBreach['rule'],
    applied: { source: string; rule?: { mode: ControlBreach['mode'] } },
    message: string,
    figures: Omit<ControlBreach, 'rule' | 'source' | 'mode'>,
  ) => {
    const mode = applied.rule?.mode ?? 'hard';
    const source = applied.source as ControlBreach['source'];
    found.push({ code, message: `${message} (${source} rule, ${mode})`, details: { rule, source, mode, ...figures } });
  };
  const fill = attempt.service === 'fuel';

  const products = controls.products.rule;
  if (products) {
    const services = products.services;
    const energyTypes = products.energyTypes;
    const figures = {
      ...(services ? { allowedServices: services } : {}),
      ...(energyTypes ? { allowedEnergyTypes: energyTypes } : {}),
      service: attempt.service as ControlBreach['service'],
      energyTypeCode: attempt.energyTypeCode,
    };
    if (services && !services.includes(attempt.service as never)) {
      add('PRODUCT_NOT_ALLOWED', 'products', controls.products, `The card may buy ${services.join(', ')}, not ${attempt.service}`, figures);
    } else if (fill && energyTypes && (attempt.energyTypeCode === null || !energyTypes.includes(attempt.energyTypeCode))) {
      const asked = attempt.energyTypeCode === null ? 'an unnamed fuel' : attempt.energyTypeCode;
      add('PRODUCT_NOT_ALLOWED', 'products', controls.products, `The card may buy only ${energyTypes.join(', ')}, not ${asked}`, figures);
    }
  }

  if (fill && attempt.vehicleEnergyType !== null && attempt.energyTypeCode !== attempt.vehicleEnergyType) {
    const asked = attempt.energyTypeCode === null ? 'an unnamed fuel' : attempt.energyTypeCode;
    found.push({
      code: 'PRODUCT_NOT_ALLOWED',
      message: `The card's vehicle runs on ${attempt.vehicleEnergyType}, not ${asked} (vehicle rule, hard)`,
      details: {
        rule: 'products',
        source: 'vehicle',
        mode: 'hard',
        allowedEnergyTypes: [attempt.vehicleEnergyType],
        service: 'fuel',
        energyTypeCode: attempt.energyTypeCode,
      },
    });
  }

  const locations = controls.locations.rule;
  if (locations) {
    const listed =
      (locations.servicePointIds ?? []).includes(attempt.servicePointId) ||
      (attempt.networkId !== null && (locations.networkIds ?? []).includes(attempt.networkId));
    if (listed !== (locations.list === 'allow')) {
      const why = locations.list === 'allow' ? 'is not among the places the card may be used' : 'is among the places the card may not be used';
      add('LOCATION_NOT_ALLOWED', 'locations', controls.locations, `Service point ${attempt.servicePointId} ${why}`, {
        list: locations.list,
        servicePointId: attempt.servicePointId,
        networkId: attempt.networkId,
      });
    }
  }

  const schedule = controls.schedule.rule;
  if (schedule) {
    const local = localTime(attempt.at, attempt.timeZone);
    const open = schedule.windows.some(
      (window) => window.days.includes(local.weekday) && local.minutes >= minutesOf(window.from) && local.minutes < minutesOf(window.to),
    );
    if (!open) {
      add('OUTSIDE_ALLOWED_HOURS', 'schedule', controls.schedule, `The card may not be used on ${local.weekday} at ${local.text} (${attempt.timeZone})`, {
        timeZone: attempt.timeZone,
        weekday: local.weekday,
        localTime: local.text,
      });
    }
  }

  const interval = controls.fillInterval.rule;
  if (interval && fill) {
    const last = spends.filter((spend) => spend.fill).reduce<Date | null>((latest, spend) => (latest === null || spend.at > latest ? spend.at : latest), null);
    if (last && attempt.at.getTime() - last.getTime() < interval.minMinutes * 60_000) {
      add(
        'FILL_TOO_SOON',
        'fillInterval',
        controls.fillInterval,
        `The card's last fill was at ${last.toISOString()}, less than ${interval.minMinutes} minutes ago`,
        { lastFillAt: last.toISOString(), minMinutes: interval.minMinutes },
      );
    }
  }

  const limits = amountLimits(controls, attempt.amount.unit);
  if (limits) {
    const over = overLimit(
      limits,
      attempt,
      spends,
      attempt.amount.minor,
      (spend) => spend.amount,
      (spend) => spend.unit === attempt.amount.unit,
    );
    if (over) {
      const unit = attempt.amount.unit;
      add(
        'AMOUNT_LIMIT_EXCEEDED',
        'amount',
        controls.amount,
        `The card's ${PERIOD_WORDS[over.period]} limit of ${over.limit} ${unit} is used ${over.used} and held ${over.held}; ${attempt.amount.minor} asked`,
        {
          period: over.period,
          ...zoneOf(over.period, attempt),
          unit,
          limit: Number(over.limit),
          used: Number(over.used),
          held: Number(over.held),
          requested: Number(attempt.amount.minor),
        },
      );
    }
  }

  const volume = controls.volume.rule;
  if (volume && fill && attempt.quantityMl !== null) {
    const over = overLimit(volume, attempt, spends, attempt.quantityMl, (spend) => spend.quantityMl);
    if (over) {
      add(
        'VOLUME_LIMIT_EXCEEDED',
        'volume',
        controls.volume,
        `The card's ${PERIOD_WORDS[over.period]} limit of ${over.limit} mL is used ${over.used} and held ${over.held}; ${attempt.quantityMl} asked`,
        {
          period: over.period,
          ...zoneOf(over.period, attempt),
          limit: Number(over.limit),
          used: Number(over.used),
          held: Number(over.held),
          requested: Number(attempt.quantityMl),
        },
      );
    }
  }

  const transactions = controls.transactions.rule;
  if (transactions) {
    const over = overLimit(transactions, attempt, spends, 1n, () => 1n);
    if (over) {
      add(
        'TRANSACTION_LIMIT_EXCEEDED',
        'transactions',
        controls.transactions,
        `The card's ${PERIOD_WORDS[over.period]} limit of ${over.limit} transactions is reached (${over.used} made, ${over.held} open)`,
        {
          period: over.period,
          ...zoneOf(over.period, attempt),
          limit: Number(over.limit),
          used: Number(over.used),
          held: Number(over.held),
          requested: 1,
        },
      );
    }
  }
  return found;
}
