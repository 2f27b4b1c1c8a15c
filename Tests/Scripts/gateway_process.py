"""A switchboard binary started for a test script, and JSON calls to it. Gateways still running when the script
exits are killed."""
import atexit, http.client, json, os, socket, subprocess, sys, time

_started = []
atexit.register(lambda: [proc.kill() for proc in _started if proc.poll() is None])


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def start(binary, data, key, config=None, port=None, log=None, env=None):
    """`switchboard serve` on `port` (else a free one) with the data folder and admin key; returns (process, port)
    once ready. `log`: a file that gets the gateway's stdout and stderr; `env`: extra environment variables."""
    port = port or free_port()
    arguments = [binary, "serve", "--port", str(port), "--data", data] + (["--config", config] if config else [])
    output = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(arguments, env=dict(os.environ, SWITCHBOARD_ADMIN_KEY=key, **(env or {})),
                            stdout=output, stderr=output)
    _started.append(proc)
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2); c.request("GET", "/readyz")
            if c.getresponse().status == 200: return proc, port
        except OSError:
            time.sleep(0.05)
    sys.exit("gateway did not start")


def call(port, method, path, body=None, key=""):
    """One JSON request with the key; returns (status, parsed body or None)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    r = c.getresponse(); raw = r.read()
    return r.status, (json.loads(raw) if raw else None)
