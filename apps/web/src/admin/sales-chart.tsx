import { useId, useState } from 'react';
import { formatMoney } from '../format.ts';
import type { RouterOutputs } from '../trpc.ts';
import { axisTicks, labelledDays } from './sales-chart-scale.ts';

type Dashboard = RouterOutputs['admin']['dashboard']['get'];
type SalesDay = Dashboard['sales'][number];

// The drawing's own units (the SVG scales to the width it is given).
const width = 720;
const height = 240;
const plot = { left: 64, right: 8, top: 12, bottom: 28 };
const plotWidth = width - plot.left - plot.right;
const plotHeight = height - plot.top - plot.bottom;

const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const longDayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });

/** A calendar day (`2026-03-15`) as people write it: "15 Mar" (or "Sun 15 Mar"). */
export function dayLabel(date: string, long = false): string {
  const day = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(day.getTime()) ? date : (long ? longDayFormat : dayFormat).format(day);
}

/** Money on an axis: "$1.2K" rather than "$1,200.00". */
function axisMoney(minor: number, currency: string): string {
  const digits = new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(undefined, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(minor / 10 ** digits);
}

const ordersText = (count: number) => `${count} ${count === 1 ? 'order' : 'orders'}`;

/** What the chart says, in a sentence: the period's sales and its best day. */
export function salesSummary(dashboard: Dashboard): string {
  const { totals, currency, days } = dashboard;
  if (totals.orders === 0) return `No sales in the last ${days} ${days === 1 ? 'day' : 'days'}.`;
  const best = dashboard.sales.reduce<SalesDay | null>((top, day) => (!top || day.total > top.total ? day : top), null);
  const bestText = best && days > 1 ? ` The best day was ${dayLabel(best.date, true)}: ${formatMoney(best.total, currency)} from ${ordersText(best.orders)}.` : '';
  return `${formatMoney(totals.total, currency)} from ${ordersText(totals.orders)} in the last ${days} ${days === 1 ? 'day' : 'days'}.${bestText}`;
}

/**
 * Sales per day as bars, drawn in SVG. The drawing is for the eye only (hidden from screen
 * readers): the caption says what it shows, and a table holds every day's figures — hidden but
 * read by screen readers, and shown to anyone who asks for it.
 */
export function SalesChart({ dashboard }: { dashboard: Dashboard }) {
  const [showTable, setShowTable] = useState(false);
  const id = useId();
  const { sales, currency } = dashboard;
  const ticks = axisTicks(Math.max(0, ...sales.map((day) => day.total)));
  const top = ticks.at(-1) ?? 1;
  const slot = plotWidth / Math.max(1, sales.length);
  const barWidth = Math.max(2, Math.min(40, slot * 0.7));
  const labelled = labelledDays(sales.length);
  const y = (amount: number) => plot.top + plotHeight - (amount / top) * plotHeight;

  return (
    <figure className="dash-chart">
      <div className="dash-panel-header">
        <h3>Sales per day</h3>
        <button type="button" className="button button--quiet button--small" aria-expanded={showTable} aria-controls={`${id}-table`} onClick={() => setShowTable(!showTable)}>
          {showTable ? 'Hide the table' : 'Show as a table'}
        </button>
      </div>
      {/* Scrolls sideways on a phone rather than shrinking the labels out of reading. */}
      <div className="dash-chart-scroll" tabIndex={0} role="group" aria-label="Sales per day as bars (the same figures are in the table)">
        <svg viewBox={`0 0 ${width} ${height}`} className="dash-chart-drawing" aria-hidden="true" focusable="false">
          {ticks.map((tick) => (
            <g key={tick} className="dash-chart-grid">
              <line x1={plot.left} x2={width - plot.right} y1={y(tick)} y2={y(tick)} />
              <text x={plot.left - 8} y={y(tick)} dy="0.32em" textAnchor="end">
                {axisMoney(tick, currency)}
              </text>
            </g>
          ))}
          {sales.map((day, index) => {
            const barHeight = (day.total / top) * plotHeight;
            const x = plot.left + slot * index + (slot - barWidth) / 2;
            const today = index === sales.length - 1;
            return (
              <g key={day.date} className={today ? 'dash-chart-day dash-chart-day--today' : 'dash-chart-day'} data-date={day.date}>
                <title>{`${dayLabel(day.date, true)}: ${formatMoney(day.total, currency)}, ${ordersText(day.orders)}`}</title>
                {/* The whole column answers the pointer, so a day without sales has its tooltip too. */}
                <rect className="dash-chart-hit" x={plot.left + slot * index} y={plot.top} width={slot} height={plotHeight} />
                <rect className="dash-chart-bar" x={x} y={y(day.total)} width={barWidth} height={Math.max(day.total > 0 ? 1 : 0, barHeight)} rx={Math.min(3, barWidth / 4)} />
                {labelled.has(index) ? (
                  <text className="dash-chart-label" x={plot.left + slot * index + slot / 2} y={height - 8} textAnchor="middle">
                    {today ? 'Today' : dayLabel(day.date)}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption id={`${id}-caption`} className="dash-chart-caption" data-testid="sales-summary">
        {salesSummary(dashboard)}
      </figcaption>
      <div id={`${id}-table`} className={showTable ? 'table-scroll' : 'visually-hidden'}>
        <table className="admin-table dash-chart-table">
          <caption className="visually-hidden">Sales per day, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" className="numeric">
                Sales
              </th>
              <th scope="col" className="numeric">
                Orders
              </th>
            </tr>
          </thead>
          <tbody>
            {sales.map((day) => (
              <tr key={day.date}>
                <th scope="row">{dayLabel(day.date, true)}</th>
                <td className="numeric">{formatMoney(day.total, currency)}</td>
                <td className="numeric">{day.orders}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
