import { s } from './ui.js';

const W = 168, H = 34, GX = 56, GY = 14;

/**
 * Lays a workflow out left to right: a task's column is its longest distance from a root, and each column is
 * ordered by the mean row of its dependencies (one barycentre pass), which keeps most edges short and uncrossed.
 */
export function layout(tasks) {
  const byName = new Map(tasks.map(t => [t.name, t]));
  const column = new Map();
  const visit = (t, stack = new Set()) => {
    if (column.has(t.name)) return column.get(t.name);
    if (stack.has(t.name)) return 0;
    stack.add(t.name);
    const c = t.dependsOn.length === 0 ? 0 : 1 + Math.max(...t.dependsOn.map(d => byName.has(d) ? visit(byName.get(d), stack) : 0));
    column.set(t.name, c);
    return c;
  };
  tasks.forEach(t => visit(t));
  const columns = [];
  for (const t of tasks) (columns[column.get(t.name)] ??= []).push(t);
  const row = new Map();
  columns.forEach((list, c) => {
    if (c > 0) {
      const key = t => t.dependsOn.length ? t.dependsOn.reduce((sum, d) => sum + (row.get(d) ?? 0), 0) / t.dependsOn.length : 0;
      list.sort((a, b) => key(a) - key(b));
    }
    list.forEach((t, i) => row.set(t.name, i));
  });
  const positions = new Map(tasks.map(t => [t.name, { x: column.get(t.name) * (W + GX) + 10, y: row.get(t.name) * (H + GY) + 10 }]));
  const width = columns.length * (W + GX) + 20 - GX;
  const height = Math.max(...columns.map(list => list.length)) * (H + GY) + 20 - GY;
  return { positions, width, height };
}

/** Draws the graph; returns the SVG and a map from task name to its <g>, whose class carries the state. */
export function render(tasks, onSelect) {
  const { positions, width, height } = layout(tasks);
  const edges = s('g', { class: 'edges' });
  const nodes = s('g', { class: 'nodes' });
  const groups = new Map();
  for (const t of tasks) {
    const p = positions.get(t.name);
    for (const d of t.dependsOn) {
      const q = positions.get(d);
      if (!q) continue;
      const x1 = q.x + W, y1 = q.y + H / 2, x2 = p.x, y2 = p.y + H / 2, mx = (x1 + x2) / 2;
      edges.append(s('path', { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, 'data-from': d, 'data-to': t.name }));
    }
    const label = t.name.length > 22 ? `${t.name.slice(0, 21)}…` : t.name;
    const g = s('g', {
      class: `task state-${t.state}`, transform: `translate(${p.x},${p.y})`, tabindex: '0', role: 'button',
      'data-task': t.name, 'data-state': t.state, 'aria-label': `${t.name}: ${t.state}`,
      onclick: () => onSelect(t.name), onkeydown: e => { if (e.key === 'Enter') onSelect(t.name); },
    },
    s('title', {}, `${t.name} (${t.taskType}): ${t.state}`),
    s('rect', { width: W, height: H, rx: 6 }),
    s('circle', { cx: 14, cy: H / 2, r: 5 }),
    s('text', { x: 26, y: H / 2 + 4 }, label));
    groups.set(t.name, g);
    nodes.append(g);
  }
  const svg = s('svg', { class: 'dag', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'workflow graph' }, edges, nodes);
  return { svg, groups };
}

export function setState(group, state) {
  group.classList.remove(`state-${group.dataset.state}`);
  group.classList.add(`state-${state}`);
  group.setAttribute('data-state', state);
  const title = group.querySelector('title');
  title.textContent = title.textContent.replace(/: \w+$/, `: ${state}`);
  group.setAttribute('aria-label', `${group.dataset.task}: ${state}`);
}
