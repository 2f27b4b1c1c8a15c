#!/usr/bin/env python3
"""A fault-injection fake provider on loopback. It speaks enough WAHA (POST /api/sendText, GET
/api/{session}/chats/{chat}/messages, GET /api/sessions/{session}) and waxum (POST /api/v1/sessions/{id}/messages/text)
for the gateway's adapters, and counts every call.

Each send takes the next fault from the plan, else the default (`ok`, or a failure with probability `failRate`):
  ok            accept: 201 with a message id
  STATUS        answer that HTTP status with a provider-shaped error (500, 503, ...)
  429:SECONDS   429 with Retry-After: SECONDS
  hang          read the request, never answer (the message is not taken)
  reset         close the connection with a TCP reset, no answer (not taken)
  drop          accept the message, then close the connection without answering (taken: the gateway cannot know)
  echo:STATUS   answer STATUS with the request's headers echoed in the body, as careless providers do (with the
                credentials the gateway sent: secrets_grep.py checks they go no further)

Control: POST /_plan {"faults": [...], "default": "ok", "failRate": 0.0, "failWith": "503"};
GET /_stats -> {"sendCalls", "lookups", "accepted": {text: count}, "acceptedTotal", "faults": {fault: count}};
POST /_reset clears counts and messages.

Usage: fault_provider.py [--port N] — prints "port N" when listening. Importable: `start()` returns the server."""
import http.server, json, random, socket, struct, sys, threading, time, urllib.parse

lock = threading.Lock()
state = {}
counter = [0]  # message ids stay unique across resets, as a real provider's do


def reset():
    with lock:
        state.clear()
        state.update({"plan": [], "default": "ok", "failRate": 0.0, "failWith": "503", "sendCalls": 0, "lookups": 0,
                      "accepted": {}, "messages": [], "faults": {}})


reset()


def next_fault():
    with lock:
        state["sendCalls"] += 1
        if state["plan"]:
            fault = state["plan"].pop(0)
        elif state["failRate"] > 0 and random.random() < state["failRate"]:
            fault = state["failWith"]
        else:
            fault = state["default"]
        state["faults"][fault] = state["faults"].get(fault, 0) + 1
        return fault


def accept(chat, text):
    with lock:
        counter[0] += 1
        ident = "true_%s_FAKE%08d" % (chat, counter[0])
        state["accepted"][text] = state["accepted"].get(text, 0) + 1
        state["messages"].append({"id": ident, "chat": chat, "body": text, "fromMe": True, "timestamp": int(time.time())})
        return ident


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=None):
        raw = json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def body(self):
        raw = self.rfile.read(int(self.headers.get("content-length", "0") or 0))
        return json.loads(raw) if raw else {}

    def not_found(self, method, path):
        """404 for anything else, echoing the request's headers (credentials included), as careless providers do."""
        return self.answer(404, {"statusCode": 404, "message": "Cannot %s %s" % (method, path), "headers": dict(self.headers.items())})

    def abort(self, hard):
        """Closes without an answer; `hard` sends a TCP reset."""
        if hard:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR) if not hard else None
        except OSError:
            pass
        self.connection.close()

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        parts = url.path.split("/")
        if url.path == "/_stats":
            with lock:
                stats = {k: state[k] for k in ("sendCalls", "lookups", "accepted", "faults")}
                stats["acceptedTotal"] = sum(state["accepted"].values())
            return self.answer(200, stats)
        if len(parts) == 6 and parts[1] == "api" and parts[3] == "chats" and parts[5] == "messages":
            chat = urllib.parse.unquote(parts[4])
            query = urllib.parse.parse_qs(url.query)
            since = int(query.get("filter.timestamp.gte", ["0"])[0])
            with lock:
                state["lookups"] += 1
                found = [m for m in state["messages"] if m["chat"] == chat and m["timestamp"] >= since]
            return self.answer(200, found[-int(query.get("limit", ["100"])[0]):])
        if len(parts) == 4 and parts[1] == "api" and parts[2] == "sessions":
            return self.answer(200, {"name": parts[3], "status": "WORKING"})
        return self.not_found("GET", url.path)

    def do_POST(self):
        path = urllib.parse.urlparse(self.path).path
        body = self.body()
        if path == "/_plan":
            with lock:
                state["plan"] = list(body.get("faults", []))
                state["default"] = body.get("default", "ok")
                state["failRate"] = float(body.get("failRate", 0))
                state["failWith"] = body.get("failWith", "503")
            return self.answer(200, {"ok": True})
        if path == "/_reset":
            reset()
            return self.answer(200, {"ok": True})
        waha = path == "/api/sendText"
        waxum = path.startswith("/api/v1/sessions/") and path.endswith("/messages/text")
        if not (waha or waxum):
            return self.not_found("POST", path)
        chat = body.get("chatId") if waha else body.get("to")
        text = body.get("text", "")
        fault = next_fault()
        if fault == "ok":
            ident = accept(chat, text)
            return self.answer(201, {"id": ident, "timestamp": int(time.time())} if waha else {"message_id": ident, "timestamp": int(time.time()), "to": chat})
        if fault == "hang":
            time.sleep(30)
            return self.abort(hard=False)
        if fault == "reset":
            return self.abort(hard=True)
        if fault == "drop":
            accept(chat, text)
            return self.abort(hard=False)
        if fault.startswith("echo:"):
            status = int(fault.split(":")[1])
            return self.answer(status, {"statusCode": status, "message": "Unauthorized", "headers": dict(self.headers.items())})
        if fault.startswith("429"):
            seconds = fault.split(":")[1] if ":" in fault else "1"
            return self.answer(429, {"statusCode": 429, "message": "Too Many Requests"}, {"Retry-After": seconds})
        status = int(fault)
        return self.answer(status, {"statusCode": status, "exception": {"message": "injected failure %d" % status}}
                           if waha else {"success": False, "error": {"code": status, "message": "injected failure %d" % status}})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass  # a client that went away mid-answer (a killed gateway, a timed-out call) is part of the test


def start(port=0):
    """Serves in a background thread; returns the server (its port is `server.server_address[1]`)."""
    server = Server(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 0
    server = start(port)
    print("port", server.server_address[1], flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
