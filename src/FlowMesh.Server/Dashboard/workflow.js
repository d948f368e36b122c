import { api, download, stream } from './api.js';
import { render, setState } from './dag.js';
import { h, fill, badge, ago, duration, message } from './ui.js';

const enc = encodeURIComponent;
const LARGEST_GRAPH = 1500;

/**
 * One workflow, live: its graph coloured by state from the event stream, its header (state, counts, actions), and
 * a panel for the selected task (spec, why it waits, attempts, live logs, results and downloads).
 */
export async function workflowPage(view, id, selected, ctx) {
  const info = await api(`/workflows/${enc(id)}`);
  const tasks = new Map(info.tasks.map(t => [t.name, { ...t }]));
  const attempts = new Map();
  const header = h('div', { class: 'wf-header' });
  const graphBox = h('div', { class: 'graph' });
  const panel = h('aside', { class: 'panel', id: 'task-panel' });
  let workflow = info.workflow;
  let groups = new Map();

  const canOperate = ctx.rank >= 2;
  const drawHeader = () => {
    const counts = {};
    for (const t of tasks.values()) counts[t.state] = (counts[t.state] ?? 0) + 1;
    const running = workflow.state === 'Running' || workflow.state === 'Pending' || workflow.state === 'Paused';
    fill(header,
      h('div', { class: 'title' }, h('h1', {}, workflow.name), badge(workflow.state), h('code', { class: 'muted' }, workflow.id)),
      h('div', { class: 'counts' }, Object.entries(counts).map(([state, n]) => h('span', { class: `count state-${state}` }, `${n} ${state.toLowerCase()}`))),
      h('div', { class: 'facts muted' }, `submitted ${ago(workflow.submittedAt)}`, workflow.submitter ? ` by ${workflow.submitter}` : '',
        ` · ${duration(workflow.submittedAt, workflow.finishedAt)}`, ` · ${workflow.source}`),
      workflow.error ? message(workflow.error, 'error') : null,
      h('div', { class: 'actions' },
        canOperate && workflow.state === 'Running' ? h('button', { id: 'pause-workflow', onclick: () => pause('pause') }, 'Pause') : null,
        canOperate && workflow.state === 'Paused' ? h('button', { id: 'resume-workflow', onclick: () => pause('resume') }, 'Resume') : null,
        canOperate && running ? h('button', { id: 'cancel-workflow', class: 'danger', onclick: cancel }, 'Cancel workflow') : null,
        canOperate && (workflow.state === 'Failed' || workflow.state === 'Cancelled') ? h('button', { id: 'retry-workflow', onclick: retry }, 'Retry failed tasks') : null,
        !canOperate ? h('span', { class: 'muted', id: 'read-only' }, 'read-only: your role cannot change workflows') : null));
  };

  const cancel = async () => {
    if (!confirm(`Cancel workflow ${workflow.name}? Running tasks are stopped.`)) return;
    try { workflow = (await api(`/workflows/${enc(id)}/cancel`, { method: 'POST' })).workflow; drawHeader(); }
    catch (e) { header.append(message(e.message, 'error')); }
  };
  const pause = async verb => {
    try { workflow = (await api(`/workflows/${enc(id)}/${verb}`, { method: 'POST' })).workflow; drawHeader(); }
    catch (e) { header.append(message(e.message, 'error')); }
  };
  const retry = async () => {
    try { await api(`/workflows/${enc(id)}/retry`, { method: 'POST' }); location.reload(); }
    catch (e) { header.append(message(e.message, 'error')); }
  };

  const select = name => { location.hash = `#/workflows/${enc(id)}/tasks/${enc(name)}`; };
  if (tasks.size <= LARGEST_GRAPH) {
    const drawn = render([...tasks.values()], select);
    groups = drawn.groups;
    graphBox.append(drawn.svg);
  } else {
    graphBox.append(message(`${tasks.size} tasks: too many to draw; pick one from the list.`),
      h('ul', { class: 'task-list' }, [...tasks.values()].slice(0, 500).map(t => h('li', {}, h('a', { href: `#/workflows/${enc(id)}/tasks/${enc(t.name)}` }, t.name), ' ', badge(t.state)))));
  }

  drawHeader();
  fill(view, header, h('div', { class: 'wf-body' }, graphBox, panel));

  let panelCtl = null;
  const showTask = name => {
    panelCtl?.abort();
    panelCtl = new AbortController();
    for (const g of groups.values()) g.classList.toggle('selected', g.dataset.task === name);
    if (name && tasks.has(name)) {
      // The panel keeps the map's own list, so attempts that stream in after it opens still show.
      if (!attempts.has(name)) attempts.set(name, []);
      taskPanel(panel, id, tasks.get(name), attempts.get(name), ctx, panelCtl.signal);
    }
    else fill(panel, h('p', { class: 'muted' }, 'Select a task to see its spec, attempts, logs and results.'));
  };
  showTask(selected);

  // Every task.state event, from the first: the graph ends in the right state whatever the snapshot missed.
  const live = new AbortController();
  stream(`/workflows/${enc(id)}/events/stream`, (name, data) => {
    if (name === 'task.state' && data.task && tasks.has(data.task)) {
      const t = tasks.get(data.task);
      t.state = data.state;
      t.attempt = data.attempt ?? t.attempt;
      if (data.node) t.node = data.node;
      if (data.error) t.error = data.error;
      const list = attempts.get(data.task) ?? [];
      list.push({ at: data.at, state: data.state, attempt: data.attempt, node: data.node, error: data.error, reason: data.reason });
      attempts.set(data.task, list);
      const g = groups.get(data.task);
      if (g) setState(g, data.state);
      if (panel.dataset.task === data.task) panel.dispatchEvent(new CustomEvent('task-changed', { detail: t }));
      drawHeader();
    } else if (name === 'task.waiting' && data.task && tasks.has(data.task)) {
      tasks.get(data.task).waitingOn = data.reason ?? data.waiting ?? null;
    } else if (name === 'workflow.state') {
      workflow = { ...workflow, state: data.state, error: data.error ?? null, finishedAt: ['Succeeded', 'Failed', 'Cancelled'].includes(data.state) ? data.at : null };
      drawHeader();
    }
  }, live.signal);

  return {
    select: showTask,
    dispose: () => { live.abort(); panelCtl?.abort(); },
  };
}

function taskPanel(panel, id, task, attempts, ctx, signal) {
  panel.dataset.task = task.name;
  const base = `/workflows/${enc(id)}/tasks/${enc(task.name)}`;
  const summary = h('div');
  const specBox = h('pre', { class: 'spec' }, 'loading…');
  const attemptsBox = h('ol', { class: 'attempts' });
  const logBox = h('pre', { class: 'logs', id: 'task-logs', 'aria-live': 'polite' });
  const resultBox = h('div', { class: 'result' });

  const draw = t => {
    fill(summary,
      h('h2', {}, t.name, ' ', badge(t.state)),
      h('dl', {},
        h('dt', {}, 'type'), h('dd', {}, t.taskType),
        h('dt', {}, 'attempt'), h('dd', {}, String(t.attempt)),
        h('dt', {}, 'node'), h('dd', {}, t.node ?? '-'),
        h('dt', {}, 'depends on'), h('dd', {}, t.dependsOn.length ? t.dependsOn.join(', ') : '-'),
        t.startedAt ? [h('dt', {}, 'ran'), h('dd', {}, duration(t.startedAt, t.finishedAt))] : null),
      t.waitingOn && !['Succeeded', 'Failed', 'Cancelled', 'Skipped', 'Running'].includes(t.state) ? h('p', { class: 'waiting', id: 'task-waiting' }, `Waiting: ${t.waitingOn}`) : null,
      t.error ? message(t.error, 'error') : null,
      h('div', { class: 'actions' },
        ctx.rank >= 2 && t.taskType === 'approval' && t.state === 'Ready' ? [
          h('button', { id: 'approve-task', onclick: () => decide(true) }, 'Approve'),
          h('button', { id: 'reject-task', class: 'danger', onclick: () => decide(false) }, 'Reject')] : null,
        ctx.rank >= 2 && t.state === 'Running' ? h('button', { class: 'danger', id: 'stop-task', onclick: () => api(`${base}/stop`, { method: 'POST' }).catch(e => summary.append(message(e.message, 'error'))) }, 'Stop task') : null,
        t.state === 'Succeeded' ? h('button', { onclick: () => download(`${base}/results`, `${t.name}-results.json`) }, 'Download results.json') : null,
        t.state === 'Succeeded' ? h('button', { onclick: () => download(`${base}/results/bundle`, `${t.name}.tar.gz`) }, 'Download all files') : null));
    fill(attemptsBox, ...attempts.map(a => h('li', {}, h('span', { class: 'muted' }, new Date(a.at).toLocaleTimeString()), ' ', badge(a.state),
      a.attempt ? ` attempt ${a.attempt}` : '', a.node ? ` on ${a.node}` : '', a.reason ? ` (${a.reason})` : '', a.error ? ` — ${a.error}` : '')));
  };

  // A gate is decided with a short-lived signal token, the same way an outside system would do it.
  const decide = async approve => {
    try {
      const issued = await api(`${base}/signal-token?ttlSeconds=300`, { method: 'POST' });
      await api('/signals', { method: 'POST', body: { token: issued.token, decision: approve ? 'approve' : 'reject', by: `dashboard (key ${ctx.caller.subject})` } });
    } catch (e) { summary.append(message(e.message, 'error')); }
  };

  const loadResult = async t => {
    if (t.state !== 'Succeeded') { fill(resultBox, h('p', { class: 'muted' }, 'No result yet.')); return; }
    try {
      const result = await api(`${base}/results`, { signal });
      fill(resultBox, h('pre', { class: 'spec' }, JSON.stringify(result, null, 2)));
    } catch (e) { if (!signal.aborted) fill(resultBox, message(e.message, 'error')); }
  };

  draw(task);
  fill(panel, summary,
    h('h3', {}, 'Logs'), logBox,
    h('h3', {}, 'Result'), resultBox,
    h('h3', {}, 'Attempts'), attemptsBox,
    h('details', {}, h('summary', {}, 'Spec'), specBox));
  const onChange = e => { draw(e.detail); loadResult(e.detail); };
  panel.addEventListener('task-changed', onChange);
  signal.addEventListener('abort', () => panel.removeEventListener('task-changed', onChange));

  api(`${base}`, { signal }).then(fresh => { Object.assign(task, fresh); draw(task); loadResult(task); }).catch(() => {});
  api(`${base}/spec`, { signal }).then(spec => { specBox.textContent = JSON.stringify(spec, null, 2); }).catch(e => { specBox.textContent = e.message; });
  stream(`${base}/logs/stream`, (name, data) => {
    if (name !== 'log') return;
    const atBottom = logBox.scrollTop + logBox.clientHeight >= logBox.scrollHeight - 4;
    for (const line of data.lines ?? []) {
      logBox.append(h('span', { class: line.stream === 'stderr' ? 'stderr' : null }, `${line.text}\n`));
    }
    if (atBottom) logBox.scrollTop = logBox.scrollHeight;
  }, signal);
}
