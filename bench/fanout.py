#!/usr/bin/env python3
"""Native device fan-out over WebSocket. Creates DEVICES native sessions and DEVICES / GROUP_SIZE groups of
GROUP_SIZE members (each created by its first member), connects one device per session to
/v1/native/sessions/{s}/socket (from the current head, so no history is replayed), then sends text messages over
HTTP for DURATION seconds, round-robin over the groups (the sender is the group's creator), paced so that the
fan-out is RATE deliveries/s (each message reaches GROUP_SIZE - 1 recipient devices). Every text carries its send
time (CLOCK_MONOTONIC, taken just before the HTTP request); each device takes the latency when its
`message.received` frame arrives. Devices do not ack (ACK=1: each device acks every message.received).
Checks that every recipient device got every message exactly once, and reports latency, deliveries/s, the
gateway's RSS and CPU, and this client's CPU (it shares the machine with the gateway).
Usage: fanout.py BASE_URL ADMIN_KEY GATEWAY_PID   (DEVICES, GROUP_SIZE, DURATION, RATE, SENDERS, ACK from the
environment)"""
import asyncio, http.client, json, os, resource, sys, threading, time, urllib.parse
from concurrent.futures import ThreadPoolExecutor

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

base, key, gateway_pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
devices = int(os.environ.get("DEVICES", 1000))
group_size = int(os.environ.get("GROUP_SIZE", 50))
duration = float(os.environ.get("DURATION", 20))
rate = float(os.environ.get("RATE", 1000))          # fan-out deliveries/s
senders = int(os.environ.get("SENDERS", 4))         # HTTP keep-alive connections (one thread each) for the sends
ack = os.environ.get("ACK", "0") == "1"
drain_seconds = 15.0
url = urllib.parse.urlparse(base)
headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
groups = devices // group_size
assert groups >= 1 and group_size >= 2, "need DEVICES >= GROUP_SIZE >= 2"

# ---- the gateway's process ----

def proc_status(field):  # KiB
    with open(f"/proc/{gateway_pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1

def rss_mib(): return proc_status("VmRSS") / 1024

def gateway_cpu_seconds():
    with open(f"/proc/{gateway_pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

def client_cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

# ---- HTTP (one keep-alive connection per thread) ----

local = threading.local()

def call(method, path, body=None, expect=(200, 201)):
    conn = getattr(local, "conn", None)
    if conn is None:
        conn = local.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse(); data = r.read()
    if r.status not in expect:
        raise SystemExit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data) if data else None

def quantile(sorted_values, q):
    if not sorted_values: return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]

# ---- the world: sessions and groups ----

sessions = [f"d{i + 1:04d}" for i in range(devices)]
phones = [f"+155501{i:05d}" for i in range(devices)]   # fictional +1 555-01xx… numbers

def setup():
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: call("POST", "/v1/sessions", {"id": sessions[i], "provider": "native", "phone": phones[i]}),
                      range(devices)))
        def make_group(g):
            members = range(g * group_size, (g + 1) * group_size)
            creator = members[0]
            made = call("POST", f"/v1/sessions/{sessions[creator]}/groups",
                        {"name": f"Fan-out {g + 1}", "participants": [phones[m] for m in members[1:]]})
            assert made["participantCount"] == group_size, made
            return made["id"], sessions[creator], [sessions[m] for m in members[1:]]
        return list(pool.map(make_group, range(groups)))

# ---- devices ----

class Stats:
    def __init__(self):
        self.latencies_ns = []
        self.got = {}             # message index -> list of sessions that received it
        self.frames = 0
        self.received = 0
        self.other_events = 0
        self.out_of_order = 0
        self.closed = []          # (session, code, reason) of connections that closed early
        self.last_receive = 0
        self.connected = 0

stats = Stats()

def socket_uri(session, after):
    return (f"ws://{url.hostname}:{url.port}/v1/native/sessions/{session}/socket"
            + (f"?after={after}" if after is not None else ""))

async def open_device(session, after):
    ws = await connect(socket_uri(session, after), additional_headers={"Authorization": "Bearer " + key},
                       compression=None, ping_interval=None, open_timeout=120, max_size=2 ** 20)
    ready = json.loads(await ws.recv())
    if ready.get("type") != "ready" or (after is not None and ready.get("after") != after):
        raise SystemExit(f"{session}: unexpected first frame {ready}")
    return ws, ready

async def run_device(session, ws, stop):
    last_seq = 0
    try:
        async for raw in ws:
            now = time.monotonic_ns()
            stats.frames += 1
            frame = json.loads(raw)
            if frame["type"] != "event":
                continue
            seq = frame["seq"]
            if seq <= last_seq: stats.out_of_order += 1
            last_seq = seq
            event = frame["event"]
            if event["type"] != "message.received":
                stats.other_events += 1
                continue
            text = event["data"].get("text", "")
            if not text.startswith("fanout "):
                continue
            _, index, sent_ns = text.split(" ")
            stats.latencies_ns.append(now - int(sent_ns))
            stats.got.setdefault(int(index), []).append(session)
            stats.received += 1
            stats.last_receive = now
            if ack:
                await ws.send(json.dumps({"type": "ack", "seq": seq}))
    except ConnectionClosed as closed:
        if not stop.is_set():
            stats.closed.append((session, closed.rcvd.code if closed.rcvd else None, closed.rcvd.reason if closed.rcvd else ""))
        return
    if not stop.is_set():
        stats.closed.append((session, ws.close_code, ws.close_reason))

# ---- sends ----

def send_loop(plan, worker, t0, interval, sent, errors, http_ns):
    """Sends the plan's messages worker, worker + senders, … each at t0 + index × interval."""
    for index in range(worker, len(plan), senders):
        group, sender = plan[index]
        delay = t0 + index * interval - time.monotonic()
        if delay > 0: time.sleep(delay)
        start = time.monotonic_ns()
        try:
            call("POST", f"/v1/sessions/{sender}/messages", {"group": group, "text": f"fanout {index} {start}"},
                 expect=(200, 201, 202))
        except (SystemExit, OSError, http.client.HTTPException) as error:
            errors.append(f"{index}: {error}")
            local.conn = None
            continue
        http_ns.append(time.monotonic_ns() - start)
        sent[index] = start

async def main():
    loop = asyncio.get_running_loop()
    need = devices * 2 + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, need), hard))
    rss_idle = rss_mib()

    started = time.monotonic()
    world = await loop.run_in_executor(None, setup)
    setup_seconds = time.monotonic() - started
    rss_setup = rss_mib()
    print(f"setup: sessions={devices} groups={groups}x{group_size} took={setup_seconds:.1f}s", flush=True)

    # The head: one probe connection without a cursor reads it from its ready frame.
    probe, ready = await open_device(sessions[0], None)
    head = ready["head"]
    await probe.close()

    stop = asyncio.Event()
    started = time.monotonic()
    gate = asyncio.Semaphore(64)
    async def connect_one(session):
        async with gate:
            ws, _ = await open_device(session, head)
        return ws
    member_sessions = sessions[:groups * group_size]
    sockets = await asyncio.gather(*(connect_one(s) for s in member_sessions))
    tasks = [asyncio.create_task(run_device(s, ws, stop)) for s, ws in zip(member_sessions, sockets)]
    connect_seconds = time.monotonic() - started
    await asyncio.sleep(2)   # settle
    rss_connected = rss_mib()
    print(f"connect: devices={len(sockets)} after={head} took={connect_seconds:.1f}s "
          f"(one device per session, {devices - len(member_sessions)} sessions outside the groups left out)", flush=True)

    if stats.frames:
        print(f"note: {stats.frames} frames arrived before any send", flush=True)

    per_message = group_size - 1
    interval = per_message / rate                       # seconds between messages
    count = max(1, int(duration / interval))
    plan = [(world[i % groups][0], world[i % groups][1]) for i in range(count)]
    expected = {i: set(world[i % groups][2]) for i in range(count)}
    sent, errors, http_ns = {}, [], []

    peak = [rss_connected]
    async def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mib())
            await asyncio.sleep(0.25)
    sampler = asyncio.create_task(sample())

    cpu_client0, cpu_gateway0 = client_cpu_seconds(), gateway_cpu_seconds()
    t0 = time.monotonic() + 0.05
    t0_ns = int(t0 * 1e9)
    threads = [threading.Thread(target=send_loop, args=(plan, w, t0, interval, sent, errors, http_ns), daemon=True)
               for w in range(senders)]
    for t in threads: t.start()
    await asyncio.to_thread(lambda: [t.join() for t in threads])
    send_end = time.monotonic()
    total_expected = sum(len(expected[i]) for i in sent)
    deadline = time.monotonic() + drain_seconds
    while stats.received < total_expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)   # late duplicates
    window_end = time.monotonic()
    cpu_client = client_cpu_seconds() - cpu_client0
    cpu_gateway = gateway_cpu_seconds() - cpu_gateway0
    rss_end = rss_mib()
    hwm = proc_status("VmHWM") / 1024
    stop.set()
    await sampler

    # Exactly once: every sent message at every recipient device of its group, once.
    missing = duplicates = unexpected = 0
    for index, members in expected.items():
        got = stats.got.get(index, [])
        if index not in sent:
            unexpected += len(got)
            continue
        seen = set(got)
        duplicates += len(got) - len(seen)
        missing += len(members - seen)
        unexpected += len(seen - members)

    lat = sorted(v / 1e6 for v in stats.latencies_ns)
    http_ms = sorted(v / 1e6 for v in http_ns)
    # Deliveries/s over the window from the first send to the last receipt.
    span = max(1e-9, (stats.last_receive - t0_ns) / 1e9) if stats.received else float("nan")
    window = window_end - t0
    ok = not errors and not stats.closed and missing == 0 and duplicates == 0 and unexpected == 0 and stats.out_of_order == 0
    print(f"sends: messages={len(sent)} of {count} planned at {1 / interval:.1f}/s over {send_end - t0:.1f}s "
          f"(to {per_message} recipient devices each) http_errors={len(errors)} "
          f"http_p50={quantile(http_ms, 0.5):.2f}ms http_p99={quantile(http_ms, 0.99):.2f}ms")
    print(f"deliveries: expected={total_expected} received={stats.received} missing={missing} duplicates={duplicates} "
          f"unexpected={unexpected} out_of_order={stats.out_of_order} early_closes={len(stats.closed)} "
          f"other_events={stats.other_events} acks={'on' if ack else 'off'}")
    print(f"throughput: deliveries_per_s={stats.received / span:.0f} (first send to last receipt, {span:.1f}s) "
          f"messages_per_s={len(sent) / (send_end - t0):.1f}")
    print(f"latency send->device: p50={quantile(lat, 0.5):.2f}ms p90={quantile(lat, 0.9):.2f}ms "
          f"p99={quantile(lat, 0.99):.2f}ms max={(lat[-1] if lat else float('nan')):.2f}ms")
    print(f"gateway_rss: idle={rss_idle:.1f}MiB after_setup={rss_setup:.1f}MiB with_{len(sockets)}_devices={rss_connected:.1f}MiB "
          f"peak_sampled={peak[0]:.1f}MiB end={rss_end:.1f}MiB hwm={hwm:.1f}MiB")
    print(f"cpu over {window:.1f}s: gateway={100 * cpu_gateway / window:.0f}% client={100 * cpu_client / window:.0f}% "
          f"(of one core; {os.cpu_count()} cores) loadavg={' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for line in errors[:5]: print(f"  send error {line}")
    for session, code, reason in stats.closed[:5]: print(f"  device {session} closed early: {code} {reason}")
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    for t in tasks: t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
