/**
 * How a benchmark reports: `say` prints the human lines (stdout; stderr under --json, so stdout
 * holds only JSON), `figures` emits one JSON object (one line) under --json and nothing otherwise.
 */
export type Figure = number | string | boolean | null;

export interface BenchReport {
  say(line: string): void;
  figures(fields: Record<string, Figure>): void;
}

export function createReport(bench: string, json: boolean): BenchReport {
  return {
    say: (line) => (json ? process.stderr.write(`${line}\n`) : console.log(line)),
    figures: (fields) => {
      if (!json) return;
      const out: Record<string, Figure> = { bench };
      for (const [k, v] of Object.entries(fields))
        out[k] = typeof v === 'number' && !Number.isFinite(v) ? null : v;
      process.stdout.write(`${JSON.stringify(out)}\n`);
    },
  };
}

/** A number rounded to `digits` decimals, for the JSON figures. */
export const round = (v: number, digits = 1): number => Number(v.toFixed(digits));
