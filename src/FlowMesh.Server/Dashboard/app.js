import { api, auth } from './api.js';
import { h, fill, badge, ago, bytes, meter, sparkline, message } from './ui.js';
import { workflowPage } from './workflow.js';

const ROLE_RANK = { viewer: 1, operator: 2, admin: 3 };
const view = document.getElementById('view');
const ctx = { caller: null, rank: 0 };
let current = null;   // the page on screen: { dispose(), select?() }
let currentKey = null;

auth.onSignedOut = () => { ctx.caller = null; showLogin('Your key was refused or revoked; sign in again.'); };

async function signIn(token) {
  auth.token = token;
  ctx.caller = await api('/me');
  ctx.rank = ROLE_RANK[ctx.caller.role] ?? 0;
  document.getElementById('caller').textContent = `${ctx.caller.tenant} · ${ctx.caller.role}${ctx.caller.isSystemAdmin ? ' (system)' : ''}`;
  document.getElementById('signout').hidden = false;
}

function showLogin(error = '') {
  const dialog = document.getElementById('login');
  document.getElementById('login-error').textContent = error;
  if (!dialog.open) dialog.showModal();
}

document.getElementById('login-form').addEventListener('submit', async event => {
  event.preventDefault();
  const token = document.getElementById('login-token').value.trim();
  try {
    await signIn(token);
    document.getElementById('login').close();
    route(true);
  } catch (e) {
    auth.token = null;
    showLogin(e.status === 401 ? 'That key is not valid.' : e.message);
  }
});

document.getElementById('signout').addEventListener('click', () => {
  auth.token = null;
  location.hash = '#/';
  location.reload();
});

/** Hash routes, so every page is a deep link: #/, #/workflows?state=Running&q=name, #/workflows/ID[/tasks/NAME], #/nodes. */
async function route(force = false) {
  if (!ctx.caller) return;
  const [path, query] = location.hash.slice(1).split('?');
  const parts = (path || '/').split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query ?? '');
  const key = parts[0] === 'workflows' && parts[1] ? `wf:${parts[1]}` : `${path}?${query ?? ''}`;
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === (parts[0] ?? 'overview'));
  if (!force && key === currentKey && current?.select) {
    current.select(parts[2] === 'tasks' ? parts[3] : null);
    return;
  }
  current?.dispose();
  current = null;
  currentKey = key;
  fill(view, h('p', { class: 'muted' }, 'Loading…'));
  try {
    if (parts[0] === 'workflows' && parts[1]) current = await workflowPage(view, parts[1], parts[2] === 'tasks' ? parts[3] : null, ctx);
    else if (parts[0] === 'workflows') current = workflowsPage(params);
    else if (parts[0] === 'nodes') current = nodesPage();
    else current = overviewPage();
  } catch (e) {
    fill(view, message(e.status === 404 ? `Not found: ${e.message}` : e.message, 'error'));
  }
}

window.addEventListener('hashchange', () => route());

/** Re-runs draw every few seconds while the page is on screen (lists and figures; the workflow page is pushed live). */
function every(ms, draw) {
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try { await draw(); } catch (e) { if (!stopped && e.status !== 401) view.prepend(message(e.message, 'error')); }
    if (!stopped) setTimeout(tick, ms);
  };
  tick();
  return () => { stopped = true; };
}

const history = { finished: [], ready: [], running: [], lastFinished: null };

function overviewPage() {
  const cards = h('section', { class: 'cards' });
  const charts = h('section', { class: 'charts' });
  const nodes = h('section');
  const tenants = h('section');
  fill(view, h('h1', {}, 'Overview'), cards, charts, h('h2', {}, 'Nodes'), nodes, h('h2', {}, 'Tenants'), tenants);
  const stop = every(2000, async () => {
    const [overview, nodeList] = await Promise.all([api('/overview'), api('/nodes')]);
    const finished = ['Succeeded', 'Failed', 'Cancelled'].reduce((n, s) => n + (overview.workflows[s] ?? 0), 0);
    if (history.lastFinished !== null) push(history.finished, Math.max(0, finished - history.lastFinished));
    history.lastFinished = finished;
    push(history.ready, overview.tasks.Ready ?? 0);
    push(history.running, overview.tasks.Running ?? 0);
    fill(cards, ...['Running', 'Pending', 'Paused', 'Succeeded', 'Failed', 'Cancelled'].map(state =>
      h('a', { class: `card state-${state}`, href: `#/workflows?state=${state}`, id: `count-${state}` },
        h('span', { class: 'n' }, String(overview.workflows[state] ?? 0)), h('span', { class: 'label' }, `${state.toLowerCase()} workflows`))));
    fill(charts,
      chart('Workflows finished / 2 s', history.finished),
      chart('Queue depth (ready tasks)', history.ready),
      chart('Running tasks', history.running));
    fill(nodes, nodeTable(nodeList));
    const quota = (used, max) => max > 0 ? meter(used, max, `${used} / ${max}`) : h('span', { class: 'muted' }, `${used} (no limit)`);
    const rows = [h('tr', {}, h('td', {}, overview.tenant), h('td', {}, quota(overview.tasks.Running ?? 0, overview.maxRunningTasks)),
      h('td', {}, String(overview.tasks.Ready ?? 0)), h('td', {}, overview.maxGpus > 0 ? `${overview.maxGpus} GPUs` : 'no GPU limit'))];
    if (ctx.caller.isSystemAdmin) {
      const all = await api('/tenants');
      for (const t of all.filter(t => t.id !== overview.tenant)) {
        rows.push(h('tr', {}, h('td', {}, t.id), h('td', { class: 'muted' }, t.maxRunningTasks > 0 ? `limit ${t.maxRunningTasks}` : 'no limit'), h('td', { class: 'muted' }, '-'),
          h('td', { class: 'muted' }, t.maxGpus > 0 ? `${t.maxGpus} GPUs` : 'no GPU limit')));
      }
    }
    fill(tenants, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'tenant'), h('th', {}, 'running tasks / quota'), h('th', {}, 'queued'), h('th', {}, 'GPU quota'))), h('tbody', {}, rows)));
  });
  return { dispose: stop };
}

function push(list, value) { list.push(value); if (list.length > 90) list.shift(); }

const chart = (title, values) => h('figure', { class: 'chart' }, h('figcaption', {}, title, ' ', h('strong', {}, String(values.at(-1) ?? 0))), sparkline(values.length ? values : [0]));

function nodeTable(list) {
  if (list.length === 0) return h('p', { class: 'muted' }, 'No node is up.');
  return h('table', { class: 'nodes' },
    h('thead', {}, h('tr', {}, ['node', 'state', 'CPU', 'memory', 'GPUs', 'slots', 'your running tasks', 'heartbeat'].map(c => h('th', {}, c)))),
    h('tbody', {}, list.map(n => {
      const gpuTotal = n.capacity.gpus.length, gpuFree = n.free.gpus.length;
      return h('tr', { 'data-node': n.id },
        h('td', {}, h('code', {}, n.id)),
        h('td', {}, badge(n.state), n.cordoned ? h('span', { class: 'muted' }, ' cordoned') : null),
        h('td', {}, meter(n.capacity.cpus - n.free.cpus, n.capacity.cpus, `${(n.capacity.cpus - n.free.cpus).toFixed(1)} / ${n.capacity.cpus} CPUs`)),
        h('td', {}, meter(n.capacity.memoryBytes - n.free.memoryBytes, n.capacity.memoryBytes, `${bytes(n.capacity.memoryBytes - n.free.memoryBytes)} / ${bytes(n.capacity.memoryBytes)}`)),
        h('td', {}, gpuTotal ? meter(gpuTotal - gpuFree, gpuTotal, `${gpuTotal - gpuFree} / ${gpuTotal} ${n.capacity.gpus[0]?.name ?? ''}`) : h('span', { class: 'muted' }, 'none')),
        h('td', {}, meter(n.capacity.slots - n.free.slots, n.capacity.slots, `${n.capacity.slots - n.free.slots} / ${n.capacity.slots}`)),
        h('td', {}, n.runningTasks.length ? n.runningTasks.map(t => h('a', { href: `#/workflows/${encodeURIComponent(t.workflowId)}/tasks/${encodeURIComponent(t.task)}` }, t.task, ' ')) : '-',
          n.otherTenantsTasks ? h('span', { class: 'muted' }, ` +${n.otherTenantsTasks} other`) : null),
        h('td', { class: 'muted' }, ago(n.heartbeatAt)));
    })));
}

function nodesPage() {
  const box = h('section');
  fill(view, h('h1', {}, 'Nodes'), box);
  return { dispose: every(3000, async () => fill(box, nodeTable(await api('/nodes')))) };
}

function workflowsPage(params) {
  const state = params.get('state') ?? '';
  const q = params.get('q') ?? '';
  const filter = h('form', { class: 'filters', id: 'workflow-filters' },
    h('label', {}, 'State ', h('select', { name: 'state', id: 'filter-state' }, h('option', { value: '' }, 'any'),
      ['Pending', 'Running', 'Paused', 'Succeeded', 'Failed', 'Cancelled'].map(s => h('option', { value: s, selected: s === state }, s)))),
    h('label', {}, 'Search ', h('input', { name: 'q', id: 'filter-q', type: 'search', value: q, placeholder: 'name or id' })),
    h('button', { type: 'submit' }, 'Apply'));
  filter.addEventListener('submit', e => {
    e.preventDefault();
    const form = new FormData(filter);
    const next = new URLSearchParams([...form].filter(([, v]) => v));
    location.hash = `#/workflows${next.size ? `?${next}` : ''}`;
  });
  filter.querySelector('select').addEventListener('change', () => filter.requestSubmit());
  const table = h('tbody');
  const more = h('button', { class: 'link', hidden: true }, 'Load more');
  fill(view, h('h1', {}, 'Workflows'), filter,
    h('table', { class: 'workflows' }, h('thead', {}, h('tr', {}, ['name', 'state', 'tasks', 'submitted', 'by', 'id'].map(c => h('th', {}, c)))), table), more);
  let pages = 1;
  const load = async () => {
    const rows = [];
    let cursor = null;
    for (let i = 0; i < pages; i++) {
      const query = new URLSearchParams({ limit: '50' });
      if (state) query.set('state', state);
      if (cursor) query.set('cursor', cursor);
      const page = await api(`/workflows?${query}`);
      rows.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    more.hidden = !cursor;
    const needle = q.toLowerCase();
    const shown = needle ? rows.filter(w => w.name.toLowerCase().includes(needle) || w.id.toLowerCase().includes(needle)) : rows;
    fill(table, ...(shown.length ? shown.map(w => h('tr', { 'data-workflow': w.id },
      h('td', {}, h('a', { href: `#/workflows/${encodeURIComponent(w.id)}` }, w.name)),
      h('td', {}, badge(w.state)), h('td', {}, String(w.taskCount)), h('td', { title: w.submittedAt }, ago(w.submittedAt)),
      h('td', {}, w.submitter ?? '-'), h('td', {}, h('code', {}, w.id)))) : [h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No workflows match.'))]));
  };
  more.addEventListener('click', () => { pages++; load(); });
  return { dispose: every(3000, load) };
}

(async () => {
  if (auth.token) {
    try { await signIn(auth.token); route(true); return; } catch { auth.token = null; }
  }
  showLogin();
})();
