// Embedded dashboard asset; edit it here (there is no build step).

extension DashboardAssets {
    /// The stylesheet: one file, no external fonts or images; readable from 375 px wide up.
    static let style = #"""
:root { --fg: #1d232a; --muted: #5c6670; --line: #d9dee3; --bg: #f6f7f9; --card: #fff; --accent: #0b6e4f; --bad: #b42318; --warn: #9a6700; --info: #175cd3; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--info); }
code, time { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.86em; }
h1 { font-size: 1.35rem; margin: 0.4rem 0 0.8rem; overflow-wrap: anywhere; }
h2 { font-size: 1.05rem; margin: 1.2rem 0 0.5rem; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 1rem; padding: 0.6rem 1rem; background: var(--fg); color: #fff; }
.bar a { color: #fff; text-decoration: none; }
.brand { font-weight: 700; }
#nav { display: flex; flex-wrap: wrap; gap: 0.2rem 0.9rem; align-items: center; margin-left: auto; }
#nav a.active { text-decoration: underline; text-underline-offset: 4px; }
#nav .link { color: #fff; }
.live { font-size: 0.75rem; padding: 0.05rem 0.45rem; border-radius: 1rem; background: #6b7280; }
.live.on { background: var(--accent); }
main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.2rem; max-width: 30rem; margin: 2rem auto; }
label { display: block; font-weight: 600; margin: 0.6rem 0 0.2rem; }
input, textarea, button { font: inherit; }
input, textarea { width: 100%; padding: 0.45rem 0.55rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; min-width: 0; }
button { padding: 0.45rem 0.9rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; margin-top: 0.5rem; }
button:disabled { opacity: 0.5; cursor: default; }
button.link { background: none; color: var(--info); padding: 0; margin: 0; text-decoration: underline; }
button.small { padding: 0.15rem 0.6rem; margin: 0; font-size: 0.85rem; }
#notice { display: flex; gap: 1rem; justify-content: space-between; align-items: start; padding: 0.6rem 1rem; overflow-wrap: anywhere; }
#notice.error { background: #fde8e7; color: var(--bad); }
#notice.info { background: #e8f0fe; color: var(--info); }
#notice button { color: inherit; text-decoration: none; font-size: 1.2rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; background: var(--card); font-size: 0.92rem; }
th, td { text-align: left; padding: 0.35rem 0.55rem; border-bottom: 1px solid var(--line); vertical-align: top; white-space: nowrap; }
td.wrap, .wrap { white-space: normal; overflow-wrap: anywhere; }
thead th { background: #eef1f4; font-weight: 600; }
.matrix td { text-align: center; }
.matrix td.yes { color: var(--accent); }
.matrix td.partial { color: var(--warn); cursor: help; }
.matrix td.no { color: var(--muted); }
.badge { display: inline-block; padding: 0.02rem 0.45rem; border-radius: 1rem; font-size: 0.78rem; background: #eef1f4; white-space: nowrap; }
.b-ready, .b-read, .b-succeeded, .b-active, .b-superadmin { background: #d1f0e2; color: #05603a; }
.b-sent, .b-delivered, .b-admin { background: #dbe8fd; color: #1849a9; }
.b-queued, .b-pending, .b-starting { background: #fef0c7; color: #93370d; }
.b-failed, .b-disabled, .b-failing, .b-logged_out { background: #fde8e7; color: var(--bad); }
.badge.event { background: #f1ecfb; color: #5b2ca0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0 0 0.5rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.crumbs { margin: 0; color: var(--muted); font-size: 0.9rem; overflow-wrap: anywhere; }
.columns { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.5rem; }
.composer { display: flex; gap: 0.5rem; align-items: end; margin-bottom: 0.6rem; }
.composer button { margin: 0; }
.messages { list-style: none; padding: 0; margin: 0; }
.message { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 0.5rem 0.7rem; margin-bottom: 0.5rem; }
.message .text { white-space: pre-wrap; overflow-wrap: anywhere; }
.message .meta { color: var(--muted); font-size: 0.85rem; margin-top: 0.2rem; }
.attempts { margin-top: 0.4rem; }
.inline { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; }
.inline input { flex: 1 1 14rem; }
.inline button { margin: 0; }
.empty, .hint { color: var(--muted); }
.error { color: var(--bad); }
input[type=search] { margin-bottom: 0.5rem; }
@media (max-width: 760px) {
  .columns { grid-template-columns: minmax(0, 1fr); }
  main { padding: 0.6rem; }
  #nav { margin-left: 0; width: 100%; }
  .composer { flex-direction: column; align-items: stretch; }
  table.events thead { display: none; }
  table.events tr { display: flex; flex-wrap: wrap; gap: 0.15rem 0.6rem; padding: 0.4rem 0.55rem; border-bottom: 1px solid var(--line); }
  table.events td { border: 0; padding: 0; }
  table.events td.wrap { flex-basis: 100%; }
}
"""#
}
