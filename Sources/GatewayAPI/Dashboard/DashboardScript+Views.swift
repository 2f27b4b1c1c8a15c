// Embedded dashboard asset; edit it here (there is no build step).

extension DashboardAssets {
    /// The second part of the dashboard script (see `script`): the router, one function per view, and the start.
    static let scriptViews = #"""
  // --- Views ---------------------------------------------------------------------------------------------
  const routes = [
    [/^#\/sessions\/([^/]+)\/groups\/([^/]+)$/, groupView],
    [/^#\/sessions\/([^/]+)$/, sessionView],
    [/^#\/events$/, eventsView],
    [/^#\/webhooks\/([^/]+)$/, webhookView],
    [/^#\/webhooks$/, webhooksView],
    [/^#\/providers$/, providersView],
    [/^/, sessionsView],
  ];

  async function route() {
    if (!state.key) { showSignIn(); return; }
    state.generation += 1;
    const generation = state.generation;
    state.watchers.clear();
    const hash = location.hash || '#/sessions';
    for (const anchor of document.querySelectorAll('#nav a')) {
      anchor.classList.toggle('active', hash.startsWith(anchor.getAttribute('href')));
    }
    const [pattern, view] = routes.find(([regex]) => regex.test(hash));
    const params = (hash.match(pattern) || []).slice(1).map(decodeURIComponent);
    const view$ = $('#view');
    view$.replaceChildren(h('p', { class: 'empty' }, 'Loading…'));
    try {
      const content = await view(...params);
      if (generation === state.generation) view$.replaceChildren(...[content].flat().filter((node) => node != null));
    } catch (error) {
      if (generation === state.generation) view$.replaceChildren(h('p', { class: 'error' }, errorText(error)));
    }
  }

  async function sessionsView() {
    const sessions = await all('/v1/sessions');
    return [
      h('h1', null, 'Sessions'),
      table(['Session', 'Provider', 'Status', 'Account'], sessions.map((s) => h('tr', null,
        h('td', null, link(`#/sessions/${seg(s.id)}`, s.id)),
        h('td', null, s.provider, s.kind !== s.provider ? h('small', null, ` (${s.kind})`) : null),
        h('td', null, badge(s.status)),
        h('td', null, (s.account && (s.account.phone || s.account.jid)) || '—'))), 'No sessions this key may use.'),
    ];
  }

  async function sessionView(name) {
    const session = await api('GET', `/v1/sessions/${seg(name)}`);
    let groups;
    try {
      const data = await all(`/v1/sessions/${seg(name)}/groups`, 5);
      groups = table(['Group', 'Members', 'Id'], data.map((g) => h('tr', null,
        h('td', null, link(`#/sessions/${seg(name)}/groups/${seg(g.id)}`, g.name || g.id)),
        h('td', null, g.participantCount == null ? '—' : g.participantCount),
        h('td', null, h('code', null, g.id)))), 'No groups yet.');
    } catch (error) {
      groups = h('p', { class: 'error' }, errorText(error));
    }
    return [
      h('p', { class: 'crumbs' }, link('#/sessions', 'Sessions'), ' / ', session.id),
      h('h1', null, session.id, ' ', badge(session.status)),
      h('dl', { class: 'facts' },
        h('dt', null, 'Provider'), h('dd', null, `${session.provider} (${session.kind})`),
        h('dt', null, 'Account'), h('dd', null, (session.account && (session.account.phone || session.account.jid)) || '—'),
        h('dt', null, 'Capabilities'), h('dd', { class: 'wrap' }, (session.capabilities || []).join(', ') || '—')),
      h('h2', null, 'Groups'), groups,
    ];
  }

  async function groupView(name, groupId) {
    const base = `/v1/sessions/${seg(name)}`;
    const [group, page] = await Promise.all([
      api('GET', `${base}/groups/${seg(groupId)}`),
      api('GET', `${base}/messages?group=${seg(groupId)}&order=desc&limit=50`),
    ]);
    const list = h('ul', { class: 'messages', id: 'messages' });
    const shown = new Map();
    const renderMessage = (message) => {
      const attempts = h('div', { class: 'attempts', hidden: true });
      const row = h('li', { class: 'message', dataset: { id: message.id, status: message.status } },
        h('div', { class: 'text' }, message.text || message.caption || `(${message.type})`),
        h('div', { class: 'meta' },
          badge(message.status, 'status'), ' ',
          h('span', { class: 'receipts' }, receiptText(message.receipts)), ' ',
          time(message.createdAt), ' ',
          h('button', { type: 'button', class: 'link', onclick: () => toggleAttempts(message.id, attempts) }, 'attempts'),
          message.error ? h('div', { class: 'error' }, `${message.error.code}: ${message.error.message}`) : null),
        attempts);
      const old = shown.get(message.id);
      if (old) old.replaceWith(row); else list.prepend(row);
      shown.set(message.id, row);
    };
    [...page.data].reverse().forEach(renderMessage);

    const live = h('tbody', { id: 'group-events' }, state.events.filter((event) => event.group === group.id).slice(0, 50).map(eventRow));
    state.watchers.add((event) => {
      if (event.group !== group.id) return;
      if (event.session === name && event.type.startsWith('message.') && event.type !== 'message.received') {
        const id = event.data && event.data.id;
        if (id && (shown.has(id) || event.type === 'message.sent' || event.type === 'message.failed')) {
          api('GET', `/v1/messages/${seg(id)}`).then(renderMessage).catch(() => {});
        }
      }
      live.prepend(eventRow(event));
      while (live.children.length > 50) live.lastChild.remove();
    });

    const text = h('textarea', { id: 'compose-text', rows: 2, maxlength: 4096, placeholder: `Message to ${group.name || group.id}`, required: true });
    const send = h('button', { type: 'submit', id: 'compose-send' }, 'Send');
    const composer = h('form', { class: 'composer', id: 'composer', onsubmit: async (event) => {
      event.preventDefault();
      const body = text.value.trim();
      if (!body) return;
      send.disabled = true;
      try {
        // One key per message: a retried click cannot send it twice.
        const message = await api('POST', `${base}/messages`, { group: group.id, text: body }, { 'Idempotency-Key': crypto.randomUUID() });
        text.value = '';
        renderMessage(message);
      } catch (error) {
        notice(`Not sent: ${errorText(error)}`);
      } finally {
        send.disabled = false;
        text.focus();
      }
    } }, text, send);

    const settings = group.settings || {};
    return [
      h('p', { class: 'crumbs' }, link('#/sessions', 'Sessions'), ' / ', link(`#/sessions/${seg(name)}`, name), ' / ', group.name || group.id),
      h('h1', null, group.name || group.id),
      group.description ? h('p', { class: 'wrap' }, group.description) : null,
      h('dl', { class: 'facts' },
        h('dt', null, 'Id'), h('dd', null, h('code', null, group.id)),
        h('dt', null, 'Only admins send'), h('dd', null, yesNo(settings.announce)),
        h('dt', null, 'Only admins edit info'), h('dd', null, yesNo(settings.locked)),
        h('dt', null, 'Join approval'), h('dd', null, yesNo(settings.approvalRequired)),
        h('dt', null, 'Who adds members'), h('dd', null, settings.memberAddMode || '—')),
      h('div', { class: 'columns' },
        h('section', null, h('h2', null, 'Messages'), composer, list),
        h('section', null,
          h('h2', null, `Participants (${group.participantCount == null ? '?' : group.participantCount})`),
          table(['Member', 'Role'], (group.participants || []).map((p) => h('tr', null,
            h('td', null, p.phone || p.id), h('td', null, p.role ? badge(p.role) : '—'))), 'The provider does not list participants.'),
          h('h2', null, 'Live events'),
          h('div', { class: 'scroll' }, h('table', { class: 'events' }, live)))),
    ];
  }

  const yesNo = (value) => (value == null ? '—' : value ? 'yes' : 'no');
  const receiptText = (receipts) => (receipts ? `${receipts.delivered}/${receipts.recipients} delivered · ${receipts.read}/${receipts.recipients} read` : '');

  async function toggleAttempts(id, box) {
    if (!box.hidden) { box.hidden = true; return; }
    box.hidden = false;
    box.replaceChildren('Loading…');
    try {
      const message = await api('GET', `/v1/messages/${seg(id)}`);
      box.replaceChildren(table(['#', 'At', 'Outcome', 'Provider status', 'Error'], (message.attempts || []).map((a, index) => h('tr', null,
        h('td', null, a.number || index + 1), h('td', null, time(a.startedAt)), h('td', null, badge(a.outcome || '—')),
        h('td', null, a.providerStatus == null ? '—' : a.providerStatus),
        h('td', { class: 'wrap' }, a.error ? (a.error.code || a.error) : '—'))), 'No provider attempts: the engine delivered it directly.'));
    } catch (error) {
      box.replaceChildren(h('span', { class: 'error' }, errorText(error)));
    }
  }

  function eventsView() {
    const filter = h('input', { type: 'search', placeholder: 'Filter by type, session or text', 'aria-label': 'Filter events' });
    const body = h('tbody', { id: 'events' });
    const matches = (event) => {
      const needle = filter.value.trim().toLowerCase();
      return !needle || `${event.type} ${event.session || ''} ${eventSummary(event)}`.toLowerCase().includes(needle);
    };
    const redraw = () => body.replaceChildren(...state.events.filter(matches).map(eventRow));
    filter.addEventListener('input', redraw);
    state.watchers.add((event) => {
      if (!matches(event)) return;
      body.prepend(eventRow(event));
      while (body.children.length > MAX_EVENTS) body.lastChild.remove();
    });
    redraw();
    return [
      h('h1', null, 'Live events'),
      h('p', { class: 'hint' }, 'The canonical event stream (GET /v1/events/stream), newest first: the last 50 on sign-in, then every event as it happens.'),
      filter,
      h('div', { class: 'scroll' }, h('table', { class: 'events' },
        h('thead', null, h('tr', null, ['Time', 'Type', 'Session', 'Summary'].map((t) => h('th', null, t)))), body)),
    ];
  }

  async function webhooksView() {
    const subscriptions = await all('/v1/webhooks');
    const url = h('input', { type: 'url', required: true, placeholder: 'https://example.com/hooks/switchboard', 'aria-label': 'Webhook URL' });
    const types = h('input', { type: 'text', placeholder: 'message.read, group.* (empty: every event)', 'aria-label': 'Event types' });
    const form = h('form', { class: 'inline', onsubmit: async (event) => {
      event.preventDefault();
      const body = { url: url.value.trim() };
      const events = types.value.split(',').map((t) => t.trim()).filter(Boolean);
      if (events.length) body.events = events;
      try {
        const created = await api('POST', '/v1/webhooks', body);
        notice(`Subscribed. Signing secret (shown once, copy it now): ${created.secret}`, 'info');
        route();
      } catch (error) {
        notice(`Not subscribed: ${errorText(error)}`);
      }
    } }, url, types, h('button', { type: 'submit' }, 'Subscribe'));
    return [
      h('h1', null, 'Webhook subscriptions'),
      table(['URL', 'Events', 'Status', 'Failing since'], subscriptions.map((s) => h('tr', null,
        h('td', { class: 'wrap' }, link(`#/webhooks/${seg(s.id)}`, s.url)),
        h('td', { class: 'wrap' }, s.events ? s.events.join(', ') : 'all'),
        h('td', null, badge(s.status), s.disabledReason ? h('div', { class: 'hint' }, s.disabledReason) : null),
        h('td', null, time(s.failingSince)))), 'No subscriptions.'),
      h('h2', null, 'Subscribe'), form,
    ];
  }

  async function webhookView(id) {
    const base = `/v1/webhooks/${seg(id)}`;
    const [subscription, page] = await Promise.all([api('GET', base), api('GET', `${base}/deliveries?limit=100`)]);
    const retry = async (path, button) => {
      button.disabled = true;
      try {
        await api('POST', path);
        notice('Retry scheduled.', 'info', true);
        route();
      } catch (error) {
        notice(`Retry refused: ${errorText(error)}`);
        button.disabled = false;
      }
    };
    const failed = page.data.filter((d) => d.status === 'failed').length;
    const retryAll = h('button', { type: 'button', disabled: !failed, onclick: (event) => retry(`${base}/retry`, event.target) }, `Retry all failed (${failed})`);
    return [
      h('p', { class: 'crumbs' }, link('#/webhooks', 'Webhooks'), ' / ', subscription.id),
      h('h1', { class: 'wrap' }, subscription.url),
      h('dl', { class: 'facts' },
        h('dt', null, 'Status'), h('dd', null, badge(subscription.status), subscription.disabledReason ? ` ${subscription.disabledReason}` : ''),
        h('dt', null, 'Events'), h('dd', { class: 'wrap' }, subscription.events ? subscription.events.join(', ') : 'all'),
        h('dt', null, 'Sessions'), h('dd', null, subscription.sessions ? subscription.sessions.join(', ') : 'all'),
        h('dt', null, 'Failing since'), h('dd', null, time(subscription.failingSince))),
      h('h2', null, 'Deliveries'), retryAll,
      table(['Event', 'Status', 'Attempts', 'Last answer', 'Next attempt', ''], page.data.map((d) => h('tr', null,
        h('td', null, badge(d.eventType, 'event')), h('td', null, badge(d.status)), h('td', null, d.attempts),
        h('td', { class: 'wrap' }, d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '', d.lastError ? ` ${d.lastError}` : '', !d.lastStatusCode && !d.lastError ? '—' : ''),
        h('td', null, time(d.nextAttemptAt)),
        h('td', null, d.status === 'failed'
          ? h('button', { type: 'button', class: 'small', onclick: (event) => retry(`${base}/deliveries/${seg(d.id)}/retry`, event.target) }, 'Retry')
          : ''))), 'No deliveries yet.'),
    ];
  }

  async function providersView() {
    const providers = (await api('GET', '/v1/providers')).data;
    const capabilities = [];
    for (const provider of providers) {
      for (const capability of provider.capabilities) if (!capabilities.includes(capability)) capabilities.push(capability);
    }
    const cell = (provider, capability) => {
      if (!provider.capabilities.includes(capability)) return h('td', { class: 'no', title: 'unsupported_operation' }, '—');
      const note = provider.emulations && provider.emulations[capability];
      return h('td', { class: note ? 'partial' : 'yes', title: note || 'supported' }, note ? '✓*' : '✓');
    };
    return [
      h('h1', null, 'Provider capability matrix'),
      h('p', { class: 'hint' }, '✓ supported, ✓* supported with a difference (hover for it), — answers unsupported_operation before any provider call.'),
      h('div', { class: 'scroll' }, h('table', { class: 'matrix' },
        h('thead', null, h('tr', null, h('th', null, 'Capability'), providers.map((p) => h('th', { title: p.name }, p.kind)))),
        h('tbody', null,
          capabilities.map((capability) => h('tr', null, h('th', null, capability), providers.map((p) => cell(p, capability)))),
          h('tr', null, h('th', null, 'configured as'), providers.map((p) => h('td', { class: 'wrap' }, p.configured.join(', ') || '—'))),
          h('tr', null, h('th', null, 'webhook auth'), providers.map((p) => h('td', { class: 'wrap' }, p.webhookAuth || '—')))))),
    ];
  }

  // --- Start ---------------------------------------------------------------------------------------------
  document.addEventListener('DOMContentLoaded', () => {
    $('#login').addEventListener('submit', signIn);
    $('#logout').addEventListener('click', () => signOut());
    window.addEventListener('hashchange', route);
    if (state.key) start(); else showSignIn();
  });
})();
"""#
}
