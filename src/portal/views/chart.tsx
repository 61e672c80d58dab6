import type { ChartView } from '../dashboard.js';

const WIDTH = 300;
const HEIGHT = 100;

/**
 * The per-day bar chart as inline SVG: stacked download/upload bars, one per day. Text (the
 * scale and the day labels) sits in HTML around it, so it stays readable when the picture is
 * stretched to the screen's width. Colours come from portal.css (no inline styles under CSP).
 */
export function UsageChart({ chart }: { chart: ChartView }) {
  const slot = WIDTH / Math.max(1, chart.days.length);
  const barWidth = slot * 0.7;
  const scale = chart.maxBytes > 0 ? (HEIGHT - 2) / chart.maxBytes : 0;
  const lastIndex = chart.days.length - 1;
  const labelled = chart.days
    .map((day, index) => ({ day, index }))
    .filter(({ index }) => (lastIndex - index) % 7 === 0);
  return (
    <div class="chart-body">
      <p class="chart-scale" aria-hidden="true">
        {chart.maxLabel}
      </p>
      <svg
        class="chart-svg"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-labelledby="chart-svg-title chart-svg-desc"
        focusable="false"
      >
        <title id="chart-svg-title">{chart.title}</title>
        <desc id="chart-svg-desc">{chart.description}</desc>
        <line class="chart-grid" x1="0" x2={WIDTH} y1="1" y2="1" />
        <line class="chart-grid" x1="0" x2={WIDTH} y1={HEIGHT / 2} y2={HEIGHT / 2} />
        {chart.days.map((day, index) => {
          const x = index * slot + (slot - barWidth) / 2;
          const downHeight = day.downloadedBytes * scale;
          const upHeight = day.uploadedBytes * scale;
          const empty = day.downloadedBytes + day.uploadedBytes === 0;
          return (
            <g key={day.day} class={index === lastIndex ? 'chart-day chart-today' : 'chart-day'}>
              <title>{day.title}</title>
              {/* a hit area the full height of the day, so the tooltip is easy to reach */}
              <rect class="chart-hit" x={index * slot} y="0" width={slot} height={HEIGHT} />
              {empty ? (
                <rect class="chart-empty" x={x} y={HEIGHT - 1} width={barWidth} height="1" />
              ) : (
                <>
                  <rect
                    class="chart-down"
                    x={x}
                    y={HEIGHT - downHeight}
                    width={barWidth}
                    height={downHeight}
                  />
                  <rect
                    class="chart-up"
                    x={x}
                    y={HEIGHT - downHeight - upHeight}
                    width={barWidth}
                    height={upHeight}
                  />
                </>
              )}
            </g>
          );
        })}
        <line class="chart-axis" x1="0" x2={WIDTH} y1={HEIGHT} y2={HEIGHT} />
      </svg>
      <ol class="chart-labels" aria-hidden="true">
        {labelled.map(({ day, index }) => (
          <li key={day.day} data-slot={String(index)}>
            {index === lastIndex ? chart.todayLabel : day.label}
          </li>
        ))}
      </ol>
    </div>
  );
}
