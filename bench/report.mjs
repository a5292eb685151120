// The results table, plain text for a terminal and Markdown for BENCHMARKS.md alike.
const fixed = (digits) => (value) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));
const int = fixed(0);
const one = fixed(1);
const two = fixed(2);

export function median(values) {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The nearest-rank percentile `p` (0–100) of the values. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Rows of cells as a Markdown table with padded columns. */
export function markdownTable(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => String(line[i]).length)));
  const format = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`;
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n');
}

/**
 * rows: { name, rps, p50, p99, cpuUs, rssMb, against, againstRps, againstP99, againstCpuUs, target, p99Target }.
 * Three ratios: of req/s, which the targets name; of server CPU time per request, the inverse, which other
 * load on a shared machine disturbs far less; and of p99 latency (own over theirs, so lower is better).
 */
export function table(rows) {
  const header = [
    'case',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'RSS MB',
    'compared with',
    'its req/s',
    'its p99 ms',
    'its CPU µs/req',
    'req/s ratio',
    'CPU ratio',
    'p99 ratio',
    'target',
  ];
  const lines = rows.map((row) => {
    const ratio = row.againstRps ? row.rps / row.againstRps : undefined;
    const cpuRatio = row.cpuUs ? row.againstCpuUs / row.cpuUs : undefined;
    const p99Ratio = row.againstP99 ? row.p99 / row.againstP99 : undefined;
    const verdict = (value) => (value >= row.target ? 'met' : 'MISSED');
    const targets = [
      row.target === undefined ? '' : `≥ ${row.target}×: req/s ${verdict(ratio)}, CPU ${verdict(cpuRatio)}`,
      row.p99Target === undefined ? '' : `p99 ≤ ${row.p99Target}×: ${p99Ratio <= row.p99Target ? 'met' : 'MISSED'}`,
    ];
    return [
      row.name,
      int(row.rps),
      one(row.p50),
      one(row.p99),
      int(row.cpuUs),
      int(row.rssMb),
      row.against ?? '',
      int(row.againstRps),
      one(row.againstP99),
      int(row.againstCpuUs),
      two(ratio),
      two(cpuRatio),
      two(p99Ratio),
      targets.filter(Boolean).join('; '),
    ];
  });
  return markdownTable(header, lines);
}
