// Embedded dashboard asset; edit it here (there is no build step).

extension DashboardAssets {
    /// The script: plain JavaScript over the public API with the signed-in key (sessionStorage of the tab only).
    /// One function scope in two parts: the plumbing here (DOM helpers, API calls, sign-in, the event stream), and
    /// the views in DashboardScript+Views.swift, which close the scope.
    static let script = scriptPlumbing + "\n\n" + scriptViews

    private static let scriptPlumbing = #"""
'use strict';
// Switchboard dashboard: plain JavaScript over the public API, with the key the operator typed (kept in this
// tab's sessionStorage only). Every text from the API is inserted as text, never as HTML.
(() => {
  const KEY_STORE = 'switchboard.key';
  const MAX_EVENTS = 300;
  const state = {
    key: sessionStorage.getItem(KEY_STORE),
    events: [],           // newest first, at most MAX_EVENTS
    watchers: new Set(),  // functions called with each live event
    stream: null,         // AbortController of the event stream
    lastEventId: null,
    generation: 0,        // bumped on every navigation: late answers of an old view are dropped
  };
  const $ = (selector) => document.querySelector(selector);

  // --- DOM -----------------------------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
      else if (name === 'class') el.className = value;
      else if (name === 'dataset') Object.assign(el.dataset, value);
      else el.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child == null || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }
  const link = (href, text) => h('a', { href }, text);
  const badge = (value, kind) => h('span', { class: `badge ${kind || ''} b-${String(value).replace(/[^a-z_]/gi, '')}` }, value);
  const time = (iso) => (iso ? h('time', { datetime: iso, title: iso }, new Date(iso).toLocaleTimeString()) : '—');
  const seg = (value) => encodeURIComponent(value);

  function table(headings, rows, empty) {
    if (!rows.length) return h('p', { class: 'empty' }, empty || 'Nothing yet.');
    return h('div', { class: 'scroll' }, h('table', null,
      h('thead', null, h('tr', null, headings.map((title) => h('th', null, title)))),
      h('tbody', null, rows)));
  }

  /** A message above the view; `fade`: one that goes away by itself (an acknowledgement, not something to copy). */
  function notice(text, kind, fade) {
    const box = $('#notice');
    clearTimeout(notice.timer);
    if (fade) notice.timer = setTimeout(() => { box.hidden = true; }, 4000);
    box.replaceChildren(h('span', null, text), h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: () => { box.hidden = true; } }, '×'));
    box.className = kind || 'error';
    box.hidden = false;
  }

  function errorText(error) {
    if (error instanceof APIError) return `${error.code}: ${error.message}`;
    return error && error.message ? error.message : String(error);
  }

  // --- API -----------------------------------------------------------------------------------------------
  class APIError extends Error {
    constructor(status, body) {
      const detail = (body && body.error) || {};
      super(detail.message || `HTTP ${status}`);
      this.status = status;
      this.code = detail.code || `http_${status}`;
    }
  }

  async function api(method, path, body, headers) {
    const options = { method, cache: 'no-store', headers: { Authorization: `Bearer ${state.key}`, ...headers } };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    const text = await response.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (_) { data = null; }
    }
    if (!response.ok) {
      const error = new APIError(response.status, data);
      if (response.status === 401) signOut(`The gateway refused the key (${error.code}). Sign in again.`);
      throw error;
    }
    return data;
  }

  /** Every page of a list route (bounded: at most `pages` pages). */
  async function all(path, pages = 20) {
    const items = [];
    let next = null;
    for (let page = 0; page < pages; page += 1) {
      const separator = path.includes('?') ? '&' : '?';
      const data = await api('GET', next ? `${path}${separator}after=${seg(next)}` : path);
      items.push(...data.data);
      next = data.next;
      if (!next) break;
    }
    return items;
  }

  // --- Sign-in -------------------------------------------------------------------------------------------
  function showSignIn() {
    $('#login').hidden = false;
    $('#nav').hidden = true;
    $('#live').hidden = true;
    $('#view').replaceChildren();
    $('#key').focus();
  }

  async function signIn(event) {
    event.preventDefault();
    const key = $('#key').value.trim();
    if (!key) return;
    state.key = key;
    try {
      await api('GET', '/v1/sessions?limit=1');
    } catch (error) {
      state.key = null;
      notice(error instanceof APIError && error.status === 401 ? 'That key was refused.' : `Could not sign in: ${errorText(error)}`);
      return;
    }
    sessionStorage.setItem(KEY_STORE, key);
    $('#key').value = '';
    $('#notice').hidden = true;
    start();
  }

  function signOut(message) {
    sessionStorage.removeItem(KEY_STORE);
    state.key = null;
    if (state.stream) state.stream.abort();
    state.stream = null;
    state.events = [];
    state.lastEventId = null;
    if (message) notice(message);
    showSignIn();
  }

  function start() {
    $('#login').hidden = true;
    $('#nav').hidden = false;
    $('#live').hidden = false;
    startStream();
    route();
  }

  // --- Live event stream (SSE over fetch, so the key travels in a header, never in a URL) ------------------
  function startStream() {
    if (state.stream) state.stream.abort();
    const controller = new AbortController();
    state.stream = controller;
    let delay = 1000;
    const run = async () => {
      while (!controller.signal.aborted) {
        try {
          const headers = { Authorization: `Bearer ${state.key}`, Accept: 'text/event-stream' };
          if (state.lastEventId) headers['Last-Event-ID'] = state.lastEventId;
          const response = await fetch(state.lastEventId ? '/v1/events/stream' : '/v1/events/stream?tail=50', { headers, signal: controller.signal, cache: 'no-store' });
          if (response.status === 401) { signOut('The gateway refused the key. Sign in again.'); return; }
          if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
          setLive(true);
          delay = 1000;
          await readStream(response.body.getReader());
        } catch (error) {
          if (controller.signal.aborted) return;
        }
        setLive(false);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 30000);
      }
    };
    run();
  }

  async function readStream(reader) {
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id = null;
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('id:')) id = line.slice(3).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (!data.length) continue;
        if (id) state.lastEventId = id;
        try { receive(JSON.parse(data.join('\n'))); } catch (_) { /* a malformed frame is skipped */ }
      }
    }
  }

  function setLive(on) {
    const live = $('#live');
    live.classList.toggle('on', on);
    live.title = on ? 'Live: receiving events' : 'Reconnecting to the event stream…';
  }

  function receive(event) {
    state.events.unshift(event);
    if (state.events.length > MAX_EVENTS) state.events.length = MAX_EVENTS;
    for (const watcher of state.watchers) watcher(event);
  }

  function eventSummary(event) {
    const data = event.data || {};
    if (event.type === 'message.received' || event.type === 'message.sent') return data.text || data.caption || data.type || '';
    if (event.type.startsWith('message.')) return [data.status || event.type.slice(8), data.participant ? `by ${data.participant.split('@')[0]}` : ''].join(' ');
    if (data.group && data.group.name) return data.group.name;
    if (data.participants) return data.participants.map((p) => p.phone || p.id || p).join(', ');
    return data.status || '';
  }

  function eventRow(event) {
    return h('tr', { dataset: { type: event.type } },
      h('td', null, time(event.occurredAt)), h('td', null, badge(event.type, 'event')),
      h('td', null, event.session || '—'), h('td', { class: 'wrap' }, eventSummary(event)));
  }
"""#
}
