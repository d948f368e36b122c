// Small DOM helpers: every text goes in as text (never as HTML), so names and logs cannot inject markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  el.append(...children.flat().filter(c => c !== null && c !== undefined && c !== false).map(c => c instanceof Node ? c : String(c)));
  return el;
}

/** replaceChildren that skips null and false (the DOM would print them as text). */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined && c !== false));
  return el;
}

export const SVG = 'http://www.w3.org/2000/svg';

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value);
  }
  el.append(...children.map(c => c instanceof Node ? c : String(c)));
  return el;
}

export const states = ['Pending', 'Ready', 'Running', 'Succeeded', 'Failed', 'Skipped', 'Cancelled'];

export const badge = state => h('span', { class: `badge state-${state}` }, state);

export function ago(iso) {
  if (!iso) return '-';
  const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

export function duration(fromIso, toIso) {
  if (!fromIso) return '-';
  const ms = (toIso ? new Date(toIso) : new Date()) - new Date(fromIso);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** A horizontal bar: used / total, with the figure beside it. */
export function meter(used, total, label) {
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${total > 0 ? Math.min(100, (100 * used) / total) : 0}%`;
  return h('span', { class: 'meter', title: label }, h('span', { class: 'track' }, fill), h('span', { class: 'figure' }, label));
}

/** A sparkline of the last values (an SVG polyline). */
export function sparkline(values, width = 220, height = 40) {
  if (values.length < 2) values = [values[0] ?? 0, values[0] ?? 0];
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  return s('svg', { class: 'spark', viewBox: `0 0 ${width} ${height}`, width, height }, s('polyline', { points }));
}

export function message(text, kind = 'info') {
  return h('p', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}
