// The dashboard's only way to the server: /api/v1 with the user's key, and SSE read through fetch (EventSource
// cannot send an Authorization header). A 401 anywhere signs the user out.
const KEY = 'flowmesh.token';

export const auth = {
  get token() { return sessionStorage.getItem(KEY); },
  set token(value) { value ? sessionStorage.setItem(KEY, value) : sessionStorage.removeItem(KEY); },
  onSignedOut: () => {},
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code;
  }
}

export async function api(path, { method = 'GET', body, raw = false, signal } = {}) {
  const headers = { Authorization: `Bearer ${auth.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  if (response.status === 401) {
    auth.token = null;
    auth.onSignedOut();
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

/** Downloads a file the API serves (the key goes in a header, so a plain link cannot). */
export async function download(path, filename) {
  const response = await api(path, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Follows an SSE stream: calls onEvent(name, data, id) per event, resumes after a dropped connection from the last
 * id, and stops at `eos` or when signal aborts.
 */
export async function stream(path, onEvent, signal) {
  let last = null;
  while (!signal.aborted) {
    try {
      const headers = { Authorization: `Bearer ${auth.token}`, Accept: 'text/event-stream' };
      if (last !== null) headers['Last-Event-ID'] = last;
      const response = await fetch(`/api/v1${path}`, { headers, signal });
      if (response.status === 401) { auth.token = null; auth.onSignedOut(); return; }
      if (!response.ok) throw new ApiError(response.status, null);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let name = 'message', data = '', id = null;
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) name = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
            else if (line.startsWith('id: ')) id = line.slice(4);
          }
          if (!data) continue;
          if (id !== null) last = id;
          onEvent(name, JSON.parse(data), id);
          if (name === 'eos') return;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status < 500 && error.status !== 429) return;
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}
