/**
 * The goals of issue 31 against the ceiling (scripts/bench/ceiling.ts): each API scenario
 * that has a ceiling as a fraction of it, measured in the same round, with a p99 limit. Met
 * or missed, never a failure of the run (goals live in docs/benchmarks.md, not in tests).
 */

/** The id of the ceiling scenario measured beside an API scenario. */
export const ceilingIdOf = (id: string) => `${id}-ceiling`;

/** A goal against the ceiling: at least `ratio` of its req/s, p99 at most `p99Ms`. */
export interface CeilingGoal {
  id: string;
  ratio: number;
  p99Ms: number;
}

/** Reads: the partner balance read, the Core card read and GET /partner/v1/me; payments: spread, Core and partner. */
export const CEILING_GOALS: readonly CeilingGoal[] = [
  { id: 'me', ratio: 0.7, p99Ms: 20 },
  { id: 'partner-balance', ratio: 0.7, p99Ms: 20 },
  { id: 'balance-card', ratio: 0.7, p99Ms: 20 },
  { id: 'payment-spread', ratio: 0.7, p99Ms: 100 },
  { id: 'partner-payment', ratio: 0.7, p99Ms: 100 },
];

/** What a goal line reads of a scenario's summary. */
export interface GoalFigures {
  id: string;
  name: string;
  p99Ms: number;
  /** req/s over its ceiling's, median of the per-round ratios; null when the ceiling was not measured. */
  ratioToCeiling: number | null;
  /** Why the numbers cannot be trusted, or null. */
  flag: string | null;
}

const fixed = (value: number | null, digits: number) => (value === null || Number.isNaN(value) ? '-' : value.toFixed(digits));

/**
 * One line per goal whose API scenario was measured: "met", "MISSED", or "not measured" when
 * its ceiling was not (select `<id>-ceiling` too), either was flagged (its figures mean
 * nothing) or the scenario had no 2xx answer (no p99).
 */
export function ceilingGoalLines(summaries: readonly GoalFigures[], goals: readonly CeilingGoal[] = CEILING_GOALS): string[] {
  const byId = new Map(summaries.map((summary) => [summary.id, summary]));
  return goals.flatMap((goal) => {
    const scenario = byId.get(goal.id);
    if (!scenario) return [];
    const ceiling = byId.get(ceilingIdOf(goal.id));
    const ratio = scenario.ratioToCeiling;
    const why = !ceiling
      ? `select ${ceilingIdOf(goal.id)}`
      : scenario.flag || ceiling.flag
        ? 'flagged'
        : ratio === null || Number.isNaN(scenario.p99Ms)
          ? 'no answers'
          : null;
    const verdict = why !== null ? `not measured (${why})` : ratio! >= goal.ratio && scenario.p99Ms <= goal.p99Ms ? 'met' : 'MISSED';
    return [
      `goal ${scenario.name}: >= ${goal.ratio.toFixed(1)}x its ceiling and p99 <= ${goal.p99Ms} ms: ${fixed(ratio, 2)}x, p99 ${fixed(scenario.p99Ms, 2)} ms ` +
        `(ceiling p99 ${fixed(ceiling?.p99Ms ?? null, 2)} ms), ${verdict}`,
    ];
  });
}
