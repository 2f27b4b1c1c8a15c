// Embedded dashboard asset; edit it here (there is no build step).

extension DashboardAssets {
    /// The page at `/`: the shell the script fills in. No inline script or style, so the Content-Security-Policy can forbid both.
    static let page = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/app.css">
<script src="/dashboard/app.js" defer></script>
</head>
<body>
<header class="bar">
  <a class="brand" href="#/sessions">Switchboard</a>
  <span id="live" class="live" title="Event stream" hidden>live</span>
  <nav id="nav" hidden>
    <a href="#/sessions">Sessions</a>
    <a href="#/events">Events</a>
    <a href="#/webhooks">Webhooks</a>
    <a href="#/providers">Providers</a>
    <button id="logout" type="button" class="link">Sign out</button>
  </nav>
</header>
<div id="notice" role="alert" hidden></div>
<main>
  <form id="login" class="card" hidden>
    <h1>Sign in</h1>
    <p>Paste an API key: the admin key the first start printed, or a session key. It stays in this browser tab
      and is sent only to this gateway, with every call of the public API.</p>
    <label for="key">API key</label>
    <input id="key" name="key" type="password" autocomplete="off" spellcheck="false" required>
    <button type="submit" id="login-submit">Sign in</button>
  </form>
  <div id="view"></div>
</main>
<noscript>The dashboard needs JavaScript. The API is described at <a href="/openapi.json">/openapi.json</a>.</noscript>
</body>
</html>
"""#
}
