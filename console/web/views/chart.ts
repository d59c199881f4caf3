/**
 * The training convergence chart: new points per window of events (uPlot, vendored, loaded as a
 * classic script before this module). The "settled" signal is marked where the run of quiet
 * windows began, with a text line below saying what it means.
 */
import type UPlot from 'uplot';
import { h, replace } from '../dom.js';
import type { Convergence } from '../types.js';

declare const uPlot: typeof UPlot;

export class ConvergenceChart {
  readonly el: HTMLElement;
  private readonly plotBox: HTMLElement;
  private readonly caption: HTMLElement;
  private plot: UPlot | undefined;
  private conv: Convergence | undefined;
  private readonly resize: ResizeObserver;

  constructor() {
    this.plotBox = h('div', { class: 'chart-plot' });
    this.caption = h('p', { class: 'chart-caption' });
    this.el = h(
      'figure',
      { class: 'chart', data: { points: '0', settled: 'no' } },
      this.plotBox,
      this.caption
    );
    this.resize = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize({ width: this.width(), height: 220 });
    });
    this.resize.observe(this.plotBox);
  }

  private width(): number {
    return Math.max(this.plotBox.clientWidth, 320);
  }

  /** Where the current quiet run began: the end of the last window that added a point. */
  private settledAt(c: Convergence): number | undefined {
    if (!c.settled) return undefined;
    let x = 0;
    for (const w of c.windows) if (w.newPoints > 0) x = w.eventsEnd;
    return x;
  }

  update(c: Convergence): void {
    this.conv = c;
    const xs = c.windows.map((w) => w.eventsEnd);
    const ys = c.windows.map((w) => w.newPoints);
    this.el.dataset['points'] = String(xs.length);
    this.el.dataset['settled'] = c.settled ? 'yes' : 'no';
    replace(
      this.caption,
      `${xs.length} window(s) of ${c.windowEvents} events; `,
      c.settled
        ? h('strong', { class: 'settled' }, 'settled: the last windows added no point')
        : h('span', {}, 'not settled yet: settled once the last windows add no point')
    );
    const data: UPlot.AlignedData = [xs, ys];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    if (xs.length === 0) return;
    const marker = (u: UPlot) => this.drawSettled(u);
    this.plot = new uPlot(
      {
        width: this.width(),
        height: 220,
        // From event 0: each bar stands left of the count its window ended at.
        scales: {
          x: { time: false, range: (_u, _min, max) => [0, max] },
          y: { range: (_u, _min, max) => [0, Math.max(max, 1)] },
        },
        axes: [
          { label: 'events', stroke: '#444' },
          { label: 'new points per window', stroke: '#444' },
        ],
        series: [
          { label: 'events' },
          {
            label: 'new points',
            stroke: '#1f6feb',
            fill: 'rgba(31,111,235,0.55)',
            width: 1,
            // One bar per window of events: how many points it added.
            paths: uPlot.paths.bars?.({ size: [0.9, 1000], align: -1 }),
            points: { show: false },
          },
        ],
        legend: { show: false },
        hooks: { draw: [marker] },
      },
      data,
      this.plotBox
    );
  }

  /** A dashed line where the quiet run began, labelled (drawn on the canvas: no markup). */
  private drawSettled(u: UPlot): void {
    const at = this.conv ? this.settledAt(this.conv) : undefined;
    if (at === undefined) return;
    const x = Math.round(u.valToPos(at, 'x', true));
    const { top, height } = u.bbox;
    const ctx = u.ctx;
    const px = devicePixelRatio;
    ctx.save();
    ctx.strokeStyle = '#1a7f37';
    ctx.lineWidth = 2 * px;
    ctx.setLineDash([6 * px, 4 * px]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.fillStyle = '#1a7f37';
    ctx.textAlign = 'left';
    ctx.font = `${12 * px}px sans-serif`;
    ctx.fillText('settled', x + 6 * px, top + height / 2);
    ctx.restore();
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
  }
}
